"""Tests of kzwatch.fetch against the simulated web on loopback, SSRF guard on throughout."""

from __future__ import annotations

import socket
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from kzwatch.fetch import (
    FetchJob,
    RobotsRules,
    address_problem,
    decode_text,
    looks_like_kz1048,
    parse_ip_literal,
    parse_retry_after,
)
from kzwatch.sim.simweb import Drip, Endless, GzipBomb, Handler, Page, Redirect, SimRequest

RU_TEXT = (
    "Центральная избирательная комиссия объявила итоги выборов в мажилис. "
    "Явка избирателей составила шестьдесят три процента, сообщили в комиссии."
)
KK_TEXT = "Қазақстан сайлау комиссиясы жариялады. Мәжіліс депутаттарын сайлау қорытындысы."
UK_TEXT = "Їжак їсть яблука. Євген ґрунтовно вивчає історію України, її мову і культуру."


def paths(web, host: str) -> list[str]:
    return [r.path for r in web.requests if r.host == host]


# --- plain success, statuses, headers ---------------------------------------------------------------


@pytest.mark.parametrize("tls", [False, True])
def test_fetches_a_page_over_http_and_https(web, fetcher, tls):
    web.add("news.example", "/a", Page(body="<p>Сайлау</p>"))
    result = fetcher().fetch(web.url("news.example", "/a", tls=tls))
    assert result.error is None
    assert result.status == 200
    assert result.text == "<p>Сайлау</p>"
    assert result.encoding == "utf-8"
    assert result.content_type == "text/html"
    assert result.final_url == web.url("news.example", "/a", tls=tls)
    assert [h.address for h in result.hops] == ["127.0.0.1"]
    sent = web.requests[-1].headers
    assert sent["user-agent"].startswith("kzwatch/")
    assert "br" in sent["accept-encoding"] and "gzip" in sent["accept-encoding"]


@pytest.mark.parametrize("status", [401, 403, 404, 410, 451, 500, 503])
def test_http_error_statuses_are_responses_not_errors(web, fetcher, status):
    web.add("news.example", "/x", Page(status=status, body=f"status {status}"))
    result = fetcher().fetch(web.url("news.example", "/x"))
    assert result.error is None
    assert result.status == status
    assert result.body == f"status {status}".encode()


def test_retry_after_seconds_is_honoured_on_503(web, fetcher):
    calls = []

    def flaky(request: SimRequest) -> Page:
        calls.append(request.path)
        if len(calls) == 1:
            return Page(status=503, headers={"Retry-After": "2"})
        return Page(body="back")

    web.add("news.example", "/busy", Handler(flaky))
    slept: list[float] = []
    result = fetcher(retries=1, sleep=slept.append).fetch(web.url("news.example", "/busy"))
    assert result.status == 200 and result.text == "back"
    assert slept == [2.0]
    assert len(calls) == 2


def test_retry_after_http_date_is_honoured_on_429(web, fetcher):
    now = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    calls = []

    def limited(request: SimRequest) -> Page:
        calls.append(request.path)
        if len(calls) == 1:
            return Page(status=429, headers={"Retry-After": format_datetime(now + timedelta(seconds=5), usegmt=True)})
        return Page(body="ok")

    web.add("news.example", "/rl", Handler(limited))
    slept: list[float] = []
    result = fetcher(retries=1, timeout_s=10, sleep=slept.append, now=lambda: now).fetch(web.url("news.example", "/rl"))
    assert result.status == 200
    assert slept == [5.0]


def test_retry_after_beyond_the_limit_returns_the_429(web, fetcher):
    web.add("news.example", "/rl", Page(status=429, headers={"Retry-After": "3600"}))
    slept: list[float] = []
    result = fetcher(retries=1, sleep=slept.append).fetch(web.url("news.example", "/rl"))
    assert result.status == 429 and result.error is None
    assert slept == []
    assert paths(web, "news.example").count("/rl") == 1


def test_server_error_is_retried_once_then_returned(web, fetcher):
    web.add("news.example", "/down", Page(status=500, body="oops"))
    slept: list[float] = []
    result = fetcher(retries=1, sleep=slept.append).fetch(web.url("news.example", "/down"))
    assert result.status == 500
    assert paths(web, "news.example").count("/down") == 2
    assert slept == [0.05]


# --- charsets ------------------------------------------------------------------------------------


def test_cp1251_page_with_meta_charset_but_no_header_charset(web, fetcher):
    html = f'<html><head><meta charset="windows-1251"><title>Выборы</title></head><body>{RU_TEXT}</body></html>'
    web.add("news.example", "/ru", Page(body=html.encode("cp1251"), content_type="text/html"))
    result = fetcher().fetch(web.url("news.example", "/ru"))
    assert result.encoding == "cp1251"
    assert RU_TEXT in result.text


def test_cp1251_page_with_http_equiv(web, fetcher):
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            f"</head><body>{RU_TEXT}</body></html>")
    web.add("news.example", "/ru", Page(body=html.encode("cp1251"), content_type="text/html"))
    assert RU_TEXT in fetcher().fetch(web.url("news.example", "/ru")).text


def test_cp1251_page_without_any_declaration_is_detected(web, fetcher):
    web.add("news.example", "/ru", Page(body=f"<p>{RU_TEXT}</p>".encode("cp1251"), content_type="text/html"))
    result = fetcher().fetch(web.url("news.example", "/ru"))
    assert result.encoding == "cp1251"
    assert RU_TEXT in result.text


def test_kz1048_page_is_not_misread_as_cp1251(web, fetcher):
    web.add("news.example", "/kk", Page(body=f"<p>{KK_TEXT}</p>".encode("kz1048"), content_type="text/html"))
    result = fetcher().fetch(web.url("news.example", "/kk"))
    assert result.encoding == "kz1048"
    assert KK_TEXT in result.text
    assert "Ќ" not in result.text


@pytest.mark.parametrize("text", [KK_TEXT, "Бүгін Орталық сайлау комиссиясы отырыс өткізді және тізімді бекітті."])
def test_kz1048_trap_on_detector_output(text):
    body = text.encode("kz1048")
    assert looks_like_kz1048(body)
    assert decode_text(body, "text/plain") == (text, "kz1048")


@pytest.mark.parametrize("text", [RU_TEXT, UK_TEXT])
def test_cp1251_russian_and_ukrainian_stay_cp1251(text):
    body = text.encode("cp1251")
    assert not looks_like_kz1048(body)
    decoded, name = decode_text(body, "text/plain; charset=windows-1251")
    assert (decoded, name) == (text, "cp1251")


def test_utf8_bom_wins_and_is_stripped(web, fetcher):
    web.add("news.example", "/bom", Page(body=b"\xef\xbb\xbf" + "<p>Қазақ</p>".encode(), content_type="text/html"))
    result = fetcher().fetch(web.url("news.example", "/bom"))
    assert result.encoding == "utf-8"
    assert result.text == "<p>Қазақ</p>"


def test_xml_declaration_and_binary_types(web, fetcher):
    feed = f'<?xml version="1.0" encoding="windows-1251"?><rss><title>{RU_TEXT}</title></rss>'
    web.add("news.example", "/feed", Page(body=feed.encode("cp1251"), content_type="application/rss+xml"))
    web.add("news.example", "/img", Page(body=b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png"))
    f = fetcher()
    assert RU_TEXT in f.fetch(web.url("news.example", "/feed")).text
    image = f.fetch(web.url("news.example", "/img"))
    assert image.text is None and image.body.startswith(b"\x89PNG")


# --- redirects -----------------------------------------------------------------------------------


def test_redirect_chain_of_three_is_recorded_hop_by_hop(web, fetcher):
    web.add("old.example", "/a", Redirect(web.url("new.example", "/b", tls=False), status=301))
    web.add("new.example", "/b", Redirect("/c", status=302))  # relative Location
    web.add("new.example", "/c", Redirect(web.url("new.example", "/final"), status=308))
    web.add("new.example", "/final", Page(body="here"))
    start = web.url("old.example", "/a")
    result = fetcher().fetch(start)
    assert result.error is None and result.status == 200 and result.text == "here"
    assert [(h.url, h.status) for h in result.hops] == [
        (start, 301),
        (web.url("new.example", "/b", tls=False), 302),
        (web.url("new.example", "/c", tls=False), 308),
        (web.url("new.example", "/final"), 200),
    ]
    assert result.hops[1].location == "/c"
    assert all(h.address == "127.0.0.1" for h in result.hops)
    assert result.final_url == web.url("new.example", "/final")
    assert result.redirected


def test_redirect_loop(web, fetcher):
    web.add("news.example", "/a", Redirect("/b"))
    web.add("news.example", "/b", Redirect("/a"))
    result = fetcher().fetch(web.url("news.example", "/a"))
    assert result.error == "redirect_loop"
    assert len(result.hops) == 2


def _chain(web, n: int) -> str:
    for i in range(n):
        web.add("news.example", f"/r{i}", Redirect(f"/r{i + 1}"))
    web.add("news.example", f"/r{n}", Page(body="end"))
    return web.url("news.example", "/r0")


def test_eleven_redirects_are_too_many(web, fetcher):
    start = _chain(web, 11)  # routes first: the fetcher fixture allow-lists the names it sees
    result = fetcher().fetch(start)
    assert result.error == "too_many_redirects"
    assert "/r11" not in paths(web, "news.example")


def test_ten_redirects_are_fine(web, fetcher):
    start = _chain(web, 10)
    result = fetcher().fetch(start)
    assert result.error is None and result.text == "end"
    assert len(result.hops) == 11


# --- SSRF guard ------------------------------------------------------------------------------------


def test_redirect_to_loopback_literal_is_refused_before_connecting(web, fetcher, sentinel):
    web.add("news.example", "/go", Redirect(sentinel.url))
    result = fetcher().fetch(web.url("news.example", "/go"))
    assert result.error == "unsafe"
    assert result.hops[-1].url == sentinel.url
    assert sentinel.connections == 0


def test_redirect_to_a_name_resolving_to_loopback_is_refused(web, fetcher, sentinel):
    web.add_name("intranet.example", "127.0.0.1")
    web.add("news.example", "/go", Redirect(f"http://intranet.example:{sentinel.port}/admin"))
    f = fetcher(allow_private_hosts=("news.example",))
    result = f.fetch(web.url("news.example", "/go"))
    assert result.error == "unsafe"
    assert "127.0.0.1" in result.error_detail
    assert sentinel.connections == 0


def test_direct_fetch_of_unlisted_loopback_name_is_refused(web, fetcher, sentinel):
    web.add_name("intranet.example", "127.0.0.1")
    result = fetcher(allow_private_hosts=()).fetch(f"http://intranet.example:{sentinel.port}/")
    assert result.error == "unsafe"
    assert sentinel.connections == 0


@pytest.mark.parametrize("address", ["10.0.0.5", "169.254.169.254", "100.64.1.1", "::ffff:127.0.0.1",
                                     "fd00::1", "0.0.0.0", "224.0.0.1"])
def test_names_resolving_to_internal_addresses_are_refused(web, fetcher, address):
    web.add_name("internal.example", address)
    result = fetcher(allow_private_hosts=()).fetch("http://internal.example/")
    assert result.error == "unsafe"  # the no_internet guard would also fail any real attempt


def test_one_internal_address_among_several_refuses_the_name(web, fetcher):
    def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1", "10.1.2.3"]

    result = fetcher(allow_private_hosts=(), resolver=resolver).fetch("http://mixed.example/")
    assert result.error == "unsafe"


def test_metadata_address_stays_refused_even_when_allow_listed(web, fetcher):
    web.add_name("meta.example", "169.254.169.254")
    result = fetcher(allow_private_hosts=("meta.example",)).fetch("http://meta.example/latest/")
    assert result.error == "unsafe"


@pytest.mark.parametrize("spelling", ["2130706433", "0x7f.1", "127.1", "0177.0.0.1", "[::ffff:127.0.0.1]",
                                      "0x7f000001", "127.0.0.1."])
def test_odd_ip_spellings_are_judged_as_the_real_address(fetcher, sentinel, spelling):
    result = fetcher().fetch(f"http://{spelling}:{sentinel.port}/")
    assert result.error == "unsafe", result.error_detail
    assert sentinel.connections == 0


@pytest.mark.parametrize("spelling, expected", [("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"),
                                                ("127.1", "127.0.0.1"), ("[::1]", "::1"),
                                                ("example.org", None), ("cafe.babe", None)])
def test_parse_ip_literal(spelling, expected):
    parsed = parse_ip_literal(spelling)
    assert (str(parsed) if parsed else None) == expected


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.1.1", "172.16.5.4", "192.168.0.1", "100.64.0.1",
                                     "169.254.169.254", "0.0.0.0", "224.0.0.1", "240.0.0.1", "::1", "::",
                                     "fe80::1", "fc00::1", "::ffff:10.0.0.1", "2002:7f00:1::1",
                                     "64:ff9b::a9fe:a9fe", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "ff02::1"])
def test_address_policy_denies(address):
    assert address_problem(address) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "2002:5db8:d822::1"])
def test_address_policy_allows_public(address):
    assert address_problem(address) is None


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://news.example:70/_GET", "ftp://news.example/x",
                                 "javascript:alert(1)"])
def test_non_http_schemes_are_unsafe(fetcher, url):
    assert fetcher().fetch(url).error == "unsafe"


def test_redirect_to_file_scheme_is_unsafe(web, fetcher):
    web.add("news.example", "/go", Redirect("file:///etc/passwd"))
    assert fetcher().fetch(web.url("news.example", "/go")).error == "unsafe"


@pytest.mark.parametrize("url", ["http://user:pw@news.example/", "http://user@news.example/",
                                 "http://news.example\\@evil.example/", "http://news.exa mple/",
                                 "http://news.example/\r\nX: y", "http:///path", "news.example/path"])
def test_malformed_urls_are_invalid(fetcher, url):
    assert fetcher().fetch(url).error == "invalid_url"


# --- size and time limits ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_compression_bomb_stops_at_the_cap_with_little_memory(web, fetcher, encoding):
    cap = 1_000_000
    web.add("news.example", "/bomb", GzipBomb(size=1 << 30, encoding=encoding))
    f = fetcher(max_body_bytes=cap)
    tracemalloc.start()
    try:
        result = f.fetch(web.url("news.example", "/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.truncated is True
    assert len(result.body) == cap
    assert result.error is None
    assert result.bytes_read < cap  # far fewer bytes on the wire than decoded
    assert peak < 8 * cap  # the body (twice, while it is assembled) plus small buffers


def test_endless_body_is_truncated_at_the_cap(web, fetcher):
    web.add("news.example", "/endless", Endless())
    result = fetcher(max_body_bytes=300_000).fetch(web.url("news.example", "/endless"))
    assert result.truncated is True and len(result.body) == 300_000
    assert result.error is None and result.status == 200


def test_small_compressed_page_is_decoded(web, fetcher):
    web.add("news.example", "/gz", Page(body=RU_TEXT, content_encoding="gzip",
                                        content_type="text/plain; charset=utf-8"))
    result = fetcher().fetch(web.url("news.example", "/gz"))
    assert result.text == RU_TEXT and not result.truncated


def test_corrupt_content_encoding_is_a_decode_error(web, fetcher):
    web.add("news.example", "/bad", Page(body=b"not gzip at all", headers={"Content-Encoding": "gzip"}))
    result = fetcher().fetch(web.url("news.example", "/bad"))
    assert result.status == 200 and result.error == "decode_error"


def test_drip_body_ends_with_timeout(web, fetcher):
    web.add("news.example", "/drip", Drip(interval_s=0.2))
    result = fetcher(timeout_s=1.5).fetch(web.url("news.example", "/drip"))
    assert result.error == "timeout"
    assert result.status == 200
    assert result.body.startswith(b".")


def test_drip_in_the_headers_ends_with_timeout(web, fetcher):
    web.add("news.example", "/drip", Drip(interval_s=0.2, in_headers=True))
    result = fetcher(timeout_s=1.0).fetch(web.url("news.example", "/drip", tls=False))
    assert result.error == "timeout"
    assert result.status is None


def test_hanging_host_ends_with_timeout(web, fetcher):
    web.fail_host("slow.example", "hang")
    result = fetcher(timeout_s=1.0).fetch(web.url("slow.example", "/"))
    assert result.error == "timeout"


# --- transport errors ---------------------------------------------------------------------------------


def test_nxdomain_is_a_dns_error(web, fetcher):
    result = fetcher().fetch(web.url("no-such-host.example", "/"))
    assert result.error == "dns_error"
    assert "nxdomain" in result.error_detail


def test_dns_tempfail_is_a_dns_error_marked_tempfail(web, fetcher):
    web.fail_host("flaky.example", "dns_tempfail")
    result = fetcher().fetch(web.url("flaky.example", "/"))
    assert result.error == "dns_error"
    assert "tempfail" in result.error_detail


def test_refused_connection(web, fetcher):
    web.fail_host("down.example", "refuse")
    result = fetcher().fetch(web.url("down.example", "/"))
    assert result.error == "connect_error"
    assert "refused" in result.error_detail


def test_reset_connection(web, fetcher):
    web.fail_host("rst.example", "reset")
    result = fetcher().fetch(web.url("rst.example", "/", tls=False))
    assert result.error == "connect_error"


@pytest.mark.parametrize("mode", ["untrusted", "wrong_name"])
def test_bad_certificate_is_a_tls_error(web, fetcher, mode):
    web.add("badtls.example", "/", Page(body="x"))
    web.set_tls("badtls.example", mode)
    result = fetcher().fetch(web.url("badtls.example", "/"))
    assert result.error == "tls_error"
    assert not any(r.host == "badtls.example" for r in web.requests)


def test_ca_bundle_comes_from_the_environment(web, fetcher, monkeypatch):
    web.add("news.example", "/", Page(body="x"))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    assert fetcher(ca_bundle=None).fetch(web.url("news.example", "/")).status == 200
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    assert fetcher(ca_bundle=None).fetch(web.url("news.example", "/")).error == "tls_error"


def test_programming_errors_raise(fetcher):
    with pytest.raises(ValueError):
        fetcher().fetch("http://news.example/", method="POST")


# --- robots.txt ----------------------------------------------------------------------------------------


def test_robots_disallow_means_the_page_is_never_requested(web, fetcher):
    web.add("news.example", "/robots.txt", Page(body="User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
    web.add("news.example", "/private/a", Page(body="secret"))
    web.add("news.example", "/public", Page(body="ok"))
    f = fetcher(respect_robots=True)
    result = f.fetch(web.url("news.example", "/private/a"))
    assert result.error == "robots_denied"
    assert f.fetch(web.url("news.example", "/public")).status == 200
    assert paths(web, "news.example") == ["/robots.txt", "/public"]  # robots.txt fetched once


def test_robots_group_for_kzwatch_beats_star(web, fetcher):
    robots = "User-agent: *\nDisallow: /\n\nUser-agent: KzWatch\nAllow: /\nDisallow: /*.pdf$\n"
    web.add("news.example", "/robots.txt", Page(body=robots, content_type="text/plain"))
    f = fetcher()
    assert f.fetch(web.url("news.example", "/a")).status == 404
    assert f.fetch(web.url("news.example", "/doc.pdf")).error == "robots_denied"
    assert f.fetch(web.url("news.example", "/doc.pdf?x=1")).status == 404


def test_robots_500_denies_everything(web, fetcher):
    web.add("news.example", "/robots.txt", Page(status=500))
    result = fetcher().fetch(web.url("news.example", "/a"))
    assert result.error == "robots_denied"
    assert result.error_detail == "robots_unreachable"
    assert paths(web, "news.example") == ["/robots.txt"]


def test_robots_404_allows_everything(web, fetcher):
    web.add("news.example", "/a", Page(body="ok"))
    assert fetcher().fetch(web.url("news.example", "/a")).status == 200
    assert paths(web, "news.example") == ["/robots.txt", "/a"]


def test_robots_redirect_to_internal_address_is_not_followed(web, fetcher, sentinel):
    web.add("news.example", "/robots.txt", Redirect(sentinel.url + "robots.txt"))
    result = fetcher().fetch(web.url("news.example", "/a"))
    assert result.error == "unsafe"
    assert sentinel.connections == 0


def test_use_robots_false_skips_robots(web, fetcher):
    web.add("news.example", "/robots.txt", Page(body="User-agent: *\nDisallow: /\n", content_type="text/plain"))
    web.add("news.example", "/a", Page(body="ok"))
    assert fetcher().fetch(web.url("news.example", "/a"), use_robots=False).status == 200


@pytest.mark.parametrize("robots, path, allowed", [
    ("User-agent: *\nDisallow: /a\nAllow: /a/b\n", "/a/b/c", True),
    ("User-agent: *\nDisallow: /a\nAllow: /a/b\n", "/a/c", False),
    ("User-agent: *\nDisallow: /*.php$\n", "/x/index.php", False),
    ("User-agent: *\nDisallow: /*.php$\n", "/x/index.php?q=1", True),
    ("User-agent: *\nDisallow: /*/print\n", "/news/2021/print", False),
    ("User-agent: *\nDisallow: /page\nAllow: /page\n", "/page", True),  # tie: allow wins
    ("User-agent: *\nDisallow:\n", "/anything", True),
    ("User-agent: googlebot\nDisallow: /\n", "/anything", True),  # no group for us, no *
    ("User-agent: a\nUser-agent: kzwatch\nDisallow: /x\n", "/x", False),  # grouped agents
    ("User-agent: *\nDisallow: /шум\n", "/%D1%88%D1%83%D0%BC/1", False),  # UTF-8 percent-encoding
    ("User-agent: *\nDisallow: /\n", "/robots.txt", True),
])
def test_robots_rules(robots, path, allowed):
    assert RobotsRules.parse(robots).allows("kzwatch", path) is allowed


def test_robots_wildcards_do_not_blow_up():
    rules = RobotsRules.parse("User-agent: *\nDisallow: /" + "*a" * 30 + "b\n")
    assert rules.allows("kzwatch", "/" + "a" * 5000) is True


# --- conditional GET, HEAD ------------------------------------------------------------------------------


def test_conditional_get_with_etag_gives_not_modified(web, fetcher):
    web.add("news.example", "/c", Page(body="v1", etag='"v1"'))
    f = fetcher()
    first = f.fetch(web.url("news.example", "/c"))
    assert first.headers["etag"] == '"v1"'
    again = f.fetch(web.url("news.example", "/c"), etag=first.headers["etag"])
    assert again.status == 304 and again.not_modified and again.body == b"" and again.error is None
    assert web.requests[-1].headers["if-none-match"] == '"v1"'


def test_conditional_get_with_last_modified(web, fetcher):
    stamp = "Wed, 01 May 2024 10:00:00 GMT"
    web.add("news.example", "/c", Page(body="v1", last_modified=stamp))
    result = fetcher().fetch(web.url("news.example", "/c"), last_modified=stamp)
    assert result.not_modified
    assert web.requests[-1].headers["if-modified-since"] == stamp


def test_head_request_has_no_body(web, fetcher):
    web.add("news.example", "/h", Page(body="body"))
    result = fetcher().fetch(web.url("news.example", "/h"), method="HEAD")
    assert result.status == 200 and result.body == b"" and result.method == "HEAD"
    assert web.requests[-1].method == "HEAD"


def test_head_405_falls_back_to_get(web, fetcher):
    web.add("news.example", "/h", Handler(lambda r: Page(status=405) if r.method == "HEAD" else Page(body="got")))
    result = fetcher().fetch(web.url("news.example", "/h"), method="HEAD")
    assert result.status == 200 and result.method == "GET" and result.text == "got"
    assert [r.method for r in web.requests if r.path == "/h"] == ["HEAD", "GET"]


# --- politeness across many fetches ------------------------------------------------------------------------


def test_fetch_many_serialises_and_spaces_requests_per_host(web, fetcher):
    import time

    def slow(request: SimRequest) -> Page:
        time.sleep(0.05)  # long enough that overlapping requests would show
        return Page(body=request.path)

    hosts = ("one.example", "two.example")
    jobs = []
    for host in hosts:
        web.set_default(host, Handler(slow))
        jobs += [FetchJob(web.url(host, f"/p{i}")) for i in range(3)]
    jobs = [jobs[0], jobs[3], jobs[1], jobs[4], jobs[2], jobs[5]]  # interleaved input order
    results = fetcher(per_host_delay_s=0.2).fetch_many(jobs)
    assert [r.url for r in results] == [j.url for j in jobs]
    assert all(r.status == 200 for r in results)
    for host in hosts:
        spans = sorted((s for s in web.spans if s.host == host), key=lambda s: s.start)
        assert len(spans) == 4  # robots.txt + 3 pages
        for before, after in zip(spans, spans[1:]):
            # never overlapping, and spaced by the delay (less 20 ms of thread-scheduling slack
            # between the server noting "done" and the client noting "done")
            assert after.start >= before.end + 0.2 - 0.02


# --- proxies -------------------------------------------------------------------------------------------------


def test_http_proxy_from_environment_is_used(web, fetcher, forward_proxy, monkeypatch):
    web.add("news.example", "/a", Page(body="through the proxy"))
    monkeypatch.setenv("HTTP_PROXY", forward_proxy.url)
    url = web.url("news.example", "/a", tls=False)
    result = fetcher().fetch(url, use_robots=False)
    assert result.status == 200 and result.text == "through the proxy"
    assert result.headers["via"] == "1.1 recording-proxy"
    assert forward_proxy.lines == [f"GET {url} HTTP/1.1"]
    assert result.hops[0].address == "127.0.0.1"  # the target was vetted locally


def test_no_proxy_is_honoured(web, fetcher, forward_proxy, monkeypatch):
    web.add("news.example", "/a", Page(body="direct"))
    monkeypatch.setenv("HTTP_PROXY", forward_proxy.url)
    monkeypatch.setenv("NO_PROXY", "news.example")
    result = fetcher().fetch(web.url("news.example", "/a", tls=False), use_robots=False)
    assert result.text == "direct"
    assert forward_proxy.lines == []


def test_https_proxy_gets_a_connect(web, fetcher, forward_proxy, monkeypatch):
    web.add("news.example", "/a", Page(body="never served"))
    monkeypatch.setenv("HTTPS_PROXY", forward_proxy.url)
    result = fetcher().fetch(web.url("news.example", "/a"), use_robots=False)
    assert [line.rsplit(" ", 1)[0] for line in forward_proxy.lines] == [f"CONNECT news.example:{web.https_port}"]
    assert result.error == "connect_error"  # this proxy refuses tunnels
    assert not any(r.path == "/a" for r in web.requests)


def test_proxied_target_is_still_vetted(web, fetcher, forward_proxy, monkeypatch):
    web.add_name("intranet.example", "127.0.0.1")
    monkeypatch.setenv("HTTP_PROXY", forward_proxy.url)
    result = fetcher(allow_private_hosts=()).fetch("http://intranet.example/admin")
    assert result.error == "unsafe"
    assert forward_proxy.lines == []


# --- small pure helpers ----------------------------------------------------------------------------------------


def test_parse_retry_after():
    now = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Wed, 01 May 2024 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_the_no_internet_guard_is_on(no_internet):
    with pytest.raises(RuntimeError, match="test tried to"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)
    assert no_internet  # the attempt was recorded ...
    no_internet.clear()  # ... and cleared here so that this test itself passes


# --- a host that does not answer costs seconds ---------------------------------------------------------


def test_robots_timeout_is_remembered_for_the_hosts_other_urls(web, fetcher):
    web.fail_host("slow.example", "hang")
    f = fetcher(timeout_s=0.6, respect_robots=True, host_failure_limit=0)  # only the robots memory
    started = time.monotonic()
    results = f.fetch_many([FetchJob(web.url("slow.example", f"/p{i}")) for i in range(5)])
    elapsed = time.monotonic() - started
    assert [r.error for r in results] == ["timeout"] * 5
    assert "robots.txt" in results[0].error_detail
    assert all("remembered" in r.error_detail for r in results[1:])
    assert elapsed < 0.6 * 2  # one timeout, not five
    assert len([r for r in web.requests if r.host == "slow.example"]) <= 1


def test_dead_host_short_circuits_after_n_consecutive_failures(web, fetcher):
    web.fail_host("slow.example", "hang")
    web.add("news.example", "/a", Page(body="ok"))
    f = fetcher(timeout_s=0.4, respect_robots=False, host_failure_limit=2)
    jobs = [FetchJob(web.url("slow.example", f"/p{i}")) for i in range(6)] + [FetchJob(web.url("news.example", "/a"))]
    started = time.monotonic()
    results = f.fetch_many(jobs)
    elapsed = time.monotonic() - started
    assert [r.error for r in results[:6]] == ["timeout"] * 6
    assert not any("not sent" in r.error_detail for r in results[:2])  # two real timeouts...
    assert all("not sent: slow.example failed 2 times in a row" in r.error_detail for r in results[2:6])
    assert elapsed < 0.4 * 4  # ...and then no more waiting
    assert results[6].status == 200  # other hosts are not affected
    # the next cycle (a new fetcher) tries again
    web.restore_host("slow.example")
    web.add("slow.example", "/p0", Page(body="back"))
    assert fetcher(respect_robots=False, host_failure_limit=2).fetch(web.url("slow.example", "/p0")).status == 200


def test_an_answer_resets_the_failure_streak(web, fetcher):
    web.fail_host("down.example", "refuse")
    f = fetcher(respect_robots=False, host_failure_limit=2)
    assert "not sent" not in f.fetch(web.url("down.example", "/1")).error_detail
    web.restore_host("down.example")
    web.add("down.example", "/2", Page(body="up"))
    assert f.fetch(web.url("down.example", "/2")).status == 200
    web.fail_host("down.example", "refuse")
    assert "not sent" not in f.fetch(web.url("down.example", "/3")).error_detail  # streak restarted at 1


def test_iter_fetch_streams_results_and_fetches_each_probe_once(web, fetcher):
    for i in range(4):
        web.add("news.example", f"/d/{i}", Page(body=f"page {i}"))
    f = fetcher(respect_robots=False, max_pending_results=1)
    probe = web.url("news.example", "/d/zz-probe")
    jobs = [FetchJob(web.url("news.example", f"/d/{i}"), probe_url=probe) for i in range(4)]
    seen = list(f.iter_fetch(jobs))
    assert sorted(i for i, _ in seen) == [0, 1, 2, 3]
    assert all(r.probe is not None and r.probe.status == 404 for _, r in seen)
    assert [r.path for r in web.requests].count("/d/zz-probe") == 1


def test_iter_fetch_calls_on_idle_while_a_host_is_awaited(web, fetcher):
    web.fail_host("slow.example", "hang")
    idle: list[float] = []
    f = fetcher(timeout_s=0.6, respect_robots=False)
    seen = list(f.iter_fetch([FetchJob(web.url("slow.example", "/x"))], on_idle=lambda: idle.append(1), idle_s=0.1))
    assert len(seen) == 1 and seen[0][1].error == "timeout"
    assert len(idle) >= 3  # called repeatedly while nothing arrived
