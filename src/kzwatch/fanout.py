"""Fan the link-health page fetches out over workers (threads or a Dask cluster) via Prefect.

The check cycle (``kzwatch.cycles.check.run_check_cycle``) takes a ``fetch_pages`` function
that replaces only the fetch of the cited pages.  This module provides one that:

1. splits the jobs into host-partitioned shards (:func:`kzwatch.shards.partition_by_host`), so
   every URL of a host is in exactly one shard;
2. submits one task per shard; each task builds its *own* :class:`~kzwatch.fetch.Fetcher` from
   the config (:func:`fetch_shard`), so one host is only ever fetched by one fetcher, with its
   ``per_host_delay_s`` and robots.txt, on one worker;
3. waits for every shard and puts the results back in job order.

What the workers write depends on the warehouse (README "Scale-out"):

* a DuckDB file (one writer): workers only fetch and never open the warehouse; the process
  running the cycle holds the cycle lock, judges every result and writes once;
* a DuckLake (many writers): for the cycle's pages (``FanOut.check_pages``) each worker also
  classifies its pages and commits their check rows and snapshots to the lake itself
  (``kzwatch.cycles.check.commit_worker_checks``), then sends back light results (no bodies);
  the coordinator applies the outage policy, reads the content against the baselines and
  commits the verdicts (url_state, claim support, events and the check rows' verdict columns).

The cycle sends its canaries, pages and soft-404 probes through this fan-out (so all come from
the workers' network); canaries never write anything; archive lookups stay in the cycle's
process.

Known limit: a redirect from a host in one shard to a host in another shard can make two
workers talk to that second host at the same time.  The single-process fetcher would have
serialised them (its throttle is shared); across workers nothing does.  It is one extra request
per redirect across hosts, not a stream.

This module is pure of Prefect: the Prefect side (the shard task, the task runner ``[scale]``
asks for, letting Dask workers report to our API) is ``kzwatch_flows.fanout`` (``flows/``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kzwatch.config import Config
from kzwatch.cycles.check import CheckWork, commit_worker_checks
from kzwatch.cycles.common import build_fetcher, process_name
from kzwatch.fetch import FetchJob
from kzwatch.model import FetchResult
from kzwatch.shards import in_job_order, partition_by_host

log = logging.getLogger("kzwatch.fanout")

FetchPages = Callable[[list[FetchJob]], list[FetchResult]]


@dataclass
class ShardResult:
    """What one worker sends back: its results in the shard's order, and who it was."""

    worker: str  # "hostname:pid" of the process that fetched (for logs and tests)
    results: list[FetchResult] = field(default_factory=list)


def worker_name() -> str:
    return process_name()


def fetch_shard(config: Config, jobs: Sequence[FetchJob], work: CheckWork | None = None) -> ShardResult:
    """Fetch one shard in whatever process runs this (a Dask worker, a thread, this process).

    Picklable (a module-level function of picklable arguments).  The fetcher is built from the
    config here, in the worker: its ``[fetch]`` settings, ``allow_private_hosts`` and
    ``resolve`` table travel inside ``config``; proxies and CA bundles come from the worker's
    own environment, like any fetcher's.

    With ``work`` (the check cycle on a lake) the worker also judges each page on its own and
    commits its check row and snapshot to the lake
    (:func:`kzwatch.cycles.check.commit_worker_checks`), and sends back light results.
    """
    fetcher = build_fetcher(config)
    try:
        results = fetcher.fetch_many(list(jobs))
    finally:
        fetcher.close()
    worker = worker_name()
    if work is not None:
        results = commit_worker_checks(config, work, list(jobs), results, worker)
    return ShardResult(worker=worker, results=results)


class _Future(Protocol):
    def result(self) -> ShardResult: ...


SubmitShard = Callable[..., _Future]
"""``submit(config, jobs)`` or ``submit(config, jobs, work)`` -> a future of
:func:`fetch_shard`'s result.  A Prefect task's ``.submit``,
``functools.partial(executor.submit, fetch_shard)`` or a Dask client's submit."""


class FanOut:
    """A ``fetch_pages`` that spreads host-partitioned shards over ``submit``'s workers.

    Called with jobs, it only fetches (the canaries, or any caller's pages);
    ``check_pages(jobs, work)`` has each worker also commit its pages' check rows to the lake
    (the check cycle does so on a ``ducklake`` backend).

    A call returns only ``per_host_delay_s`` after the last shard came back.  Every call builds
    new fetchers that know nothing of the previous call's requests (each page job carries its
    own soft-404 probe, fetched in the shard; the canaries may be asked again right after);
    this keeps a later call at least a politeness delay after each host's last page.  One delay
    per call, not per host.
    """

    def __init__(self, config: Config, submit: SubmitShard, shards: int, *,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.config, self.submit, self.shards, self.sleep = config, submit, shards, sleep

    def __call__(self, jobs: list[FetchJob]) -> list[FetchResult]:
        return self._run(jobs, None)

    def check_pages(self, jobs: list[FetchJob], work: CheckWork) -> list[FetchResult]:
        return self._run(jobs, work)

    def _run(self, jobs: list[FetchJob], work: CheckWork | None) -> list[FetchResult]:
        parts = partition_by_host(jobs, self.shards)
        # all submitted first
        futures = [self.submit(self.config, list(part.jobs)) if work is None
                   else self.submit(self.config, list(part.jobs), work.only(part.jobs)) for part in parts]
        done = [future.result() for future in futures]
        for number, (part, shard) in enumerate(zip(parts, done)):
            log.info("shard %d: %d URLs on %d hosts %s by %s", number, len(part.jobs), len(part.hosts),
                     "fetched" if work is None else "fetched and checked", shard.worker)
        results = in_job_order(parts, [shard.results for shard in done], len(jobs))
        delay = self.config.fetch.per_host_delay_s
        if parts and delay > 0:
            self.sleep(delay)
        return results


def fan_out(config: Config, submit: SubmitShard, shards: int, *,
            sleep: Callable[[float], None] = time.sleep) -> FanOut:
    """The :class:`FanOut` of ``submit``'s workers, ``shards`` shards per call."""
    return FanOut(config, submit, shards, sleep=sleep)


def wants_fan_out(config: Config) -> bool:
    return config.scale.runner != "local"
