"""Hostile source bodies (feeds, sitemaps, listings) and a garbage-speaking archive API.

Every body from feedfaults.py either parses or raises the documented ``FeedError`` with the
kind the table names; nothing else may escape.  A discover cycle over every hostile source at
once completes and records each failing source with its reason.  An archive API answering
garbage yields "no capture" with the failure recorded, never an exception.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from feedfaults import SOURCE_FAULTS

from kzwatch.archive import ArchiveClient, ArchiveSettings
from kzwatch.config import FeedConfig
from kzwatch.discovery.sources import FeedError, ParsedFeed, parse_source
from kzwatch.sim.simweb import Handler, Page, SimRequest

T0 = datetime(2026, 3, 1, 6, tzinfo=timezone.utc)


def _parse(body: bytes, source_kind: str, content_type: str | None) -> ParsedFeed:
    source = FeedConfig(url="https://feeds.test/feed", kind=source_kind, outlet="Outlet",
                        selector="div.n" if source_kind == "listing" else None)
    return parse_source(body, source, url="https://feeds.test/feed", content_type=content_type)


def test_at_least_twenty_source_faults():
    assert len({row[0] for row in SOURCE_FAULTS}) >= 20


@pytest.mark.parametrize("name,body,source_kind,content_type,expected", SOURCE_FAULTS, ids=[r[0] for r in SOURCE_FAULTS])
def test_source_body_parses_or_fails_with_its_documented_kind(name, body, source_kind, content_type, expected):
    try:
        parsed = _parse(body, source_kind, content_type)
    except FeedError as exc:
        assert exc.kind == expected, exc
        assert str(exc)
        return
    assert expected == "ok", f"parsed, but {expected} was expected"
    for item in parsed.items:
        assert item.url.startswith(("http://", "https://")), item.url  # no javascript:/file: item survives
        assert "\x00" not in (item.title or "")


def test_kazakh_feed_mislabelled_keeps_its_letters():
    body = next(r[1] for r in SOURCE_FAULTS if r[0] == "kz1048_undeclared")
    parsed = _parse(body, "rss", "application/rss+xml")
    assert "Мәжіліс" in parsed.items[0].title


def test_a_discover_cycle_over_every_hostile_source_completes(web, fetcher, tmp_path):
    from kzwatch.config import load_config
    from kzwatch.cycles import direct

    web.add("canary.test", "/", Page(body="ok", content_type="text/plain"))
    blocks = []
    for name, body, source_kind, content_type, _expected in SOURCE_FAULTS:
        web.add("feeds.test", f"/{name}", Page(body=body, content_type=content_type))
        selector = 'selector = "div.n"\n' if source_kind == "listing" else ""
        blocks.append(f'[[feed]]\nurl = "{web.url("feeds.test", "/" + name)}"\nkind = "{source_kind}"\n'
                      f'outlet = "Outlet"\n{selector}')
    web.add_name("feeds.test")
    (tmp_path / "c.csv").write_text("footnote,url,title,outlet,author,published,accessed\n", encoding="utf-8")
    (tmp_path / "k.toml").write_text(f"""
[warehouse]
path = "w.duckdb"
[[article]]
id = "a"
citations = "c.csv"
{''.join(blocks)}
[fetch]
canary_urls = ["{web.url('canary.test', '/')}"]
[archive]
enabled = false
""", encoding="utf-8")
    config = load_config(tmp_path / "k.toml")
    summary = direct.run("discover", config, T0, fetcher=fetcher(max_body_bytes=25_000_000, timeout_s=20))
    failing = sum(1 for row in SOURCE_FAULTS if row[4] != "ok")
    assert summary.sources == len(SOURCE_FAULTS)
    assert summary.failed_sources == failing


GARBAGE = [
    Page(body=b"\x00\xff garbage"),
    Page(body="<html>maintenance</html>"),
    Page(body='{"archived_snapshots": {"closest": {"available": true, "url": "javascript:alert(1)", "timestamp": "x"}}}',
         content_type="application/json"),
    Page(body='{"archived_snapshots": []}', content_type="application/json"),
    Page(body='[["urlkey"], ["a", "notatimestamp"], 5, null]', content_type="application/json"),
    Page(status=500, body="boom"),
    Page(status=200, body="", content_type="application/json"),
    Page(body='{"archived_snapshots": {"closest": {"available": "true", "url": "https://wayback.test/web/99999999999999/x", '
              '"timestamp": "99999999999999"}}}', content_type="application/json"),
]


@pytest.mark.parametrize("page", GARBAGE, ids=range(len(GARBAGE)))
def test_archive_api_answering_garbage_gives_no_capture_and_no_exception(web, fetcher, page):
    def answer(request: SimRequest) -> Page:
        return page

    for path in ("/wayback/available", "/cdx/search/cdx", "/web/"):
        web.add("wayback.test", path, Handler(answer))
    web.set_default("wayback.test", Handler(answer))
    instance = fetcher()
    settings = ArchiveSettings(availability_endpoint=web.url("wayback.test", "/wayback/available"),
                               cdx_endpoint=web.url("wayback.test", "/cdx/search/cdx"),
                               timegate_endpoints=(web.url("wayback.test", "/web/"),),
                               replay_prefix=web.url("wayback.test", "/web/"), max_per_minute=600)
    client = ArchiveClient(lambda url, headers=None: instance.fetch(url, headers=headers), settings)
    capture = client.find_capture("https://news.test/a/1", date(2021, 1, 28))
    assert capture is None or (capture.url.startswith("https://") and capture.captured_at.year < 9999)
    assert client.requests_made >= 1
