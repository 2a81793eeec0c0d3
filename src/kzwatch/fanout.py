"""Fan the link-health page fetches out over workers (threads or a Dask cluster) via Prefect.

The check cycle (``kzwatch.cycles.check.run_check_cycle``) takes a ``fetch_pages`` function
that replaces only the fetch of the cited pages.  This module provides one that:

1. splits the jobs into host-partitioned shards (:func:`kzwatch.shards.partition_by_host`), so
   every URL of a host is in exactly one shard;
2. submits one task per shard; each task builds its *own* :class:`~kzwatch.fetch.Fetcher` from
   the config (:func:`fetch_shard`), so one host is only ever fetched by one fetcher, with its
   ``per_host_delay_s`` and robots.txt, on one worker;
3. waits for every shard and puts the results back in job order.

Workers only fetch.  They never open the warehouse: the process running the cycle holds the
cycle lock, judges every result and writes once (the single-writer design; README
"Scale-out").  The cycle sends its canaries, pages and soft-404 probes through this fan-out
(so all come from the workers' network); archive lookups stay in the cycle's process.

Known limit: a redirect from a host in one shard to a host in another shard can make two
workers talk to that second host at the same time.  The single-process fetcher would have
serialised them (its throttle is shared); across workers nothing does.  It is one extra request
per redirect across hosts, not a stream.

This module is pure of Prefect: the Prefect side (the shard task, the task runner ``[scale]``
asks for, letting Dask workers report to our API) is ``kzwatch_flows.fanout`` (``flows/``).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kzwatch.config import Config
from kzwatch.cycles.common import build_fetcher
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
    return f"{socket.gethostname()}:{os.getpid()}"


def fetch_shard(config: Config, jobs: Sequence[FetchJob]) -> ShardResult:
    """Fetch one shard in whatever process runs this (a Dask worker, a thread, this process).

    Picklable (a module-level function of picklable arguments).  The fetcher is built from the
    config here, in the worker: its ``[fetch]`` settings, ``allow_private_hosts`` and
    ``resolve`` table travel inside ``config``; proxies and CA bundles come from the worker's
    own environment, like any fetcher's.
    """
    fetcher = build_fetcher(config)
    try:
        results = fetcher.fetch_many(list(jobs))
    finally:
        fetcher.close()
    return ShardResult(worker=worker_name(), results=results)


class _Future(Protocol):
    def result(self) -> ShardResult: ...


SubmitShard = Callable[[Config, list[FetchJob]], _Future]
"""``submit(config, jobs)`` -> a future of :func:`fetch_shard`'s result.  A Prefect task's
``.submit``, ``functools.partial(executor.submit, fetch_shard)`` or a Dask client's submit."""


def fan_out(config: Config, submit: SubmitShard, shards: int, *,
            sleep: Callable[[float], None] = time.sleep) -> FetchPages:
    """A ``fetch_pages`` that spreads host-partitioned shards over ``submit``'s workers.

    It returns only ``per_host_delay_s`` after the last shard came back.  Every call builds new
    fetchers that know nothing of the previous call's requests (each page job carries its own
    soft-404 probe, fetched in the shard; the canaries may be asked again right after); this
    keeps a later call at least a politeness delay after each host's last page.  One delay per
    call, not per host.
    """
    delay = config.fetch.per_host_delay_s

    def fetch_pages(jobs: list[FetchJob]) -> list[FetchResult]:
        parts = partition_by_host(jobs, shards)
        futures = [submit(config, list(part.jobs)) for part in parts]  # all submitted first
        done = [future.result() for future in futures]
        for number, (part, shard) in enumerate(zip(parts, done)):
            log.info("shard %d: %d URLs on %d hosts fetched by %s", number, len(part.jobs),
                     len(part.hosts), shard.worker)
        results = in_job_order(parts, [shard.results for shard in done], len(jobs))
        if parts and delay > 0:
            sleep(delay)
        return results

    return fetch_pages


def wants_fan_out(config: Config) -> bool:
    return config.scale.runner != "local"
