"""The archive phase (kzwatch.cycles.archive) on the loopback simulated web.

A dozen citations on one outlet, every page archived the day before its accessed date.  The
phase runs on a fake clock (its pacing and budget are deterministic; the requests are real), so
the tests can say exactly how far one phase gets and where the next one continues.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from kzwatch.config import load_config
from kzwatch.cycles import direct
from kzwatch.cycles.archive import run_archive_phase
from kzwatch.sim.simweb import Handler, Page
from kzwatch.store import open_readonly

T0 = datetime(2026, 1, 5, 6, 0, tzinfo=timezone.utc)
WALL = datetime(2026, 12, 6, 4, 0, tzinfo=timezone.utc)  # the wall clock back-offs are kept in
N = 12
STAMP = "20210127120000"


def article(i: int) -> str:
    return (f"<!doctype html><html><head><title>Статья номер {i} о выборах</title></head><body><article>"
            f"<h1>Статья номер {i} о выборах</h1><p>" + " ".join(
                f"Предложение {j} статьи {i}: наблюдатели сообщили о нарушениях на участке {i * 100 + j}."
                for j in range(12)) + "</p></article></body></html>")


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


class ArchiveWorld:
    def __init__(self, web, tmp_path):
        self.web, self.tmp = web, tmp_path
        for host in ("news.test", "archive.test", "wayback.test"):
            web.add_name(host)
        self.urls = [web.url("news.test", f"/a/{i}.html") for i in range(N)]
        for i, url in enumerate(self.urls):
            web.add("news.test", f"/a/{i}.html", Page(body=article(i)))
            web.add("wayback.test", f"/web/{STAMP}id_/{url}", Page(body=article(i)))
        self.availability_answer: Page | None = None  # e.g. a 429 instead of the answer
        web.add("archive.test", "/wayback/available", Handler(self._availability))
        web.add("wayback.test", "/cdx/search/cdx", Page(body="[]", content_type="application/json"))
        web.set_default("wayback.test", Page(status=404, body="not archived"))

    def _availability(self, req):
        if self.availability_answer is not None:
            return self.availability_answer
        url = (parse_qs(urlsplit(req.path).query).get("url") or [""])[0]
        closest = {"closest": {"available": True, "status": "200", "timestamp": STAMP,
                               "url": self.web.url("wayback.test", f"/web/{STAMP}/{url}")}} if url in self.urls else {}
        return Page(body=json.dumps({"url": url, "archived_snapshots": closest}), content_type="application/json")

    def config(self, **archive):
        rows = ["footnote,url,title,outlet,author,published,accessed"]
        rows += [f"{i + 1},{u},Stat'ia nomer {i} o vyborakh,News,,2021-01-10,2021-01-28"
                 for i, u in enumerate(self.urls)]
        (self.tmp / "cites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        settings = {"availability_endpoint": self.web.url("archive.test", "/wayback/available"),
                    "cdx_endpoint": self.web.url("wayback.test", "/cdx/search/cdx"),
                    "timegate_endpoints": [self.web.url("wayback.test", "/web/")],
                    "availability_per_minute": 60, "cdx_per_minute": 60, "memento_per_minute": 60,
                    "budget_s": 600, **archive}
        hosts = ["news.test", "archive.test", "wayback.test"]
        text = (f'[warehouse]\npath = "w.duckdb"\nlock_wait_s = 2\n[[article]]\nid = "a"\ncitations = "cites.csv"\n'
                f'[fetch]\nper_host_delay_s = 0\ntimeout_s = 2\nconnect_timeout_s = 1\nretries = 0\n'
                f'allow_private_hosts = {json.dumps(hosts)}\n[health]\nsoft404_probe = false\n[archive]\n'
                + "\n".join(f"{k} = {json.dumps(v)}" for k, v in settings.items()) + "\n")
        (self.tmp / "kzwatch.toml").write_text(text, encoding="utf-8")
        return load_config(self.tmp / "kzwatch.toml")

    def asked(self, host: str, part: str = "") -> list[str]:
        return [r.path for r in self.web.requests if r.host == host and part in r.path]


@pytest.fixture
def world(web, tmp_path, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    return ArchiveWorld(web, tmp_path)


def rows(cfg, sql: str) -> list[tuple]:
    with open_readonly(cfg.analyst_copy_path) as con:
        return con.execute(sql).fetchall()


def work(cfg) -> dict[str, str]:
    from kzwatch.store import open_warehouse

    with open_warehouse(cfg.warehouse_path) as con:
        return dict(con.execute("SELECT url, status FROM archive_work").fetchall())


def phase(cfg, fetcher, as_of, clock=None, now=WALL, **kw):
    clock = clock or Clock()
    return run_archive_phase(cfg, as_of, fetcher=fetcher(), monotonic=clock.monotonic, sleep=clock.sleep,
                             now=lambda: now, **kw), clock


def test_phase_continues_across_cycles_within_its_budget(world, fetcher):
    cfg = world.config(budget_s=5)  # 60 a minute per endpoint: one URL a second, five a phase
    direct.run("check-only", cfg, T0, fetcher=fetcher())
    assert world.asked("archive.test") == world.asked("wayback.test") == []  # the check never asks
    seen = []
    for day in range(4):
        summary, clock = phase(cfg, fetcher, T0 + timedelta(days=day))
        assert clock.t <= 5.0  # the budget, on the phase's own clock
        seen.append((summary.done.get("baseline_done", 0), summary.remaining))
    assert seen == [(5, 7), (5, 2), (2, 0), (0, 0)]
    assert set(work(cfg).values()) == {"baseline_done"}
    lookups = [p for p in world.asked("archive.test", "/wayback/available")]
    assert len(lookups) == N  # each URL asked once, across the phases: progress was kept
    assert len(world.asked("wayback.test", "id_/")) == N


def test_a_phase_stopped_by_the_budget_resumes_with_the_memento_it_had_found(world, fetcher):
    cfg = world.config(budget_s=1.5, memento_per_minute=30)  # the 2nd lookup fits, its memento does not
    direct.run("check-only", cfg, T0, fetcher=fetcher())
    summary, _ = phase(cfg, fetcher, T0)
    assert summary.stopped.startswith("time budget")
    first, second = world.urls[0], world.urls[1]
    assert work(cfg) == {first: "baseline_done", second: "looked_up"}
    world.web.requests.clear()
    phase(cfg, fetcher, T0 + timedelta(days=1))
    assert work(cfg)[second] == "baseline_done"
    assert not any(second in p for p in world.asked("archive.test"))  # not looked up again
    assert any(second in p for p in world.asked("wayback.test", "id_/"))


def test_429_stops_the_phase_and_the_backoff_is_kept_across_phases(world, fetcher):
    cfg = world.config(backoff_s=60)
    direct.run("check-only", cfg, T0, fetcher=fetcher())
    world.availability_answer = Page(status=429, body="Too Many Requests", headers={"Retry-After": "600"})
    summary, _ = phase(cfg, fetcher, T0)
    assert "429" in summary.stopped and summary.requests == {"availability": 1}
    (until, strikes), = rows_backoff(cfg)
    assert strikes == 1 and until == WALL + timedelta(seconds=600)  # Retry-After honoured

    world.web.requests.clear()  # a later cycle still inside the back-off: the archive is left alone
    summary, _ = phase(cfg, fetcher, T0 + timedelta(days=1), now=WALL + timedelta(seconds=300))
    assert world.asked("archive.test") == world.asked("wayback.test") == [] and summary.requests == {}
    assert "backing off" in summary.stopped

    world.availability_answer = Page(status=429, body="Too Many Requests")  # again, no Retry-After
    phase(cfg, fetcher, T0 + timedelta(days=2), now=WALL + timedelta(seconds=700))
    (until, strikes), = rows_backoff(cfg)
    assert strikes == 2 and until == WALL + timedelta(seconds=700 + 120)  # doubled: 2 × backoff_s

    world.availability_answer = None  # the archive answers again: the back-off is cleared
    summary, _ = phase(cfg, fetcher, T0 + timedelta(days=3), now=WALL + timedelta(seconds=900))
    assert summary.done == {"baseline_done": N} and rows_backoff(cfg) == []


def rows_backoff(cfg) -> list[tuple]:
    from kzwatch.store import open_warehouse

    with open_warehouse(cfg.warehouse_path) as con:
        return con.execute("SELECT until_at, strikes FROM archive_backoff").fetchall()


def test_verdicts_are_recorded_when_the_archive_never_answers(world, fetcher):
    world.web.fail_host("archive.test", "hang")
    world.web.fail_host("wayback.test", "hang")
    cfg = world.config()
    direct.run("check", cfg, T0, fetcher=fetcher())  # the check, then the archive phase
    states = dict(rows(cfg, "SELECT url, state FROM url_state"))
    assert states == {u: "alive" for u in world.urls}
    (summary,), = rows(cfg, "SELECT summary FROM cycles WHERE kind = 'archive'")
    summary = json.loads(summary)
    assert summary["stopped"].startswith("archive unreachable") and summary["remaining"] == N
    assert summary["elapsed_s"] < 10  # one timed-out request, then the phase gave up
    assert work(cfg) == {}  # nothing recorded: every URL is asked again next cycle


class KilledAfter:
    """A fetcher that dies (like kill -9 would, without cleanup) on its n-th memento request."""

    def __init__(self, fetcher, n: int) -> None:
        self.inner, self.n = fetcher, n

    def fetch(self, url, **kw):
        if "id_/" in url:
            self.n -= 1
            if self.n == 0:
                raise KeyboardInterrupt("killed")
        return self.inner.fetch(url, **kw)

    def close(self):
        self.inner.close()


def test_a_killed_phase_keeps_every_completed_lookup(world, fetcher):
    cfg = world.config()
    direct.run("check-only", cfg, T0, fetcher=fetcher())
    clock = Clock()
    with pytest.raises(KeyboardInterrupt):
        run_archive_phase(cfg, T0, fetcher=KilledAfter(fetcher(), 4), monotonic=clock.monotonic,
                          sleep=clock.sleep, now=lambda: WALL)
    statuses = work(cfg)
    assert sorted(statuses.values()) == ["baseline_done"] * 3 + ["looked_up"]  # only the memento in flight lost
    world.web.requests.clear()
    summary, _ = phase(cfg, fetcher, T0 + timedelta(days=1))
    assert summary.done == {"baseline_done": N - 3}
    assert len(world.asked("archive.test")) == N - 4  # the looked-up one only fetched its memento
    assert len(world.asked("wayback.test", "id_/")) == N - 3


def test_plan_puts_failing_citations_first_and_asks_again_only_when_due():
    from kzwatch.archive import ArchiveSettings
    from kzwatch.cycles.archive import plan
    from kzwatch.cycles.check import UrlTarget

    def target(url, **state):
        return UrlTarget(url, [], [], {"state": "alive", "baseline_source": "live", **state})

    targets = [target("new"), target("found"), target("dead", state="dead"),
               target("dead-asked", state="dead", archive_checked_at=T0 - timedelta(days=2)),
               target("dead-asked-long-ago", state="dead", archive_checked_at=T0 - timedelta(days=8)),
               target("archived", baseline_source="archive"), target("waiting"), UrlTarget("unchecked", [], [], {})]
    work = {"found": {"status": "looked_up", "capture_url": "x"}, "dead-asked": {"status": "none"},
            "dead-asked-long-ago": {"status": "none"},
            "waiting": {"status": "pending", "next_try_at": T0 + timedelta(hours=1)}}
    order = [(i.target.url, i.baseline, i.lookup) for i in plan(targets, work, T0, ArchiveSettings())]
    assert order == [("dead", True, True), ("dead-asked-long-ago", False, True), ("found", True, False),
                     ("new", True, False)]
    assert [i.target.url for i in plan(targets, work, T0, ArchiveSettings(baseline=False))] == [
        "dead", "dead-asked-long-ago"]


def test_an_archive_5xx_is_retried_later_then_given_up(world, fetcher):
    from kzwatch.store import open_warehouse

    cfg = world.config(max_attempts=2)
    direct.run("check-only", cfg, T0, fetcher=fetcher())
    first = world.urls[0]
    world.web.add("wayback.test", f"/web/{STAMP}id_/{first}", Page(status=503, body="busy"))
    phase(cfg, fetcher, T0)
    with open_warehouse(cfg.warehouse_path) as con:
        row = con.execute("SELECT status, attempts, next_try_at, last_error FROM archive_work WHERE url = ?",
                          [first]).fetchone()
    assert row[:3] == ("looked_up", 1, T0 + timedelta(hours=1)) and "503" in row[3]
    world.web.requests.clear()
    phase(cfg, fetcher, T0 + timedelta(minutes=30))  # not due yet: left alone
    assert world.asked("wayback.test") == []
    phase(cfg, fetcher, T0 + timedelta(days=1))
    with open_warehouse(cfg.warehouse_path) as con:
        status, attempts, error = con.execute("SELECT status, attempts, last_error FROM archive_work WHERE url = ?",
                                              [first]).fetchone()
    assert (status, attempts) == ("none", 2) and error.startswith("gave up after 2 attempts")
    assert len(world.asked("archive.test")) == 0  # the capture was known: only the memento was asked again


def test_retry_after_as_an_http_date_is_read_as_seconds():
    from kzwatch.archive import ArchiveClient, ArchiveSettings
    from kzwatch.model import FetchResult

    at = datetime(2026, 12, 6, 4, 0, tzinfo=timezone.utc)

    def limited(url, headers=None):
        return FetchResult(url=url, requested_at=at, status=429, headers={"retry-after": "Sun, 06 Dec 2026 04:05:00 GMT"})

    client = ArchiveClient(limited, ArchiveSettings())
    assert client.find_capture("https://x.kz/a", None) is None
    assert client.throttled == ("availability", 300.0)
