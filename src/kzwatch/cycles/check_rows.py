"""Warehouse rows of a judged URL, gathered into batches the check cycle commits as it goes.

A batch is bounded in rows and in seconds (``[check]``,
:class:`~kzwatch.cycles.check_settings.CheckSettings`); committing it writes the checks,
url_state, snapshots, claim support and events of its URLs in one transaction
(:func:`kzwatch.store.write_check_batch`).  When fan-out workers committed the check rows and
snapshots themselves (a lake), the batch instead fills those rows' verdict columns
(:func:`verdict_columns`) in the same transaction.  Because a URL's ``url_state.last_checked_at`` is the
slot's ``--as-of`` once its batch is committed, a cycle killed in the middle and started again
in the same slot re-checks only the URLs whose batch never committed.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from kzwatch.cycles.common import event_row, stable_id
from kzwatch.model import CheckOutcome, Event, FetchResult

if TYPE_CHECKING:
    import duckdb

    from kzwatch.cycles.check import UrlResult


@dataclass
class BatchRows:
    """Rows of one batch by table, ready for :func:`kzwatch.store.write_check_batch`."""

    snapshots: dict[str, dict] = field(default_factory=dict)
    checks: list[dict] = field(default_factory=list)
    states: list[dict] = field(default_factory=list)
    supports: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    # verdict columns of check rows a fan-out worker already committed (with their snapshots)
    verdicts: list[dict] = field(default_factory=list)

    def add(self, r: UrlResult, events: list[Event], as_of: datetime) -> None:
        if r.fetch.worker_check is not None:
            self.verdicts.append(verdict_columns(r, as_of))
        else:
            if r.snapshot is not None:
                self.snapshots[r.snapshot["snapshot_id"]] = r.snapshot
            self.checks.append(check_row(r, as_of))
        self.states.append(state_row(r, as_of))
        self.supports += [{k: v for k, v in row.items() if not k.startswith("previous_")} for row in r.support]
        self.events += [event_row(e) for e in events]

    def add_event(self, event: Event) -> None:
        self.events.append(event_row(event))


def _snapshot_id(r: UrlResult) -> str | None:
    if r.snapshot is not None:
        return r.snapshot["snapshot_id"]
    return r.same_snapshot_id  # the body was byte-identical to the last snapshot


def check_row(r: UrlResult, as_of: datetime) -> dict:
    """The whole check row of a URL judged in this process (fetch facts and verdict)."""
    return {**fetched_check_row(r.target.url, r.fetch, r.outcome, _snapshot_id(r), as_of),
            **verdict_columns(r, as_of)}


def check_id_of(url: str, as_of: datetime) -> str:
    return stable_id("check", url, as_of.isoformat())


def fetched_check_row(url: str, f: FetchResult, outcome: CheckOutcome, snapshot_id: str | None,
                      as_of: datetime) -> dict:
    """What one fetch saw, with the page's own outcome; the verdict columns stay NULL.

    A fan-out worker on a lake commits this row itself; the coordinator fills the verdict
    columns later (:func:`verdict_columns`)."""
    return {
        "check_id": check_id_of(url, as_of),
        "cycle_id": stable_id("cycle", "check", as_of.isoformat()),
        "checked_at": as_of, "url": url, "outcome": outcome.outcome,
        "http_status": f.status, "final_url": f.final_url,
        "hops": json.dumps([{"url": h.url, "status": h.status, "location": h.location, "address": h.address}
                            for h in f.hops]),
        "elapsed_ms": f.elapsed_ms, "bytes": f.bytes_read,
        "snapshot_id": snapshot_id,
        "not_modified": f.not_modified,
        "error_detail": (f.error or "") + (": " + f.error_detail if f.error_detail else ""),
        "evidence": outcome.evidence, "moved_to": outcome.moved_to,
        "drift": None, "drift_band": None, "state_after": None,
    }


def verdict_columns(r: UrlResult, as_of: datetime) -> dict:
    """The columns of a check row only the coordinator knows: the outcome after the outage
    policy and the content reading, drift, and the state the verdict left the URL in."""
    return {
        "check_id": check_id_of(r.target.url, as_of),
        "outcome": r.outcome.outcome, "evidence": r.outcome.evidence, "moved_to": r.outcome.moved_to,
        "drift": r.drift.similarity if r.drift is not None else None,
        "drift_band": r.drift.band if r.drift is not None else None,
        "state_after": r.verdict.state,
    }


def state_row(r: UrlResult, as_of: datetime) -> dict:
    f, s = r.fetch, r.target.state
    baseline = r.baseline or {}
    return {
        "url": r.target.url, "state": r.verdict.state, "strikes": r.verdict.strikes,
        "first_failure_at": r.verdict.first_failure_at, "last_strike_at": r.verdict.last_strike_at,
        "last_checked_at": as_of,
        "last_outcome": r.outcome.outcome, "http_status": f.status,
        "final_url": f.final_url or s.get("final_url"),
        "moved_to": r.outcome.moved_to or (s.get("moved_to") if r.verdict.state == "moved" else None),
        "reason": r.verdict.reason or r.outcome.evidence,
        "etag": f.headers.get("etag") if f.status == 200 else s.get("etag"),
        "last_modified": f.headers.get("last-modified") if f.status == 200 else s.get("last_modified"),
        "last_snapshot_id": _snapshot_id(r) or s.get("last_snapshot_id"),
        "baseline_snapshot_id": baseline.get("snapshot_id") or s.get("baseline_snapshot_id"),
        "baseline_source": baseline.get("source") or s.get("baseline_source"),
        "baseline_at": baseline.get("at") or s.get("baseline_at"),
        "drift": s.get("drift") if r.drift is None else r.drift.similarity,
        "drift_band": s.get("drift_band") if r.drift is None else r.drift.band,
        "title_changed": s.get("title_changed") if r.drift is None else r.drift.title_changed,
        "verification": r.verification if r.verification is not None else s.get("verification"),
        "archive_url": s.get("archive_url"),  # written by the archive phase
        "archive_checked_at": s.get("archive_checked_at"),
        "notices": json.dumps(r.notices, ensure_ascii=False) if r.notices is not None else s.get("notices"),
        "updated_at": as_of,
    }


class WarehouseSession:
    """The connection a cycle's batches go through, reopened every ``hold_s`` seconds.

    Every commit is durable when it returns (DuckDB's WAL is replayed by the next opener after a
    kill -9); closing is what checkpoints the WAL into the file."""

    def __init__(self, open_warehouse: Callable[[], contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]],
                 hold_s: float, *, monotonic: Callable[[], float] = time.monotonic):
        self._open = open_warehouse
        self._hold_s = hold_s
        self._monotonic = monotonic
        self._stack: contextlib.ExitStack | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._opened_at = 0.0

    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._stack is not None and self._monotonic() - self._opened_at >= self._hold_s:
            self.close()
        if self._stack is None or self._con is None:
            stack = contextlib.ExitStack()
            self._con = stack.enter_context(self._open())
            self._stack, self._opened_at = stack, self._monotonic()
        return self._con

    def close(self) -> None:
        stack, self._stack, self._con = self._stack, None, None
        if stack is not None:
            stack.close()
