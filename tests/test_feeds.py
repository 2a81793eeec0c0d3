"""Tests for kzwatch.discovery (sources and dedupe): feeds, listings and sitemaps turned into FeedItems, safely."""

from __future__ import annotations

import gzip
import tomllib
import tracemalloc
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kzwatch.config import FeedConfig
from kzwatch.discovery.dedupe import canonical_url, dedupe, expand_url, item_keys
from kzwatch.discovery.sources import (
    SOURCE_KINDS,
    FeedError,
    discover_feeds,
    parse_feed,
    parse_listing,
    parse_sitemap,
    parse_source,
)
from kzwatch.model import FeedItem

DATA = Path(__file__).parent / "data" / "feeds"
UTC = timezone.utc


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


# --- RSS / Atom / RDF / WordPress -------------------------------------------------------------


def test_rss2_items_fields_and_skipped_item():
    feed = parse_feed(fixture("rss2_azattyq.xml"), url="https://rus.azattyq.org/api/zrqiteuuir", outlet="Азаттык")
    assert feed.kind == "rss"
    assert feed.title == "Радио Азаттык — Казахстан"
    assert feed.lang == "ru"
    assert len(feed.items) == 2
    assert any("without a link" in w for w in feed.warnings)
    first, second = feed.items
    assert first.url == "https://rus.azattyq.org/a/tsik-itogi-vyborov/32336661.html"
    assert first.title == "ЦИК объявил итоги выборов в Мажилис"
    assert first.summary == "Явка составила 54,19 процента."  # tags stripped, &nbsp; folded
    assert first.published_at == datetime(2023, 3, 27, 4, 15, tzinfo=UTC)
    assert first.guid == "https://rus.azattyq.org/a/32336661.html"
    assert first.source_url == "https://rus.azattyq.org/api/zrqiteuuir"
    assert first.outlet == "Азаттык"
    assert first.lang == "ru"
    # relative link resolved against the feed URL; CDATA title kept whole
    assert second.url.startswith("https://rus.azattyq.org/a/obse-nablyudateli/32337000.html?utm_source=rss")
    assert second.title == "Наблюдатели ОБСЕ: «выборы прошли без реальной конкуренции»"
    assert second.guid == "azattyq-32337000"
    assert second.published_at == datetime(2023, 3, 28, 6, 0, tzinfo=UTC)


def test_atom_links_languages_and_dates():
    feed = parse_feed(fixture("atom_kk.xml"), url="https://www.azattyq.org/api/atom-fixture", content_type="application/atom+xml")
    assert feed.kind == "atom"
    assert feed.title == "Азаттық радиосы"
    first, second = feed.items
    assert first.url == "https://www.azattyq.org/a/32336700.html"  # xml:base, rel=alternate not enclosure
    assert first.title == "Мәжіліс сайлауының қорытындысы"
    assert first.lang == "kk"
    assert first.published_at == datetime(2023, 3, 27, 6, 0, tzinfo=UTC)
    assert first.updated_at == datetime(2023, 3, 27, 7, 30, tzinfo=UTC)
    assert first.guid == "tag:azattyq.org,2023:32336700"
    assert second.lang == "ru"  # entry xml:lang beats the feed's
    assert second.published_at == datetime(2023, 3, 28, 7, 0, tzinfo=UTC)  # falls back to updated
    assert second.summary == "Текст записи."


def test_rdf_feed():
    feed = parse_feed(fixture("rdf_rss10.xml"), url="https://example.org/rdf")
    assert feed.kind == "rdf"
    assert [i.url for i in feed.items] == ["https://example.org/news/1", "https://example.org/news/2"]
    assert feed.items[0].published_at == datetime(2023, 3, 28, 3, 0, tzinfo=UTC)
    assert feed.items[1].published_at == datetime(2023, 3, 29, tzinfo=UTC)
    assert {i.lang for i in feed.items} == {"en"}


def source(kind: str, **options) -> FeedConfig:
    """A configured source as the discovery cycle passes it."""
    return FeedConfig(url="https://example.org/source", kind=kind, **options)


def test_wordpress_rss():
    feed = parse_source(fixture("wordpress_cabar.xml"), source("rss", outlet="CABAR.asia"), url="https://cabar.asia/ru/feed/")
    (item,) = feed.items
    assert item.url == "https://cabar.asia/ru/maslihaty-posle-reformy"
    assert item.guid == "https://cabar.asia/ru/?p=61234"
    assert item.summary.startswith("Краткое описание реформы…")
    assert "<" not in item.summary
    assert item.published_at == datetime(2023, 3, 29, 4, 30, tzinfo=UTC)
    assert item.lang == "ru"


def test_wp_json_posts():
    feed = parse_source(fixture("wp_posts.json"), source("wp-json", outlet="CABAR.asia", lang="ru"),
                        url="https://cabar.asia/ru/wp-json/wp/v2/posts", content_type="application/json; charset=UTF-8")
    assert feed.kind == "wp-json"
    assert [i.guid for i in feed.items] == ["wp:61234", "wp:61200"]
    first = feed.items[0]
    assert first.title == "Маслихаты после реформы: «что изменилось»"
    assert first.summary == "Краткое описание реформы…"
    assert first.published_at == datetime(2023, 3, 29, 4, 30, tzinfo=UTC)
    assert first.updated_at == datetime(2023, 4, 2, 10, 0, tzinfo=UTC)
    assert first.lang == "ru"
    assert any("without a usable link" in w for w in feed.warnings)


def test_wp_json_error_object_is_reported():
    body = b'{"code":"rest_no_route","message":"No route was found","data":{"status":404}}'
    with pytest.raises(FeedError) as err:
        parse_feed(body, url="https://cabar.asia/wp-json/wp/v2/posts")
    assert err.value.kind == "unsupported"
    assert "rest_no_route" in err.value.detail


def test_json_feed():
    body = ('{"version":"https://jsonfeed.org/version/1.1","title":"J","language":"en",'
            '"items":[{"id":"1","url":"https://ex.org/1","title":"One","date_published":"2023-03-27T10:00:00+06:00"}]}').encode()
    feed = parse_feed(body, url="https://ex.org/feed.json")
    assert feed.kind == "jsonfeed"
    assert feed.items[0].published_at == datetime(2023, 3, 27, 4, 0, tzinfo=UTC)


def test_max_items_caps_and_warns():
    feed = parse_feed(fixture("rss2_azattyq.xml"), url="https://rus.azattyq.org/f", max_items=1)
    assert len(feed.items) == 1
    assert any("max_items" in w for w in feed.warnings)


# --- Charsets ----------------------------------------------------------------------------------


def test_cp1251_from_xml_declaration():
    feed = parse_feed(fixture("rss_cp1251.xml"), url="https://vlast.kz/rss.xml", content_type="application/rss+xml")
    assert feed.title == "Власть — новости"
    assert feed.items[0].title == "Центризбирком утвердил итоги выборов в маслихаты"
    assert feed.items[0].summary == "Казахстан: явка «54,19%»"


def test_cp1251_from_http_header_only():
    body = fixture("rss_cp1251.xml").replace(b' encoding="windows-1251"', b"")
    assert b"encoding" not in body
    feed = parse_feed(body, url="https://vlast.kz/rss.xml", content_type="text/xml; charset=windows-1251")
    assert feed.items[0].title == "Центризбирком утвердил итоги выборов в маслихаты"


def test_wrong_utf8_header_falls_back_to_declared_cp1251():
    feed = parse_feed(fixture("rss_cp1251.xml"), url="https://vlast.kz/rss.xml", content_type="application/xml; charset=utf-8")
    assert feed.items[0].title == "Центризбирком утвердил итоги выборов в маслихаты"


# --- Broken and hostile bodies ---------------------------------------------------------------


def test_malformed_xml_is_an_error_with_one_line_reason():
    with pytest.raises(FeedError) as err:
        parse_feed(fixture("malformed.xml"), url="https://ex.org/feed")
    assert err.value.kind == "malformed"
    assert err.value.detail and "\n" not in err.value.detail


def test_broken_xml_with_entries_is_read_leniently_with_warning():
    feed = parse_feed(fixture("broken_salvageable.xml"), url="https://www.zakon.kz/rss")
    assert [i.url for i in feed.items] == [
        "https://www.zakon.kz/politika/6385000-vybory.html",
        "https://www.zakon.kz/politika/6385001-drugoe.html",
    ]
    assert feed.items[0].title == "Выборы 2023 & итоги"
    assert any("read leniently" in w for w in feed.warnings)


def test_broken_xml_too_large_for_lenient_keeps_items_before_error():
    body = (b'<rss><channel><item><title>Good item title here</title><link>https://ex.org/1</link></item>'
            b"<item><title>bad & broken</title><link>https://ex.org/2</link></item></channel></rss>")
    feed = parse_feed(body, url="https://ex.org/f", max_lenient_bytes=10)
    assert [i.url for i in feed.items] == ["https://ex.org/1"]
    assert any("before the error" in w for w in feed.warnings)


@pytest.mark.parametrize("body", [b"", b"   \n\t ", b"\xef\xbb\xbf  "])
def test_empty_body(body):
    with pytest.raises(FeedError) as err:
        parse_feed(body, url="https://ex.org/f")
    assert err.value.kind == "empty_body"


def test_other_xml_root_is_unsupported():
    with pytest.raises(FeedError) as err:
        parse_feed(b"<?xml version='1.0'?><catalog><book/></catalog>", url="https://ex.org/f")
    assert err.value.kind == "unsupported"


def test_a_string_is_never_parsed_as_url_or_path():
    with pytest.raises(TypeError):
        parse_feed("https://ex.org/feed", url="https://ex.org/feed")  # type: ignore[arg-type]


def _billion_laughs(encoding: str = "utf-8") -> bytes:
    decl = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    doc = (f'<?xml version="1.0" encoding="{encoding}"?>\n<!DOCTYPE rss [{"".join(decl)}]>'
           "<rss><channel><title>&lol9;</title><item><title>&lol9;</title><link>https://e.org/1</link></item></channel></rss>")
    return doc.encode(encoding)


@pytest.mark.parametrize(
    "body",
    [
        _billion_laughs(),
        _billion_laughs("utf-16"),  # BOM + UTF-16: the guard must not be fooled by encoding
        # quadratic blow-up: one 10 KB entity referenced 20 000 times
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + b"A" * 10_000 + b'">]><rss><channel><title>'
        + b"&a;" * 20_000 + b"</title></channel></rss>",
        # broken before the DOCTYPE, so only the lenient path's byte scan can catch it
        _billion_laughs().replace(b"<?xml", b"<<<garbage <?xml", 1),
    ],
    ids=["billion-laughs", "billion-laughs-utf16", "quadratic", "malformed-with-entities"],
)
def test_entity_bombs_are_refused_cheaply(body):
    tracemalloc.start()
    try:
        with pytest.raises(FeedError) as err:
            parse_feed(body, url="https://ex.org/f")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.kind == "entities_refused"
    assert peak < 20_000_000  # an expanded bomb would need gigabytes


def test_xxe_internal_subset_is_refused_and_file_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SENTINEL-7f3a")
    body = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
            "<rss><channel><title>&x;</title><item><title>&x;</title><link>https://e.org/1</link></item></channel></rss>").encode()
    with pytest.raises(FeedError) as err:
        parse_feed(body, url="https://ex.org/f")
    assert err.value.kind == "entities_refused"
    assert "SENTINEL" not in str(err.value)


def test_external_dtd_is_never_loaded(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY x "SENTINEL-7f3a">')
    body = (f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "file://{dtd}">'
            "<rss><channel><title>t &x;</title><item><title>i &x;</title><link>https://e.org/1</link></item></channel></rss>").encode()
    feed = parse_feed(body, url="https://ex.org/f")
    assert [i.url for i in feed.items] == ["https://e.org/1"]
    assert "SENTINEL" not in repr(feed)


def test_feed_that_became_html_reports_alternates():
    page = fixture("moved_feed_page.html")
    for content_type in ("text/html; charset=utf-8", None):  # by header and by sniffing
        with pytest.raises(FeedError) as err:
            parse_feed(page, url="https://forbes.kz/rss", content_type=content_type)
        assert err.value.kind == "became_html"
        assert err.value.alternates == ["https://forbes.kz/rss/all.xml", "https://forbes.kz/atom", "https://forbes.kz/feed.json"]
        assert "https://forbes.kz/rss/all.xml" in err.value.detail


def test_feed_served_as_text_html_is_still_parsed():
    feed = parse_feed(fixture("rss2_azattyq.xml"), url="https://rus.azattyq.org/f", content_type="text/html")
    assert len(feed.items) == 2
    assert any("text/html" in w for w in feed.warnings)


# --- Size budget --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_feed() -> tuple[bytes, int]:
    head = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Big</title>'
            "<language>ru</language>\n")
    tail = "</channel></rss>\n"
    item = ("<item><title>Новость номер {i} о выборах в Мажилис</title><link>https://ex.org/a/{i}.html</link>"
            "<guid>https://ex.org/a/{i}.html</guid><pubDate>Mon, 27 Mar 2023 10:00:00 +0600</pubDate>"
            "<description>Центральная избирательная комиссия сообщила итоги голосования, явка 54,19 процента.</description></item>\n")
    item_size = len(item.format(i=99999).encode())
    count = (19_900_000 - len(head.encode()) - len(tail)) // item_size
    body = (head + "".join(item.format(i=i) for i in range(count)) + tail).encode()
    return body, count


def test_twenty_megabyte_feed_is_accepted_under_default_budget(big_feed):
    body, count = big_feed
    assert 19_000_000 < len(body) <= 20_000_000
    feed = parse_feed(body, url="https://ex.org/big")
    assert len(feed.items) == 5000
    assert feed.items[-1].url == "https://ex.org/a/4999.html"
    assert any(f"of {count} items" in w for w in feed.warnings)


def test_feed_over_max_bytes_is_rejected_before_parsing(big_feed):
    body, _ = big_feed
    with pytest.raises(FeedError) as err:
        parse_feed(body, url="https://ex.org/big", max_bytes=len(body) - 1)
    assert err.value.kind == "too_large"


# --- Sitemaps -------------------------------------------------------------------------------------


def _check_news_sitemap(result):
    assert result.kind == "sitemap"
    assert [i.url for i in result.items] == [
        "https://vlast.kz/politika/53000-vybory.html",
        "https://vlast.kz/obshchestvo/53001-drugoe.html",
    ]
    first, second = result.items
    assert first.title == "Выборы в Мажилис: явка и итоги"
    assert first.published_at == datetime(2023, 3, 27, 12, 0, tzinfo=UTC)
    assert first.updated_at == datetime(2023, 3, 28, 4, 0, tzinfo=UTC)
    assert first.lang == "ru"
    assert second.updated_at == datetime(2023, 3, 29, tzinfo=UTC)
    assert all(i.source_url == "https://vlast.kz/sitemap-news.xml" for i in result.items)


def test_sitemap_urlset_with_news_fields():
    _check_news_sitemap(parse_sitemap(fixture("sitemap_news.xml"), url="https://vlast.kz/sitemap-news.xml", outlet="Vlast.kz"))


def test_gzipped_sitemap():
    body = gzip.compress(fixture("sitemap_news.xml"))
    _check_news_sitemap(parse_source(body, source("sitemap"), url="https://vlast.kz/sitemap-news.xml"))


def test_sitemap_index_lists_children():
    result = parse_sitemap(fixture("sitemap_index.xml"), url="https://vlast.kz/sitemap.xml")
    assert result.kind == "sitemap-index"
    assert result.items == []
    assert result.sitemaps == ["https://vlast.kz/sitemap-news.xml", "https://vlast.kz/sitemap-2023-03.xml.gz"]


def test_gzip_bomb_sitemap_stops_at_the_cap():
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000, compresslevel=9)
    assert len(bomb) < 50_000
    with pytest.raises(FeedError) as err:
        parse_sitemap(bomb, url="https://ex.org/s.xml.gz", max_decompressed=1_000_000)
    assert err.value.kind == "too_large"


def test_corrupt_gzip_is_malformed():
    with pytest.raises(FeedError) as err:
        parse_sitemap(b"\x1f\x8b\x08\x00garbage", url="https://ex.org/s.xml.gz")
    assert err.value.kind == "malformed"


def test_text_sitemap_and_sitemap_via_parse_feed():
    result = parse_sitemap(b"https://ex.org/a\nhttps://ex.org/b\n", url="https://ex.org/sitemap.txt")
    assert [i.url for i in result.items] == ["https://ex.org/a", "https://ex.org/b"]
    assert parse_feed(fixture("sitemap_news.xml"), url="https://vlast.kz/sitemap-news.xml").kind == "sitemap"


def test_sitemap_entities_refused():
    body = b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "x">]><urlset><url><loc>&a;</loc></url></urlset>'
    with pytest.raises(FeedError) as err:
        parse_sitemap(body, url="https://ex.org/s.xml")
    assert err.value.kind == "entities_refused"


# --- Listing pages and autodiscovery ------------------------------------------------------------

CEC_URL = "https://www.election.gov.kz/rus/news/"


def test_cec_listing_page():
    feed = parse_source(fixture("cec_listing.html"), source("listing", outlet="ЦИК РК",
                        selector="div.news-item a.news-title", date_selector=".news-date"), url=CEC_URL)
    assert feed.kind == "listing"
    assert feed.title == "Новости — ЦИК РК"  # cp1251 page read through its <meta charset>
    assert [i.url for i in feed.items] == [
        "https://www.election.gov.kz/rus/news/releases/index.php?ID=8937",
        "https://www.election.gov.kz/rus/news/releases/index.php?ID=8900&utm_source=x",
    ]
    first, second = feed.items
    assert first.title == "Итоги выборов в Мажилис 2023 года"
    assert second.title == "Заседание Центральной избирательной комиссии"
    assert first.published_at == datetime(2023, 3, 27, 5, 15, tzinfo=UTC)  # 10:15 in UTC+5
    assert second.published_at == datetime(2023, 3, 19, 19, 0, tzinfo=UTC)  # "20 марта 2023"
    assert all(i.lang == "ru" and i.outlet == "ЦИК РК" and i.source_url == CEC_URL for i in feed.items)
    assert any("other sites" in w for w in feed.warnings)  # the YouTube link


def test_listing_allows_other_sites_when_asked():
    feed = parse_listing(fixture("cec_listing.html"), url=CEC_URL, selector="div.news-item", same_site_only=False)
    assert "https://www.youtube.com/watch?v=abc" in [i.url for i in feed.items]


def test_listing_with_packaged_cec_selector():
    feed = parse_listing(fixture("cec_listing.html"), url=CEC_URL, selector="a[href*='index.php?ID=']",
                         date_selector=".news-date-time, .news-date, time")
    assert len(feed.items) == 2
    assert feed.items[0].published_at == datetime(2023, 3, 27, 5, 15, tzinfo=UTC)


def test_listing_where_selector_matches_nothing_is_an_error():
    with pytest.raises(FeedError) as err:
        parse_listing(fixture("cec_listing.html"), url=CEC_URL, selector="ul.no-such-list a")
    assert err.value.kind == "malformed"


def test_kazakh_listing_dates():
    html = ('<html lang="kk"><body><div class="i"><span class="d">2023 жылғы 27 наурыз</span>'
            '<a href="/kaz/news/releases/index.php?ID=8937">Мәжіліс сайлауының қорытындысы</a></div></body></html>')
    feed = parse_listing(html, url="https://www.election.gov.kz/kaz/news/", selector="div.i a", date_selector=".d")
    assert feed.items[0].published_at == datetime(2023, 3, 26, 19, 0, tzinfo=UTC)
    assert feed.items[0].lang == "kk"


def test_discover_feeds():
    assert discover_feeds(fixture("moved_feed_page.html"), "https://forbes.kz/rss") == [
        "https://forbes.kz/rss/all.xml",
        "https://forbes.kz/atom",
        "https://forbes.kz/feed.json",
    ]
    assert discover_feeds(fixture("cec_listing.html"), CEC_URL) == ["https://www.election.gov.kz/rus/news/rss.xml"]
    assert discover_feeds("<html><body>no feeds</body></html>", CEC_URL) == []


# --- Identity and de-duplication ----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("HTTPS://Rus.Azattyq.ORG:443/a/32336661.html#comments", "https://rus.azattyq.org/a/32336661.html"),
        ("https://cabar.asia/ru/post/?utm_source=tg&utm_medium=social&fbclid=X", "https://cabar.asia/ru/post"),
        ("https://cabar.asia/ru/?p=61234&utm_campaign=x", "https://cabar.asia/ru?p=61234"),
        ("https://ex.org/x?b=2&a=1&yclid=9&gclid=1&_openstat=abc", "https://ex.org/x?a=1&b=2"),
        ("http://ex.org:8080/", "http://ex.org:8080/"),
        ("http://ex.org:80", "http://ex.org/"),
        ("https://www.election.gov.kz/rus/news/releases/index.php?ID=8937", "https://www.election.gov.kz/rus/news/releases/index.php?ID=8937"),
        ("https://ex.org/новости/", "https://ex.org/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"),
        ("https://ex.org/%d0%bd", "https://ex.org/%D0%BD"),
        ("https://президент.рф/", "https://xn--d1abbgf6aiiy.xn--p1ai/"),
        ("  not a url  ", "not a url"),
        ("https://ex.org:bad/", "https://ex.org:bad/"),
    ],
)
def test_canonical_url(raw, expected):
    assert canonical_url(raw) == expected


def test_canonical_url_is_idempotent():
    url = "HTTPS://Ex.org/а/b/?utm_x=1&z=%d0%b0&a=#f"
    assert canonical_url(canonical_url(url)) == canonical_url(url)


def _item(url, title="", guid=None):
    return FeedItem(url=url, title=title, guid=guid)


def test_dedupe_by_url_guid_and_title():
    items = [
        _item("https://rus.azattyq.org/a/32336661.html", "ЦИК объявил итоги выборов", "g1"),
        _item("HTTP://RUS.AZATTYQ.ORG/a/32336661.html?utm_source=rss#x", "Другой заголовок совсем"),  # same URL
        _item("https://rferl.org/a/other.html", "Yet another headline here", "g1"),  # same GUID
        _item("https://ex.org/copy", "  «ЦИК  объявил итоги выборов»  "),  # same normalised title
        _item("https://ex.org/news1", "Новости"),  # generic short title: not a title key
        _item("https://ex.org/news2", "Новости"),
    ]
    kept = dedupe(items)
    assert [i.url for i in kept] == [
        "https://rus.azattyq.org/a/32336661.html",
        "https://ex.org/news1",
        "https://ex.org/news2",
    ]


def test_dedupe_against_seen_keys_without_mutating_them():
    seen = set(item_keys(_item("https://cabar.asia/ru/post/", guid="wp:1")))
    before = set(seen)
    kept = dedupe([_item("https://cabar.asia/ru/post"), _item("https://cabar.asia/ru/other", guid="wp:1"),
                   _item("https://cabar.asia/ru/new")], seen)
    assert [i.url for i in kept] == ["https://cabar.asia/ru/new"]
    assert seen == before


def test_item_keys():
    keys = item_keys(_item("https://Ex.org/a/?utm_source=x", "Итоги выборов в Мажилис объявлены", "tag:1"))
    assert keys == ("url:ex.org/a", "guid:tag:1", "title:итоги выборов в мажилис объявлены")


# --- Dispatch, templates, packaged sources --------------------------------------------------


def test_parse_source_rejects_bad_configuration():
    with pytest.raises(ValueError):
        parse_source(b"<html/>", SimpleNamespace(kind="listing", outlet="", selector=None, date_selector=None,
                                                 lang=None), url=CEC_URL)
    with pytest.raises(ValueError):
        parse_source(b"<rss/>", SimpleNamespace(kind="podcast", outlet="", selector=None, date_selector=None,
                                                lang=None), url=CEC_URL)


def test_every_source_kind_has_a_reader_and_the_config_accepts_exactly_those():
    assert set(SOURCE_KINDS) == {"rss", "atom", "wp-json", "sitemap", "listing"}
    for kind in SOURCE_KINDS:
        assert source(kind, selector="a").kind == kind  # FeedConfig validates against the registry


def test_expand_url():
    template = "https://cabar.asia/ru/wp-json/wp/v2/posts?modified_after={modified_after}&per_page=100"
    since = datetime(2024, 1, 2, 12, 30, tzinfo=timezone(timedelta(hours=5)))
    assert expand_url(template, since) == "https://cabar.asia/ru/wp-json/wp/v2/posts?modified_after=2024-01-01T07:30:00Z&per_page=100"
    assert expand_url(template, datetime(2024, 1, 2), overlap=timedelta(0)).endswith("=2024-01-02T00:00:00Z&per_page=100")
    assert expand_url("https://ex.org/feed", since) == "https://ex.org/feed"


def test_packaged_sources_are_well_formed():
    text = resources.files("kzwatch.data").joinpath("feeds.toml").read_text(encoding="utf-8")
    feeds = tomllib.loads(text)["feed"]
    assert len(feeds) >= 10
    outlets = {f["outlet"] for f in feeds}
    assert {"Радио Азаттык", "CABAR.asia", "Eurasianet", "ЦИК РК"} <= outlets
    allowed = {"url", "kind", "outlet", "lang", "selector", "date_selector", "enabled", "note"}
    for entry in feeds:
        assert set(entry) <= allowed, entry
        assert entry["kind"] in SOURCE_KINDS
        url = expand_url(entry["url"], datetime(2024, 1, 1, tzinfo=UTC))
        assert "{" not in url and urlsplit(url).scheme == "https" and urlsplit(url).hostname
        assert entry.get("lang", "ru") in {"ru", "kk", "en"}
        assert isinstance(entry.get("enabled", True), bool)
        if entry["kind"] == "listing":
            assert entry["selector"]
            # every packaged selector must at least be valid CSS
            parse_listing(f'<a href="{url}x/index.php?ID=1/a/1.html">x</a>'.encode(), url=url, selector="a")
            from bs4 import BeautifulSoup
            BeautifulSoup("<p></p>", "lxml").select(entry["selector"])
    assert any("wp-json" in f["url"] and "{modified_after}" in f["url"] for f in feeds)


# --- Fuzzing: bad bytes are a FeedError, never a crash -------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_only_raise_feed_error(body):
    for parse in (
        lambda: parse_feed(body, url="https://ex.org/f"),
        lambda: parse_feed(body, url="https://ex.org/f", content_type="text/xml; charset=windows-1251"),
        lambda: parse_sitemap(body, url="https://ex.org/s.xml"),
    ):
        try:
            parse()
        except FeedError:
            pass


_XMLISH = st.sampled_from(["<rss>", "</rss>", "<channel>", "<item>", "</item>", "<title>", "</title>", "<link>",
                           "https://ex.org/x", "</link>", "&amp;", "&nbsp;", "<![CDATA[", "]]>", "<feed>", "<entry>",
                           '<link href="/a"/>', "<?xml version='1.0'?>", "<!--", "-->", "<pubDate>", "Mon, 27 Mar 2023",
                           "<urlset>", "<url>", "<loc>", "Ж", "\x00", "<!DOCTYPE x>", "<html>", "{", "[", '"link":'])


@settings(max_examples=150, deadline=None)
@given(st.lists(_XMLISH, max_size=40).map("".join), st.sampled_from([None, "application/rss+xml", "text/html", "application/json"]))
def test_feedlike_garbage_only_raises_feed_error(text, content_type):
    try:
        feed = parse_feed(text.encode("utf-8"), url="https://ex.org/f", content_type=content_type)
    except FeedError:
        return
    for item in feed.items:
        assert urlsplit(item.url).scheme in ("http", "https")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=500))
def test_random_listing_html_only_raises_feed_error(html):
    try:
        parse_listing(html, url=CEC_URL, selector="a")
    except FeedError:
        pass
