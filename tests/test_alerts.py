"""Alert lifecycle across simulated --as-of days: sent once, snooze, ack, resolve, reminders."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kzwatch.alerts.lifecycle import (
    AlertRow,
    apply_action,
    due_for_digest,
    mark_reminded,
    mark_sent,
    reminder_event_id,
    reminders,
    resolve_on_recovery,
)
from kzwatch.model import Event

DAY1 = datetime(2024, 3, 4, 6, 0, tzinfo=timezone.utc)  # a Monday, ISO week 2024-W10


def day(n: int) -> datetime:
    """The n-th simulated --as-of day (1-based)."""
    return DAY1 + timedelta(days=n - 1)


def alert(
    event_id: str,
    kind: str = "citation_dead",
    *,
    created: datetime = DAY1,
    footnote: int | None = 5,
    url: str | None = "https://example.kz/a",
    severity: str = "high",
    **lifecycle,
) -> AlertRow:
    event = Event(
        event_id=event_id,
        article_id="art",
        kind=kind,
        severity=severity,
        created_at=created,
        subject=f"{kind} {event_id}",
        footnote=footnote,
        url=url,
        details={"title": "Cited title", "archive_url": "https://web.archive.org/x", "diff": "big"},
    )
    return AlertRow(event=event, **lifecycle)


def ids(rows) -> list[str]:
    return [r.event_id for r in rows]


def test_each_event_is_alerted_once_over_several_days():
    rows = {"a": alert("a"), "b": alert("b", "new_reporting", created=day(2), footnote=None)}
    sent_per_day = []
    for n in range(1, 5):
        due = due_for_digest(rows.values(), day(n))
        sent_per_day.append(ids(due))
        for row in due:
            rows[row.event_id] = mark_sent(row, day(n))
    assert sent_per_day == [["a"], ["b"], [], []]


def test_events_from_the_future_of_as_of_are_not_due():
    assert due_for_digest([alert("late", created=day(3))], day(2)) == []


def test_snoozed_alert_is_resent_once_when_the_snooze_ends():
    row = mark_sent(alert("a"), day(1))
    row = apply_action(row, "snooze", day(1), until=day(4))
    assert row.status == "snoozed"
    assert due_for_digest([row], day(2)) == []
    assert due_for_digest([row], day(3)) == []
    due = due_for_digest([row], day(4))  # until <= now: back
    assert ids(due) == ["a"]
    row = mark_sent(due[0], day(4))
    assert row.status == "open" and row.snoozed_until is None and row.sent_at == day(4)
    assert due_for_digest([row], day(5)) == []


def test_acked_and_resolved_alerts_are_never_due():
    acked = apply_action(alert("a"), "ack", day(1))
    resolved = apply_action(alert("b"), "resolve", day(1))
    assert acked.status == "acked" and acked.acked_at == day(1)
    assert resolved.status == "resolved" and resolved.resolved_at == day(1)
    assert due_for_digest([acked, resolved], day(9)) == []


def test_actions_are_validated():
    row = alert("a")
    with pytest.raises(ValueError):
        apply_action(row, "delete", day(1))
    with pytest.raises(ValueError):
        apply_action(row, "snooze", day(2), until=day(1))
    with pytest.raises(ValueError):
        apply_action(row, "snooze", day(2))
    resolved = apply_action(row, "resolve", day(2))
    with pytest.raises(ValueError):
        apply_action(resolved, "ack", day(3))
    with pytest.raises(ValueError):
        AlertRow(event=row.event, status="zombie")
    # Ack ends a snooze.
    snoozed = apply_action(row, "snooze", day(1), until=day(10))
    assert apply_action(snoozed, "ack", day(2)).snoozed_until is None


def test_weekly_reminders_for_still_broken_citations():
    rows = {"a": mark_sent(alert("a"), day(1))}
    reminded_days = []
    reminder_ids = []
    for n in range(1, 23):
        events = reminders(rows.values(), day(n))
        if events:
            reminded_days.append(n)
            reminder_ids.append(events[0].event_id)
            rows["a"] = mark_reminded(rows["a"], day(n))
    assert reminded_days == [8, 15, 22]
    assert len(set(reminder_ids)) == 3  # one id per ISO week


def test_reminder_ids_are_deterministic_per_citation_and_iso_week():
    row = mark_sent(alert("a"), day(1))
    monday = reminders([row], day(8))  # Monday of 2024-W11
    sunday = reminders([row], day(14))  # Sunday, same ISO week
    assert monday[0].event_id == sunday[0].event_id
    assert monday[0].event_id == reminder_event_id("art", 5, "https://example.kz/a", "2024-W11")
    assert reminders([row], day(15))[0].event_id != monday[0].event_id
    event = monday[0]
    assert event.kind == "citation_reminder" and event.created_at == day(8)
    assert event.details["reminder_of"] == "a" and event.details["weeks_broken"] == 1
    assert event.details["archive_url"] == "https://web.archive.org/x"
    assert "diff" not in event.details


def test_no_reminders_for_unsent_acked_snoozed_or_non_broken_alerts():
    rows = [
        alert("unsent"),
        apply_action(mark_sent(alert("acked", footnote=6), day(1)), "ack", day(1)),
        apply_action(mark_sent(alert("snoozed", footnote=7), day(1)), "snooze", day(1), until=day(30)),
        mark_sent(alert("news", "new_reporting", footnote=None), day(1)),
        mark_sent(alert("recovered", "citation_recovered", footnote=8), day(1)),
    ]
    assert reminders(rows, day(20)) == []


def test_one_reminder_per_citation_about_the_worst_alert():
    dying = mark_sent(alert("dying", "citation_dying", severity="medium"), day(1))
    dead = mark_sent(alert("dead", "citation_dead", severity="high", created=day(4)), day(4))
    other = mark_sent(alert("other", footnote=9, url="https://example.kz/b"), day(1))
    events = reminders([dying, dead, other], day(12))
    assert [(e.footnote, e.details["reminder_of"]) for e in events] == [(5, "dead"), (9, "other")]
    assert events[0].severity == "high" and events[0].subject == "Still dead: footnote 5"


def test_no_reminder_right_after_a_newer_alert_about_the_same_citation():
    """Announced dying a week ago and dead yesterday: the maintainer heard yesterday."""
    dying = mark_sent(alert("dying", "citation_dying", severity="medium"), day(1))
    dead = mark_sent(alert("dead", "citation_dead", severity="high", created=day(7)), day(7))
    assert reminders([dying, dead], day(8)) == []
    (later,) = reminders([dying, dead], day(14))
    assert later.subject == "Still dead: footnote 5" and later.details["state"] == "dead"


def test_other_reminder_cadence_is_deterministic_too():
    row = mark_sent(alert("a"), day(1))
    first = reminders([row], day(3), every=timedelta(days=1))
    again = reminders([row], day(3) + timedelta(hours=5), every=timedelta(days=1))
    assert first[0].event_id == again[0].event_id
    with pytest.raises(ValueError):
        reminders([row], day(3), every=timedelta(0))


def test_recovery_resolves_only_that_citations_alerts():
    a = mark_sent(alert("a"), day(1))
    b = mark_sent(alert("b", footnote=9, url="https://example.kz/b"), day(1))
    news = alert("n", "new_reporting", footnote=None)
    recovered = alert("r", "citation_recovered", created=day(5)).event
    changed = resolve_on_recovery([a, b, news], recovered, day(5))
    assert ids(changed) == ["a"] and changed[0].status == "resolved" and changed[0].resolved_at == day(5)


def test_record_round_trip():
    row = apply_action(mark_sent(alert("a"), day(1)), "snooze", day(1), until=day(3))
    assert AlertRow.from_record(row.to_record()) == row
