"""A fanned-out check cycle on a DuckLake: workers writing their check rows vs the coordinator
writing everything (README "Scale-out", issue 16).

One first check cycle (a fresh lake with a local catalog file each run) of N cited URLs on a
loopback simulated web (``bench_fanout``'s web process and scenarios), fanned out over a thread
pool of ``--workers`` shards, two ways:

* ``workers write``: what the cycle does on a lake — each worker classifies its pages, commits
  their check rows and snapshots, and sends back light results; the coordinator commits verdicts;
* ``coordinator writes``: the same fan-out hidden behind a plain function (no ``check_pages``),
  so the workers only fetch and the coordinator parses and writes everything (the design before).

Printed per way: the cycle's wall time (best of ``--repeat``), the bytes the workers' results
take pickled (what a Dask worker would send back over the network) and the lake commits by
author.  The web runs on the same machine, competing for the same cores.

    python bench/bench_lake_fanout.py [--workers 2] [--repeat 2]
"""

from __future__ import annotations

import argparse
import functools
import os
import pickle
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_fanout import SCENARIOS, Scenario, WebProcess, jobs_for, quiet, write_config  # noqa: E402

from kzwatch.config import load_config  # noqa: E402
from kzwatch.cycles.check import run_check_cycle  # noqa: E402
from kzwatch.fanout import fan_out, fetch_shard  # noqa: E402
from kzwatch.store import open_readonly, settings_of  # noqa: E402

AS_OF = datetime(2026, 11, 22, 6, 0, tzinfo=timezone.utc)
BIG_PAGES = Scenario("bigger pages: 8 hosts x 10 URLs, no delay, 60 KB pages",
                     {f"b{i}.bench.test": 10 for i in range(8)}, 0.0, 60)


def lake_config(directory: Path, scenario: Scenario, web: WebProcess, workers: int):
    rows = ["footnote,url,title,outlet,author,published,accessed"]
    rows += [f"{n},{job.url},,Outlet,,,2021-01-28" for n, job in enumerate(jobs_for(scenario, web), start=1)]
    (directory / "cites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    path = write_config(directory, scenario, "threads", workers, citations="cites.csv")
    text = path.read_text(encoding="utf-8").replace(
        '[warehouse]\npath = "w.duckdb"\n',
        '[warehouse]\npath = "w.duckdb"\nbackend = "ducklake"\ncatalog = "w.ducklake"\ndata_path = "lake"\n')
    path.write_text(text, encoding="utf-8")
    return load_config(path, env={})


def one_cycle(scenario: Scenario, web: WebProcess, workers: int, workers_write: bool) -> tuple[float, int, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        config = lake_config(Path(tmp), scenario, web, workers)
        shipped = []
        with ThreadPoolExecutor(max_workers=workers) as pool:
            fan = fan_out(config, functools.partial(pool.submit, fetch_shard), workers)

            def coordinator_writes(jobs):
                results = fan(jobs)
                shipped.append(len(pickle.dumps(results)))
                return results

            def workers_commit(jobs, work):
                results = fan.check_pages(jobs, work)
                shipped.append(len(pickle.dumps(results)))
                return results

            if workers_write:
                coordinator_writes.check_pages = workers_commit  # type: ignore[attr-defined]
            started = time.perf_counter()
            summary = run_check_cycle(config, AS_OF, fetch_pages=coordinator_writes)
            elapsed = time.perf_counter() - started
        if summary.outcomes.get("ok") != scenario.urls:
            raise SystemExit(f"the cycle did not see every page ok: {summary.outcomes}")
        settings = settings_of(config)
        with open_readonly(settings) as con:
            by_message = dict(con.execute(f"SELECT coalesce(commit_message, 'unsigned'), count(*) FROM "
                                          f"{settings.lake_alias}.snapshots() GROUP BY 1").fetchall())
        return elapsed, sum(shipped), by_message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    quiet()
    print(f"cores: {os.cpu_count()}, workers/shards: {args.workers} (threads), best of {args.repeat}")
    for scenario in (SCENARIOS[0], BIG_PAGES):
        web = WebProcess(scenario)
        os.environ["REQUESTS_CA_BUNDLE"] = web.ca_path
        try:
            print(f"\n{scenario.name} ({scenario.urls} URLs)")
            for name, workers_write in (("coordinator writes", False), ("workers write", True)):
                runs = [one_cycle(scenario, web, args.workers, workers_write) for _ in range(args.repeat)]
                best = min(r[0] for r in runs)
                _, shipped, commits = runs[-1]
                print(f"  {name:<20} {best:6.2f} s   results sent back {shipped / 1024:8.0f} KiB   commits {commits}")
        finally:
            web.stop()


if __name__ == "__main__":
    main()
