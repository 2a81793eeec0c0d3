"""The digest cycle against the warehouse: pending on failed delivery, alerts commands across
``--as-of`` days, weekly reminders, and ``kzwatch report`` writing the page."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from kzwatch.cli import main
from kzwatch.cycles.alerts import alert_action, list_alerts
from kzwatch.cycles.common import event_row
from kzwatch.cycles.digest import run_digest_cycle
from kzwatch.cycles.report import write_report
from kzwatch.model import Event
from kzwatch.store import insert_rows, open_warehouse

T0 = datetime(2026, 6, 1, 7, 0, tzinfo=timezone.utc)
HOSTILE = "{{7*7}}<script>alert(1)</script>"


@pytest.fixture
def setup(kz_config):
    """A warehouse holding one dead-citation alert, and its config with the given delivery."""
    return lambda **delivery: _with_dead_alert(kz_config(article=[{"id": "beimenbetov-2021"}],
                                                         **({"delivery": delivery} if delivery else {})))


def _with_dead_alert(cfg):
    dead = Event(event_id="dead-1", article_id="beimenbetov-2021", kind="citation_dead", severity="high",
                 created_at=T0 - timedelta(hours=1), subject="fn 17: dead", footnote=17,
                 url="https://rus.azattyq.org/a/31040725.html", details={"title": HOSTILE})
    with open_warehouse(cfg.warehouse_path) as con:
        insert_rows(con, "events", [event_row(dead)])
        insert_rows(con, "url_state", [{"url": dead.url, "state": "dead", "strikes": 3}])
    return cfg


def sent_at(cfg) -> dict:
    with open_warehouse(cfg.warehouse_path) as con:
        return dict(con.execute("SELECT event_id, sent_at FROM events").fetchall())


def test_failed_delivery_leaves_events_pending_then_a_later_digest_sends_them(tmp_path, setup):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the digest directory should be")
    cfg = setup(file={"dir": str(blocker)})
    result = run_digest_cycle(cfg, T0, deliver=True)
    assert result["delivered"] is False and result["delivery_failed"]
    assert sent_at(cfg)["dead-1"] is None
    with open_warehouse(cfg.warehouse_path) as con:
        kinds = [k for (k,) in con.execute("SELECT kind FROM events").fetchall()]
    assert "delivery_failed" in kinds

    blocker.unlink()
    blocker.mkdir()
    result = run_digest_cycle(cfg, T0 + timedelta(hours=1), deliver=True)
    assert result["delivered"] is True
    assert sent_at(cfg)["dead-1"] is not None
    written = "".join(p.read_text(encoding="utf-8") for p in blocker.iterdir())
    assert "footnote 17" in written and "<script>" not in written
    assert run_digest_cycle(cfg, T0 + timedelta(hours=2), deliver=True)["events"] == 0  # each event once


def test_alert_commands_and_weekly_reminders_across_days(tmp_path, capsys, setup):
    cfg = setup(file={"dir": str(tmp_path / "d")})
    run_digest_cycle(cfg, T0, deliver=True)
    assert "dead-1" in list_alerts(cfg, T0)

    # a week later the citation is still dead: one reminder, then none until the week after
    week = run_digest_cycle(cfg, T0 + timedelta(days=7, hours=1), deliver=True)
    assert week["events"] == 1 and "Still dead" in week["text"]
    assert run_digest_cycle(cfg, T0 + timedelta(days=8), deliver=True)["events"] == 0

    # acknowledged: no more reminders
    assert alert_action(cfg, "ack", ["dead-1"], T0 + timedelta(days=8)) == 1
    assert run_digest_cycle(cfg, T0 + timedelta(days=15), deliver=True)["events"] == 0
    assert list_alerts(cfg, T0 + timedelta(days=15)) == "No open alerts."  # acked: no longer open
    assert "acked" in list_alerts(cfg, T0 + timedelta(days=15), show_all=True)

    # through the CLI: snooze needs --until; resolve works by id prefix
    config_arg = ["--config", cfg.source]
    assert main(["alerts", "snooze", "dead", *config_arg]) == 2
    assert "--until" in capsys.readouterr().err
    assert main(["alerts", "resolve", "dead", *config_arg, "--as-of", "2026-06-20T00:00:00Z"]) == 0
    with open_warehouse(cfg.warehouse_path) as con:
        assert con.execute("SELECT status FROM events WHERE event_id = 'dead-1'").fetchall() == [("resolved",)]


def test_digest_command_prints_without_marking_sent_and_json_format(tmp_path, capsys, setup):
    cfg = setup()
    assert main(["digest", "--config", cfg.source, "--format", "json",
                 "--as-of", T0.isoformat()]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]
    assert sent_at(cfg)["dead-1"] is None  # printing is not sending
    assert main(["digest", "--config", cfg.source, "--deliver"]) == 2  # no channel configured
    assert "--deliver needs" in capsys.readouterr().err


def test_report_command_writes_a_self_contained_page(tmp_path, setup):
    cfg = setup()
    out = write_report(cfg, tmp_path / "r" / "report.html", T0)
    page = out.read_text(encoding="utf-8")
    assert 'id="health-chart"' in page and 'id="claim-exposure"' in page
    assert "<script src" not in page and "http://" not in page.split("<body", 1)[0]


def test_an_articles_recipients_get_that_articles_part_alone(kz_config, tmp_path):
    from kzwatch.alerts.channels import FileSettings, SmtpSettings
    from kzwatch.alerts.digest import build_digest
    from kzwatch.cycles.digest import deliveries

    (tmp_path / "b.csv").write_text("footnote,url,title,outlet,author,published,accessed\n", encoding="utf-8")
    cfg = kz_config(article=[{"id": "beimenbetov-2021"},
                             {"id": "other", "citations": "b.csv", "recipients": ["b-owner@example.org"]}],
                    delivery={"email": {"host": "smtp.example.org", "recipients": ["all@example.org"]},
                              "file": {"dir": "d"}})
    events = [Event(f"{art}-1", art, "citation_dead", "high", T0, "dead", footnote=1, url=f"https://{art}.example/a")
              for art in ("beimenbetov-2021", "other")]
    digest = build_digest(events, generated_at=T0, since=None)
    pairs = deliveries(cfg, digest)
    assert [(type(ch).__name__, tuple(getattr(ch, "recipients", ()))) for _, ch in pairs] == [
        ("SmtpSettings", ("all@example.org",)), ("FileSettings", ()), ("SmtpSettings", ("b-owner@example.org",))]
    part, channel = pairs[2]
    assert part.event_ids == ["other-1"] and "other" in channel.channel
    assert isinstance(pairs[0][1], SmtpSettings) and isinstance(pairs[1][1], FileSettings)
    assert pairs[0][0].event_ids == pairs[1][0].event_ids == sorted(["beimenbetov-2021-1", "other-1"])


def test_article_recipients_need_an_email_server(kz_config, tmp_path):
    from kzwatch.config import ConfigError

    (tmp_path / "b.csv").write_text("footnote,url,title,outlet,author,published,accessed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="recipients' are sent by e-mail"):
        kz_config(article=[{"id": "other", "citations": "b.csv", "recipients": ["b@example.org"]}])
