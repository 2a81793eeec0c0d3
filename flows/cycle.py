"""The full cycle (``kzwatch run``): link health, then discovery, then the digest.

Each part is its own flow run (a subflow), so a deployment can also schedule them separately
(deploy/prefect.yaml: link health daily, discovery hourly, digest daily at 07:00 Asia/Almaty).
"""

from __future__ import annotations

from kzwatch_flows._shared import resolve_as_of
from kzwatch_flows.check_links import check_links
from kzwatch_flows.digest import digest
from kzwatch_flows.discover import discover
from prefect import flow

__all__ = ["check_links", "discover", "digest", "full_cycle"]


@flow(name="kzwatch-cycle", log_prints=True)
def full_cycle(config: str | None = None, warehouse: str | None = None, as_of: str | None = None) -> dict:
    when = resolve_as_of(as_of).isoformat()
    return {
        "check": check_links(config=config, warehouse=warehouse, as_of=when),
        "discover": discover(config=config, warehouse=warehouse, as_of=when),
        "digest": digest(config=config, warehouse=warehouse, as_of=when, deliver=None),
    }
