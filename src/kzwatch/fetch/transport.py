"""Connections that dial only vetted addresses, a per-request deadline watchdog, and the
classification of transport exceptions into kzwatch's error names."""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.client import HTTPException

import requests
import requests.cookies
import requests.utils
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    LocationParseError,
    NewConnectionError,
    ProtocolError,
)
from urllib3.util import connection as urllib3_connection

from kzwatch.fetch.settings import Resolver
from kzwatch.fetch.ssrf import (
    _DnsFailure,
    _UnsafeTarget,
    resolve_and_vet,
)

log = logging.getLogger(__name__)


# --- Connections that dial only vetted addresses ------------------------------------------------


class _Watch:
    """A deadline watchdog for one request: when it fires, the connection's socket is shut down
    so that any blocked read (headers or body, however slowly a server drips) returns at once."""

    def __init__(self, seconds: float):
        self.fired = False
        # Connections (whose .sock changes: TLS wraps it, a closing response drops it) and the
        # sockets they had when the response began, which http.client keeps reading from.
        self._connections: list[HTTPConnection | socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()

    def register(self, conn: HTTPConnection | socket.socket) -> None:
        with self._lock:
            if conn not in self._connections:
                self._connections.append(conn)
            fired = self.fired
        if fired:
            _shutdown(conn)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            connections = list(self._connections)
        for conn in connections:
            _shutdown(conn)


def _shutdown(conn: HTTPConnection | socket.socket) -> None:
    sock = conn if isinstance(conn, socket.socket) else getattr(conn, "sock", None)
    if sock is None:
        return
    try:
        # The plain-socket method also works under an SSLSocket, without touching SSL state
        # that the reading thread is using.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


@dataclass
class _HopContext:
    """What a connection opened for the current request needs; one per request, per thread."""

    resolver: Resolver
    allow_private: frozenset[str]
    watch: _Watch
    guard: bool = True  # False when a proxy is used (the target was vetted before)
    address: str | None = None  # filled in by the connection: the address dialled


_local = threading.local()


def _context() -> _HopContext:
    ctx = getattr(_local, "ctx", None)
    if ctx is None:
        raise RuntimeError("kzwatch connections may only be opened by Fetcher")
    return ctx


class _GuardedConnectionMixin:
    """Resolve once, vet every address, dial the vetted address (Advocate's technique)."""

    def _new_conn(self) -> socket.socket:  # type: ignore[override]
        ctx = _context()
        conn: HTTPConnection = self  # type: ignore[assignment]
        if not ctx.guard:
            sock = super()._new_conn()  # type: ignore[misc]
            ctx.watch.register(conn)
            return sock
        addresses = resolve_and_vet(conn._dns_host, conn.port, ctx.resolver, ctx.allow_private)
        last_error: OSError | None = None
        for address in addresses:
            try:
                sock = urllib3_connection.create_connection(
                    (address, conn.port),
                    conn.timeout,
                    source_address=conn.source_address,
                    socket_options=conn.socket_options,
                )
            except socket.timeout as exc:
                raise ConnectTimeoutError(conn, f"connect to {conn.host} ({address}) timed out") from exc
            except OSError as exc:
                last_error = exc
                continue
            ctx.address = address
            conn.kz_address = address  # type: ignore[attr-defined]
            ctx.watch.register(conn)
            return sock
        raise NewConnectionError(conn, f"Failed to establish a new connection: {last_error}")

    def request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # A pooled connection that is reused never calls _new_conn: register it here too.
        ctx = getattr(_local, "ctx", None)
        if ctx is not None:
            ctx.watch.register(self)  # type: ignore[arg-type]
        return super().request(*args, **kwargs)  # type: ignore[misc]

    def getresponse(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # http.client drops conn.sock when a response will close the connection, but keeps
        # reading from that socket: remember the socket itself for the watchdog.
        ctx = getattr(_local, "ctx", None)
        sock = getattr(self, "sock", None)
        if ctx is not None and sock is not None:
            ctx.watch.register(sock)
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


_POOL_CLASSES = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


class _GuardedAdapter(HTTPAdapter):
    """An HTTPAdapter whose pools (direct and proxied) use the guarded connections."""

    def init_poolmanager(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOL_CLASSES)

    def proxy_manager_for(self, proxy, **proxy_kwargs):  # type: ignore[no-untyped-def]
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = dict(_POOL_CLASSES)
        return manager



@dataclass
class _Exchange:
    """What one request/response round trip produced (body already read and closed)."""

    url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    bytes_read: int = 0
    truncated: bool = False
    address: str | None = None
    error: str | None = None
    detail: str = ""
    retryable: bool = False

    @property
    def location(self) -> str | None:
        return self.headers.get("location")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes, contexts and urllib3 ``reason``s, without cycles."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for nxt in (getattr(current, "reason", None), current.__cause__, current.__context__,
                    *[a for a in current.args if isinstance(a, BaseException)]):
            if isinstance(nxt, BaseException):
                stack.append(nxt)


def _guard_failure(chain: list[BaseException]) -> tuple[str, str, bool] | None:
    """The SSRF guard's and the resolver's own refusals, wherever they sit in the chain."""
    for cause in chain:
        if isinstance(cause, _UnsafeTarget):
            return "unsafe", str(cause), False
        if isinstance(cause, _DnsFailure):
            return "dns_error", str(cause), cause.kind == "tempfail"
    return None


def _classify(exc: BaseException, watch: _Watch) -> tuple[str, str, bool]:
    """(error, detail, retryable) for an exception raised while talking to a server."""
    chain = list(_causes(exc))
    guarded = _guard_failure(chain)
    if guarded is not None:
        return guarded
    if watch.fired:
        return "timeout", "total deadline reached", False
    if isinstance(exc, requests.exceptions.SSLError) or any(isinstance(c, ssl.SSLError) for c in chain):
        return "tls_error", str(exc)[:300], False
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "timeout", "connect timeout", True
    if isinstance(exc, requests.exceptions.ProxyError):
        return "connect_error", f"proxy: {exc}"[:300], False
    if any(isinstance(c, (socket.timeout, TimeoutError, requests.exceptions.Timeout)) for c in chain):
        return "timeout", "read timeout", True
    return _classify_connection(exc, chain)


def _classify_connection(exc: BaseException, chain: list[BaseException]) -> tuple[str, str, bool]:
    """The failures that are not the guard's, the deadline's, TLS's or a timeout."""
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema, LocationParseError)):
        return "invalid_url", str(exc)[:300], False
    if any(isinstance(c, ConnectionRefusedError) for c in chain):
        return "connect_error", "connection refused", False
    if any(isinstance(c, (ConnectionResetError, BrokenPipeError)) for c in chain):
        return "connect_error", "connection reset", True
    if isinstance(exc, requests.exceptions.InvalidHeader) or any(isinstance(c, ProtocolError) for c in chain):
        # The server's response is broken (a body cut short, a bad chunk size, two different
        # Content-Lengths): a transport failure of that server, not a fault of the cited URL.
        return "connect_error", f"broken response: {exc}"[:300], True
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                        HTTPException, OSError)):
        return "connect_error", str(exc)[:300], True
    raise exc
