"""Link health: check every due cited URL, judge it, keep what was fetched (issue: link health).

One task runs the whole check cycle: per-host politeness lives inside kzwatch's fetcher, and a
task per URL would cost more orchestration than the fetch itself (bench/RESULTS.md).

With ``[scale] runner = "threads"`` or ``"dask"`` the cited pages are fetched by one task per
host-partitioned shard instead (``kzwatch.fanout``; its Prefect side is ``kzwatch_flows.fanout``).
The task runner is only known once the config is loaded, so that variant runs as a subflow given
the matching task runner; the cycle task inside it submits its shard tasks there (canaries, and
pages each with its soft-404 probe).  Everything else — the cycle lock,
judging and the batched warehouse commits — stays in the cycle task.

The archive phase (archived copies and baselines, ``flows/archive.py``) runs after the verdicts
are written, as a subflow: verdicts never wait for the archive.
"""

from __future__ import annotations

from kzwatch_flows import fanout
from kzwatch_flows._shared import RETRY, load, publish_summary, resolve_as_of
from kzwatch_flows.archive import archive
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from kzwatch.cycles.check import run_check_cycle
from kzwatch.runner import guarded


@task(name="check-citations", cache_policy=NO_CACHE, **RETRY)
def check_citations(config, as_of, fan_out: bool = False):
    fetch_pages = fanout.prefect_fetch_pages(config) if fan_out else None
    with guarded(config, "check", as_of) as record:
        summary = run_check_cycle(config, as_of, fetch_pages=fetch_pages)
        record["summary"] = summary.as_dict()
    return summary


@flow(name="kzwatch-check-fanned-out")
def check_fanned_out(config, as_of):
    """The same cycle task, in a flow whose task runner (threads or Dask) runs the shards."""
    return check_citations(config, as_of, fan_out=True)


@flow(name="kzwatch-check", log_prints=True)
def check_links(config: str | None = None, warehouse: str | None = None, as_of: str | None = None) -> dict:
    when = resolve_as_of(as_of)
    cfg = load(config, warehouse)
    if fanout.wants_fan_out(cfg):
        fanned_out = check_fanned_out.with_options(task_runner=fanout.task_runner(cfg))
        with fanout.local_workers_share_api(cfg):
            summary = fanned_out(cfg, when)
    else:
        summary = check_citations(cfg, when)
    rows = [{"event": e.kind, "footnote": e.footnote, "url": e.url, "subject": e.subject} for e in summary.events]
    publish_summary("kzwatch-check", f"Link health at {when.isoformat()}", summary.as_dict(), rows)
    archive(config=config, warehouse=warehouse, as_of=when.isoformat())  # beside the verdicts, after them
    return summary.as_dict()
