"""A simulated web on 127.0.0.1, for the tests and for ``kzwatch demo``.

kzwatch must never need the internet to be tested or demonstrated, yet the fetcher has to meet
everything the real web does: virtual hosts, TLS, redirects, slow and hostile servers, outages
and names that do not resolve.  :class:`SimWeb` runs ONE threaded HTTP server and ONE HTTPS
server on loopback, routes on the ``Host`` header (name-based virtual hosts), and provides a
resolver (:meth:`SimWeb.resolver`) that maps registered names to loopback and raises
``socket.gaierror`` for every other name, so NXDOMAIN is real.  Give that resolver to
:class:`kzwatch.fetch.Fetcher`, list the simulated names in ``allow_private_hosts`` (they live
on loopback), and trust :attr:`SimWeb.ca_path` (a throwaway trustme CA)::

    with SimWeb() as web:
        web.add("news.example", "/a", Page(body="<p>hello</p>"))
        url = web.url("news.example", "/a")            # https://news.example:PORT/a

Routes are plain data (:class:`Page`, :class:`Redirect`) plus a few behaviours
(:class:`Drip`, :class:`Endless`, :class:`GzipBomb`, :class:`Handler`).  Outages are simulated
per host with :meth:`SimWeb.fail_host`.  Every request is logged in :attr:`SimWeb.requests`
(for asserting politeness, conditional GETs, the User-Agent) and its start and end times in
:attr:`SimWeb.spans`.  :class:`kzwatch.sim.sentinel.Sentinel` is a bare listener counting connections, for SSRF
tests that must see zero.

"refuse" outages map the name to 127.0.0.2, where nothing listens (Linux routes all of
127.0.0.0/8 to loopback; the servers bind 127.0.0.1 only).
"""

from __future__ import annotations

import socket
import ssl
import struct
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple, Union

import brotli

# --- Routes --------------------------------------------------------------------------------------


@dataclass
class Page:
    """A plain response.  ``etag``/``last_modified`` make conditional GETs answer 304;
    ``content_encoding`` ("gzip", "deflate", "br") compresses ``body`` on the way out."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    content_encoding: str | None = None


@dataclass
class Redirect:
    to: str  # absolute URL or a path; sent verbatim as Location
    status: int = 301


@dataclass
class Drip:
    """A server that never finishes: one ``chunk`` every ``interval_s`` (in the body, or from the
    very first byte of the status line when ``in_headers``), until the client goes away."""

    interval_s: float = 0.5
    chunk: bytes = b"."
    in_headers: bool = False
    content_type: str = "text/html"
    max_seconds: float = 120.0


@dataclass
class Endless:
    """A body that never ends, sent as fast as the client reads it."""

    chunk_size: int = 64 * 1024
    content_type: str = "text/html"
    max_bytes: int = 8 << 30


@dataclass
class GzipBomb:
    """``size`` bytes of zeros compressed on the fly (a few KB on the wire per MB decoded);
    the server never holds the decoded size in memory.  ``encoding``: gzip, deflate or br."""

    size: int = 1 << 30
    encoding: str = "gzip"
    content_type: str = "text/html"


@dataclass(frozen=True)
class SimRequest:
    """What a :class:`Handler` callable is given."""

    host: str
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-case names
    tls: bool


@dataclass
class Handler:
    """A route computed per request: ``fn(SimRequest) -> Page | Redirect | ...``."""

    fn: Callable[[SimRequest], Route]


Route = Union[Page, Redirect, Drip, Endless, GzipBomb, Handler]


class LoggedRequest(NamedTuple):
    host: str
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-case names
    time: float  # time.monotonic() when the request line and headers had arrived


class Span(NamedTuple):
    host: str
    path: str
    start: float  # time.monotonic()
    end: float


NOT_FOUND = Page(status=404, body=b"<html><body><h1>404 Not Found</h1></body></html>")
FAIL_MODES = ("refuse", "hang", "reset", "nxdomain", "dns_tempfail")


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def _compress(body: bytes, encoding: str | None) -> bytes:
    if not encoding:
        return body
    if encoding == "gzip":
        c = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        return c.compress(body) + c.flush()
    if encoding == "deflate":
        return zlib.compress(body)
    if encoding == "br":
        return brotli.compress(body)
    raise ValueError(f"unknown content encoding {encoding!r}")


# --- Servers -------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, web: SimWeb, tls_context: ssl.SSLContext | None):
        self.web = web
        self.tls_context = tls_context
        super().__init__(("127.0.0.1", 0), _SimHandler)

    def finish_request(self, request, client_address):  # type: ignore[no-untyped-def]
        # The TLS handshake happens here, in the connection's own thread, so a client that
        # stalls mid-handshake never blocks the accept loop.
        if self.tls_context is not None:
            request.settimeout(10)
            try:
                request = self.tls_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                request.close()
                return
            request.settimeout(None)
        try:
            super().finish_request(request, client_address)
        except OSError:
            pass
        finally:
            try:
                request.close()
            except OSError:
                pass


def _host_of(header: str | None) -> str:
    value = (header or "").strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1]
    return value.rsplit(":", 1)[0] if ":" in value else value


class _SimHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "simweb/1.0"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass  # the SimWeb request log replaces stderr chatter

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve()

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve()

    def do_POST(self) -> None:  # noqa: N802
        self._serve()

    # -- dispatch --

    def _serve(self) -> None:
        web = self.server.web
        host = _host_of(self.headers.get("Host"))
        headers = {k.lower(): v for k, v in self.headers.items()}
        started = time.monotonic()
        web.requests.append(LoggedRequest(host, self.command, self.path, headers, started))
        try:
            failure = web._failures.get(host)
            if failure == "hang":
                self.close_connection = True
                web._stopping.wait(60)
                return
            if failure == "reset":
                self._reset()
                return
            route = web._route_for(host, self.path)
            if isinstance(route, Handler):
                request = SimRequest(host, self.command, self.path, headers, self.server.tls_context is not None)
                try:
                    route = route.fn(request)
                except Exception as exc:  # noqa: BLE001 - a broken handler is a 500, visibly
                    route = Page(status=500, body=f"handler failed: {exc!r}")
            self._dispatch(route)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True
        finally:
            web.spans.append(Span(host, self.path, started, time.monotonic()))

    def _dispatch(self, route: Route) -> None:
        if isinstance(route, Page):
            self._page(route)
        elif isinstance(route, Redirect):
            self.send_response(route.status)
            self.send_header("Location", route.to)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif isinstance(route, Drip):
            self._drip(route)
        elif isinstance(route, Endless):
            self._endless(route)
        elif isinstance(route, GzipBomb):
            self._bomb(route)
        else:
            raise TypeError(f"not a route: {route!r}")

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        socket.socket.close(self.connection)

    def _page(self, page: Page) -> None:
        body = _as_bytes(page.body)
        if self._not_modified(page):
            self.send_response(304)
            if page.etag:
                self.send_header("ETag", page.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        encoded = _compress(body, page.content_encoding)
        self.send_response(page.status)
        if page.content_type:
            self.send_header("Content-Type", page.content_type)
        if page.etag:
            self.send_header("ETag", page.etag)
        if page.last_modified:
            self.send_header("Last-Modified", page.last_modified)
        if page.content_encoding:
            self.send_header("Content-Encoding", page.content_encoding)
        for name, value in page.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(encoded)

    def _not_modified(self, page: Page) -> bool:
        if page.status != 200:
            return False
        if_none_match = self.headers.get("If-None-Match")
        if page.etag and if_none_match:
            tags = [t.strip() for t in if_none_match.split(",")]
            return page.etag in tags or "*" in tags
        if page.last_modified and self.headers.get("If-Modified-Since") == page.last_modified:
            return True
        return False

    def _stream_headers(self, content_type: str, extra: dict[str, str] | None = None) -> None:
        # No Content-Length: the body ends when the connection closes.
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()

    def _drip(self, drip: Drip) -> None:
        web = self.server.web
        deadline = time.monotonic() + drip.max_seconds
        self.close_connection = True
        if drip.in_headers:
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n":
                if web._stopping.wait(drip.interval_s) or time.monotonic() > deadline:
                    return
                self.wfile.write(bytes([byte]))
            return
        self._stream_headers(drip.content_type)
        while not web._stopping.is_set() and time.monotonic() < deadline:
            self.wfile.write(drip.chunk)
            self.wfile.flush()
            web._stopping.wait(drip.interval_s)

    def _endless(self, endless: Endless) -> None:
        self._stream_headers(endless.content_type)
        chunk = b"a" * endless.chunk_size
        sent = 0
        while sent < endless.max_bytes and not self.server.web._stopping.is_set():
            self.wfile.write(chunk)
            sent += len(chunk)

    def _bomb(self, bomb: GzipBomb) -> None:
        self._stream_headers(bomb.content_type, {"Content-Encoding": bomb.encoding})
        if self.command == "HEAD":
            return
        block = bytes(1 << 20)
        if bomb.encoding == "br":
            compressor = brotli.Compressor(quality=5)
            compress, finish = compressor.process, compressor.finish
        else:
            wbits = 16 + zlib.MAX_WBITS if bomb.encoding == "gzip" else zlib.MAX_WBITS
            zc = zlib.compressobj(9, zlib.DEFLATED, wbits)
            compress, finish = zc.compress, zc.flush
        produced = 0
        while produced < bomb.size and not self.server.web._stopping.is_set():
            piece = block[: min(len(block), bomb.size - produced)]
            produced += len(piece)
            out = compress(piece)
            if out:
                self.wfile.write(out)
        self.wfile.write(finish())


# --- The simulated web -----------------------------------------------------------------------------


class SimWeb:
    """One HTTP and one HTTPS server on 127.0.0.1 with name-based virtual hosts.  See module doc."""

    def __init__(self, *, tls: bool = True):
        self._tls_wanted = tls
        self._routes: dict[tuple[str, str], Route] = {}
        self._defaults: dict[str, Route] = {}
        self._names: dict[str, str] = {}  # hostname -> address the resolver answers
        self._failures: dict[str, str] = {}
        self._tls_modes: dict[str, str] = {}
        self._stopping = threading.Event()
        self.requests: list[LoggedRequest] = []
        self.spans: list[Span] = []
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self._http: _Server | None = None
        self._https: _Server | None = None
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        self.ca_path: str | None = None
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._contexts_lock = threading.Lock()

    # -- lifecycle --

    def start(self) -> SimWeb:
        if self._http is not None:
            return self
        self._stopping.clear()
        self._http = _Server(self, None)
        self._servers.append(self._http)
        if self._tls_wanted:
            self._https = _Server(self, self._make_tls_context())
            self._servers.append(self._https)
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                      name="simweb", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()
        self._http = self._https = None
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None

    def __enter__(self) -> SimWeb:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget routes, names, failures and logs; keep the servers and the CA."""
        self._routes.clear()
        self._defaults.clear()
        self._names.clear()
        self._failures.clear()
        self._tls_modes.clear()
        self.requests.clear()
        self.spans.clear()

    # -- ports and URLs --

    @property
    def http_port(self) -> int:
        if self._http is None:
            raise RuntimeError("SimWeb is not started")
        return self._http.server_address[1]

    @property
    def https_port(self) -> int:
        if self._https is None:
            raise RuntimeError("SimWeb has no HTTPS server (not started, or tls=False)")
        return self._https.server_address[1]

    def url(self, host: str, path: str = "/", tls: bool = True) -> str:
        """``https://host:PORT/path`` (or http) for a simulated host."""
        if not path.startswith("/"):
            path = "/" + path
        if tls:
            return f"https://{host}:{self.https_port}{path}"
        return f"http://{host}:{self.http_port}{path}"

    # -- routes --

    def add(self, host: str, path: str, route: Route) -> None:
        """Serve ``route`` at ``path`` (with or without a query string) on ``host``."""
        host = host.lower()
        self._names.setdefault(host, "127.0.0.1")
        self._routes[(host, path)] = route

    def set_default(self, host: str, route: Route) -> None:
        """What ``host`` answers for paths without a route (404 unless set)."""
        host = host.lower()
        self._names.setdefault(host, "127.0.0.1")
        self._defaults[host] = route

    def add_name(self, host: str, address: str = "127.0.0.1") -> None:
        """Make ``host`` resolve to ``address`` (any address: SSRF tests use internal ones)."""
        self._names[host.lower()] = address

    @property
    def hosts(self) -> tuple[str, ...]:
        """Every name the resolver knows that points at the simulated servers."""
        return tuple(h for h, a in self._names.items() if a == "127.0.0.1")

    def fail_host(self, host: str, mode: str = "refuse") -> None:
        """Simulate an outage: refuse (TCP refused), hang (never answers), reset (RST after the
        request), nxdomain (the name stops resolving), dns_tempfail (EAI_AGAIN)."""
        if mode not in FAIL_MODES:
            raise ValueError(f"mode must be one of {FAIL_MODES}")
        self._names.setdefault(host.lower(), "127.0.0.1")
        self._failures[host.lower()] = mode

    def restore_host(self, host: str) -> None:
        self._failures.pop(host.lower(), None)

    def set_tls(self, host: str, mode: str) -> None:
        """``"untrusted"``: serve ``host`` a certificate from a CA nobody trusts;
        ``"wrong_name"``: a trusted certificate for another name; ``"ok"``: the normal one."""
        if mode not in ("ok", "untrusted", "wrong_name"):
            raise ValueError("mode must be ok, untrusted or wrong_name")
        self._names.setdefault(host.lower(), "127.0.0.1")
        self._tls_modes[host.lower()] = mode

    def _route_for(self, host: str, path: str) -> Route:
        route = self._routes.get((host, path))
        if route is None:
            route = self._routes.get((host, path.split("?", 1)[0]))
        if route is None:
            route = self._defaults.get(host, NOT_FOUND)
        return route

    # -- DNS --

    def resolver(self, host: str, port: int) -> list[str]:
        """The simulated DNS: registered names resolve, everything else is NXDOMAIN."""
        name = host.rstrip(".").lower()
        failure = self._failures.get(name)
        if failure == "nxdomain" or name not in self._names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if failure == "dns_tempfail":
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        if failure == "refuse":
            return ["127.0.0.2"]
        return [self._names[name]]

    # -- TLS --

    def _make_tls_context(self) -> ssl.SSLContext:
        try:
            import trustme
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError("SimWeb needs the 'trustme' package for HTTPS; use SimWeb(tls=False)") from exc
        self._ca = trustme.CA()
        self._rogue_ca = trustme.CA()
        self._tmpdir = tempfile.TemporaryDirectory(prefix="kzwatch-simweb-")
        ca_file = Path(self._tmpdir.name) / "simweb-ca.pem"
        self._ca.cert_pem.write_to_path(str(ca_file))
        self.ca_path = str(ca_file)
        base = self._leaf_context(self._ca, "localhost", "127.0.0.1")
        base.sni_callback = self._on_sni
        return base

    @staticmethod
    def _leaf_context(ca, *names: str) -> ssl.SSLContext:  # type: ignore[no-untyped-def]
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert(*names).configure_cert(context)
        return context

    def _on_sni(self, sock: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        if not name:
            return
        name = name.lower()
        mode = self._tls_modes.get(name, "ok")
        key = f"{mode}:{name}"
        with self._contexts_lock:
            context = self._contexts.get(key)
            if context is None:
                if mode == "untrusted":
                    context = self._leaf_context(self._rogue_ca, name)
                elif mode == "wrong_name":
                    context = self._leaf_context(self._ca, "wrong-name.invalid")
                else:
                    context = self._leaf_context(self._ca, name)
                self._contexts[key] = context
        sock.context = context
