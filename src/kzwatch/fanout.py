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

Prefect and prefect-dask are imported only when asked for, so ``KZWATCH_PREFECT=0`` runs and
installs without the ``dask`` extra never import them.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from kzwatch.config import Config, ConfigError
from kzwatch.cycles.common import build_fetcher
from kzwatch.fetch import FetchJob
from kzwatch.model import FetchResult
from kzwatch.shards import partition_by_host, in_job_order

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
    fetchers that know nothing of the previous call's requests, and the check cycle follows the
    page fetches at once with soft-404 probes to the same hosts; this keeps those at least a
    politeness delay after each host's last page.  One delay per call, not per host.
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


# --- Prefect ------------------------------------------------------------------------------------


def wants_fan_out(config: Config) -> bool:
    return config.scale.runner != "local"


def task_runner(config: Config) -> Any:
    """The Prefect task runner ``[scale]`` asks for; None for ``runner = "local"``.

    ``threads``: a ``ThreadPoolTaskRunner`` in this process.  ``dask``: a ``DaskTaskRunner`` on
    ``dask_address`` if set, else on a temporary ``distributed.LocalCluster`` of ``workers``
    processes with one thread each (one shard at a time per process; the shard's fetcher runs
    its hosts in parallel threads itself), listening on 127.0.0.1 only, no dashboard asked for.
    """
    scale = config.scale
    if scale.runner == "threads":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=scale.workers)
    if scale.runner == "dask":
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError:
            raise ConfigError(f"{config.source}: 'scale.runner' is \"dask\" but prefect-dask is not "
                              "installed; pip install 'kzwatch[dask]'") from None
        if scale.dask_address:
            return DaskTaskRunner(address=scale.dask_address)
        return DaskTaskRunner(cluster_class="distributed.LocalCluster",
                              cluster_kwargs={"n_workers": scale.workers, "processes": True,
                                              "threads_per_worker": 1, "dashboard_address": None})
    return None


@contextlib.contextmanager
def local_workers_share_api(config: Config) -> Iterator[None]:
    """Let the processes of a Dask LocalCluster report to this process's Prefect API.

    In Prefect's ephemeral mode (the CLI without a server) the API is a temporary server only
    this process knows of: its settings carry no API URL, so every Dask worker would start a
    temporary server of its own (measured: ~10 s each on two cores) and keep its task runs
    there.  Inside this context the settings name our temporary server, and prefect-dask hands
    the settings to the workers.  With a Prefect server configured, or a remote Dask cluster
    (which could not reach our loopback anyway), nothing changes.
    """
    scale = config.scale
    url = None
    if scale.runner == "dask" and not scale.dask_address:
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            url = _ephemeral_api_url()
    if url is None:
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: url}):
        yield


def _ephemeral_api_url() -> str | None:
    """The URL of the temporary API server this process started, if it is running."""
    try:
        from prefect.server.api.server import SubprocessASGIServer  # Prefect internals: guarded

        server = SubprocessASGIServer()
        process = server.server_process
        return server.api_url if process is not None and process.poll() is None else None
    except Exception:  # noqa: BLE001 - at worst the workers start their own server, as before
        return None


@functools.cache
def _shard_task():
    """``fetch_shard`` as a Prefect task (built on first use, so importing this module never
    imports Prefect).  No cache and no retries: a shard re-run would fetch its hosts again."""
    from prefect import task
    from prefect.cache_policies import NO_CACHE

    return task(fetch_shard, name="fetch-shard", cache_policy=NO_CACHE)


def prefect_fetch_pages(config: Config) -> FetchPages:
    """A ``fetch_pages`` submitting one Prefect task per shard to the running flow's task runner.

    Call it inside a flow run (or a task of one): ``Task.submit`` finds the task runner in the
    flow run's context, so the same code runs on threads or on Dask depending only on the task
    runner the flow was given (``flows/check_links.py``).
    """
    return fan_out(config, _shard_task().submit, config.scale.workers)
