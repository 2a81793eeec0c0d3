"""SSRF corpus: every vector is refused, and sentinel listeners count zero connections.

The fetcher runs as in production: ``allow_private_hosts`` is EMPTY.  "Public" servers are
simulated by a NAT in the test: the simulated names ``pub*.test`` resolve to the documentation-
free public address 93.184.216.34, and ``socket.connect`` to that address is redirected to the
loopback simulated web.  Every address actually dialled is logged; a vector passes when

* the fetch ends refused (``unsafe`` or ``invalid_url``) where the table says so,
* the IPv4 and IPv6 sentinels on the target port accepted **zero** connections, and
* nothing but the NAT'd public address was ever dialled (no private, loopback or link-local
  address; the autouse ``no_internet`` guard is a second net for non-loopback ones).

Vectors: IP literal spellings, IPv6 embeddings and zone ids, DNS names answering private
addresses, rebinding, redirects into private space at every hop, non-http schemes (directly,
through redirects and through meta refresh), userinfo and parser-differential tricks, proxies
from the environment, and the same through feeds, listings, sitemaps and archive answers.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pytest

from kzwatch.archive import ArchiveClient, ArchiveSettings
from kzwatch.sim.sentinel import Sentinel
from kzwatch.sim.simweb import Page, Redirect

PUBLIC = "93.184.216.34"
REFUSED = ("unsafe", "invalid_url")


class Sentinel6:
    """An IPv6 loopback listener on a given port (the IPv4 sentinel's), counting connections."""

    def __init__(self, port: int) -> None:
        self.count = 0
        self._sock: socket.socket | None = None
        try:
            sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(("::1", port))
            sock.listen(8)
            sock.settimeout(0.05)
            self._sock = sock
        except OSError:  # no IPv6 loopback here: the IPv4 sentinel and the dial log remain
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self.count += 1
            conn.close()

    def close(self) -> None:
        if self._sock is not None:
            self._stop.set()
            self._thread.join(timeout=1)
            self._sock.close()


@dataclass
class Net:
    web: object
    port: int  # the sentinels' port: every private target uses it
    dialled: list[tuple[str, int]] = field(default_factory=list)
    dns: dict[str, list[str]] = field(default_factory=dict)
    rebinding: dict[str, list[list[str]]] = field(default_factory=dict)
    lookups: dict[str, int] = field(default_factory=dict)
    trusted: set[tuple[str, int]] = field(default_factory=set)  # e.g. the operator's proxy

    def resolver(self, host: str, port: int) -> list[str]:
        name = host.rstrip(".").lower()
        self.lookups[name] = self.lookups.get(name, 0) + 1
        if name in self.rebinding:
            answers = self.rebinding[name]
            return answers[min(self.lookups[name] - 1, len(answers) - 1)]
        if name in self.dns:
            return self.dns[name]
        return self.web.resolver(name, port)  # type: ignore[attr-defined]

    def public(self, name: str) -> None:
        self.web.add_name(name, PUBLIC)  # type: ignore[attr-defined]

    def bad_dials(self) -> list[tuple[str, int]]:
        return [d for d in self.dialled if d[0] != PUBLIC and d not in self.trusted]


@pytest.fixture
def sentinels() -> Iterator[tuple[Sentinel, Sentinel6]]:
    with Sentinel() as v4:
        v6 = Sentinel6(v4.port)
        yield v4, v6
        v6.close()


@pytest.fixture
def net(web, sentinels, monkeypatch) -> Iterator[Net]:
    state = Net(web=web, port=sentinels[0].port)
    guarded_connect = socket.socket.connect

    def nat_connect(sock: socket.socket, address: object) -> None:
        if isinstance(address, tuple):
            state.dialled.append((str(address[0]), int(address[1])))
            if address[0] == PUBLIC:
                address = ("127.0.0.1", address[1])
        return guarded_connect(sock, address)

    guarded_getaddrinfo = socket.getaddrinfo

    def nat_getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == PUBLIC:  # a numeric "lookup" of the NAT'd address: no DNS involved
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (PUBLIC, int(port or 0)))]
        return guarded_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", nat_connect)
    monkeypatch.setattr(socket, "getaddrinfo", nat_getaddrinfo)
    yield state
    v4, v6 = sentinels
    assert v4.connections == 0, "a connection reached the IPv4 sentinel"
    assert v6.count == 0, "a connection reached the IPv6 sentinel"
    assert state.bad_dials() == [], f"dialled non-public addresses: {state.bad_dials()}"


@pytest.fixture
def strict(fetcher, net):
    """A production-like fetcher: nothing allow-listed, robots on, the test's resolver."""
    return lambda **kw: fetcher(allow_private_hosts=(), resolver=net.resolver, **kw)


def _refused(result) -> None:
    assert result.error in REFUSED, (result.error, result.error_detail, result.status)


# --- IP literals in every spelling ---------------------------------------------------------------

IPV4_LITERALS = [
    "127.0.0.1", "2130706433", "017700000001", "0x7f000001", "0x7F000001", "0x7f.0.0.1", "0177.0.0.1",
    "0177.0.0.01", "00000177.0.0.1", "127.1", "127.0.1", "0x7f.1", "127.000.000.001", "0x7f.0x00.0x00.0x01",
    "127.0.0.1.", "0", "0.0.0.0", "0x0", "127.255.255.254", "127.127.127.127",
    "10.0.0.1", "012.0.0.1", "167772161", "172.16.0.1", "172.31.255.255", "192.168.0.1", "3232235521",
    "0xc0a80001", "169.254.169.254", "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518",
    "100.64.0.1", "198.18.0.1", "192.0.0.1", "224.0.0.1", "255.255.255.255", "240.0.0.1",
]
IPV6_LITERALS = [
    "[::1]", "[0:0:0:0:0:0:0:1]", "[0000::0001]", "[::]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
    "[::ffff:10.0.0.1]", "[::ffff:169.254.169.254]", "[::127.0.0.1]", "[::7f00:1]",
    "[64:ff9b::127.0.0.1]", "[64:ff9b::7f00:1]", "[64:ff9b::a9fe:a9fe]", "[64:ff9b:1::7f00:1]",
    "[2002:7f00:1::]", "[2002:a9fe:a9fe::1]", "[2001:0:4136:e378:8000:63bf:80ff:fffe]",  # Teredo of 127.0.0.1
    "[fe80::1]", "[fe80::1%25lo]", "[fe80::1%25eth0]", "[::1%25lo]", "[fc00::1]", "[fd00:ec2::254]",
    "[fd00::1]", "[ff02::1]", "[fec0::1]", "[100::1]",
]


@pytest.mark.parametrize("host", IPV4_LITERALS + IPV6_LITERALS)
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_ip_literal_is_refused(strict, net, host, scheme):
    result = strict().fetch(f"{scheme}://{host}:{net.port}/latest/meta-data/")
    _refused(result)


# --- names that answer private addresses ---------------------------------------------------------

PRIVATE_ANSWERS = {
    "loopback.evil.test": ["127.0.0.1"],
    "ten.evil.test": ["10.1.2.3"],
    "metadata.evil.test": ["169.254.169.254"],
    "v6loop.evil.test": ["::1"],
    "v6mapped.evil.test": ["::ffff:127.0.0.1"],
    "nat64.evil.test": ["64:ff9b::7f00:1"],
    "ula.evil.test": ["fd12:3456::1"],
    "mixed.evil.test": [PUBLIC, "127.0.0.1"],  # one good answer does not excuse a bad one
    "mixed2.evil.test": ["127.0.0.1", PUBLIC],
    "zero.evil.test": ["0.0.0.0"],
    "cgnat.evil.test": ["100.100.100.200"],  # Alibaba's metadata address
    "localhost": ["127.0.0.1"],
    "LOCALHOST.": ["127.0.0.1"],
}


@pytest.mark.parametrize("name", sorted(PRIVATE_ANSWERS))
def test_name_answering_private_space_is_refused(strict, net, name):
    net.dns[name.rstrip(".").lower()] = PRIVATE_ANSWERS[name]
    result = strict().fetch(f"http://{name}:{net.port}/")
    assert result.error == "unsafe", (result.error, result.error_detail)


@pytest.mark.parametrize("later", [["127.0.0.1"], ["169.254.169.254"], ["::1"]])
def test_rebinding_after_a_public_answer_is_refused(strict, net, web, later):
    """The first lookups answer the public address (robots.txt passes), later ones a private one."""
    name = "rebind.evil.test"
    # Connection: close, so the page needs a new connection (and a new lookup) after robots.txt
    close = {"Connection": "close"}
    web.add(name, "/robots.txt", Page(body="User-agent: *\nAllow: /\n", content_type="text/plain", headers=close))
    web.add(name, "/page", Page(body="<title>x</title><p>public page</p>", headers=close))
    net.rebinding[name] = [[PUBLIC], later]
    result = strict().fetch(f"http://{name}:{web.http_port}/page")
    assert net.lookups[name] >= 2  # it really was asked again, and refused the second answer
    assert result.error == "unsafe", (result.error, result.error_detail)


def test_rebinding_on_the_redirect_hop_is_refused(strict, net, web):
    net.public("pub.test")
    web.add("pub.test", "/a", Redirect(f"http://rebind2.evil.test:{web.http_port}/b"))
    web.add("rebind2.evil.test", "/b", Page(body="x"))
    net.rebinding["rebind2.evil.test"] = [["127.0.0.1"]]
    result = strict(respect_robots=False).fetch(web.url("pub.test", "/a", tls=False))
    assert result.error == "unsafe"


# --- redirects into private space at every hop -----------------------------------------------------

REDIRECT_TARGETS = ["http://127.0.0.1:{port}/", "http://2130706433:{port}/", "http://[::1]:{port}/",
                    "http://[::ffff:127.0.0.1]:{port}/", "http://loopback.evil.test:{port}/",
                    "http://169.254.169.254/latest/meta-data/", "https://10.0.0.1/", "//127.0.0.1:{port}/x",
                    "file:///etc/passwd", "gopher://127.0.0.1:{port}/_GET%20/", "ftp://127.0.0.1:{port}/",
                    "http://user@127.0.0.1:{port}/"]


@pytest.mark.parametrize("hop", [1, 2, 3, 5])
@pytest.mark.parametrize("target", REDIRECT_TARGETS)
def test_redirect_into_private_space_is_refused_at_any_hop(strict, net, web, hop, target):
    net.dns["loopback.evil.test"] = ["127.0.0.1"]
    for i in range(hop):
        net.public(f"pub{i}.test")
    for i in range(hop - 1):
        web.add(f"pub{i}.test", "/r", Redirect(web.url(f"pub{i + 1}.test", "/r", tls=False), status=302))
    web.add(f"pub{hop - 1}.test", "/r", Redirect(target.format(port=net.port), status=307))
    result = strict(respect_robots=False).fetch(web.url("pub0.test", "/r", tls=False))
    _refused(result)
    assert len(result.hops) == hop + 1


# --- non-http schemes --------------------------------------------------------------------------------

SCHEMES = ["file:///etc/passwd", "file://localhost/etc/passwd", "FILE:///etc/passwd", "file:/etc/passwd",
           "gopher://127.0.0.1:{port}/_x", "ftp://127.0.0.1:{port}/", "dict://127.0.0.1:{port}/info",
           "ldap://127.0.0.1:{port}/", "sftp://127.0.0.1:{port}/", "tftp://127.0.0.1:{port}/x",
           "jar:http://127.0.0.1:{port}/x.jar!/", "netdoc:///etc/passwd", "data:text/html,<script>alert(1)</script>",
           "javascript:alert(1)", "ws://127.0.0.1:{port}/", "view-source:http://127.0.0.1:{port}/",
           " file:///etc/passwd", "source:file:///etc/passwd"]


@pytest.mark.parametrize("url", SCHEMES)
def test_non_http_scheme_is_refused_directly(strict, net, url):
    result = strict().fetch(url.format(port=net.port))
    _refused(result)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "gopher://127.0.0.1:{port}/_x", "javascript:alert(1)",
                                    "data:text/plain,hi"])
def test_meta_refresh_and_js_redirects_are_not_followed(strict, net, web, target):
    """The fetcher follows HTTP redirects only; a page's meta refresh, <base> or script is data."""
    net.public("pub.test")
    url = target.format(port=net.port)
    web.add("pub.test", "/m", Page(body=f'<html><head><meta http-equiv="refresh" content="0; url={url}">'
                                        f'<base href="{url}"><script>location="{url}"</script></head>'
                                        "<body><p>moved</p></body></html>"))
    result = strict(respect_robots=False).fetch(web.url("pub.test", "/m", tls=False))
    assert result.error is None and result.status == 200 and len(result.hops) == 1


# --- userinfo and parser differentials --------------------------------------------------------------

TRICKS = ["http://good.test@127.0.0.1:{port}/", "http://pub.test:80@127.0.0.1:{port}/",
          "http://127.0.0.1:{port}@pub.test/", "http://pub.test\\@127.0.0.1:{port}/", "http://pub.test%40127.0.0.1:{port}/",
          "http://:@127.0.0.1:{port}/", "http://user:pass@[::1]:{port}/", "http://127.0.0.1:{port}#@pub.test/",
          "http://127.0.0.1:{port}?@pub.test/", "http://127.0.0.1\t:{port}/", "http://127.0.0.1%00.pub.test:{port}/",
          "http://127。0。0。1:{port}/", "http://①②⑦.⓪.⓪.①:{port}/", "http://0x7f.0x0.0x0.0x1:{port}/",
          "http://[::ffff:127.0.0.1]:{port}@pub.test/"]


@pytest.mark.parametrize("url", TRICKS)
def test_userinfo_and_parser_tricks_are_refused(strict, net, url):
    result = strict().fetch(url.format(port=net.port))
    # "pub.test%40127.0.0.1" is one (unresolvable) name, not a way to 127.0.0.1: NXDOMAIN is fine
    assert result.error in (*REFUSED, "dns_error"), (result.error, result.error_detail)


# --- proxies from the environment -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/", "http://10.0.0.1/", "http://[::1]:{port}/",
                                 "http://loopback.evil.test:{port}/", "http://0x7f.1:{port}/"])
def test_a_proxy_in_the_environment_does_not_carry_private_targets(strict, net, forward_proxy, monkeypatch, url):
    net.trusted.add(("127.0.0.1", int(forward_proxy.url.rsplit(":", 1)[1])))
    monkeypatch.setenv("HTTP_PROXY", forward_proxy.url)
    monkeypatch.setenv("HTTPS_PROXY", forward_proxy.url)
    net.dns["loopback.evil.test"] = ["127.0.0.1"]
    result = strict(respect_robots=False).fetch(url.format(port=net.port))
    assert result.error == "unsafe", (result.error, result.error_detail)
    assert forward_proxy.lines == []  # the proxy was never even asked


def test_a_proxy_does_not_carry_a_redirect_into_private_space(strict, net, web, forward_proxy, monkeypatch):
    net.trusted.add(("127.0.0.1", int(forward_proxy.url.rsplit(":", 1)[1])))
    monkeypatch.setenv("HTTP_PROXY", forward_proxy.url)
    net.public("pub.test")
    web.add("pub.test", "/r", Redirect(f"http://127.0.0.1:{net.port}/admin"))
    result = strict(respect_robots=False).fetch(web.url("pub.test", "/r", tls=False))
    assert result.error == "unsafe"
    assert all(f":{net.port}/" not in line for line in forward_proxy.lines)


# --- the same through feeds, listings, sitemaps and archive answers ---------------------------------

PRIVATE_LINKS = ["http://127.0.0.1:{port}/a", "http://2130706433:{port}/b", "http://[::ffff:127.0.0.1]:{port}/c",
                 "http://loopback.evil.test:{port}/d", "http://169.254.169.254/latest/meta-data/"]


def _source_bodies(port: int) -> dict[str, tuple[str, bytes, str, str]]:
    # the last link is same-site (a listing keeps only those) but its name answers 127.0.0.1
    links = [u.format(port=port) for u in [*PRIVATE_LINKS, "http://evil.feeds.test:{port}/e"]]
    items = "".join(f"<item><title>Явка на выборах {i}</title><link>{u}</link>"
                    f"<pubDate>Mon, 01 Mar 2026 05:00:00 +0000</pubDate></item>" for i, u in enumerate(links))
    rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    urlset = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
              + "".join(f"<url><loc>{u}</loc><lastmod>2026-03-01</lastmod></url>" for u in links) + "</urlset>")
    listing = "<html><body>" + "".join(f'<div class="n"><a href="{u}">Явка {i}</a></div>' for i, u in enumerate(links))
    return {"rss": ("rss", rss.encode(), "application/rss+xml", ""),
            "sitemap": ("sitemap", urlset.encode(), "application/xml", ""),
            "listing": ("listing", (listing + "</body></html>").encode(), "text/html", 'selector = "div.n a"\n')}


@pytest.mark.parametrize("source", ["rss", "sitemap", "listing"])
def test_private_links_in_sources_are_never_fetched(strict, net, web, tmp_path, source):
    from kzwatch.config import load_config
    from kzwatch.cycles import direct

    net.dns["loopback.evil.test"] = ["127.0.0.1"]
    net.dns["evil.feeds.test"] = ["127.0.0.1"]
    net.public("feeds.test")
    net.public("canary.test")
    kind, body, content_type, extra = _source_bodies(net.port)[source]
    web.add("feeds.test", "/src", Page(body=body, content_type=content_type))
    web.add("canary.test", "/", Page(body="ok", content_type="text/plain"))
    (tmp_path / "c.csv").write_text("footnote,url,title,outlet,author,published,accessed\n", encoding="utf-8")
    (tmp_path / "k.toml").write_text(f"""
[warehouse]
path = "w.duckdb"
[[article]]
id = "a"
citations = "c.csv"
[[feed]]
url = "{web.url('feeds.test', '/src', tls=False)}"
kind = "{kind}"
outlet = "O"
{extra}
[fetch]
canary_urls = ["{web.url('canary.test', '/', tls=False)}"]
[archive]
enabled = false
""", encoding="utf-8")
    summary = direct.run("discover", load_config(tmp_path / "k.toml"), datetime(2026, 3, 1, 6, tzinfo=timezone.utc),
                         fetcher=strict(respect_robots=False))
    assert summary.failed_sources == 0 and summary.new_items >= 1
    assert net.lookups.get("evil.feeds.test")  # its page was asked for, and refused


def test_private_citations_in_a_check_cycle_are_recorded_unsafe(strict, net, web, tmp_path):
    from kzwatch.config import load_config
    from kzwatch.cycles import direct
    from kzwatch.store import open_readonly

    net.dns["loopback.evil.test"] = ["127.0.0.1"]
    net.public("canary.test")
    web.add("canary.test", "/", Page(body="ok", content_type="text/plain"))
    urls = [u.format(port=net.port) for u in PRIVATE_LINKS]
    rows = ["footnote,url,title,outlet,author,published,accessed"] + [f"{i},{u},T,O,,," for i, u in enumerate(urls, 1)]
    (tmp_path / "c.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "k.toml").write_text(f"""
[warehouse]
path = "w.duckdb"
[[article]]
id = "a"
citations = "c.csv"
[fetch]
canary_urls = ["{web.url('canary.test', '/', tls=False)}"]
[archive]
enabled = false
""", encoding="utf-8")
    config = load_config(tmp_path / "k.toml")
    direct.run("check", config, datetime(2026, 3, 1, 6, tzinfo=timezone.utc), fetcher=strict())
    with open_readonly(config.warehouse_path) as con:
        outcomes = [r[0] for r in con.execute("SELECT outcome FROM checks").fetchall()]
    assert outcomes and set(outcomes) == {"unsafe"}


@pytest.mark.parametrize("replay", ["http://127.0.0.1:{port}/web/2021/x", "http://[::1]:{port}/web/2021/x",
                                    "http://169.254.169.254/web/2021/x", "file:///etc/passwd"])
def test_archive_answers_pointing_into_private_space_are_not_fetched(strict, net, web, replay):
    net.public("wayback.test")
    url = replay.format(port=net.port)
    web.add("wayback.test", "/wayback/available", Page(
        body='{"archived_snapshots": {"closest": {"available": true, "status": "200", '
             f'"url": "{url}", "timestamp": "20210101000000"}}}}}}', content_type="application/json"))
    web.set_default("wayback.test", Page(status=404, body=""))
    instance = strict(respect_robots=False)
    settings = ArchiveSettings(availability_endpoint=web.url("wayback.test", "/wayback/available", tls=False),
                               cdx_endpoint=web.url("wayback.test", "/cdx", tls=False),
                               timegate_endpoints=(web.url("wayback.test", "/web/", tls=False),),
                               replay_prefix=url.split("/web/")[0] + "/web/", max_per_minute=600)
    client = ArchiveClient(lambda u, headers=None: instance.fetch(u, headers=headers), settings)
    capture = client.find_capture("https://news.test/a", date(2021, 1, 28))
    if capture is not None:
        memento = client.fetch_memento(capture)
        assert memento is None or memento.error in REFUSED


def test_corpus_size():
    """The figure quoted in docs/RELIABILITY.md: distinct vectors (before the http/https and
    hop multipliers of the parametrisation)."""
    vectors = (len(IPV4_LITERALS) + len(IPV6_LITERALS) + len(PRIVATE_ANSWERS) + 3 + 1 + len(REDIRECT_TARGETS)
               + len(SCHEMES) + 4 + len(TRICKS) + 5 + 1 + 3 + 1 + 4)
    assert vectors >= 80
