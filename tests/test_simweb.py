"""Tests of the simulated web itself, with plain http.client/ssl clients (not the fetcher)."""

from __future__ import annotations

import http.client
import socket
import ssl

import pytest

from kzwatch.sim.sentinel import Sentinel
from kzwatch.sim.simweb import Handler, Page, Redirect


def get(web, host: str, path: str, *, tls: bool = False, headers: dict | None = None):
    if tls:
        # Dial loopback but do SNI and certificate checks for the simulated name.
        context = ssl.create_default_context(cafile=web.ca_path)
        conn = http.client.HTTPConnection("127.0.0.1", web.https_port, timeout=5)
        sock = socket.create_connection(("127.0.0.1", web.https_port), timeout=5)
        conn.sock = context.wrap_socket(sock, server_hostname=host)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", web.http_port, timeout=5)
    conn.request("GET", path, headers={"Host": host, **(headers or {})})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def test_virtual_hosts_route_on_the_host_header(web):
    web.add("a.example", "/", Page(body="A"))
    web.add("b.example", "/", Page(body="B"))
    assert get(web, "a.example", "/")[1] == b"A"
    assert get(web, "b.example", "/")[1] == b"B"
    response, _ = get(web, "a.example", "/missing")
    assert response.status == 404
    assert [(r.host, r.path) for r in web.requests] == [
        ("a.example", "/"), ("b.example", "/"), ("a.example", "/missing")]


def test_https_with_a_certificate_for_each_name(web):
    web.add("secure.example", "/", Page(body="tls"))
    response, body = get(web, "secure.example", "/", tls=True)
    assert (response.status, body) == (200, b"tls")


def test_untrusted_certificate_fails_verification(web):
    web.set_tls("evil.example", "untrusted")
    with pytest.raises(ssl.SSLCertVerificationError):
        get(web, "evil.example", "/", tls=True)


def test_resolver_knows_only_registered_names(web):
    web.add("known.example", "/", Page())
    web.add_name("internal.example", "10.0.0.7")
    assert web.resolver("known.example", 443) == ["127.0.0.1"]
    assert web.resolver("KNOWN.example.", 443) == ["127.0.0.1"]
    assert web.resolver("internal.example", 80) == ["10.0.0.7"]
    assert web.hosts == ("known.example",)
    with pytest.raises(socket.gaierror) as missing:
        web.resolver("unknown.example", 80)
    assert missing.value.errno == socket.EAI_NONAME
    web.fail_host("known.example", "dns_tempfail")
    with pytest.raises(socket.gaierror) as flaky:
        web.resolver("known.example", 80)
    assert flaky.value.errno == socket.EAI_AGAIN
    web.restore_host("known.example")
    web.fail_host("known.example", "refuse")
    assert web.resolver("known.example", 80) == ["127.0.0.2"]


def test_etag_gives_304(web):
    web.add("c.example", "/", Page(body="v1", etag='"abc"'))
    response, body = get(web, "c.example", "/", headers={"If-None-Match": '"abc"'})
    assert response.status == 304 and body == b""
    response, body = get(web, "c.example", "/", headers={"If-None-Match": '"old"'})
    assert response.status == 200 and body == b"v1"


def test_redirect_and_handler_and_soft_404_default(web):
    web.add("r.example", "/old", Redirect("/new", status=308))
    web.add("r.example", "/echo", Handler(lambda req: Page(body=f"{req.method} {req.path}")))
    web.set_default("r.example", Page(status=200, body="Page not found"))
    response, _ = get(web, "r.example", "/old")
    assert response.status == 308 and response.getheader("Location") == "/new"
    assert get(web, "r.example", "/echo?x=1")[1] == b"GET /echo?x=1"
    response, body = get(web, "r.example", "/anything")
    assert response.status == 200 and body == b"Page not found"


def test_url_builds_scheme_host_and_port(web):
    assert web.url("x.example", "/p") == f"https://x.example:{web.https_port}/p"
    assert web.url("x.example", "p", tls=False) == f"http://x.example:{web.http_port}/p"


def test_reset_forgets_routes_and_logs(web):
    web.add("gone.example", "/", Page(body="x"))
    get(web, "gone.example", "/")
    web.reset()
    assert web.requests == [] and web.hosts == ()
    assert get(web, "gone.example", "/")[0].status == 404


def test_sentinel_counts_connections():
    with Sentinel() as sentinel:
        assert sentinel.connections == 0
        socket.create_connection(("127.0.0.1", sentinel.port), timeout=2).close()
        assert sentinel.connections == 1
