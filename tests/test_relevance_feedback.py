"""`kzwatch explain` and `kzwatch feedback`: against a warehouse filled by a real discovery cycle
on the simulated web (loopback only)."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta

import pytest

from kzwatch import cli
from kzwatch.config import load_config
from kzwatch.cycles import direct
from kzwatch.cycles.digest import run_digest_cycle
from kzwatch.relevance import commands
from kzwatch.sim.simweb import Page
from kzwatch.store import open_warehouse

HOST = "news.feedback.test"
T0 = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
C5 = ("В бюллетенях вновь появится графа «против всех»",
      "Президент Казахстана подписал поправки: графа «против всех» вернётся на выборах в Мажилис.")
C2 = ("Nur Otan renamed Amanat",
      "Kazakhstan's ruling party Nur Otan, which won 71% in the 2021 Majilis election, was "
      "renamed.")
LATE = ("Графа «против всех» вернулась в бюллетени Казахстана",
        "Поправки в закон о выборах вступили в силу: избиратели Казахстана снова могут голосовать "
        "против всех на выборах в Мажилис.")


def page(title: str, text: str) -> Page:
    return Page(body=f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
                     f"<article><h1>{title}</h1><p>{text}</p></article></body></html>")


def rss(items) -> Page:
    body = "".join(f"<item><title>{t}</title><link>{u}</link><guid>{u}</guid>"
                   f"<description>{d}</description></item>" for u, t, d in items)
    return Page(body=f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
                     f"<title>T</title>{body}</channel></rss>", content_type="application/rss+xml")


@pytest.fixture
def site(web, tmp_path, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    web.add_name(HOST)
    u = lambda path: web.url(HOST, path)  # noqa: E731
    for path, story in {"/c5": C5, "/c2": C2, "/late": LATE}.items():
        web.add(HOST, path, page(*story))
    web.add(HOST, "/rss", rss([(u("/c5"), *C5), (u("/c2"), *C2)]))
    (tmp_path / "k.toml").write_text(f"""
[warehouse]
path = "w.duckdb"
[[article]]
id = "beimenbetov-2021"
[[feed]]
url = "{u('/rss')}"
kind = "rss"
outlet = "Outlet"
[fetch]
per_host_delay_s = 0
allow_private_hosts = ["{HOST}"]
""", encoding="utf-8")
    return load_config(tmp_path / "k.toml"), u


def _events(cfg, url):
    with open_warehouse(cfg.warehouse_path) as con:
        return con.execute("SELECT claim_id, status FROM events WHERE kind = 'new_reporting' "
                           "AND url = ? ORDER BY claim_id", [url]).fetchall()


def test_explain_shows_every_claim_with_evidence(site, fetcher):
    cfg, u = site
    direct.run("discover", cfg, T0, fetcher=fetcher())
    text = commands.explain(cfg, u("/c5"), T0)
    assert "item from the warehouse" in text
    c5 = next(line for line in text.splitlines() if line.startswith("C5"))
    assert "flagged" in c5 and "updates" in c5
    assert "terms: против всех" in text and "sentence:" in text
    # every other claim is listed with the reason it was not scored
    assert sum(line[:4].strip() in {f"C{i}" for i in range(1, 17)}
               for line in text.splitlines()) == 16
    assert "C11  not scored: no anchor term" in text

    # an item the warehouse lacks is fetched and scored the same way
    fetched = commands.explain(cfg, u("/late"), T0, fetcher=fetcher())
    assert "item fetched" in fetched and "C5   flagged" in fetched


def test_explain_command_prints_the_scoring(site, fetcher, capsys):
    cfg, u = site
    direct.run("discover", cfg, T0, fetcher=fetcher())
    assert cli.main(["explain", u("/c2"), "--config", str(cfg.source)]) == 0
    out = capsys.readouterr().out
    assert "C2   flagged" in out and "renamed or replaced" in out


def test_explain_of_an_unreachable_url_is_a_one_line_error(site, fetcher):
    cfg, u = site
    with pytest.raises(ValueError, match="not in the warehouse, and fetching it failed"):
        commands.explain(cfg, u("/missing"), T0, fetcher=fetcher())


def test_wrong_feedback_keeps_the_match_out_of_digests_and_exports(site, web, fetcher):
    cfg, u = site
    direct.run("discover", cfg, T0, fetcher=fetcher())
    assert _events(cfg, u("/c5")) == [("C5", "open")]
    line = commands.record_feedback(cfg, u("/c5"), "C5", "wrong", T0 + timedelta(minutes=5),
                                    note="a law draft, not the law")
    assert "kept out of digests" in line
    assert _events(cfg, u("/c5")) == [("C5", "resolved")]
    commands.record_feedback(cfg, u("/c2"), "C2", "right", T0 + timedelta(minutes=6),
                             stance="updates")
    digest = run_digest_cycle(cfg, T0 + timedelta(minutes=10), deliver=False)
    assert C2[0] in digest["markdown"] and C5[0] not in digest["markdown"]

    # feedback given before discovery (after `kzwatch explain` fetched it) still applies
    commands.record_feedback(cfg, u("/late"), "C5", "wrong", T0 + timedelta(minutes=20),
                             fetcher=fetcher())
    web.add(HOST, "/rss", rss([(u("/late"), *LATE)]))
    direct.run("discover", cfg, T0 + timedelta(hours=1), fetcher=fetcher())
    assert _events(cfg, u("/late")) == [("C5", "open")]
    later = run_digest_cycle(cfg, T0 + timedelta(hours=2), since=T0, deliver=False)
    assert LATE[0] not in later["markdown"]

    out = cfg.warehouse_path.parent / "fb.toml"
    assert "3 labelled item(s)" in commands.export_feedback(cfg, out)
    items = {i["url"]: i for i in tomllib.loads(out.read_text(encoding="utf-8"))["item"]}
    assert items[u("/c5")]["claims"] == [] and "text" not in items[u("/c5")]
    assert items[u("/c2")]["claims"] == ["C2"] and items[u("/c2")]["stance"] == {"C2": "updates"}
    assert "a law draft" in items[u("/c5")]["note"]
    commands.export_feedback(cfg, out, with_text=True)
    with_text = tomllib.loads(out.read_text(encoding="utf-8"))["item"]
    assert all(i["text"] for i in with_text)


def test_feedback_rejects_bad_input_in_one_line(site, capsys):
    cfg, u = site
    args = ["--config", str(cfg.source)]
    assert cli.main(["feedback", *args]) == 2
    assert "give ITEM_URL --claim" in capsys.readouterr().err
    assert cli.main(["feedback", u("/c5"), "--claim", "C99", "--label", "wrong", *args]) == 2
    assert "no configured article has claim 'C99'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="--stance goes with --label right"):
        commands.record_feedback(cfg, u("/c5"), "C5", "wrong", T0, stance="updates")
    with pytest.raises(SystemExit):
        cli.main(["feedback", u("/c5"), "--claim", "C5", "--label", "maybe", *args])
    with open_warehouse(cfg.warehouse_path) as con:
        assert con.execute("SELECT count(*) FROM relevance_feedback").fetchone()[0] == 0
