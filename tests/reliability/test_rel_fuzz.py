"""Fuzzing with hypothesis: parsers and renderers raise nothing outside their documented errors.

Normal run: a few dozen examples per property.  ``KZWATCH_LONG=1``: ``FUZZ_EXAMPLES`` (10,000 by
default) per property.  Inputs that once crashed are pinned with ``@example`` (regressions).

Documented error types: ``FeedError`` for source bodies (``ValueError`` only for a
configuration mistake, which these inputs never make), ``CitationFileError`` for citation CSVs;
everything else here must not raise at all.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import datetime, timedelta, timezone

from conftest import LONG
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kzwatch.alerts.digest import build_digest
from kzwatch.alerts.render import render_html, render_json, render_markdown, render_slack, render_text
from kzwatch.config import FeedConfig
from kzwatch.corpus.notes import parse_footnotes
from kzwatch.corpus.parse import parse_article
from kzwatch.corpus.urls import repair_url
from kzwatch.discovery.dedupe import canonical_url
from kzwatch.discovery.sources import FEED_ERROR_KINDS, FeedError, parse_source
from kzwatch.extract import extract_page
from kzwatch.fetch import check_url, decode_text, host_key, parse_ip_literal
from kzwatch.health.classify import equivalent_urls, is_root_or_section, read_page
from kzwatch.model import Event, FetchResult

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000")) if LONG else 40
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
T0 = datetime(2026, 3, 1, 6, tzinfo=timezone.utc)

# Text that looks like what the parsers meet: Cyrillic, Kazakh, URLs, markup, controls.
ALPHABET = st.sampled_from(list("abcxyz019 .,;:/?#[]@!$&'()*+=%-_~<>\"\\\n\r\t\x00\x0b\u00ad\u200b\u202e\ufeff"
                                "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВ әғқңөұүһі ӘҒҚҢӨҰҮҺІ «»—–…№"))
TEXTISH = st.one_of(st.text(ALPHABET, max_size=300), st.text(max_size=200))
URL_PARTS = st.sampled_from(["http://", "https://", "HTTP://", "www.", "//", "hxxp://", "ftp://", "javascript:",
                             "news.kz", "xn--80ak6aa92e.com", "сайт.қаз", "127.0.0.1", "[::1]", ":80", ":0", ":99999",
                             "/a/b", "?q=1&utm_source=x", "#frag", "%2F", "%zz", "@", "..", " ", "\u00ad", "\u200b",
                             "о", "а", ".", ")", "!", "\n", "[", "]", "\\", "%00"])
URLISH = st.one_of(st.lists(URL_PARTS, max_size=12).map("".join), TEXTISH)


# --- footnotes and citations ------------------------------------------------------------------------

FOOTNOTE_BITS = st.sampled_from(["\n1 ", "\n2. ", "\n[3] ", "\n12 ", "\n¹ ", "Там же.", "Ibid.", "https://azattyq.org/a/1.html",
                                 "www.zakon.kz/123", " — ", "«Заголовок»", ", 28.01.2021", "(дата обращения: 1 февраля 2021)",
                                 "; ", "\n\n", "\u00ad", "Accessed January 28, 2021", "\f", "\x00"])


@FUZZ
@given(st.lists(st.one_of(FOOTNOTE_BITS, TEXTISH), max_size=30).map("".join))
@example("\n1 https://a.kz/\n1 https://b.kz/\n")
@example("1 " + "https://x.kz/" * 200)
def test_footnote_parsing_never_raises(text):
    parse_footnotes(text)
    for citation in parse_article(text, "fuzz"):
        assert citation.article_id == "fuzz"
        if citation.url:
            assert not re.search(r"\s", citation.url)


# --- URLs: repair, normalisation, policy -------------------------------------------------------------


@FUZZ
@given(URLISH)
@example("https://www.zakon.kz/5054555-v-kazahstane.html).")
@example("http://[")
@example("http://[::1/x")
def test_url_repair_and_normalisation_never_raise(raw):
    fetch_url, display_url, repairs = repair_url(raw)
    assert isinstance(fetch_url, str) and isinstance(display_url, str)
    canonical_url(raw)
    host_key(raw)
    parse_ip_literal(raw)
    error, _detail = check_url(raw)
    assert error in (None, "invalid_url", "unsafe")
    if error is None and check_url(fetch_url)[0] is None:
        # classify only ever sees URLs the fetcher accepted (it raises on "http://[" by design)
        equivalent_urls(raw, fetch_url)
        is_root_or_section(raw, fetch_url)


@FUZZ
@given(URLISH)
def test_canonical_url_is_idempotent(raw):
    once = canonical_url(raw)
    assert canonical_url(once) == once


# --- charsets -------------------------------------------------------------------------------------

CODECS = ["utf-8", "cp1251", "kz1048", "koi8_r", "utf-16", "latin-1", "utf-8-sig"]
LABELS = [None, "text/html", "text/html; charset=utf-8", "text/html; charset=windows-1251", "text/plain; charset=kz-1048",
          "text/html; charset=koi8-r", "text/html; charset=nonsense", "text/html; charset=", "application/xml; charset=utf-16"]


@FUZZ
@given(st.one_of(st.binary(max_size=2000),
                 st.tuples(TEXTISH, st.sampled_from(CODECS)).map(lambda t: t[0].encode(t[1], errors="replace"))),
       st.sampled_from(LABELS))
@example(b"\xef\xbb\xbf\xff\xfe", "text/html; charset=utf-16")
@example(b'<meta charset="x-user-defined">\x80\x81', None)
def test_charset_decoding_never_raises(body, content_type):
    text, codec = decode_text(body, content_type)
    assert isinstance(text, str) and codec


@FUZZ
@given(TEXTISH, st.sampled_from(["cp1251", "kz1048", "koi8_r", "utf-8"]))
def test_declared_charset_round_trips(text, codec):
    try:
        body = text.encode(codec)
    except UnicodeEncodeError:
        return
    decoded, _ = decode_text(body, f"text/plain; charset={codec.replace('_', '-')}")
    assert decoded == text.lstrip("\ufeff") or decoded == text


# --- HTML extraction ------------------------------------------------------------------------------

TAGS = st.sampled_from(["<html>", "<head>", "<title>", "</title>", "<body>", "<p>", "</p>", "<div>", "</div>", "<script>",
                        "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "<meta charset='cp1251'>",
                        "<meta property='og:title' content='x'>", "<link rel=canonical href='javascript:x'>",
                        "<base href='//evil'>", "<article>", "<h1>", "&amp;", "&#0;", "&#xD800;", "<?xml version='1.0'?>",
                        "<table><tr><td>", "<a href=x>", "<br/>", "<noscript>", "<svg>", "<math>"])
HTML = st.lists(st.one_of(TAGS, TEXTISH), max_size=40).map("".join)


@FUZZ
@given(HTML)
@example("<?xml version='1.0' encoding='utf-8'?><html><title>x</title></html>")
@example("<div>" * 3000 + "текст")
def test_html_extraction_never_raises(markup):
    info = extract_page(markup, "https://news.test/a")
    assert isinstance(info.text, str)
    page = read_page(FetchResult(url="https://news.test/a", requested_at=T0, status=200, body=markup.encode(),
                                 text=markup, content_type="text/html"))
    assert page.word_count >= 0


# --- feeds, sitemaps, listings ----------------------------------------------------------------------

FEED_BITS = st.sampled_from(['<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0" encoding="windows-1251"?>',
                             "<rss version='2.0'>", "</rss>", "<channel>", "</channel>", "<item>", "</item>", "<title>",
                             "</title>", "<link>", "</link>", "https://news.test/a/1", "<pubDate>", "</pubDate>",
                             "Mon, 01 Feb 2021 10:00:00 +0600", "<feed xmlns='http://www.w3.org/2005/Atom'>", "</feed>",
                             "<entry>", "</entry>", "<link href='/x'/>", "<updated>2021-02-01T00:00:00Z</updated>",
                             "<urlset>", "</urlset>", "<url><loc>", "</loc></url>", "<sitemapindex>", "<!DOCTYPE x>",
                             "<!ENTITY e 'x'>", "&e;", "&amp;", "{", "}", '"items": [', "]", '"url": "https://n.test/"',
                             '"version": "https://jsonfeed.org/version/1"', "<html>", "<![CDATA[", "]]>"])
FEED = st.one_of(st.binary(max_size=500), st.lists(st.one_of(FEED_BITS, TEXTISH), max_size=40).map(lambda p: "".join(p).encode()))


@FUZZ
@given(FEED, st.sampled_from(["rss", "sitemap", "listing"]),
       st.sampled_from([None, "application/rss+xml", "text/html", "application/json", "application/xml; charset=koi8-r"]))
@example(b"\x1f\x8b\x08\x00", "sitemap", "application/x-gzip")
@example(b'{"items": [{"url": 5}]}', "rss", "application/json")
def test_source_parsing_raises_only_feed_error(body, kind, content_type):
    try:
        source = FeedConfig(url="https://feeds.test/f", kind=kind, outlet="O", selector="a" if kind == "listing" else None)
        parsed = parse_source(body, source, url="https://feeds.test/f", content_type=content_type)
    except FeedError as exc:
        assert exc.kind in FEED_ERROR_KINDS
        return
    for item in parsed.items:
        assert item.url.startswith(("http://", "https://"))


# --- digest rendering ---------------------------------------------------------------------------------

KINDS = ["citation_dead", "citation_moved", "citation_drifted", "new_reporting", "feed_broken", "support_missing",
         "own_outage", "weird_kind"]
DETAIL_VALUES = st.one_of(TEXTISH, URLISH, st.integers(), st.floats(allow_nan=True), st.none(), st.booleans(),
                          st.lists(TEXTISH, max_size=3), st.dictionaries(TEXTISH, TEXTISH, max_size=2))
EVENTS = st.lists(st.builds(
    Event, event_id=st.text(max_size=8), article_id=TEXTISH, kind=st.sampled_from(KINDS),
    severity=st.sampled_from(["high", "medium", "low", "info", "odd"]), created_at=st.just(T0), subject=TEXTISH,
    footnote=st.one_of(st.none(), st.integers(-5, 10**6)), claim_id=st.one_of(st.none(), TEXTISH),
    url=st.one_of(st.none(), URLISH),
    details=st.dictionaries(st.sampled_from(["title", "evidence", "diff", "sentence", "archive_url", "moved_to",
                                             "similarity", "score", "stance", "error", "other"]), DETAIL_VALUES,
                            max_size=6)), max_size=6)
_BAD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


@FUZZ
@given(EVENTS)
@example([Event(event_id="", article_id="", kind="new_reporting", severity="high", created_at=T0, subject="",
                claim_id="\x1f")])
def test_digest_rendering_never_raises_and_stays_clean(events):
    d = build_digest(events, generated_at=T0, since=T0 - timedelta(days=1))
    text = render_text(d)
    assert not _BAD.search(text)
    render_markdown(d)
    render_json(d)
    render_slack(d)
    html = render_html(d)
    assert "<script" not in html.lower().replace("&lt;script", "")
    assert all(unicodedata.category(c) != "Cs" for c in text)
