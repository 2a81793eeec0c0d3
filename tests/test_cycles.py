"""End-to-end cycles on the loopback simulated web, without Prefect (the flows run the same code).

A small article with one citation per behaviour is served by SimWeb; cycles run at chosen
``--as-of`` times and the assertions read the SPEC views, as an analyst would.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kzwatch.config import load_config
from kzwatch.cycles import direct
from kzwatch.simweb import Page, Redirect
from kzwatch.store import open_readonly, open_warehouse

T0 = datetime(2026, 1, 5, 6, 0, tzinfo=timezone.utc)
HOSTS = ["news.test", "gone.test", "waf.test", "moves.test", "soft.test", "flaky.test", "canary.test", "feeds.test"]


def page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<nav>Главная · Новости · Политика</nav><article><h1>{title}</h1>{body}</article>"
            f"<footer>© 2021 Outlet</footer></body></html>")


TURNOUT = page("Явка на выборах в Мажилис", "<p>" + " ".join([
    "По данным ЦИК, явка на выборах в Мажилис составила 63 процента, тогда как наблюдатели МИСК насчитали 35,10 процента.",
    "В Алматы явка составила 30,6 процента. Наблюдатели указывают на многочисленные нарушения при подсчёте голосов.",
    "Эксперты сомневаются в официальных данных и требуют пересчёта голосов на ряде участков в крупных городах страны.",
]) + "</p>")
OTHER = page("Как выбрать зимние шины", "<p>" + " ".join([
    "Шипованные шины лучше держат лёд, фрикционные тише на сухом асфальте и служат дольше при правильном хранении.",
    "Проверьте глубину протектора и дату производства, храните комплект в тёмном прохладном месте вдали от батарей.",
    "Эксперты советуют менять резину, когда среднесуточная температура опускается ниже плюс семи градусов Цельсия.",
]) + "</p>")


class World:
    """One citation per behaviour, arranged on the shared SimWeb."""

    def __init__(self, web, tmp_path: Path):
        self.web, self.tmp = web, tmp_path
        self.urls = {
            "ok": web.url("news.test", "/a/turnout-63/31040001.html"),
            "gone": web.url("gone.test", "/a/deleted-story/31040002.html"),
            "waf": web.url("waf.test", "/document/?doc_id=1"),
            "moves": web.url("moves.test", "/a/old-slug/30971975.html"),
            "soft": web.url("soft.test", "/process/story-123/"),
            "flaky": web.url("flaky.test", "/politika/121693/"),
            "nxdomain": "https://no-such-host.test/a/1.html",
        }
        self.arrange()

    def arrange(self, *, flaky_fails: bool = False, drifted: bool = False, figure_removed: bool = False) -> None:
        web = self.web
        web.reset()
        for host in HOSTS:
            web.add_name(host)
        web.add("canary.test", "/", Page(body="ok", content_type="text/plain"))
        body = OTHER if drifted else (TURNOUT.replace("63 процента", "много процентов") if figure_removed else TURNOUT)
        web.add("news.test", "/a/turnout-63/31040001.html", Page(body=body, etag='"%d%d"' % (drifted, figure_removed)))
        web.add("gone.test", "/a/deleted-story/31040002.html", Page(status=404, body="<h1>Страница не найдена</h1>"))
        web.set_default("waf.test", Page(status=403, body="<title>Attention Required! | Cloudflare</title>"))
        web.add("moves.test", "/a/old-slug/30971975.html", Redirect(web.url("moves.test", "/a/new-slug/30971975.html")))
        web.add("moves.test", "/a/new-slug/30971975.html", Page(body=TURNOUT))
        web.set_default("soft.test", Redirect(web.url("soft.test", "/")))
        web.add("soft.test", "/", Page(body=page("Forbes — главная", "<p>Новости</p>")))
        web.add("flaky.test", "/politika/121693/",
                Page(status=503, body="busy") if flaky_fails else Page(body=TURNOUT))

    def config(self, **fetch_overrides) -> Path:
        rows = ["footnote,url,title,outlet,author,published,accessed"]
        for i, (name, url) in enumerate(self.urls.items(), start=1):
            title = "Iavka na vyborakh v Mazhilis" if name in ("ok", "moves", "flaky") else f"Story {name}"
            rows.append(f"{i},{url},{title},Outlet,,2021-01-10,2021-01-28")
        (self.tmp / "cites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        (self.tmp / "claims.toml").write_text(
            '[[claim]]\nid = "C1"\ntext = "Official turnout of 63% is contested"\nfootnotes = [1, 4, 6]\n'
            'figures = ["63%"]\n[claim.terms]\nru = ["явка"]\nen = ["turnout"]\n', encoding="utf-8")
        fetch = {"per_host_delay_s": 0, "timeout_s": 3, "connect_timeout_s": 2, "retries": 0,
                 "canary_urls": [self.web.url("canary.test", "/")], "allow_private_hosts": HOSTS}
        fetch.update(fetch_overrides)
        fetch_toml = "\n".join(f"{k} = {json.dumps(v)}" for k, v in fetch.items())
        text = f"""
[warehouse]
path = "w.duckdb"
lock_wait_s = 2
[[article]]
id = "test-article"
citations = "cites.csv"
claims = "claims.toml"
[[feed]]
url = "{self.web.url('feeds.test', '/rss')}"
outlet = "Feeds"
[fetch]
{fetch_toml}
[archive]
enabled = false
[delivery.file]
dir = "digests"
"""
        path = self.tmp / "kzwatch.toml"
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def world(web, tmp_path, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    return World(web, tmp_path)


def check(cfg, when, fetcher):
    return direct.run("check", cfg, when, fetcher=fetcher())


def health(cfg) -> dict[str, dict]:
    with open_readonly(cfg.analyst_copy_path) as con:
        cur = con.execute("SELECT * FROM link_health")
        names = [d[0] for d in cur.description]
        return {row[names.index("footnote")]: dict(zip(names, row)) for row in cur.fetchall()}


FN = {"ok": 1, "gone": 2, "waf": 3, "moves": 4, "soft": 5, "flaky": 6, "nxdomain": 7}


def test_outcomes_and_states_over_days(world, fetcher):
    cfg = load_config(world.config())
    check(cfg, T0, fetcher)
    h = health(cfg)
    assert {k: h[v]["last_outcome"] for k, v in FN.items()} == {
        "ok": "ok", "gone": "not_found", "waf": "blocked", "moves": "redirected",
        "soft": "soft_404", "flaky": "ok", "nxdomain": "dns_error"}
    assert {k: h[v]["state"] for k, v in FN.items()} == {
        "ok": "alive", "gone": "dying", "waf": "blocked", "moves": "moved",
        "soft": "dying", "flaky": "alive", "nxdomain": "dying"}
    assert h[FN["moves"]]["final_url"].endswith("/a/new-slug/30971975.html")

    # day 1: a transient 503 — never a strike; the 404 is re-checked but too soon to strike again
    world.arrange(flaky_fails=True)
    check(cfg, T0 + timedelta(days=1), fetcher)
    h = health(cfg)
    assert h[FN["flaky"]]["last_outcome"] == "server_error"
    assert h[FN["flaky"]]["state"] != "dead" and h[FN["flaky"]]["strikes"] == 0
    assert h[FN["gone"]]["strikes"] == 1

    # days 3 and 6: spaced strikes; dead exactly on the third
    world.arrange()
    check(cfg, T0 + timedelta(days=3), fetcher)
    h = health(cfg)
    assert (h[FN["gone"]]["state"], h[FN["gone"]]["strikes"]) == ("dying", 2)
    assert h[FN["flaky"]]["state"] == "alive"  # recovered
    check(cfg, T0 + timedelta(days=6), fetcher)
    h = health(cfg)
    assert (h[FN["gone"]]["state"], h[FN["gone"]]["strikes"]) == ("dead", 3)
    assert h[FN["nxdomain"]]["state"] == "dead"
    assert h[FN["waf"]]["state"] == "blocked"  # never dead
    assert h[FN["ok"]]["state"] == "alive"


def test_outage_day_counts_nothing(world, fetcher):
    cfg = load_config(world.config())
    check(cfg, T0, fetcher)
    before = health(cfg)
    for host in HOSTS:
        world.web.fail_host(host, "refuse")
    summary = check(cfg, T0 + timedelta(days=3), fetcher)
    assert summary.network_down
    after = health(cfg)
    for fn, row in after.items():
        assert row["strikes"] == before[fn]["strikes"], fn
        assert row["state"] != "dead"
    assert after[FN["ok"]]["last_outcome"] == "local_outage"
    assert after[FN["ok"]]["state"] == "alive"
    with open_readonly(cfg.analyst_copy_path) as con:
        kinds = [k for (k,) in con.execute("SELECT kind FROM events").fetchall()]
    assert "own_outage" in kinds


def test_identical_refetch_adds_no_body_bytes_and_drift_and_support(world, fetcher):
    cfg = load_config(world.config())

    def snapshot_bytes():
        with open_readonly(cfg.analyst_copy_path) as con:
            return con.execute("SELECT count(*), coalesce(sum(stored_bytes), 0) FROM snapshots").fetchone()

    check(cfg, T0, fetcher)
    first = snapshot_bytes()
    check(cfg, T0 + timedelta(days=1), fetcher)
    assert snapshot_bytes() == first  # 304s and identical bodies: check rows, no body bytes
    with open_readonly(cfg.analyst_copy_path) as con:
        assert con.execute("SELECT count(*) FROM check_history").fetchone()[0] == 14

    world.arrange(figure_removed=True)  # a small edit that removes the claim's figure
    check(cfg, T0 + timedelta(days=2), fetcher)
    h = health(cfg)
    assert h[FN["ok"]]["state"] == "alive"
    assert h[FN["ok"]]["drift_band"] in ("unchanged", "edited")
    with open_readonly(cfg.analyst_copy_path) as con:
        status = dict(con.execute("SELECT url, status FROM claim_support").fetchall())
        exposure = con.execute("SELECT support_missing FROM claim_exposure WHERE claim_id = 'C1'").fetchone()[0]
        kinds = [k for (k,) in con.execute("SELECT kind FROM events").fetchall()]
    assert status[world.urls["ok"]] == "missing"
    assert status[world.urls["flaky"]] == "present"
    assert exposure == 1
    assert "support_missing" in kinds

    world.arrange(drifted=True)  # the article was replaced by another
    check(cfg, T0 + timedelta(days=3), fetcher)
    h = health(cfg)
    assert h[FN["ok"]]["state"] == "drifted"
    assert h[FN["ok"]]["drift"] < 0.5


def table_dump(path: Path) -> dict:
    skip = {"cycles", "schema_migrations"}
    with open_readonly(path) as con:
        tables = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'").fetchall()]
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables if t not in skip}


def test_same_slot_three_times_same_content_no_alert_twice(world, fetcher, web):
    cfg = load_config(world.config())
    web.add("feeds.test", "/rss", Page(
        body="<?xml version='1.0'?><rss version='2.0'><channel><title>F</title><item><title>Явка на выборах в Мажилис "
             "составила 63 процента</title><link>https://news.test/x</link><description>ЦИК Казахстана сообщил, что "
             "явка на выборах в Мажилис составила 63 процента.</description></item></channel></rss>",
        content_type="application/rss+xml"))
    dumps = []
    for _ in range(3):
        direct.run("check", cfg, T0, fetcher=fetcher())
        direct.run("discover", cfg, T0, fetcher=fetcher())
        direct.run("digest", cfg, T0, deliver=True)
        dumps.append(table_dump(cfg.analyst_copy_path))
    assert dumps[0] == dumps[1] == dumps[2]
    files = list((world.tmp / "digests").iterdir())
    assert len(files) == 1  # one digest sent; the re-runs found nothing new
    with open_readonly(cfg.analyst_copy_path) as con:
        unsent = con.execute("SELECT count(*) FROM events WHERE sent_at IS NULL").fetchone()[0]
        checks = con.execute("SELECT count(*) FROM checks").fetchone()[0]
    assert unsent == 0
    assert checks == len(FN)


def test_second_cycle_waits_then_refuses_with_clear_message(world, fetcher):
    from kzwatch.store import WarehouseBusy, cycle_lock

    cfg = load_config(world.config())
    with cycle_lock(cfg.warehouse_path):
        with pytest.raises(WarehouseBusy, match="another kzwatch cycle is running"):
            direct.run("check", cfg, T0, fetcher=fetcher())
    direct.run("check", cfg, T0, fetcher=fetcher())  # and once free, it runs
    assert health(cfg)[FN["ok"]]["state"] == "alive"


def test_status_on_a_new_warehouse_lists_every_citation_unknown(tmp_path, monkeypatch, capsys):
    from kzwatch.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KZWATCH_CONFIG", raising=False)
    assert main(["status", "--warehouse", str(tmp_path / "new.duckdb")]) == 0
    out = capsys.readouterr().out
    assert "distinct URLs 29" in out
    with open_warehouse(tmp_path / "new.duckdb") as con:
        states = con.execute("SELECT state, count(*) FROM link_health GROUP BY state").fetchall()
        claims = con.execute("SELECT count(*) FROM claim_exposure").fetchone()[0]
    assert states == [("unknown", 35)]
    assert claims == 16


def test_cli_bad_input_is_one_line_and_nonzero(tmp_path, capsys):
    from kzwatch.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text("[fetch]\ntimeout_s = 'x'\n")
    assert main(["check", "--config", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("kzwatch: ") and "fetch.timeout_s" in err and "\n" not in err
    assert main(["status", "--as-of", "yesterday-ish"]) == 2
    assert "ISO 8601" in capsys.readouterr().err
