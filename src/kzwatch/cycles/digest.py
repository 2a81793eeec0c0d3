"""The digest cycle, the alert commands and the HTML report: warehouse rows in, messages out.

The pure parts live elsewhere — grouping and rendering in ``kzwatch.digest``, the alert
lifecycle in ``kzwatch.alerts``, delivery in ``kzwatch.notify``, the page in ``kzwatch.report``.
This module reads the ``events`` table, asks those modules what to do, and writes the answer
back.  Events are marked sent only when every configured channel took the digest; otherwise they
stay pending and a ``delivery_failed`` notice is recorded for the next digest.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from kzwatch import alerts as lifecycle
from kzwatch import digest as render
from kzwatch import notify
from kzwatch.config import Config, ConfigError
from kzwatch.cycles.common import event_row, stable_id
from kzwatch.store import fetch_dicts, insert_rows, open_warehouse, transaction

BROKEN_STATES = ("dying", "dead", "moved", "drifted", "blocked")
RENDERERS = {"md": render.render_markdown, "html": render.render_html,
             "json": render.render_json, "text": render.render_text}


def channels_from_config(config: Config) -> list[notify.ChannelSettings]:
    d = config.section("delivery")
    channels: list[notify.ChannelSettings] = []
    if "email" in d:
        e = d["email"]
        if not e["recipients"]:
            raise ConfigError(f"{config.source}: 'delivery.email.recipients' is empty")
        channels.append(notify.SmtpSettings(
            host=e["host"], port=e["port"], starttls=e["starttls"], ssl=e["ssl"], sender=e["sender"],
            recipients=tuple(e["recipients"]), username_env=e["username_env"],
            password_env=e["password_env"], secret_block=e["secret_block"], timeout_s=e["timeout_s"],
            ca_file=e["ca_file"], subject_prefix=e["subject_prefix"]))
    if "webhook" in d:
        w = d["webhook"]
        channels.append(notify.WebhookSettings(url=w["url"], url_env=w["url_env"], kind=w["kind"],
                                               timeout_s=w["timeout_s"]))
    if "file" in d:
        folder = Path(d["file"]["dir"])
        folder = folder if folder.is_absolute() else config.base_dir / folder
        channels.append(notify.FileSettings(dir=str(folder)))
    return channels


def _alert_rows(con, where: str = "TRUE", params=()) -> list[lifecycle.AlertRow]:
    rows = fetch_dicts(con, f"SELECT * FROM events WHERE {where} ORDER BY created_at, event_id", params)
    for r in rows:
        r["details"] = json.loads(r["details"]) if r["details"] else {}
    return [lifecycle.AlertRow.from_record(r) for r in rows]


def _still_broken(con, alerts: list[lifecycle.AlertRow]) -> list[lifecycle.AlertRow]:
    states = {u: s for u, s in con.execute("SELECT url, state FROM url_state").fetchall()}
    return [a for a in alerts
            if a.event.kind in lifecycle.BROKEN_CITATION_KINDS and states.get(a.event.url) in BROKEN_STATES]


def run_digest_cycle(config: Config, as_of: datetime, *, since: datetime | None = None, fmt: str = "md",
                     deliver: bool | None = None) -> dict:
    """Build the digest due at ``as_of``; send it when ``deliver`` (None: when channels exist)."""
    channels = channels_from_config(config)
    sending = bool(channels) if deliver is None else deliver
    if sending and not channels:
        raise ConfigError(f"{config.source}: --deliver needs a [delivery.email], [delivery.webhook] or [delivery.file] table")
    opts = config.section("digest")
    wait_s = config.section("warehouse")["lock_wait_s"]

    with open_warehouse(config, wait_s=wait_s) as con:
        everything = _alert_rows(con)
        if since is not None:
            due = [a for a in everything if since <= a.event.created_at <= as_of]
        else:
            due = lifecycle.due_for_digest(everything, as_of)
        reminders = lifecycle.reminders(_still_broken(con, everything), as_of,
                                        every=timedelta(days=opts["reminder_days"]))
        known = {a.event_id for a in everything}
        reminders = [r for r in reminders if r.event_id not in known]
        last = con.execute("SELECT max(generated_at) FROM digests WHERE delivered").fetchall()[0][0]

    events = [a.event for a in due] + reminders
    digest = render.build_digest(events, generated_at=as_of, since=since or last, title=opts["title"])
    result = {"events": len(digest.event_ids), "delivered": False, "channels": [],
              "markdown": render.render_markdown(digest, max_bytes=opts["max_bytes"]) if not digest.is_empty else "",
              "text": RENDERERS[fmt](digest, max_bytes=opts["max_bytes"]) if not digest.is_empty else ""}
    if not sending or digest.is_empty:
        return result

    results = notify.deliver(digest, channels)
    result["channels"] = [{"channel": r.channel, "ok": r.ok, "detail": r.detail, "attempts": r.attempts} for r in results]
    ok = notify.all_delivered(results)
    result["delivered"] = ok
    result["delivery_failed"] = not ok
    due_ids = {a.event_id for a in due}
    reminded = {(r.article_id, r.footnote, r.url) for r in reminders}
    with open_warehouse(config, wait_s=wait_s) as con:
        with transaction(con):
            if ok:
                if due_ids:
                    marks = [lifecycle.mark_sent(a, as_of) for a in due]
                    for m in marks:
                        con.execute("UPDATE events SET status = ?, sent_at = ?, snoozed_until = ? WHERE event_id = ?",
                                    [m.status, m.sent_at, m.snoozed_until, m.event_id])
                insert_rows(con, "events", [dict(event_row(r), sent_at=as_of) for r in reminders], on_conflict="ignore")
                for alert in everything:  # every alert about a reminded citation: next one in a week
                    e = alert.event
                    if (e.article_id, e.footnote, e.url) in reminded and e.kind in lifecycle.BROKEN_CITATION_KINDS:
                        con.execute("UPDATE events SET last_reminded_at = ? WHERE event_id = ?", [as_of, alert.event_id])
            else:
                failed = notify.delivery_failed_events(results, digest, now=as_of)
                insert_rows(con, "events", [event_row(e) for e in failed], on_conflict="ignore")
            insert_rows(con, "digests", [{
                "digest_id": stable_id("digest", as_of.isoformat(), *sorted(digest.event_ids)),
                "generated_at": as_of, "since": since or last, "event_ids": sorted(digest.event_ids),
                "delivered": ok, "channels": json.dumps(result["channels"]), "markdown": result["markdown"],
            }], on_conflict="replace")
    return result


# --- kzwatch alerts -----------------------------------------------------------------------------


def list_alerts(config: Config, as_of: datetime, *, show_all: bool = False) -> str:
    with open_warehouse(config, wait_s=config.section("warehouse")["lock_wait_s"]) as con:
        # reminders restate an alert that is itself listed (and acked/resolved there): not separate alerts
        where = "TRUE" if show_all else "status IN ('open', 'snoozed') AND kind <> 'citation_reminder'"
        rows = _alert_rows(con, where)
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
    with open_warehouse(config, wait_s=config.section("warehouse")["lock_wait_s"]) as con:
        rows = _alert_rows(con)
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


# --- kzwatch report -----------------------------------------------------------------------------


def write_report(config: Config, out: Path, as_of: datetime) -> Path:
    from kzwatch.report import ReportData, render_report
    from kzwatch.textdiff import readable_diff

    with open_warehouse(config, wait_s=config.section("warehouse")["lock_wait_s"]) as con:
        # state of each cited URL at the end of each day it was checked, counted per outlet
        series = con.execute("""
            WITH last_per_day AS (
                SELECT CAST(checked_at AS DATE) AS day, url, arg_max(state_after, checked_at) AS state
                FROM checks WHERE state_after IS NOT NULL GROUP BY ALL)
            SELECT l.day, coalesce(o.outlet, '(unknown)'), l.state, count(*)
            FROM last_per_day l
            LEFT JOIN (SELECT url, any_value(outlet) AS outlet FROM citations GROUP BY url) o USING (url)
            GROUP BY ALL ORDER BY 1""").fetchall()
        exposure = fetch_dicts(con, "SELECT * FROM claim_exposure ORDER BY article_id, length(claim_id), claim_id")
        drifts = []
        for r in fetch_dicts(con, """
                SELECT c.footnote, u.url, u.drift, b.text AS baseline, s.text AS current
                FROM url_state u JOIN (SELECT url, min(footnote) AS footnote FROM citations GROUP BY url) c USING (url)
                LEFT JOIN snapshots b ON b.snapshot_id = u.baseline_snapshot_id
                LEFT JOIN snapshots s ON s.snapshot_id = u.last_snapshot_id
                WHERE u.drift_band IN ('edited', 'off_topic') ORDER BY u.drift LIMIT 20"""):
            drifts.append((r["footnote"], r["url"], r["drift"],
                           readable_diff(r["baseline"] or "", r["current"] or "", max_chars=2000)))
        reporting = [(r["claim_id"], r["title"] or "", r["url"], r["stance"], r["score"] or 0.0, r["sentence"] or "")
                     for r in fetch_dicts(con, "SELECT * FROM related_reporting ORDER BY claim_id, score DESC LIMIT 500")]
    data = ReportData(generated_at=as_of, health_series=[tuple(s) for s in series],
                      claim_exposure=exposure, drifts=drifts, reporting=reporting)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(data), encoding="utf-8")
    return out
