"""Discovery: read watched feeds, listing pages and sitemaps; score new items against claims."""

from __future__ import annotations

from kzwatch_flows._shared import RETRY, load, publish_summary, resolve_as_of
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from kzwatch.cycles.discover import run_discover_cycle
from kzwatch.runner import guarded


@task(name="discover-reporting", cache_policy=NO_CACHE, **RETRY)
def discover_reporting(config, as_of):
    with guarded(config, "discover", as_of) as record:
        summary = run_discover_cycle(config, as_of)
        record["summary"] = summary.as_dict()
    return summary


@flow(name="kzwatch-discover", log_prints=True)
def discover(config: str | None = None, warehouse: str | None = None, as_of: str | None = None) -> dict:
    when = resolve_as_of(as_of)
    cfg = load(config, warehouse)
    summary = discover_reporting(cfg, when)
    rows = [{"claim": e.claim_id, "stance": e.details.get("stance"), "title": e.details.get("title"), "url": e.url}
            for e in summary.events if e.kind == "new_reporting"]
    publish_summary("kzwatch-discover", f"Discovery at {when.isoformat()}", summary.as_dict(), rows)
    return summary.as_dict()
