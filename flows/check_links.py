"""Link health: check every due cited URL, judge it, keep what was fetched (issue: link health).

One task runs the whole check cycle: per-host politeness lives inside kzwatch's fetcher, and a
task per URL would cost more orchestration than the fetch itself (bench/RESULTS.md).
"""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from kzwatch.cycles.check import run_check_cycle
from kzwatch.runner import guarded
from kzwatch_flows._shared import RETRY, load, publish_summary, resolve_as_of


@task(name="check-citations", cache_policy=NO_CACHE, **RETRY)
def check_citations(config, as_of):
    with guarded(config, "check", as_of) as record:
        summary = run_check_cycle(config, as_of)
        record["summary"] = summary.as_dict()
    return summary


@flow(name="kzwatch-check", log_prints=True)
def check_links(config: str | None = None, warehouse: str | None = None, as_of: str | None = None) -> dict:
    when = resolve_as_of(as_of)
    cfg = load(config, warehouse)
    summary = check_citations(cfg, when)
    rows = [{"event": e.kind, "footnote": e.footnote, "url": e.url, "subject": e.subject} for e in summary.events]
    publish_summary("kzwatch-check", f"Link health at {when.isoformat()}", summary.as_dict(), rows)
    return summary.as_dict()
