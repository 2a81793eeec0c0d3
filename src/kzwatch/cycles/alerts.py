"""``kzwatch alerts``: list the alerts in the warehouse and ack, snooze or resolve them.

The lifecycle rules are pure (``kzwatch.alerts.lifecycle``); this module reads the ``events``
table into :class:`AlertRow` objects and writes the changed statuses back.
"""

from __future__ import annotations

import json
from datetime import datetime

from kzwatch.alerts import lifecycle
from kzwatch.config import Config
from kzwatch.store import fetch_dicts, open_warehouse, transaction


def load_alerts(con, where: str = "TRUE", params=()) -> list[lifecycle.AlertRow]:
    rows = fetch_dicts(con, f"SELECT * FROM events WHERE {where} ORDER BY created_at, event_id", params)
    for r in rows:
        r["details"] = json.loads(r["details"]) if r["details"] else {}
    return [lifecycle.AlertRow.from_record(r) for r in rows]


def list_alerts(config: Config, as_of: datetime, *, show_all: bool = False) -> str:
    with open_warehouse(config.warehouse_path, wait_s=config.warehouse.lock_wait_s) as con:
        # reminders restate an alert that is itself listed (and acked/resolved there): not separate alerts
        where = "TRUE" if show_all else "status IN ('open', 'snoozed') AND kind <> 'citation_reminder'"
        rows = load_alerts(con, where)
    if not rows:
        return "No open alerts."
    lines = [f"{'id':<12} {'status':<8} {'severity':<8} {'created':<16} subject"]
    for a in rows:
        status = a.status + (f" until {a.snoozed_until:%Y-%m-%d}" if a.status == "snoozed" else "")
        lines.append(f"{a.event_id[:12]:<12} {status:<8} {a.event.severity:<8} "
                     f"{a.event.created_at:%Y-%m-%d %H:%M} {_one_line(a.event.subject)}")
    return "\n".join(lines)


def alert_action(config: Config, action: str, ids: list[str], as_of: datetime, *, until: datetime | None = None) -> int:
    """Apply ack / snooze / resolve to alerts named by id or unique id prefix."""
    with open_warehouse(config.warehouse_path, wait_s=config.warehouse.lock_wait_s) as con:
        rows = load_alerts(con)
        changed = []
        for wanted in ids:
            matches = [a for a in rows if a.event_id.startswith(wanted)]
            if len(matches) != 1:
                raise ValueError(f"alert id {wanted!r} matches {len(matches)} alerts")
            changed.append(lifecycle.apply_action(matches[0], action, as_of, until))
        with transaction(con):
            for a in changed:
                con.execute("UPDATE events SET status = ?, acked_at = ?, snoozed_until = ?, resolved_at = ? "
                            "WHERE event_id = ?", [a.status, a.acked_at, a.snoozed_until, a.resolved_at, a.event_id])
    return len(changed)


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())[:120]
