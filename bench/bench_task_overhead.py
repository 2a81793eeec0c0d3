"""How much does Prefect orchestration cost per task run, against one task per cycle?

Why it matters: kzwatch runs one task for the whole check cycle (per-host politeness lives in the
fetcher), not one task per URL.  This prints the cost of N trivial task runs against one task
doing the same N trivial calls, in Prefect's ephemeral mode, so the choice rests on a number.

    python bench/bench_task_overhead.py [N]
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402


def work(i: int) -> int:
    return i * i


@task(cache_policy=NO_CACHE)
def one(i: int) -> int:
    return work(i)


@task(cache_policy=NO_CACHE)
def batch(n: int) -> int:
    return sum(work(i) for i in range(n))


@flow(task_runner=ThreadPoolTaskRunner(max_workers=8))
def per_item(n: int) -> int:
    return sum(f.result() for f in one.map(range(n)))


@flow
def batched(n: int) -> int:
    return batch(n)


def timed(fn, n: int) -> float:
    started = time.perf_counter()
    fn(n)
    return time.perf_counter() - started


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    started = time.perf_counter()
    batched(1)  # starts the ephemeral API once
    print(f"ephemeral API start + first flow: {time.perf_counter() - started:.1f} s")
    per = min(timed(per_item, n) for _ in range(2))
    one_task = min(timed(batched, n) for _ in range(2))
    print(f"{n} task runs (one per item):     {per:.2f} s  ({per / n * 1000:.1f} ms per task run)")
    print(f"1 task run doing {n} items:       {one_task:.2f} s")
    print(f"orchestration overhead per item if one task per URL: {(per - one_task) / n * 1000:.1f} ms")
