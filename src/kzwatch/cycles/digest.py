"""The digest cycle: alerts due in the warehouse in, one digest out, sent through every channel.

The pure parts live elsewhere — which alerts are due and the weekly reminders in
``kzwatch.alerts.lifecycle``, grouping in ``kzwatch.alerts.digest``, formats in
``kzwatch.alerts.render``, delivery in ``kzwatch.alerts.channels``.  This module reads the
``events`` table, asks those modules what to do, and writes the answer back.  Events are marked
sent only when every configured channel took the digest; otherwise they stay pending and a
``delivery_failed`` notice is recorded for the next digest.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

from kzwatch.alerts import channels as delivery
from kzwatch.alerts import lifecycle
from kzwatch.alerts.digest import Digest, build_digest
from kzwatch.alerts.render import render, render_markdown
from kzwatch.config import Config, ConfigError
from kzwatch.cycles.alerts import load_alerts
from kzwatch.cycles.common import event_row, stable_id
from kzwatch.model import EVENT_KIND_FOR_STATE
from kzwatch.relevance import feedback as relevance_feedback
from kzwatch.store import insert_rows, open_warehouse, transaction

BROKEN_STATES = tuple(EVENT_KIND_FOR_STATE)  # the states a reminder keeps alive


def _still_broken(con, alerts: list[lifecycle.AlertRow]) -> list[lifecycle.AlertRow]:
    states = {u: s for u, s in con.execute("SELECT url, state FROM url_state").fetchall()}
    return [a for a in alerts
            if a.event.kind in lifecycle.BROKEN_CITATION_KINDS and states.get(a.event.url) in BROKEN_STATES]


def run_digest_cycle(config: Config, as_of: datetime, *, since: datetime | None = None, fmt: str = "md",
                     deliver: bool | None = None) -> dict:
    """Build the digest due at ``as_of``; send it when ``deliver`` (None: when channels exist)."""
    sending = bool(config.delivery) if deliver is None else deliver
    if sending and not config.delivery:
        raise ConfigError(f"{config.source}: --deliver needs a [delivery.<kind>] table "
                          f"({', '.join(delivery.CHANNEL_SETTINGS)})")
    opts = config.digest
    with open_warehouse(config.warehouse_path, wait_s=config.warehouse.lock_wait_s) as con:
        everything, due, reminders, last = _due(con, as_of, since, every=timedelta(days=opts.reminder_days))
    digest = build_digest([a.event for a in due] + reminders, generated_at=as_of, since=since or last,
                          title=opts.title)
    result = {"events": len(digest.event_ids), "delivered": False, "channels": [],
              "markdown": render_markdown(digest, max_bytes=opts.max_bytes) if not digest.is_empty else "",
              "text": render(digest, fmt, max_bytes=opts.max_bytes) if not digest.is_empty else ""}
    if not sending or digest.is_empty:
        return result

    results = [r for part, channel in deliveries(config, digest) for r in delivery.deliver(part, [channel])]
    result["channels"] = [{"channel": r.channel, "ok": r.ok, "detail": r.detail, "attempts": r.attempts} for r in results]
    result["delivered"] = ok = delivery.all_delivered(results)
    result["delivery_failed"] = not ok
    with open_warehouse(config.warehouse_path, wait_s=config.warehouse.lock_wait_s) as con:
        with transaction(con):
            if ok:
                _mark_sent(con, as_of, due, reminders, everything)
            else:
                failed = delivery.delivery_failed_events(results, digest, now=as_of)
                insert_rows(con, "events", [event_row(e) for e in failed], on_conflict="ignore")
            insert_rows(con, "digests", [{
                "digest_id": stable_id("digest", as_of.isoformat(), *sorted(digest.event_ids)),
                "generated_at": as_of, "since": since or last, "event_ids": sorted(digest.event_ids),
                "delivered": ok, "channels": json.dumps(result["channels"]), "markdown": result["markdown"],
            }], on_conflict="replace")
    return result


def _due(con, as_of: datetime, since: datetime | None, *, every: timedelta):
    """(every alert, the alerts due now, new reminders, when the last digest went out)."""
    everything = load_alerts(con)
    if since is not None:
        due = [a for a in everything if since <= a.event.created_at <= as_of]
    else:
        due = lifecycle.due_for_digest(everything, as_of)
    # Matches a maintainer marked wrong (kzwatch feedback) never reach a digest.
    corrected = relevance_feedback.corrected_event_ids(con)
    due = [a for a in due if a.event_id not in corrected]
    known = {a.event_id for a in everything}
    reminders = [r for r in lifecycle.reminders(_still_broken(con, everything), as_of, every=every)
                 if r.event_id not in known]
    last = con.execute("SELECT max(generated_at) FROM digests WHERE delivered").fetchall()[0][0]
    return everything, due, reminders, last


def deliveries(config: Config, digest: Digest) -> list[tuple[Digest, delivery.Channel]]:
    """What goes where: the whole digest through every channel, and each article's part to that
    article's own ``recipients`` through the e-mail server."""
    pairs: list[tuple[Digest, delivery.Channel]] = [(digest, channel) for channel in config.delivery]
    email = next((c for c in config.delivery if isinstance(c, delivery.SmtpSettings)), None)
    for article in config.articles:
        part = digest.for_article(article.id)
        if article.recipients and email is not None and not part.is_empty:
            pairs.append((part, replace(email, recipients=article.recipients, name=f"{email.channel} ({article.id})")))
    return pairs


def _mark_sent(con, as_of: datetime, due: list, reminders: list, everything: list) -> None:
    """Everything delivered: due alerts sent, reminders recorded, reminded citations' clocks reset."""
    for m in (lifecycle.mark_sent(a, as_of) for a in due):
        con.execute("UPDATE events SET status = ?, sent_at = ?, snoozed_until = ? WHERE event_id = ?",
                    [m.status, m.sent_at, m.snoozed_until, m.event_id])
    insert_rows(con, "events", [dict(event_row(r), sent_at=as_of) for r in reminders], on_conflict="ignore")
    reminded = {(r.article_id, r.footnote, r.url) for r in reminders}
    for alert in everything:  # every alert about a reminded citation: next one in a week
        e = alert.event
        if (e.article_id, e.footnote, e.url) in reminded and e.kind in lifecycle.BROKEN_CITATION_KINDS:
            con.execute("UPDATE events SET last_reminded_at = ? WHERE event_id = ?", [as_of, alert.event_id])
