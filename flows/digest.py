"""Digest: everything new since the last digest, rendered and (when configured) delivered."""

from __future__ import annotations

from kzwatch_flows._shared import RETRY, load, resolve_as_of
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from kzwatch.cycles.common import parse_as_of
from kzwatch.cycles.digest import run_digest_cycle
from kzwatch.runner import guarded


@task(name="build-and-deliver-digest", cache_policy=NO_CACHE, **RETRY)
def build_and_deliver(config, as_of, since, fmt, deliver):
    with guarded(config, "digest", as_of) as record:
        result = run_digest_cycle(config, as_of, since=since, fmt=fmt, deliver=deliver)
        record["summary"] = {k: v for k, v in result.items() if k not in ("text", "markdown")}
    return result


@flow(name="kzwatch-digest", log_prints=True)
def digest(config: str | None = None, warehouse: str | None = None, as_of: str | None = None,
           since: str | None = None, fmt: str = "md", deliver: bool | None = None) -> dict:
    """``deliver``: True sends, False only builds, None sends when a channel is configured."""
    when = resolve_as_of(as_of)
    cfg = load(config, warehouse)
    result = build_and_deliver(cfg, when, parse_as_of(since) if since else None, fmt, deliver)
    if result.get("markdown"):
        create_markdown_artifact(result["markdown"], key="kzwatch-digest", description="kzwatch digest")
    return result
