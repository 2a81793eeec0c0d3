"""The Prefect side of the page fan-out (the pure sharding is :mod:`kzwatch.fanout`).

Prefect and prefect-dask are imported only when asked for, so ``KZWATCH_PREFECT=0`` runs and
installs without the ``dask`` extra never import them.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

from kzwatch.config import Config, ConfigError
from kzwatch.fanout import FanOut, fan_out, fetch_shard, wants_fan_out

__all__ = ["local_workers_share_api", "prefect_fetch_pages", "task_runner", "wants_fan_out"]


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
        from prefect.server.api.server import (
            SubprocessASGIServer,  # Prefect internals: guarded
        )

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


def prefect_fetch_pages(config: Config) -> FanOut:
    """A ``fetch_pages`` submitting one Prefect task per shard to the running flow's task runner.

    Call it inside a flow run (or a task of one): ``Task.submit`` finds the task runner in the
    flow run's context, so the same code runs on threads or on Dask depending only on the task
    runner the flow was given (``flows/check_links.py``).  On a lake the check cycle calls its
    ``check_pages`` and the shard tasks commit their check rows themselves.
    """
    return fan_out(config, _shard_task().submit, config.scale.workers)
