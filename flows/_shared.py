"""What every kzwatch flow does the same way: config, the clock, artifacts, retry policy."""

from __future__ import annotations

from datetime import datetime

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from kzwatch.config import Config, load_config
from kzwatch.cycles.common import parse_as_of
from kzwatch.store import WarehouseBusy

# Prefect retries are for transient trouble only: a warehouse held by another process.  A 404
# or a dead host is data, recorded by the cycle, never an exception.
RETRY = dict(retries=2, retry_delay_seconds=[5, 20], retry_jitter_factor=0.5,
             retry_condition_fn=lambda task, run, state: _is_transient(state))


def _is_transient(state) -> bool:
    try:
        state.result()
    except WarehouseBusy:
        return True
    except Exception:
        return False
    return False


def resolve_as_of(as_of: str | None) -> datetime:
    """The cycle's clock: ``as_of`` if given, else the run's scheduled time, else now."""
    if as_of:
        return parse_as_of(as_of)
    try:
        from prefect.runtime import flow_run

        scheduled = flow_run.scheduled_start_time
        if scheduled is not None:
            return parse_as_of(datetime.fromisoformat(str(scheduled)))
    except Exception:  # not inside a flow run
        pass
    return parse_as_of(None)


@task(name="load-config", cache_policy=NO_CACHE)
def load(config: str | None, warehouse: str | None) -> Config:
    return load_config(config, warehouse=warehouse)


def publish_summary(key: str, title: str, summary: dict, rows: list[dict]) -> None:
    """A Markdown artifact and a table artifact per cycle: what changed."""
    lines = [f"# {title}", ""] + [f"- **{k}**: {v}" for k, v in summary.items()]
    create_markdown_artifact("\n".join(lines), key=key, description=title)
    table = rows[:500] or [{"change": "nothing new this cycle"}]
    create_table_artifact(table, key=f"{key}-table", description=f"{title}: what changed")
    get_run_logger().info("%s: %s", title, summary)
