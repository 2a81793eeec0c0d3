"""Tests of kzwatch.archive against a loopback fake of the Wayback Availability API, the CDX
API and a Memento TimeGate (wire formats as in research/linkrot.md §4)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlencode

import pytest
import requests
from werkzeug import Request, Response

from kzwatch.archive import (
    ArchiveCapture,
    ArchiveClient,
    ArchiveSettings,
    Backoff,
    BudgetExhausted,
    Pacer,
    id_url,
    next_backoff,
    parse_link_header,
    parse_timestamp,
)
from kzwatch.model import FetchResult, Hop

PAGE = "https://rus.azattyq.org/a/30971975.html"


def ts(value: str) -> datetime:
    parsed = parse_timestamp(value)
    assert parsed is not None
    return parsed


class FakeArchive:
    """Captures per original URL, served in the three wire formats.  Like the real service, the
    Availability API returns the closest capture in *either* direction."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.captures: dict[str, list[str]] = {}  # original → 14-digit timestamps
        self.redirect_captures: dict[str, list[str]] = {}  # status 301 rows (must be filtered)
        self.availability_blind: set[str] = set()  # urls Availability wrongly says nothing about
        self.cdx_blind: set[str] = set()
        self.throttle: set[str] = set()  # endpoints answering 429: "available", "cdx", "web"
        self.garbage: dict[str, str] = {}  # endpoint → raw body to send instead of JSON
        self.hits: list[str] = []

    def replay(self, stamp: str, original: str) -> str:
        return f"{self.base}/web/{stamp}/{original}"

    @staticmethod
    def _distance(stamp: str, target: str) -> float:
        return abs((ts(stamp) - ts(target)).total_seconds())

    def handle(self, request: Request) -> Response:
        path = request.path
        endpoint = "available" if path.startswith("/wayback/available") else "cdx" if path.startswith("/cdx") else "web"
        self.hits.append(endpoint)
        if endpoint in self.throttle:
            return Response("Too Many Requests", status=429)
        if endpoint in self.garbage:
            return Response(self.garbage[endpoint], status=200, content_type="application/json")
        if endpoint == "available":
            return self._available(request)
        if endpoint == "cdx":
            return self._cdx(request)
        return self._web(request)

    def _available(self, request: Request) -> Response:
        url = request.args["url"]
        stamps = [] if url in self.availability_blind else self.captures.get(url, [])
        body: dict = {"url": url, "archived_snapshots": {}}
        if stamps:
            target = (request.args.get("timestamp") or "99991231235959").ljust(14, "0")
            best = min(stamps, key=lambda s: self._distance(s, target))
            body["archived_snapshots"] = {
                "closest": {"available": True, "status": "200", "timestamp": best, "url": self.replay(best, url)}
            }
        return Response(json.dumps(body), content_type="application/json")

    def _cdx(self, request: Request) -> Response:
        assert request.args["output"] == "json"
        assert request.args["fl"] == "timestamp,original,statuscode"
        assert request.args["filter"] == "statuscode:200"
        url = request.args["url"]
        if url in self.cdx_blind:
            return Response("[]", content_type="application/json")
        rows = [[s, url, "200"] for s in self.captures.get(url, [])]
        rows += [[s, url, "301"] for s in self.redirect_captures.get(url, [])]
        rows = [r for r in rows if r[2] == "200"]  # the server applies the filter
        rows.sort(key=lambda r: r[0])
        limit = int(request.args.get("limit", "0"))
        if request.args.get("sort") == "closest":
            rows.sort(key=lambda r: self._distance(r[0], request.args["closest"]))
        if limit > 0:
            rows = rows[:limit]
        elif limit < 0:
            rows = rows[limit:]
        if not rows:
            return Response("[]", content_type="application/json")
        return Response(json.dumps([["timestamp", "original", "statuscode"], *rows]), content_type="application/json")

    def _web(self, request: Request) -> Response:
        rest = request.full_path.split("/web/", 1)[1].rstrip("?")
        head, _, original = rest.partition("/")
        raw = head.endswith("id_")  # the id_ form: original bytes, no banner
        stamp = head[:-3] if raw else head
        if stamp.isdigit():  # a memento
            return Response(
                "<html>original</html>" if raw else "<html><div id=wm-banner>Wayback</div>archived</html>",
                headers={"Memento-Datetime": format_datetime(ts(stamp), usegmt=True), "Link": f'<{original}>; rel="original"'},
            )
        original = rest  # a TimeGate request for URI-R
        stamps = self.captures.get(original, [])
        if not stamps:
            return Response("no mementos", status=404)
        accept = request.headers.get("Accept-Datetime")
        target = parsedate_to_datetime(accept).strftime("%Y%m%d%H%M%S") if accept else "99991231235959"
        best = min(stamps, key=lambda s: self._distance(s, target))
        return Response(
            "",
            status=302,
            headers={
                "Location": self.replay(best, original),
                "Vary": "accept-datetime",
                "Link": f'<{original}>; rel="original", <{self.base}/web/timemap/link/{original}>; rel="timemap"',
            },
        )


@pytest.fixture()
def archive(httpserver) -> FakeArchive:
    fake = FakeArchive(httpserver.url_for("").rstrip("/"))
    httpserver.expect_request("/wayback/available").respond_with_handler(fake.handle)
    httpserver.expect_request("/cdx/search/cdx").respond_with_handler(fake.handle)
    # any /web/... path: TimeGate and mementos
    httpserver.expect_request(re.compile(r"^/web/.*")).respond_with_handler(fake.handle)
    return fake


def settings_for(fake: FakeArchive, **overrides) -> ArchiveSettings:
    return ArchiveSettings(
        availability_endpoint=f"{fake.base}/wayback/available",
        cdx_endpoint=f"{fake.base}/cdx/search/cdx",
        timegate_endpoints=(f"{fake.base}/web/",),
        replay_prefix=f"{fake.base}/web/",
        **overrides,
    )


def make_fetch(follow_redirects: bool = False):
    """A tiny requests-based fetch (not kzwatch.fetch) producing model.FetchResult."""
    session = requests.Session()
    session.trust_env = False  # loopback only: never through a proxy

    def fetch(url: str, headers: dict[str, str] | None = None) -> FetchResult:
        response = session.get(url, headers=headers or {}, allow_redirects=follow_redirects, timeout=5)
        hops = [Hop(r.url, r.status_code, r.headers.get("location")) for r in response.history]
        hops.append(Hop(response.url, response.status_code, response.headers.get("location")))
        return FetchResult(
            url=url,
            requested_at=datetime.now(UTC),
            final_url=response.url,
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=response.content,
            text=response.text,
            content_type=response.headers.get("content-type"),
            hops=hops,
        )

    return fetch


# --- preference: before, then after --------------------------------------------------------------


def test_availability_hit_before_the_accessed_date_is_used_directly(archive: FakeArchive) -> None:
    archive.captures[PAGE] = ["20190101000000", "20201220120000", "20210301000000"]
    client = ArchiveClient(make_fetch(), settings_for(archive))
    found = client.find_capture(PAGE, date(2021, 1, 10))
    assert found is not None
    assert found.captured_at == ts("20201220120000")
    assert found.source == "wayback-availability"
    assert found.original_url == PAGE
    assert archive.hits == ["available"]


def test_closest_before_is_preferred_over_a_closer_capture_after(archive: FakeArchive) -> None:
    # Availability answers the closest either way (5 days after); CDX finds the one before.
    archive.captures[PAGE] = ["20201101000000", "20210115000000"]
    client = ArchiveClient(make_fetch(), settings_for(archive))
    found = client.find_capture(PAGE, date(2021, 1, 10))
    assert found is not None
    assert found.captured_at == ts("20201101000000")
    assert found.source == "wayback-cdx"
    assert found.url == archive.replay("20201101000000", PAGE)
    assert archive.hits == ["available", "cdx"]


def test_capture_on_the_accessed_day_counts_as_before(archive: FakeArchive) -> None:
    archive.captures[PAGE] = ["20200101000000", "20210110183000"]
    found = ArchiveClient(make_fetch(), settings_for(archive)).find_capture(PAGE, date(2021, 1, 10))
    assert found is not None and found.captured_at == ts("20210110183000")


def test_falls_back_to_closest_after_when_nothing_before(archive: FakeArchive) -> None:
    archive.captures[PAGE] = ["20210601000000", "20210301000000"]
    found = ArchiveClient(make_fetch(), settings_for(archive)).find_capture(PAGE, date(2021, 1, 10))
    assert found is not None
    assert found.captured_at == ts("20210301000000")


def test_without_a_date_the_latest_capture_is_returned(archive: FakeArchive) -> None:
    archive.captures[PAGE] = ["20190101000000", "20230816093012"]
    archive.availability_blind.add(PAGE)
    found = ArchiveClient(make_fetch(), settings_for(archive)).find_capture(PAGE, None)
    assert found is not None and found.captured_at == ts("20230816093012")


def test_cdx_fallback_when_availability_says_nothing(archive: FakeArchive) -> None:
    archive.captures[PAGE] = ["20200505050505", "20201231000000"]
    archive.redirect_captures[PAGE] = ["20210105000000"]
    archive.availability_blind.add(PAGE)
    found = ArchiveClient(make_fetch(), settings_for(archive)).find_capture(PAGE, date(2021, 1, 10))
    assert found is not None
    assert found.source == "wayback-cdx"
    assert found.captured_at == ts("20201231000000")


@pytest.mark.parametrize("follow", [False, True])
def test_memento_timegate_when_wayback_apis_say_nothing(archive: FakeArchive, follow: bool) -> None:
    archive.captures[PAGE] = ["20201220000000", "20230816093012"]
    archive.availability_blind.add(PAGE)
    archive.cdx_blind.add(PAGE)
    client = ArchiveClient(make_fetch(follow_redirects=follow), settings_for(archive))
    found = client.find_capture(PAGE, date(2021, 1, 10))
    assert found is not None
    assert found.source == "memento"
    assert found.captured_at == ts("20201220000000")
    assert found.url == archive.replay("20201220000000", PAGE)
    assert found.original_url == PAGE


def test_nothing_archived_returns_none(archive: FakeArchive) -> None:
    client = ArchiveClient(make_fetch(), settings_for(archive))
    assert client.find_capture("https://vlast.kz/never-archived.html", date(2021, 1, 10)) is None
    assert archive.hits == ["available", "cdx", "web"]
    assert not client.stopped


# --- budget ---------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def paced(clock: FakeClock, settings: ArchiveSettings, deadline: float | None = None) -> Pacer:
    return Pacer(settings.per_minute(), deadline=deadline, monotonic=clock.monotonic, sleep=clock.sleep)


def test_rate_limit_never_exceeds_budget_in_any_minute(archive: FakeArchive) -> None:
    clock = FakeClock()
    request_times: list[float] = []
    inner = make_fetch()

    def timed_fetch(url: str, headers: dict[str, str] | None = None) -> FetchResult:
        request_times.append(clock.now)
        clock.now += 0.5  # each request takes a moment
        return inner(url, headers)

    urls = [f"https://rus.azattyq.org/a/{30000000 + i}.html" for i in range(25)]
    for url in urls:
        archive.captures[url] = ["20201220000000"]
    settings = settings_for(archive, availability_per_minute=20)
    client = ArchiveClient(timed_fetch, settings, pacer=paced(clock, settings))
    found = [client.find_capture(url, date(2021, 1, 10)) for url in urls]
    assert all(f is not None for f in found)
    assert len(request_times) == 25 and set(archive.hits) == {"available"}
    assert clock.sleeps, "requests must wait for their slot"
    for start in request_times:
        assert sum(1 for t in request_times if start <= t < start + 60) <= 20


def test_each_endpoint_has_its_own_pace(archive: FakeArchive) -> None:
    clock = FakeClock()
    times: list[tuple[float, str]] = []
    inner = make_fetch()

    def timed_fetch(url, headers=None):
        times.append((clock.now, url.split("/")[3]))
        return inner(url, headers)

    settings = settings_for(archive, availability_per_minute=2, cdx_per_minute=2, memento_per_minute=2)
    client = ArchiveClient(timed_fetch, settings, pacer=paced(clock, settings))
    client.find_capture("https://x.kz/none", date(2021, 1, 1))  # 3 requests: available, cdx, web
    assert [t for t, _ in times] == [1000.0] * 3  # three endpoints: nobody waits for another's pace
    client.find_capture("https://x.kz/none-either", date(2021, 1, 1))
    assert [t for t, _ in times[3:]] == [1030.0] * 3  # 2 a minute: 30 s after its own last request


def test_max_per_minute_sets_every_endpoint_and_the_defaults_follow_ia() -> None:
    assert ArchiveSettings(max_per_minute=600).per_minute() == {"availability": 600, "cdx": 600, "memento": 600}
    assert ArchiveSettings().per_minute() == {"availability": 24.0, "cdx": 24.0, "memento": 480.0}
    with pytest.raises(ValueError, match="cdx_per_minute"):
        ArchiveSettings(cdx_per_minute=0)


def test_the_budget_ends_before_a_slot_past_the_deadline() -> None:
    clock = FakeClock()
    pacer = Pacer({"cdx": 6}, deadline=1025.0, monotonic=clock.monotonic, sleep=clock.sleep)
    pacer.acquire("cdx")
    pacer.acquire("cdx")  # slot at 1010
    pacer.acquire("cdx")  # slot at 1020
    with pytest.raises(BudgetExhausted):
        pacer.acquire("cdx")  # slot at 1030: past the deadline, not waited for
    assert clock.now == 1020.0


def test_backoff_honours_retry_after_and_doubles_without_it() -> None:
    now = datetime(2026, 12, 6, tzinfo=UTC)
    first = next_backoff(None, "cdx", None, now, base_s=60, max_s=3600)
    assert (first.strikes, first.until) == (1, now + timedelta(seconds=60))
    second = next_backoff(first, "cdx", None, now, base_s=60, max_s=3600)
    assert (second.strikes, second.until) == (2, now + timedelta(seconds=120))
    told = next_backoff(second, "cdx", 900.0, now, base_s=60, max_s=3600)
    assert told.until == now + timedelta(seconds=900)  # Retry-After longer than ours: honoured
    capped = next_backoff(Backoff("cdx", now, 20), "cdx", None, now, base_s=60, max_s=3600)
    assert capped.until == now + timedelta(seconds=3600)


def test_blocked_endpoints_are_not_asked_and_the_skip_is_counted(archive: FakeArchive) -> None:
    archive.captures[PAGE] = ["20201220000000"]
    client = ArchiveClient(make_fetch(), settings_for(archive), blocked={"availability"})
    found = client.find_capture(PAGE, date(2021, 1, 10))
    assert found is not None and found.source == "wayback-cdx"
    assert "available" not in archive.hits and client.skipped == 1


# --- 429 and bad answers ---------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["available", "cdx", "web"])
def test_first_429_stops_all_archive_requests(archive: FakeArchive, endpoint: str) -> None:
    archive.throttle.add(endpoint)
    archive.availability_blind.add(PAGE)
    archive.cdx_blind.add(PAGE)
    archive.captures[PAGE] = ["20201220000000"]
    client = ArchiveClient(make_fetch(), settings_for(archive))
    assert client.find_capture(PAGE, date(2021, 1, 10)) is None
    assert client.stopped
    assert "429" in client.stop_reason
    assert client.throttled == ({"available": "availability", "web": "memento"}.get(endpoint, endpoint), None)
    hits = len(archive.hits)
    archive.throttle.clear()
    assert client.find_capture("https://vlast.kz/other.html", date(2021, 1, 10)) is None
    assert len(archive.hits) == hits  # nothing more was sent


@pytest.mark.parametrize(
    "garbage",
    [
        "not json{",
        '{"archived_snapshots": {"closest": {"available": true, "timestamp": 123, "url": 5}}}',
        '{"archived_snapshots": {"closest": {"available": true, "status": "302", "timestamp": "20200101", "url": "http://a/web/20200101/x"}}}',
        '{"archived_snapshots": "nope"}',
        "[1, 2, 3]",
        "null",
    ],
)
def test_malformed_availability_answers_fall_through_to_cdx(archive: FakeArchive, garbage: str) -> None:
    archive.captures[PAGE] = ["20201220000000"]
    archive.garbage["available"] = garbage
    found = ArchiveClient(make_fetch(), settings_for(archive)).find_capture(PAGE, date(2021, 1, 10))
    assert found is not None and found.source == "wayback-cdx"


@pytest.mark.parametrize(
    "garbage",
    ["<html>oops</html>", '{"rows": 1}', '[["timestamp"], [1, 2], ["2020"], ["99999999999999", "x", "200"], "row"]', ""],
)
def test_malformed_cdx_answers_do_not_crash(archive: FakeArchive, garbage: str) -> None:
    archive.captures[PAGE] = ["20201220000000"]
    archive.availability_blind.add(PAGE)
    archive.garbage["cdx"] = garbage
    found = ArchiveClient(make_fetch(), settings_for(archive)).find_capture(PAGE, date(2021, 1, 10))
    assert found is not None and found.source == "memento"  # the TimeGate still answers


def test_fetch_that_raises_is_recorded_not_fatal() -> None:
    def broken(url, headers=None):
        raise ConnectionError("boom")

    client = ArchiveClient(broken, ArchiveSettings())
    assert client.find_capture(PAGE, date(2021, 1, 10)) is None
    assert client.errors and "boom" in client.errors[0]


def test_transport_error_results_are_recorded() -> None:
    def offline(url, headers=None):
        return FetchResult(url=url, requested_at=datetime.now(UTC), error="dns_error", error_detail="nxdomain")

    client = ArchiveClient(offline, ArchiveSettings())
    assert client.find_capture(PAGE, None) is None
    assert len(client.errors) == 3 and not client.stopped


def test_archive_5xx_is_recorded_so_no_capture_is_not_mistaken_for_nothing_archived() -> None:
    def overloaded(url, headers=None):
        return FetchResult(url=url, requested_at=datetime.now(UTC), status=503, body=b"busy", text="busy")

    client = ArchiveClient(overloaded, ArchiveSettings())
    assert client.find_capture(PAGE, date(2021, 1, 28)) is None
    assert [e.rsplit(": ", 1)[1] for e in client.errors] == ["HTTP 503"] * 3


def test_fetch_memento_asks_for_the_id_form_within_the_budget(archive: FakeArchive) -> None:
    archive.captures[PAGE] = ["20210127120000"]
    client = ArchiveClient(make_fetch(follow_redirects=True), settings_for(archive))
    capture = client.find_capture(PAGE, date(2021, 1, 28))
    assert capture is not None
    memento = client.fetch_memento(capture)
    assert memento is not None and memento.status == 200
    assert memento.url == f"{archive.base}/web/20210127120000id_/{PAGE}"
    assert memento.text == "<html>original</html>"
    assert client.requests_made == 2  # availability + the memento: both counted in the budget
    archive.throttle.add("web")
    assert client.fetch_memento(capture) is None and client.stopped
    assert client.fetch_memento(capture) is None and client.requests_made == 3  # stopped: not sent


# --- pure helpers -----------------------------------------------------------------------------------


def test_id_url_forms() -> None:
    wayback = ArchiveCapture(
        "http://web.archive.org/web/20210128000000/https://rus.azattyq.org/a/30971975.html",
        PAGE,
        ts("20210128000000"),
        "wayback-availability",
    )
    assert id_url(wayback) == "http://web.archive.org/web/20210128000000id_/https://rus.azattyq.org/a/30971975.html"
    assert ArchiveClient.id_url(wayback) == id_url(wayback)
    modified = ArchiveCapture(
        "https://web.archive.org/web/20210128000000im_/https://x.kz/a", "https://x.kz/a", ts("20210128"), "memento"
    )
    assert id_url(modified) == "https://web.archive.org/web/20210128000000id_/https://x.kz/a"
    elsewhere = ArchiveCapture("https://archive.ph/AbCd1", "https://x.kz/a", ts("20210128"), "memento")
    assert id_url(elsewhere) == "https://web.archive.org/web/20210128000000id_/https://x.kz/a"


def test_parse_link_header_with_commas_in_datetimes() -> None:
    value = (
        '<https://rus.azattyq.org/a/32552586.html>; rel="original", '
        '<https://arch.example/web/20190101000000/https://rus.azattyq.org/a/32552586.html>; '
        'rel="first memento"; datetime="Tue, 01 Jan 2019 00:00:00 GMT", '
        '<https://arch.example/web/20230816093012/https://rus.azattyq.org/a/32552586.html>; '
        'rel="last memento"; datetime="Wed, 16 Aug 2023 09:30:12 GMT"'
    )
    entries = parse_link_header(value)
    assert [p["rel"] for _, p in entries] == ["original", "first memento", "last memento"]
    assert entries[2][1]["datetime"] == "Wed, 16 Aug 2023 09:30:12 GMT"
    assert parse_link_header("garbage") == []


def test_timegate_link_only_answer_picks_closest_before() -> None:
    link = (
        f'<{PAGE}>; rel="original", '
        f'<https://arch.example/web/20190101000000/{PAGE}>; rel="first memento"; datetime="Tue, 01 Jan 2019 00:00:00 GMT", '
        f'<https://arch.example/web/20201231000000/{PAGE}>; rel="memento"; datetime="Thu, 31 Dec 2020 00:00:00 GMT", '
        f'<https://arch.example/web/20230816093012/{PAGE}>; rel="last memento"; datetime="Wed, 16 Aug 2023 09:30:12 GMT"'
    )

    def fetch(url, headers=None):
        if "/web/" in url:
            return FetchResult(url=url, requested_at=datetime.now(UTC), status=200, headers={"link": link}, text="")
        return FetchResult(url=url, requested_at=datetime.now(UTC), status=200, text="[]")

    found = ArchiveClient(fetch, ArchiveSettings()).find_capture(PAGE, date(2021, 1, 10))
    assert found is not None
    assert found.captured_at == ts("20201231000000")
    assert found.original_url == PAGE


def test_parse_timestamp() -> None:
    assert parse_timestamp("2021") == datetime(2021, 1, 1, tzinfo=UTC)
    assert parse_timestamp("20210128093000") == datetime(2021, 1, 28, 9, 30, tzinfo=UTC)
    for bad in ("", "abc", "20211399000000", None, 20210101, "123"):
        assert parse_timestamp(bad) is None


def test_availability_request_carries_the_accessed_date() -> None:
    seen: list[str] = []

    def fetch(url, headers=None):
        seen.append(url)
        return FetchResult(url=url, requested_at=datetime.now(UTC), status=200, text="{}")

    ArchiveClient(fetch, ArchiveSettings()).find_capture(PAGE, date(2021, 1, 10))
    assert seen[0] == "https://archive.org/wayback/available?" + urlencode(
        {"url": PAGE, "timestamp": "20210110", "closest": "before"}
    )
    assert seen[1].startswith("https://web.archive.org/cdx/search/cdx?")
    assert seen[2] == "https://web.archive.org/web/" + PAGE
