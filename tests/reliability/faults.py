"""The fault table of the reliability suite: one entry per kind of hostile or broken server.

Each :class:`Fault` arranges its server on loopback (the shared :class:`~kzwatch.sim.simweb.SimWeb`,
a :class:`rawserver.RawServer` for byte-level faults, or an injected resolver for DNS faults) and
names the SPEC §4 outcome that ``classify_fetch`` must give the fetch, plus the fetcher's finer
``error`` where it has one.  The table is used twice: fetch by fetch (test_rel_faults.py) and as
one check cycle over a web holding every fault at once.
"""

from __future__ import annotations

import datetime as dt
import gzip
import socket
import ssl
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import brotli
from rawserver import RawServer, reset

from kzwatch.sim.simweb import (
    Drip,
    Endless,
    GzipBomb,
    Handler,
    Page,
    Redirect,
    SimRequest,
    SimWeb,
)

RU = "Центральная избирательная комиссия объявила итоги выборов. Явка составила шестьдесят три процента."
KK = "Қазақстан сайлау комиссиясы жариялады. Мәжіліс депутаттарын сайлау қорытындысы белгілі болды."

ARTICLE = ("<html><head><title>Итоги выборов</title></head><body><article><h1>Итоги выборов</h1><p>"
           + " ".join([RU] * 4) + "</p></article></body></html>")


@dataclass
class Env:
    """What a fault arranges itself on."""

    web: SimWeb
    raw: RawServer
    tmp: Path
    extra_resolver: dict[str, Callable[[str, int], list[str]]] = field(default_factory=dict)
    servers: list[RawServer] = field(default_factory=list)
    overrides: dict[str, Any] = field(default_factory=dict)  # FetchSettings set by an arrangement

    def resolver(self, host: str, port: int) -> list[str]:
        special = self.extra_resolver.get(host.rstrip(".").lower())
        if special is not None:
            return special(host, port)
        return self.web.resolver(host, port)

    def raw_url(self, host: str, name: str, behaviour: Callable[[socket.socket], None],
                server: RawServer | None = None, scheme: str = "http") -> str:
        server = server or self.raw
        self.web.add_name(host)
        path = server.route(name, behaviour)
        return f"{scheme}://{host}:{server.port}{path}"

    def close(self) -> None:
        for server in self.servers:
            server.close()


@dataclass(frozen=True)
class Fault:
    kind: str
    outcome: str  # SPEC §4 outcome expected from classify_fetch
    arrange: Callable[[Env], str]  # returns the URL to fetch
    error: str | None = None  # the fetcher's own error class, when it sets one
    settings: dict[str, Any] = field(default_factory=dict)  # FetchSettings overrides
    check: Callable[[Any], None] | None = None  # extra assertion on the FetchResult


# --- byte-level behaviours -----------------------------------------------------------------------


def _headers(status: str = "200 OK", extra: str = "", content_type: str = "text/html; charset=utf-8") -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}".encode() + b"\r\n"


def reset_mid_body(sock: socket.socket) -> None:
    sock.sendall(_headers(extra="Content-Length: 100000\r\n") + ARTICLE.encode()[:200])
    time.sleep(0.05)
    reset(sock)


def accept_then_silence(sock: socket.socket) -> None:
    time.sleep(4)


def truncated_chunked(sock: socket.socket) -> None:
    body = ARTICLE.encode()[:300]
    sock.sendall(_headers(extra="Transfer-Encoding: chunked\r\n") + b"%x\r\n" % 4096 + body)
    sock.shutdown(socket.SHUT_WR)


def bad_chunk_size(sock: socket.socket) -> None:
    sock.sendall(_headers(extra="Transfer-Encoding: chunked\r\n") + b"zz\r\nhello\r\n0\r\n\r\n")
    sock.shutdown(socket.SHUT_WR)


def content_length_too_long(sock: socket.socket) -> None:
    body = ARTICLE.encode()
    sock.sendall(_headers(extra=f"Content-Length: {len(body) + 5000}\r\n") + body)
    sock.shutdown(socket.SHUT_WR)


def content_length_too_short(sock: socket.socket) -> None:
    body = ARTICLE.encode()
    sock.sendall(_headers(extra="Content-Length: 40\r\nConnection: close\r\n") + body)
    sock.shutdown(socket.SHUT_WR)


def conflicting_content_lengths(sock: socket.socket) -> None:
    body = ARTICLE.encode()
    sock.sendall(_headers(extra=f"Content-Length: {len(body)}\r\nContent-Length: 7\r\n") + body)
    sock.shutdown(socket.SHUT_WR)


def huge_header(sock: socket.socket) -> None:
    sock.sendall(_headers(extra="X-Filler: " + "a" * (64 * 1024) + "\r\nContent-Length: 2\r\n") + b"ok")
    sock.shutdown(socket.SHUT_WR)


def many_headers(sock: socket.socket) -> None:
    extra = "".join(f"X-H{i}: v\r\n" for i in range(300))
    sock.sendall(_headers(extra=extra + "Content-Length: 2\r\n") + b"ok")
    sock.shutdown(socket.SHUT_WR)


def garbage_status_line(sock: socket.socket) -> None:
    sock.sendall(b"\x16\x03\x01garbage that is not HTTP\r\n\r\n")
    sock.shutdown(socket.SHUT_WR)


def empty_reply(sock: socket.socket) -> None:
    sock.shutdown(socket.SHUT_WR)


def handshake_reset(sock: socket.socket) -> None:
    sock.settimeout(2)
    try:
        sock.recv(1024)  # the ClientHello
    except OSError:
        pass
    reset(sock)


def plain_http_on_tls(sock: socket.socket) -> None:
    sock.settimeout(2)
    try:
        sock.recv(1024)
    except OSError:
        pass
    sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")


def _serve_article(sock: socket.socket) -> None:
    body = ARTICLE.encode()
    sock.sendall(_headers(extra=f"Content-Length: {len(body)}\r\nConnection: close\r\n") + body)


# --- arrangements --------------------------------------------------------------------------------


def _page(host: str, route: Any, path: str = "/p", tls: bool = False) -> Callable[[Env], str]:
    def arrange(env: Env) -> str:
        env.web.add(host, path, route)
        return env.web.url(host, path, tls=tls)
    return arrange


def _raw(host: str, behaviour: Callable[[socket.socket], None]) -> Callable[[Env], str]:
    return lambda env: env.raw_url(host, host.split(".")[0], behaviour)


def _tls_raw(host: str, behaviour: Callable[[socket.socket], None]) -> Callable[[Env], str]:
    def arrange(env: Env) -> str:
        server = RawServer()
        server.always(behaviour)
        env.servers.append(server)
        env.web.add_name(host)
        return f"https://{host}:{server.port}/p"
    return arrange


def _expired_tls(env: Env) -> str:
    import trustme

    ca = trustme.CA()
    now = dt.datetime.now(dt.timezone.utc)
    leaf = ca.issue_cert("expired.test", not_before=now - dt.timedelta(days=400),
                         not_after=now - dt.timedelta(days=30))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    leaf.configure_cert(context)
    server = RawServer(tls_context=context)
    env.servers.append(server)
    # The test trusts ONLY this CA for this fault (ca_bundle), so the expiry is the one defect.
    ca_file = Path(tempfile.mkdtemp(dir=env.tmp)) / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    env.overrides["ca_bundle"] = str(ca_file)
    return env.raw_url("expired.test", "p", _serve_article, server=server, scheme="https")


def _tls_mode(host: str, mode: str) -> Callable[[Env], str]:
    def arrange(env: Env) -> str:
        env.web.add(host, "/p", Page(body=ARTICLE))
        env.web.set_tls(host, mode)
        return env.web.url(host, "/p")
    return arrange


def _dns(host: str, errno: int, delay: float = 0.0) -> Callable[[Env], str]:
    def fail(_host: str, _port: int) -> list[str]:
        time.sleep(delay)
        raise socket.gaierror(errno, "simulated resolver failure")

    def arrange(env: Env) -> str:
        env.extra_resolver[host] = fail
        return f"https://{host}/p"
    return arrange


def _nxdomain(env: Env) -> str:
    return "https://no-such-name.test/p"


def _outage(host: str, mode: str) -> Callable[[Env], str]:
    def arrange(env: Env) -> str:
        env.web.add(host, "/p", Page(body=ARTICLE))
        env.web.fail_host(host, mode)
        return env.web.url(host, "/p", tls=False)
    return arrange


def _burst(host: str, failures: int, status: int = 503) -> Callable[[Env], str]:
    def arrange(env: Env) -> str:
        seen: list[int] = []

        def flaky(_request: SimRequest) -> Page:
            seen.append(1)
            return Page(status=status, body="busy") if len(seen) <= failures else Page(body=ARTICLE)
        env.web.add(host, "/p", Handler(flaky))
        return env.web.url(host, "/p", tls=False)
    return arrange


def _retry_after_date(env: Env) -> str:
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=3)
    env.web.add("ratedate.test", "/p", Page(status=429, headers={"Retry-After": format_datetime(when, usegmt=True)}))
    return env.web.url("ratedate.test", "/p", tls=False)


def _retry_after_short_date(env: Env) -> str:
    seen: list[int] = []

    def limited(_request: SimRequest) -> Page:
        seen.append(1)
        if len(seen) == 1:
            when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)
            return Page(status=429, headers={"Retry-After": format_datetime(when, usegmt=True)})
        return Page(body=ARTICLE)
    env.web.add("ratedate2.test", "/p", Handler(limited))
    return env.web.url("ratedate2.test", "/p", tls=False)


def _loop(env: Env) -> str:
    env.web.add("loop.test", "/a", Redirect("/b", status=302))
    env.web.add("loop.test", "/b", Redirect("/a", status=302))
    return env.web.url("loop.test", "/a", tls=False)


def _chain(env: Env) -> str:
    for i in range(30):
        env.web.add("chain.test", f"/h{i}", Redirect(f"/h{i + 1}", status=301))
    env.web.add("chain.test", "/h30", Page(body=ARTICLE))
    return env.web.url("chain.test", "/h0", tls=False)


def _bad_location(env: Env) -> str:
    env.web.add("badloc.test", "/p", Redirect("http://[::1/broken", status=302))
    return env.web.url("badloc.test", "/p", tls=False)


def _nested_encoding(env: Env) -> str:
    body = brotli.compress(gzip.compress(ARTICLE.encode()))
    env.web.add("nested.test", "/p", Page(body=body, headers={"Content-Encoding": "gzip, br"}))
    return env.web.url("nested.test", "/p", tls=False)


def _unknown_encoding(env: Env) -> str:
    env.web.add("zenc.test", "/p", Page(body=b"\x28\xb5\x2f\xfd" + b"\x00" * 40, headers={"Content-Encoding": "x-mystery"}))
    return env.web.url("zenc.test", "/p", tls=False)


def _corrupt_gzip(env: Env) -> str:
    body = gzip.compress(ARTICLE.encode())
    env.web.add("badgz.test", "/p", Page(body=body[:20] + b"\xff" * 50 + body[70:], headers={"Content-Encoding": "gzip"}))
    return env.web.url("badgz.test", "/p", tls=False)


def _charset(host: str, body: bytes, content_type: str) -> Callable[[Env], str]:
    return _page(host, Page(body=body, content_type=content_type))


def _text_contains(fragment: str) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert fragment in (result.text or ""), (result.encoding, (result.text or "")[:200])
    return check


def _truncated(result: Any) -> None:
    assert result.truncated and len(result.body) <= 1_000_000


MALFORMED_HTML = ("<html><head><title>Итоги <b>выборов</title><body><p>" + RU + "<div><span><table><tr><td>"
                  + RU + "</p></i></head><!-- unterminated comment <script>var x = '</script" + "\x00\x01" + RU)
NESTED_HTML = "<html><head><title>Глубина</title></head><body>" + "<div>" * 300 + RU * 3 + "</div>" * 300 + "</body>"
# Deeper than libxml2 goes even with huge_tree (2048): the text is lost and the page is judged
# thin.  Hostile, not a real page; pinned here so that a change of behaviour is noticed.
DEEP_HTML = "<html><head><title>Глубина</title></head><body>" + "<div>" * 50_000 + RU * 3 + "</div>" * 10 + "</body>"
HOSTILE_HTML = ("<html><head><title>Итоги выборов</title><meta http-equiv='refresh' content='0;url=file:///etc/passwd'>"
                "<base href='javascript:alert(1)//'><script>while(1){}</script></head><body onload='alert(1)'>"
                "<svg><script>alert(1)</script></svg><article><p>" + " ".join([RU] * 3) + "</p></article>"
                + "<a href='x'>" * 5000 + "</body></html>")

FAULTS: list[Fault] = [
    Fault("connection_refused", "connect_error", _outage("refuse.test", "refuse"), error="connect_error"),
    Fault("reset_before_response", "connect_error", _outage("rst.test", "reset"), error="connect_error"),
    Fault("reset_mid_body", "connect_error", _raw("rstbody.test", reset_mid_body), error="connect_error"),
    Fault("accept_then_silence", "timeout", _raw("silent.test", accept_then_silence), error="timeout",
          settings={"timeout_s": 1.0}),
    Fault("hang_on_request", "timeout", _outage("hang.test", "hang"), error="timeout", settings={"timeout_s": 1.0}),
    Fault("drip_1_byte_body", "timeout", _page("drip.test", Drip(interval_s=0.2, chunk=b"x")), error="timeout",
          settings={"timeout_s": 1.0}),
    Fault("drip_1_byte_headers", "timeout", _page("driph.test", Drip(interval_s=0.2, in_headers=True)),
          error="timeout", settings={"timeout_s": 1.0}),
    Fault("truncated_chunked_body", "connect_error", _raw("chunk.test", truncated_chunked), error="connect_error"),
    Fault("invalid_chunk_size", "connect_error", _raw("badchunk.test", bad_chunk_size), error="connect_error"),
    Fault("content_length_too_long", "connect_error", _raw("cllong.test", content_length_too_long),
          error="connect_error"),
    Fault("content_length_too_short", "soft_404", _raw("clshort.test", content_length_too_short)),
    Fault("conflicting_content_lengths", "connect_error", _raw("cldup.test", conflicting_content_lengths),
          error="connect_error"),
    Fault("tls_expired_certificate", "blocked", _expired_tls, error="tls_error"),
    Fault("tls_wrong_host", "blocked", _tls_mode("wrongname.test", "wrong_name"), error="tls_error"),
    Fault("tls_untrusted_self_signed", "blocked", _tls_mode("selfsigned.test", "untrusted"), error="tls_error"),
    Fault("tls_handshake_reset", "connect_error", _tls_raw("tlsrst.test", handshake_reset), error="connect_error"),
    Fault("tls_port_speaks_plain_http", "blocked", _tls_raw("notls.test", plain_http_on_tls), error="tls_error"),
    Fault("dns_nxdomain", "dns_error", _nxdomain, error="dns_error"),
    Fault("dns_servfail", "dns_error", _dns("servfail.test", socket.EAI_FAIL), error="dns_error"),
    Fault("dns_timeout", "dns_error", _dns("dnsslow.test", socket.EAI_AGAIN, delay=0.3), error="dns_error"),
    Fault("server_error_persistent_500", "server_error", _page("e500.test", Page(status=500, body="oops"))),
    Fault("server_error_burst_then_ok", "ok", _burst("burst.test", failures=2), settings={"retries": 2}),
    Fault("server_error_burst_longer_than_retries", "server_error", _burst("burst2.test", failures=5),
          settings={"retries": 2}),
    Fault("rate_limited_retry_after_seconds_long", "rate_limited",
          _page("rate.test", Page(status=429, headers={"Retry-After": "7200"}))),
    Fault("rate_limited_retry_after_seconds_short", "ok", _burst("rate2.test", failures=1, status=429),
          settings={"retries": 1}),
    Fault("rate_limited_retry_after_http_date", "rate_limited", _retry_after_date),
    Fault("rate_limited_retry_after_short_date", "ok", _retry_after_short_date, settings={"retries": 1}),
    Fault("redirect_loop", "server_error", _loop, error="redirect_loop"),
    Fault("redirect_chain_30_hops", "server_error", _chain, error="too_many_redirects"),
    Fault("redirect_to_unparsable_location", "invalid_url", _bad_location, error="invalid_url"),
    Fault("endless_body", "soft_404", _page("endless.test", Endless()), settings={"max_body_bytes": 1_000_000},
          check=_truncated),
    Fault("gzip_bomb", "soft_404", _page("gzbomb.test", GzipBomb(size=1 << 30, encoding="gzip")),
          settings={"max_body_bytes": 1_000_000}, check=_truncated),
    Fault("deflate_bomb", "soft_404", _page("dfbomb.test", GzipBomb(size=1 << 30, encoding="deflate")),
          settings={"max_body_bytes": 1_000_000}, check=_truncated),
    Fault("brotli_bomb", "soft_404", _page("brbomb.test", GzipBomb(size=1 << 30, encoding="br")),
          settings={"max_body_bytes": 1_000_000}, check=_truncated),
    Fault("nested_encodings_gzip_br", "ok", _nested_encoding, check=_text_contains("Явка составила")),
    Fault("unknown_content_encoding", "ok", _unknown_encoding, error="decode_error"),
    Fault("corrupt_gzip_stream", "ok", _corrupt_gzip, error="decode_error"),
    Fault("malformed_html", "ok", _page("malformed.test", Page(body=MALFORMED_HTML))),
    Fault("html_nested_300_deep", "ok", _page("nested300.test", Page(body=NESTED_HTML))),
    Fault("html_nested_50000_deep", "soft_404", _page("deep.test", Page(body=DEEP_HTML))),
    Fault("hostile_html", "ok", _page("hostile.test", Page(body=HOSTILE_HTML))),
    Fault("cp1251_declared_utf8", "ok",
          _charset("mislabel.test", ARTICLE.encode("cp1251"), "text/html; charset=utf-8"),
          check=_text_contains("Явка составила")),
    Fault("kz1048_undeclared", "ok",
          _charset("kz.test", ARTICLE.replace(RU, KK).encode("kz1048"), "text/html"),
          check=_text_contains("Мәжіліс")),
    Fault("koi8r_declared", "ok", _charset("koi.test", ARTICLE.encode("koi8_r"), "text/html; charset=koi8-r"),
          check=_text_contains("Явка составила")),
    Fault("koi8r_undeclared", "ok", _charset("koi2.test", ARTICLE.encode("koi8_r"), "text/html"),
          check=_text_contains("Явка составила")),
    Fault("header_64kb", "connect_error", _raw("bighdr.test", huge_header), error="connect_error"),
    Fault("header_count_300", "connect_error", _raw("manyhdr.test", many_headers), error="connect_error"),
    Fault("garbage_status_line", "connect_error", _raw("garbage.test", garbage_status_line), error="connect_error"),
    Fault("empty_reply", "connect_error", _raw("empty.test", empty_reply), error="connect_error"),
    Fault("status_999", "blocked", _page("s999.test", Page(status=999, body="denied"))),
    Fault("gzip_wrapped_feed_as_html", "ok",
          _page("gzfeed.test", Page(body=zlib.compress(ARTICLE.encode()), headers={"Content-Encoding": "deflate"}))),
]
