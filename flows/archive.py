"""The archive phase: archived copies and baselines for cited URLs, beside link health.

Runs after the check (``kzwatch-check`` calls it as a subflow) and on its own schedule
(deploy/prefect.yaml ``archive-daily``), so a deployment can give the archive more time without
delaying verdicts.  One task: requests are paced per endpoint at the Internet Archive's limits
and the phase stops at ``[archive] budget_s``; progress is kept in the warehouse
(``archive_work``), so the next run continues where this one stopped.
"""

from __future__ import annotations

from kzwatch_flows._shared import RETRY, load, publish_summary, resolve_as_of
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from kzwatch.cycles.archive import run_archive_phase
from kzwatch.runner import guarded


@task(name="archive-phase", cache_policy=NO_CACHE, **RETRY)
def archive_phase(config, as_of):
    with guarded(config, "archive", as_of) as record:
        summary = run_archive_phase(config, as_of)
        record["summary"] = summary.as_dict()
    return summary


@flow(name="kzwatch-archive", log_prints=True)
def archive(config: str | None = None, warehouse: str | None = None, as_of: str | None = None) -> dict:
    when = resolve_as_of(as_of)
    cfg = load(config, warehouse)
    summary = archive_phase(cfg, when)
    rows = [{"status": k, "urls": v} for k, v in summary.done.items()]
    publish_summary("kzwatch-archive", f"Archive phase at {when.isoformat()}", summary.as_dict(), rows)
    return summary.as_dict()
