"""End-to-end cycles on the loopback simulated web, without Prefect (the flows run the same code).

A small article with one citation per behaviour is served by SimWeb; cycles run at chosen
``--as-of`` times and the assertions read the SPEC views, as an analyst would.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kzwatch.config import load_config
from kzwatch.cycles import direct
from kzwatch.sim.simweb import Handler, Page, Redirect
from kzwatch.store import open_readonly, open_warehouse

T0 = datetime(2026, 1, 5, 6, 0, tzinfo=timezone.utc)
NO_ARCHIVE = "[archive]\nenabled = false"
HOSTS = ["news.test", "gone.test", "waf.test", "moves.test", "soft.test", "flaky.test", "canary.test", "feeds.test",
         "archive.test", "wayback.test"]


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
        self.archive_budget_s = 60
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

    def config(self, *, archive: bool = False, **fetch_overrides) -> Path:
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
{self.archive_toml() if archive else NO_ARCHIVE}
[delivery.file]
dir = "digests"
"""
        path = self.tmp / "kzwatch.toml"
        path.write_text(text, encoding="utf-8")
        return path


    def archive_toml(self) -> str:
        return (f'[archive]\navailability_endpoint = "{self.web.url("archive.test", "/wayback/available")}"\n'
                f'cdx_endpoint = "{self.web.url("wayback.test", "/cdx/search/cdx")}"\n'
                f'timegate_endpoints = ["{self.web.url("wayback.test", "/web/")}"]\nmax_per_minute = 600\n'
                f'budget_s = {self.archive_budget_s}')

    def archive(self, captures: dict[str, tuple[str, Page]]) -> None:
        """A fake Wayback Machine: {cited url: (timestamp, what its id_ memento serves)}."""
        from urllib.parse import parse_qs

        def availability(req):
            url = (parse_qs(urlsplit(req.path).query).get("url") or [""])[0]
            closest = {}
            if url in captures:
                ts = captures[url][0]
                closest = {"closest": {"available": True, "status": "200", "timestamp": ts,
                                       "url": self.web.url("wayback.test", f"/web/{ts}/{url}")}}
            return Page(body=json.dumps({"url": url, "archived_snapshots": closest}), content_type="application/json")

        self.web.add("archive.test", "/wayback/available", Handler(availability))
        self.web.add("wayback.test", "/cdx/search/cdx", Page(body="[]", content_type="application/json"))
        self.web.set_default("wayback.test", Page(status=404, body="not archived"))
        for url, (ts, memento) in captures.items():
            self.web.add("wayback.test", f"/web/{ts}id_/{url}", memento)


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


# --- baselines from the archive ------------------------------------------------------------------

def url_states(cfg) -> dict[str, dict]:
    with open_readonly(cfg.analyst_copy_path) as con:
        cur = con.execute("SELECT * FROM url_state")
        names = [d[0] for d in cur.description]
        return {row[0]: dict(zip(names, row)) for row in cur.fetchall()}


def support_rows(cfg) -> dict[str, tuple]:
    with open_readonly(cfg.analyst_copy_path) as con:
        return {u: (s, b) for u, s, b in con.execute("SELECT url, status, baseline_status FROM claim_support").fetchall()}


def event_kinds(cfg) -> list[str]:
    with open_readonly(cfg.analyst_copy_path) as con:
        return [k for (k,) in con.execute("SELECT kind FROM events").fetchall()]


@pytest.mark.parametrize("archived", [True, False])
def test_baseline_is_the_archived_capture_so_an_edit_before_our_first_look_is_caught(world, fetcher, archived):
    """The page lost its figure before kzwatch first looked.  Baselined on the archived capture
    of the accessed date, the loss is seen at once; baselined on the first live fetch, it cannot be."""
    ok = world.urls["ok"]
    world.arrange(figure_removed=True)
    world.archive({ok: ("20210127120000", Page(body=TURNOUT))})
    cfg = load_config(world.config(archive=archived))
    check(cfg, T0, fetcher)
    state, (status, baseline_status) = url_states(cfg)[ok], support_rows(cfg)[ok]
    if archived:
        assert state["baseline_source"] == "archive"
        assert state["baseline_at"] == datetime(2021, 1, 27, 12, 0, tzinfo=timezone.utc)
        mementos = [r.path for r in world.web.requests if r.host == "wayback.test" and "id_/" in r.path]
        assert mementos == [f"/web/20210127120000id_/{ok}"]  # original bytes, no banner
        assert state["archive_url"].endswith(f"/web/20210127120000/{ok}")
        assert (status, baseline_status) == ("missing", "present")
        assert "support_missing" in event_kinds(cfg)
        assert state["drift_band"] in ("unchanged", "edited")  # a small edit, not a replaced page
        assert state["state"] == "alive"
    else:
        assert state["baseline_source"] == "live" and state["archive_url"] is None
        assert (status, baseline_status) == ("missing", "missing")
        assert "support_missing" not in event_kinds(cfg)
    # URLs the archive holds nothing for keep a live baseline, and the archive's answer is remembered
    flaky = url_states(cfg)[world.urls["flaky"]]
    assert flaky["baseline_source"] == "live"
    assert (flaky["archive_checked_at"] is not None) == archived


def test_archive_unreachable_first_then_baseline_replaced_when_it_answers(world, fetcher):
    ok = world.urls["ok"]
    world.arrange(figure_removed=True)  # edited before we first looked
    world.archive({ok: ("20210127120000", Page(body=TURNOUT))})
    world.web.fail_host("archive.test", "refuse")
    cfg = load_config(world.config(archive=True))
    check(cfg, T0, fetcher)
    first = url_states(cfg)[ok]
    assert first["baseline_source"] == "live"
    assert first["archive_checked_at"] is None  # not answered: ask again next cycle
    assert support_rows(cfg)[ok] == ("missing", "missing")

    world.web.restore_host("archive.test")  # the archive answers the next day
    world.web.requests.clear()
    check(cfg, T0 + timedelta(days=1), fetcher)
    second = url_states(cfg)[ok]
    assert second["baseline_source"] == "archive"
    assert second["baseline_snapshot_id"] != first["baseline_snapshot_id"]
    assert support_rows(cfg)[ok] == ("missing", "present")
    assert "support_missing" in event_kinds(cfg)

    world.web.requests.clear()
    check(cfg, T0 + timedelta(days=2), fetcher)  # answered once: no more baseline lookups
    assert [r.path for r in world.web.requests if r.host in ("archive.test", "wayback.test")] == []


def test_a_memento_that_is_an_error_page_is_not_a_baseline(world, fetcher):
    ok, flaky = world.urls["ok"], world.urls["flaky"]
    world.archive({ok: ("20210127120000", Page(status=404, body="<h1>Not found</h1>")),
                   flaky: ("20210127120000", Page(body=page("Страница не найдена", "<p>Ошибка 404</p>")))})
    cfg = load_config(world.config(archive=True))
    check(cfg, T0, fetcher)
    states = url_states(cfg)
    for url in (ok, flaky):
        assert states[url]["baseline_source"] == "live", url
        assert states[url]["archive_checked_at"] is not None, url  # answered: not asked again


def events_of(cfg, kind: str) -> list[tuple]:
    with open_readonly(cfg.analyst_copy_path) as con:
        return con.execute("SELECT created_at, subject, details FROM events WHERE kind = ? ORDER BY created_at",
                           [kind]).fetchall()


def test_a_correction_notice_raises_one_changed_event_with_a_diff(world, fetcher, web):
    cfg = load_config(world.config())
    check(cfg, T0, fetcher)
    corrected = TURNOUT.replace("<article>", "<article><p>Исправление: в первой версии статьи была неверно "
                                             "указана явка в Алматы.</p>")
    corrected = corrected.replace("30,6 процента", "31,6 процента")
    web.add("news.test", "/a/turnout-63/31040001.html", Page(body=corrected, etag='"corrected"'))
    check(cfg, T0 + timedelta(days=1), fetcher)
    changed = events_of(cfg, "citation_changed")
    assert len(changed) == 1 and changed[0][0] == T0 + timedelta(days=1)
    details = json.loads(changed[0][2])
    assert details["notices"].startswith("исправление: в первой версии")
    assert "- " in details["diff"] and "+ " in details["diff"] and "31,6" in details["diff"]
    assert health(cfg)[FN["ok"]]["state"] == "alive"  # a correction is not a death
    web.add("news.test", "/a/turnout-63/31040001.html", Page(body=corrected + " ", etag='"again"'))
    check(cfg, T0 + timedelta(days=2), fetcher)  # re-fetched, same notice: nothing new to say
    assert len(events_of(cfg, "citation_changed")) == 1


def test_drifted_and_support_events_carry_a_bounded_diff(world, fetcher):
    cfg = load_config(world.config())
    check(cfg, T0, fetcher)
    world.arrange(figure_removed=True)
    check(cfg, T0 + timedelta(days=1), fetcher)
    (_, _, support_details), = events_of(cfg, "support_missing")
    diff = json.loads(support_details)["diff"]
    assert "63 процента" in diff and "много процентов" in diff
    world.arrange(drifted=True)
    check(cfg, T0 + timedelta(days=2), fetcher)
    (_, _, drift_details), = events_of(cfg, "citation_drifted")
    diff = json.loads(drift_details)["diff"]
    assert "зимние шины" in diff.lower() or "Шипованные" in diff
    assert len(diff) <= 3000


def test_fetch_pages_carries_canaries_pages_and_probes_but_not_archive_lookups(world, fetcher):
    """A scale-out runner's fetch judges the cited hosts from the workers' network: canaries,
    pages and soft-404 probes all go through it; the archive is not asked by the check at all,
    only by the archive phase afterwards, on its own fetcher."""
    from kzwatch.cycles.archive import run_archive_phase
    from kzwatch.cycles.check import run_check_cycle

    world.archive({})
    cfg = load_config(world.config(archive=True))
    local = fetcher()
    through: list[str] = []

    probed: list[str] = []

    def fetch_pages(jobs):
        through.extend(j.url for j in jobs)
        results = local.fetch_many(jobs)  # a page's soft-404 probe travels in its job
        probed.extend(r.probe.url for r in results if r.probe is not None)
        return results

    run_check_cycle(cfg, T0, fetcher=fetcher(), fetch_pages=fetch_pages)
    through += probed
    hosts = {urlsplit(u).hostname for u in through}
    assert world.web.url("canary.test", "/") in through
    assert set(world.urls.values()) <= set(through)
    assert any(urlsplit(u).hostname == "news.test" and u not in world.urls.values() for u in through)  # a probe
    assert not hosts & {"archive.test", "wayback.test"}
    assert not any(r.host in ("archive.test", "wayback.test") for r in world.web.requests)
    run_archive_phase(cfg, T0, fetcher=fetcher())
    assert any(r.host == "archive.test" for r in world.web.requests)  # asked by the phase
