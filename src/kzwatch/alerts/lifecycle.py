"""The alert lifecycle: which events go into the next digest, reminders, ack/snooze/resolve.

Every :class:`~kzwatch.model.Event` becomes one :class:`AlertRow` in the warehouse.  An alert is
in one of four states:

* ``open`` — a maintainer should know.  It goes into the next digest once (``sent_at`` unset).
* ``acked`` — someone has seen it and is on it: never re-sent, no reminders.
* ``snoozed`` — hidden until ``snoozed_until``.  When the snooze ends the alert is re-sent
  *once* in the next digest and becomes ``open`` again (see :func:`mark_sent`).
* ``resolved`` — done (fixed by hand, or the citation recovered).  Terminal.

A citation that stays broken must not be forgotten once its alert was sent: :func:`reminders`
makes a weekly ``citation_reminder`` event for every still-broken citation with an open alert.
Its ``event_id`` is derived from the citation and the ISO week, so re-running the same
scheduled slot (or two cycles in one week) yields the same id and the warehouse stores it once.

Everything here is pure: plain data in, plain data out, the time is always the ``now``
parameter (the CLI's ``--as-of``).  The warehouse stores the rows and the digest step calls
:func:`due_for_digest`, then :func:`mark_sent` for the events it delivered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

from kzwatch.model import BREAKAGE_EVENT_KINDS, EVENT_KINDS, SEVERITIES, Event

__all__ = [
    "ALERT_STATUSES",
    "ACTIONS",
    "BROKEN_CITATION_KINDS",
    "AlertRow",
    "due_for_digest",
    "mark_sent",
    "reminders",
    "mark_reminded",
    "apply_action",
    "resolve_on_recovery",
    "reminder_event_id",
]

ALERT_STATUSES = ("open", "acked", "snoozed", "resolved")
ACTIONS = ("ack", "snooze", "resolve")

#: Event kinds that say a citation is (still) broken, i.e. that deserve reminders.
BROKEN_CITATION_KINDS = BREAKAGE_EVENT_KINDS
#: Detail keys a reminder copies from the alert it reminds about (useful context, no diffs).
_REMINDER_COPIED_DETAILS = ("title", "outlet", "archive_url", "moved_to", "final_url", "evidence")


@dataclass(frozen=True)
class AlertRow:
    """One event plus where it stands in its lifecycle."""

    event: Event
    status: str = "open"
    sent_at: datetime | None = None
    acked_at: datetime | None = None
    snoozed_until: datetime | None = None
    resolved_at: datetime | None = None
    last_reminded_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.status not in ALERT_STATUSES:
            raise ValueError(f"unknown alert status {self.status!r}; expected one of {ALERT_STATUSES}")
        if self.status == "snoozed" and self.snoozed_until is None:
            raise ValueError("a snoozed alert needs snoozed_until")

    @property
    def event_id(self) -> str:
        return self.event.event_id

    def to_record(self) -> dict[str, Any]:
        """A flat dict (event fields + lifecycle fields), e.g. for one warehouse row."""
        ev = self.event
        return {
            "event_id": ev.event_id,
            "article_id": ev.article_id,
            "kind": ev.kind,
            "severity": ev.severity,
            "created_at": ev.created_at,
            "subject": ev.subject,
            "footnote": ev.footnote,
            "claim_id": ev.claim_id,
            "url": ev.url,
            "details": dict(ev.details),
            "status": self.status,
            "sent_at": self.sent_at,
            "acked_at": self.acked_at,
            "snoozed_until": self.snoozed_until,
            "resolved_at": self.resolved_at,
            "last_reminded_at": self.last_reminded_at,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> AlertRow:
        """Inverse of :meth:`to_record`; missing lifecycle fields take their defaults."""
        event = Event(
            event_id=record["event_id"],
            article_id=record["article_id"],
            kind=record["kind"],
            severity=record["severity"],
            created_at=record["created_at"],
            subject=record["subject"],
            footnote=record.get("footnote"),
            claim_id=record.get("claim_id"),
            url=record.get("url"),
            details=dict(record.get("details") or {}),
        )
        return cls(
            event=event,
            status=record.get("status") or "open",
            sent_at=record.get("sent_at"),
            acked_at=record.get("acked_at"),
            snoozed_until=record.get("snoozed_until"),
            resolved_at=record.get("resolved_at"),
            last_reminded_at=record.get("last_reminded_at"),
        )


def _snooze_over(alert: AlertRow, now: datetime) -> bool:
    return alert.status == "snoozed" and alert.snoozed_until is not None and alert.snoozed_until <= now


def due_for_digest(alerts: Iterable[AlertRow], now: datetime) -> list[AlertRow]:
    """The alerts the next digest must carry.

    * ``open`` and never sent;
    * ``snoozed`` whose ``snoozed_until`` is at or before ``now`` — re-sent once (after
      :func:`mark_sent` they are ``open`` with ``sent_at`` set, so they are not due again);
    * never ``acked`` or ``resolved`` ones, never an open one already sent (reminders cover
      still-broken citations), never an event created after ``now`` (a replay with ``--as-of``
      in the past must not leak the future).

    Ordered by creation time, then event id, so the result is deterministic.
    """
    due = []
    for alert in alerts:
        if alert.event.created_at > now:
            continue
        if (alert.status == "open" and alert.sent_at is None) or _snooze_over(alert, now):
            due.append(alert)
    return sorted(due, key=lambda a: (a.event.created_at, a.event_id))


def mark_sent(alert: AlertRow, now: datetime) -> AlertRow:
    """Record that ``alert`` went out in a digest at ``now``; an ended snooze becomes open."""
    if _snooze_over(alert, now):
        return replace(alert, status="open", snoozed_until=None, sent_at=now)
    return replace(alert, sent_at=now)


def reminder_event_id(article_id: str, footnote: int | None, url: str | None, period: str) -> str:
    """Deterministic id of the reminder for one citation in one period (e.g. "2024-W11")."""
    key = "\x1f".join(["citation_reminder", article_id, str(footnote), url or "", period])
    return "rem-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _period_label(now: datetime, every: timedelta) -> str:
    if every == timedelta(days=7):
        year, week, _ = now.isocalendar()
        return f"{year}-W{week:02d}"
    # Other cadences: count whole periods since a Monday, so labels stay deterministic.
    epoch = datetime(1970, 1, 5, tzinfo=timezone.utc)
    aware = now if now.tzinfo is not None else now.replace(tzinfo=timezone.utc)
    return f"P{int(every.total_seconds())}s-{(aware - epoch) // every}"


def _reminder_base(alert: AlertRow) -> datetime | None:
    """When this citation was last brought to a maintainer's attention."""
    times = [t for t in (alert.sent_at, alert.last_reminded_at) if t is not None]
    return max(times) if times else None


def reminders(
    open_broken: Iterable[AlertRow],
    now: datetime,
    every: timedelta = timedelta(days=7),
) -> list[Event]:
    """Reminder events for citations that are still broken.

    ``open_broken`` are the alerts about citations the caller knows are *still* broken (the
    latest state is still dead/dying/moved/drifted/blocked).  A citation gets a reminder when
    its alerts are ``open``, have been sent, and no send or reminder about the citation is more
    recent than ``every`` (a citation announced dying a week ago and dead yesterday was brought
    to a maintainer's attention yesterday).  Several alerts about the same citation (dying,
    then dead) give one reminder, about the most severe.  The reminder's
    ``event_id`` is :func:`reminder_event_id` of the citation and the ISO week of ``now`` (or
    the period number for other cadences).  Record reminders with :func:`mark_reminded`.
    """
    if every <= timedelta(0):
        raise ValueError("reminder interval must be positive")
    period = _period_label(now, every)
    by_citation: dict[tuple[str, int | None, str | None], list[AlertRow]] = {}
    for alert in open_broken:
        ev = alert.event
        if ev.kind not in BROKEN_CITATION_KINDS:
            continue
        if alert.status != "open":  # acked: on it; snoozed: silent, or re-sent when it ends
            continue
        if _reminder_base(alert) is None:  # never sent: the digest itself will carry it
            continue
        by_citation.setdefault((ev.article_id, ev.footnote, ev.url), []).append(alert)
    eligible = {key: alerts for key, alerts in by_citation.items() if now - _contacts(alerts)[-1] >= every}

    return [_reminder(key, alerts, now, period)
            for key, alerts in sorted(eligible.items(), key=lambda kv: _key_sort(kv[0]))]


def _reminder(key: tuple[str, int | None, str | None], alerts: list[AlertRow], now: datetime, period: str) -> Event:
    """The reminder about one citation, repeating its most severe (then newest) alert."""
    article_id, footnote, url = key
    ev = min(alerts, key=lambda a: (_severity_rank(a.event.severity), -a.event.created_at.timestamp())).event
    first_sent = _contacts(alerts)[0]
    state = EVENT_KINDS[ev.kind].state
    where = f"footnote {footnote}" if footnote is not None else "citation"
    details: dict[str, Any] = {key: ev.details[key] for key in _REMINDER_COPIED_DETAILS if key in ev.details}
    details.update({"state": state, "since": first_sent.isoformat(), "reminder_of": ev.event_id,
                    "weeks_broken": int((now - first_sent) / timedelta(days=7))})
    return Event(event_id=reminder_event_id(article_id, footnote, url, period), article_id=article_id,
                 kind="citation_reminder", severity=ev.severity, created_at=now, subject=f"Still {state}: {where}",
                 footnote=footnote, claim_id=ev.claim_id, url=url, details=details)


def _contacts(alerts: list[AlertRow]) -> list[datetime]:
    """Every time a maintainer heard about these alerts (sends and reminders), oldest first."""
    return sorted(t for a in alerts for t in (a.sent_at, a.last_reminded_at) if t is not None)


def _key_sort(key: tuple[str, int | None, str | None]) -> tuple:
    article_id, footnote, url = key
    return (article_id, footnote is None, footnote or 0, url or "")


def _severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def mark_reminded(alert: AlertRow, now: datetime) -> AlertRow:
    return replace(alert, last_reminded_at=now)


def apply_action(
    alert: AlertRow,
    action: str,
    now: datetime,
    until: datetime | None = None,
) -> AlertRow:
    """Apply a maintainer's action and return the new row.

    ``ack``: seen, no more sends or reminders.  ``snooze``: hide until ``until`` (which must be
    later than ``now``); re-sent once when it ends.  ``resolve``: done; terminal — any action on
    a resolved alert is refused with ``ValueError``, as is an unknown action.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown alert action {action!r}; expected one of {ACTIONS}")
    if alert.status == "resolved":
        raise ValueError(f"alert {alert.event_id} is already resolved")
    if action == "ack":
        return replace(alert, status="acked", acked_at=now, snoozed_until=None)
    if action == "snooze":
        if until is None or until <= now:
            raise ValueError("snooze needs an 'until' time later than now")
        return replace(alert, status="snoozed", snoozed_until=until)
    return replace(alert, status="resolved", resolved_at=now, snoozed_until=None)


def resolve_on_recovery(alerts: Iterable[AlertRow], recovered: Event, now: datetime) -> list[AlertRow]:
    """Resolve the unresolved broken-citation alerts for the citation ``recovered`` is about.

    Returns only the rows that changed.  Matching is by article and URL (and footnote when both
    sides have one), so a recovery of one citation never closes another's alerts.
    """
    changed = []
    for alert in alerts:
        ev = alert.event
        if alert.status == "resolved" or ev.kind not in BROKEN_CITATION_KINDS:
            continue
        if ev.article_id != recovered.article_id or ev.url != recovered.url:
            continue
        if ev.footnote is not None and recovered.footnote is not None and ev.footnote != recovered.footnote:
            continue
        changed.append(replace(alert, status="resolved", resolved_at=now, snoozed_until=None))
    return changed
