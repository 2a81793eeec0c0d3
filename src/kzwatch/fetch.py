"""The one module of kzwatch that talks to the network: a safe, polite HTTP fetcher.

Every cited URL is input from the outside world, and so is every redirect it answers with.
This module turns "fetch this URL" into a :class:`kzwatch.model.FetchResult` without ever
raising for a network problem, and without letting a URL make kzwatch reach somewhere it should
not.  What it guarantees, and how:

* **Scheme and syntax.** Only ``http``/``https``.  Other schemes (``file:``, ``gopher:``...)
  give ``error="unsafe"``; malformed URLs (userinfo ``user@host``, control characters, spaces,
  backslashes, no host) give ``error="invalid_url"``.
* **SSRF guard at connect time.** A custom urllib3 connection resolves the host ONCE through
  the injected resolver, checks every returned address against :func:`address_problem`
  (private, loopback, link-local, CGNAT, metadata, multicast, reserved, and IPv6 embeddings of
  those: IPv4-mapped, 6to4, Teredo, NAT64) and then dials exactly that checked address; the
  ``Host`` header, TLS SNI and certificate verification still use the hostname.  Odd IPv4
  spellings in URLs (``2130706433``, ``0x7f.1``, ``127.1``) are normalised with
  ``inet_aton`` semantics and judged as the address they really are.  The check runs on every
  hop and is never cached, so DNS rebinding between a check and a connect cannot slip past
  it.  Only hostnames listed (exactly, case-insensitively) in
  ``FetchSettings.allow_private_hosts`` may reach private addresses; the cloud metadata
  addresses stay refused even then.
* **Proxies** come from the environment (``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``, read
  per request through requests' own helpers).  Through a proxy the socket only ever reaches
  the proxy, so the target's address is resolved and checked locally before each hop.
  *Residual risk:* the proxy resolves the name again, so a rebinding DNS server could hand the
  proxy a different, internal address; a proxy used with kzwatch must enforce the same egress
  deny list itself.
* **TLS** verification is always on.  The CA bundle is ``FetchSettings.ca_bundle`` if set,
  else ``REQUESTS_CA_BUNDLE``/``SSL_CERT_FILE`` from the environment, else certifi's.
* **One total deadline per URL** (``timeout_s``) covering robots.txt, every hop, retries and
  the body: a watchdog shuts the socket down when it passes, so a server dripping one byte
  every half second (in the headers or in the body) ends with ``error="timeout"``.  Time spent
  waiting for our own politeness turn is not counted.
* **Bounded memory.** Content-encodings (gzip, deflate, br, stacked) are decoded here in a
  streaming loop whose decompressors are capped per call, so a 1 GiB gzip bomb stops at
  ``max_body_bytes`` holding little more than that in memory.  Hitting the cap is not an
  error: ``truncated=True`` and the first ``max_body_bytes`` are kept.
* **Politeness.** An honest User-Agent; one request at a time per host with
  ``per_host_delay_s`` between the end of one request and the start of the next (shared by
  every call on one :class:`Fetcher`, thread-safe); robots.txt per RFC 9309 (see
  :class:`RobotsRules`), cached per origin; ``Retry-After`` honoured within the deadline.

robots.txt choices (RFC 9309): the group for our product token (the User-Agent up to the
first ``/``, i.e. ``kzwatch``) is used, else the ``*`` group; ``*`` and ``$`` wildcards are
supported; the longest matching rule wins and ``Allow`` wins ties.  A 2xx robots.txt is
parsed (first 500 KiB); 4xx, or more than 5 redirects, means "no restrictions"; 5xx means
"disallow everything" (``error="robots_denied"``, ``error_detail="robots_unreachable"``).
When robots.txt cannot be fetched at all because the host itself is unreachable (DNS
failure, refused connection, timeout, TLS failure) the page is reported with that error
instead: the page lives on the same host, and "the host is gone" is what a link checker needs
to hear, not "robots said no".

Conditional GET: ``If-None-Match``/``If-Modified-Since`` are sent on every hop (the stored
validators usually belong to the final URL of a redirect chain); a 304 gives
``not_modified=True``.  ``method="HEAD"`` falls back to GET when the server answers 405/501;
``FetchResult.method`` is the method finally used.
"""

from __future__ import annotations

import codecs
import email.utils
import ipaddress
import logging
import os
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.client import HTTPException
from urllib.parse import urljoin, urlsplit, urlunsplit

import brotli
import requests
import requests.cookies
import requests.utils
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, LocationParseError, NewConnectionError
from urllib3.util import connection as urllib3_connection
from urllib3.util import parse_url

from kzwatch.model import FetchResult, Hop

log = logging.getLogger(__name__)

Resolver = Callable[[str, int], list[str]]
"""(host, port) -> IP address strings.  Raise ``socket.gaierror`` when the name does not resolve."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


# --- Settings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchSettings:
    """How the fetcher behaves.  Defaults follow SPEC §3 ``[fetch]`` and the research notes."""

    user_agent: str = "kzwatch/0.1 (+https://github.com/kzwatch/kzwatch; citation checker)"
    per_host_delay_s: float = 3.0
    timeout_s: float = 20.0  # ONE total deadline per URL: robots.txt, all hops, retries, body
    connect_timeout_s: float = 10.0
    max_body_bytes: int = 10_000_000  # decoded bytes kept; the rest is never read
    max_redirects: int = 10
    allow_private_hosts: tuple[str, ...] = ()  # exact hostnames allowed to resolve to private IPs
    respect_robots: bool = True
    robots_cache_s: float = 86400
    robots_failure_cache_s: float = 600  # how long a 5xx robots.txt keeps a host disallowed
    robots_max_bytes: int = 500 * 1024  # RFC 9309: parsers must accept at least 500 KiB
    robots_max_redirects: int = 5  # RFC 9309: follow at least five
    max_parallel_hosts: int = 8
    retries: int = 1  # transport retries on timeout/reset/408/429/5xx within the deadline
    retry_backoff_s: float = 1.0  # wait before a retry when the server gave no Retry-After
    max_retry_after_s: float = 120
    accept_language: str = "ru,kk;q=0.9,en;q=0.8"
    ca_bundle: str | None = None  # overrides REQUESTS_CA_BUNDLE / SSL_CERT_FILE when set
    #: Known-good URLs: when every one fails, our own network is down and failures count for
    #: nothing (kzwatch.cycles.check.network_is_down).
    canary_urls: tuple[str, ...] = ()
    #: Static name -> address map consulted before DNS (like curl --resolve), for staging and
    #: test rigs; addresses found here still pass the SSRF guard.  Also $KZWATCH_RESOLVE.
    resolve: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FetchJob:
    """One URL for :meth:`Fetcher.fetch_many`."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    method: str = "GET"
    use_robots: bool = True
    accept: str | None = None


# --- URL and address policy ------------------------------------------------------------------------

_ALLOWED_SCHEMES = ("http", "https")
_BAD_URL_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
_IPV4_SPELLING = re.compile(r"[0-9a-fA-FxX.]+")

# Addresses no fetch may reach, whatever the flags of the ipaddress module say (Python 3.11
# calls 100.64.0.1 neither private nor global, and 224.0.0.1 global).
_DENIED_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    )
)
# Cloud metadata endpoints: refused even for allow-listed hostnames.
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a URL host denotes if it is an IP literal in any spelling, else None.

    Besides the canonical forms this accepts what ``inet_aton`` (and browsers) accept:
    ``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``127.1`` all mean 127.0.0.1.
    """
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if text and _IPV4_SPELLING.fullmatch(text):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64, compatible)."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def address_problem(address: str | IPAddress) -> str | None:
    """Why kzwatch must not connect to ``address``, or None when it is a public address."""
    try:
        ip = address if not isinstance(address, str) else ipaddress.ip_address(address)
    except ValueError:
        return f"not an IP address: {address!r}"
    if ip in _METADATA_ADDRESSES:
        return "cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        for inner in _embedded_ipv4(ip):
            problem = address_problem(inner)
            if problem:
                return f"embeds {inner}: {problem}"
    for net in _DENIED_NETWORKS:
        if ip.version == net.version and ip in net:
            return f"in denied range {net}"
    if ip.is_multicast:
        return "multicast"
    if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved:
        return "not a public address"
    if not ip.is_global:
        return "not a global address"
    return None


def _metadata_problem(address: str) -> str | None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip in _METADATA_ADDRESSES:
        return "cloud metadata address"
    return None


def check_url(url: str) -> tuple[str | None, str]:
    """Syntax and scheme policy for one URL: (error or None, detail)."""
    if _BAD_URL_CHARS.search(url):
        return "invalid_url", "control character, whitespace or backslash in URL"
    try:
        parts = parse_url(url)
    except LocationParseError as exc:
        return "invalid_url", f"unparsable URL: {exc}"
    if not parts.scheme:
        return "invalid_url", "URL has no scheme"
    if parts.scheme.lower() not in _ALLOWED_SCHEMES:
        return "unsafe", f"scheme {parts.scheme!r} is not http or https"
    if parts.auth is not None or "@" in (urlsplit(url).netloc or ""):
        return "invalid_url", "URL carries userinfo (user@host)"
    if not parts.host:
        return "invalid_url", "URL has no host"
    if parts.port == 0:
        return "invalid_url", "port 0"
    return None, ""


def system_resolver(host: str, port: int) -> list[str]:
    """The default resolver: the operating system's ``getaddrinfo``."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in seen:
            seen.append(address)
    return seen


class _UnsafeTarget(Exception):
    """The SSRF guard refused an address.  Not an OSError, so urllib3 lets it through as is."""


class _DnsFailure(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(f"{kind}: {message}")
        self.kind = kind  # "nxdomain" or "tempfail"


def _normal_host(host: str) -> str:
    """Lower-case, no brackets, no trailing dot, IDNA (punycode) for non-ASCII names."""
    name = host.strip("[]").rstrip(".").lower()
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return name


def host_key(url: str) -> str:
    """The unit of politeness: the URL's host name, normalised, without the port ("" when the
    URL has no usable host).  The per-host throttle waits on this key, so two ports of one name
    share one turn; anything that splits work across fetchers must split on the same key."""
    try:
        return _normal_host(parse_url(url.strip()).host or "")
    except (LocationParseError, ValueError):
        return ""


def resolve_and_vet(host: str, port: int, resolver: Resolver, allow_private: frozenset[str]) -> list[str]:
    """Resolve ``host`` once and check every address; raise on refusal or DNS failure."""
    name = _normal_host(host)
    literal = parse_ip_literal(host)
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = [str(a) for a in resolver(name, port)]
        except socket.gaierror as exc:
            kind = "nxdomain" if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)) else "tempfail"
            raise _DnsFailure(kind, f"{name}: {exc}") from exc
        if not addresses:
            raise _DnsFailure("nxdomain", f"{name}: no addresses")
    for address in addresses:
        problem = _metadata_problem(address) if name in allow_private else address_problem(address)
        if problem:
            raise _UnsafeTarget(f"{name} -> {address}: {problem}")
    return addresses


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


# --- Politeness ------------------------------------------------------------------------------------


class HostThrottle:
    """One request at a time per host, ``delay_s`` between the end of one and the next."""

    def __init__(self, delay_s: float, *, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic):
        self.delay_s = delay_s
        self._sleep = sleep
        self._monotonic = monotonic
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._last_end: dict[str, float] = {}

    def _lock_for(self, host: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(host, threading.Lock())

    @contextmanager
    def turn(self, host: str) -> Iterator[float]:
        """Hold the host for one request; yields the seconds spent waiting for the turn."""
        started = self._monotonic()
        lock = self._lock_for(host)
        lock.acquire()
        try:
            last = self._last_end.get(host)
            if last is not None:
                wait = last + self.delay_s - self._monotonic()
                if wait > 0:
                    self._sleep(wait)
            yield self._monotonic() - started
        finally:
            self._last_end[host] = self._monotonic()
            lock.release()


class _Deadline:
    def __init__(self, monotonic: Callable[[], float], seconds: float):
        self._monotonic = monotonic
        self._end = monotonic() + seconds

    def remaining(self) -> float:
        return self._end - self._monotonic()

    def extend(self, seconds: float) -> None:
        self._end += seconds


# --- robots.txt (RFC 9309) ---------------------------------------------------------------------------


def _normalise_robots_path(text: str) -> str:
    """Percent-encode non-ASCII as UTF-8 and upper-case existing escapes, so that a rule and a
    URL path written differently still compare equal (RFC 9309 §2.2.2)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%" and i + 2 < len(text) and re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 1:i + 3]):
            out.append("%" + text[i + 1:i + 3].upper())
            i += 3
            continue
        if ord(ch) > 0x7E or ord(ch) < 0x21:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _wildcard_match(pattern: str, path: str) -> bool:
    """Does a robots.txt rule match ``path``?  ``*`` is any run, a final ``$`` anchors the end,
    otherwise the rule is a prefix.  Linear-space greedy matching: no regex, no blow-up."""
    anchored = pattern.endswith("$")
    if anchored:
        pattern = pattern[:-1]
    else:
        pattern = pattern + "*"
    p = s = 0
    star_p, star_s = -1, 0
    while s < len(path):
        if p < len(pattern) and pattern[p] == "*":
            star_p, star_s = p, s
            p += 1
        elif p < len(pattern) and pattern[p] == path[s]:
            p += 1
            s += 1
        elif star_p >= 0:
            p = star_p + 1
            star_s += 1
            s = star_s
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)


@dataclass
class RobotsRules:
    """A parsed robots.txt: groups of (user-agent tokens, [(allow?, pattern)])."""

    groups: list[tuple[list[str], list[tuple[bool, str]]]] = field(default_factory=list)

    @classmethod
    def allow_all(cls) -> RobotsRules:
        return cls([])

    @classmethod
    def parse(cls, text: str) -> RobotsRules:
        groups: list[tuple[list[str], list[tuple[bool, str]]]] = []
        agents: list[str] = []
        rules: list[tuple[bool, str]] = []
        last_was_agent = False
        for raw_line in text.splitlines():
            line = raw_line.split("#", 1)[0].strip()
            if ":" not in line:
                continue
            key, value = (part.strip() for part in line.split(":", 1))
            key = key.lower()
            if key in ("user-agent", "useragent", "user agent"):
                if not last_was_agent and agents:
                    groups.append((agents, rules))
                    agents, rules = [], []
                agents.append(value.lower())
                last_was_agent = True
            elif key in ("allow", "disallow"):
                last_was_agent = False
                if agents and value:
                    rules.append((key == "allow", _normalise_robots_path(value)))
            else:
                # sitemap, crawl-delay and unknown keys do not end a group (RFC 9309 §2.2.4)
                last_was_agent = False if key != "sitemap" else last_was_agent
        if agents:
            groups.append((agents, rules))
        return cls(groups)

    def _rules_for(self, token: str) -> list[tuple[bool, str]]:
        def matches(agent: str) -> bool:
            return agent == token or agent.split("/", 1)[0].strip() == token

        chosen = [rules for agents, rules in self.groups if any(matches(a) for a in agents)]
        if not chosen:
            chosen = [rules for agents, rules in self.groups if "*" in agents]
        return [rule for rules in chosen for rule in rules]

    def allows(self, token: str, path: str) -> bool:
        """May the crawler ``token`` fetch ``path`` (path plus query, as sent on the wire)?"""
        path = _normalise_robots_path(path or "/")
        if path == "/robots.txt":
            return True
        best_length, best_allow = -1, True
        for allow, pattern in self._rules_for(token.lower()):
            if _wildcard_match(pattern, path):
                length = len(pattern)
                if length > best_length or (length == best_length and allow):
                    best_length, best_allow = length, allow
        return best_allow


@dataclass
class _RobotsVerdict:
    rules: RobotsRules | None  # None: everything disallowed (robots.txt unreachable, 5xx)
    expires: float
    detail: str = ""


# --- Content-Encoding decoding with a decoded-bytes meter ---------------------------------------

_DECODE_CHUNK = 64 * 1024
_MAX_ENCODING_LAYERS = 3


class _UnsupportedEncoding(Exception):
    pass


class _ZlibLayer:
    """gzip (possibly multi-member) or deflate (zlib-wrapped or raw), never more than
    ``_DECODE_CHUNK`` bytes of output per step."""

    def __init__(self, gzip: bool):
        self._gzip = gzip
        self._decoder = self._new()
        self._produced = False
        self._finished_member = False

    def _new(self):  # type: ignore[no-untyped-def]
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                out = self._decoder.decompress(data, _DECODE_CHUNK)
            except zlib.error:
                if not self._gzip and not self._produced:
                    # Some servers send raw deflate without the zlib wrapper.
                    self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._produced = True
                    continue
                if self._finished_member:
                    return  # trailing garbage after a complete gzip member: ignore it
                raise
            data = self._decoder.unconsumed_tail
            if self._decoder.eof:
                rest = self._decoder.unused_data
                self._finished_member = True
                if self._gzip and rest:
                    self._decoder = self._new()
                    data = rest
                else:
                    data = b""
            if out:
                self._produced = True
                yield out
            elif not data:
                return


class _BrotliLayer:
    def __init__(self) -> None:
        self._decoder = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        out = self._decoder.process(data, output_buffer_limit=_DECODE_CHUNK)
        if out:
            yield out
        while not self._decoder.can_accept_more_data():
            out = self._decoder.process(b"", output_buffer_limit=_DECODE_CHUNK)
            if not out:
                return
            yield out


class _IdentityLayer:
    def feed(self, data: bytes) -> Iterator[bytes]:
        for start in range(0, len(data), _DECODE_CHUNK):
            yield data[start:start + _DECODE_CHUNK]


class _StreamDecoder:
    """Undo a Content-Encoding chain lazily, piece by piece."""

    def __init__(self, content_encoding: str | None):
        names = [n.strip().lower() for n in (content_encoding or "").split(",") if n.strip()]
        names = [n for n in names if n != "identity"]
        if len(names) > _MAX_ENCODING_LAYERS:
            raise _UnsupportedEncoding(f"{len(names)} stacked content-encodings")
        layers: list[_ZlibLayer | _BrotliLayer] = []
        for name in reversed(names):  # the last applied is undone first
            if name in ("gzip", "x-gzip"):
                layers.append(_ZlibLayer(gzip=True))
            elif name == "deflate":
                layers.append(_ZlibLayer(gzip=False))
            elif name == "br":
                layers.append(_BrotliLayer())
            else:
                raise _UnsupportedEncoding(f"unsupported content-encoding {name!r}")
        self._layers: list[_ZlibLayer | _BrotliLayer | _IdentityLayer] = layers or [_IdentityLayer()]

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, data)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            yield data
            return
        for piece in self._layers[index].feed(data):
            yield from self._through(index + 1, piece)


# --- Charset -----------------------------------------------------------------------------------------

_TEXT_TYPES = re.compile(
    r"^(text/.*|application/(xhtml\+xml|xml|json|rss\+xml|atom\+xml|rdf\+xml|ld\+json|javascript)"
    r"|[a-z0-9.+-]+/[a-z0-9.+-]*\+(xml|json))$"
)
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)[\"']", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Browsers read these labels as windows-1252 (WHATWG Encoding); so do we.
_WHATWG_ALIASES = {"latin_1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}

# The KZ-1048 trap.  KZ-1048 is windows-1251 with Kazakh letters in the slots of Serbian,
# Macedonian, Belarusian and Ukrainian ones, and detectors call it cp1251, turning Қ into Ќ.
# Bytes that are Kazakh-only letters in KZ-1048 and non-Russian, non-Ukrainian letters in cp1251:
_KZ_STRONG_KINDS = {0x8D: "қ", 0x9D: "қ", 0xBD: "ң", 0xBE: "ң", 0xA3: "ә", 0xBC: "ә",
                    0x8E: "һ", 0x9E: "һ", 0xA1: "ұ", 0xA2: "ұ"}
# Kazakh letters that collide with Ukrainian ones (Ү/Ї, Ө/Ґ, Ғ/Є):
_KZ_SHARED = frozenset({0xAF, 0xBF, 0xA5, 0xB4, 0xAA, 0xBA})
# Serbian/Macedonian letters identical in both code pages: their presence means cp1251.
_SOUTH_SLAVIC = frozenset({0x80, 0x90, 0x81, 0x83, 0x8A, 0x9A, 0x8C, 0x9C, 0x8F, 0x9F})


def looks_like_kz1048(body: bytes) -> bool:
    """True when bytes a detector would call cp1251 are really KZ-1048 Kazakh text."""
    strong_kinds: set[str] = set()
    strong = shared = slavic = 0
    for byte in body:
        if byte < 0x80:
            continue
        if byte in _KZ_STRONG_KINDS:
            strong += 1
            strong_kinds.add(_KZ_STRONG_KINDS[byte])
        elif byte in _KZ_SHARED:
            shared += 1
        elif byte in _SOUTH_SLAVIC:
            slavic += 1
    if not strong or slavic * 20 >= strong:
        return False
    # Belarusian uses ў (= ұ) alone; Kazakh text with only ұ also shows ү/ө/ғ.
    return strong_kinds != {"ұ"} or shared > 0


def _codec_name(label: str | bytes | None) -> str | None:
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _WHATWG_ALIASES.get(name, name)


def media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def is_text_type(content_type: str | None, body: bytes = b"") -> bool:
    """HTML, XML, JSON, feeds and text/*; without a Content-Type, bytes with no NUL in the head."""
    kind = media_type(content_type)
    if kind is None:
        return bool(body) and b"\x00" not in body[:4096]
    return bool(_TEXT_TYPES.match(kind))


def _declared_charset(body: bytes, content_type: str | None) -> tuple[str | None, str]:
    """The charset the bytes or the headers declare, and where it was found."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, "bom"
    if content_type:
        match = _CHARSET_PARAM.search(content_type)
        name = _codec_name(match.group(1)) if match else None
        if name:
            return name, "header"
    head = body[:4096]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    name = _codec_name(match.group(1)) if match else None
    if name:
        return name, "document"
    return None, ""


def _detect_charset(body: bytes) -> str | None:
    from charset_normalizer import from_bytes  # imported late: it is slow to import

    best = from_bytes(body[:200_000]).best()
    return _codec_name(best.encoding) if best is not None else None


def decode_text(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a document body to text: (text, codec name).

    Order: byte-order mark, the Content-Type charset, ``<meta charset>``/http-equiv or the XML
    declaration in the first 4 KB, then detection (charset_normalizer).  A cp1251 verdict,
    declared or detected, is re-checked for the KZ-1048 trap (see :func:`looks_like_kz1048`).
    A declared charset that does not decode the bytes falls back to detection.
    """
    declared, source = _declared_charset(body, content_type)
    candidates: list[str] = []
    if declared:
        candidates.append(declared)
    if source != "bom":
        detected = _detect_charset(body)
        if detected and detected not in candidates:
            candidates.append(detected)
    candidates.append("utf-8")
    for name in candidates:
        if name == "cp1251" and looks_like_kz1048(body):
            name = "kz1048"
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if source == "bom" and text.startswith("\ufeff"):
            text = text[1:]
        return text, name
    name = candidates[0]
    return body.decode(name, errors="replace").lstrip("\ufeff"), name


# --- Retry-After -------------------------------------------------------------------------------------


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


# --- The fetcher -------------------------------------------------------------------------------------

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_NO_BODY_STATUSES = frozenset({204, 304})


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


def _classify(exc: BaseException, watch: _Watch) -> tuple[str, str, bool]:
    """(error, detail, retryable) for an exception raised while talking to a server."""
    chain = list(_causes(exc))
    for cause in chain:
        if isinstance(cause, _UnsafeTarget):
            return "unsafe", str(cause), False
        if isinstance(cause, _DnsFailure):
            return "dns_error", str(cause), cause.kind == "tempfail"
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
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema, LocationParseError,
                        requests.exceptions.InvalidHeader)):
        return "invalid_url", str(exc)[:300], False
    if any(isinstance(c, ConnectionRefusedError) for c in chain):
        return "connect_error", "connection refused", False
    if any(isinstance(c, (ConnectionResetError, BrokenPipeError)) for c in chain):
        return "connect_error", "connection reset", True
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                        HTTPException, OSError)):
        return "connect_error", str(exc)[:300], True
    raise exc


class Fetcher:
    """Fetch URLs safely and politely; see the module docstring for the guarantees."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        resolver: Resolver | None = None,
        now: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.settings = settings or FetchSettings()
        self._resolver = resolver or system_resolver
        self._now = now
        self._sleep = sleep
        self._monotonic = monotonic
        self._allow_private = frozenset(_normal_host(h) for h in self.settings.allow_private_hosts)
        if self._allow_private:
            log.warning("fetcher may reach private addresses for: %s", ", ".join(sorted(self._allow_private)))
        self._throttle = HostThrottle(self.settings.per_host_delay_s, sleep=sleep, monotonic=monotonic)
        self._adapter = _GuardedAdapter(pool_connections=max(8, self.settings.max_parallel_hosts),
                                        pool_maxsize=4, max_retries=0)
        self._robots: dict[tuple[str, str, int], _RobotsVerdict] = {}
        self._robots_guard = threading.Lock()
        self._robots_locks: dict[tuple[str, str, int], threading.Lock] = {}
        token = re.match(r"[A-Za-z0-9_-]+", self.settings.user_agent)
        self.robots_token = token.group(0).lower() if token else "*"

    # -- public API --

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
              method: str = "GET", use_robots: bool = True, accept: str | None = None,
              headers: dict[str, str] | None = None) -> FetchResult:
        """Fetch one URL (following redirects by hand) and never raise for network problems.

        ``headers`` adds request headers (e.g. Memento's ``Accept-Datetime``); they cannot
        replace the User-Agent or the conditional-GET headers.
        """
        extra_headers = {k: v for k, v in (headers or {}).items() if k.lower() != "user-agent"}
        method = method.upper()
        if method not in ("GET", "HEAD"):
            raise ValueError(f"unsupported method {method!r}")
        if not isinstance(url, str):
            raise TypeError("url must be a str")
        started = self._monotonic()
        result = FetchResult(url=url, requested_at=self._now(), method=method)
        url = url.strip()
        deadline = _Deadline(self._monotonic, self.settings.timeout_s)
        headers = {**self._base_headers(accept), **extra_headers}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        self._follow(result, url, method, headers, deadline,
                     use_robots=use_robots and self.settings.respect_robots,
                     max_bytes=self.settings.max_body_bytes,
                     max_redirects=self.settings.max_redirects)
        result.elapsed_ms = int((self._monotonic() - started) * 1000)
        if result.body and is_text_type(result.content_type, result.body):
            try:
                result.text, result.encoding = decode_text(result.body, result.headers.get("content-type"))
            except Exception as exc:  # noqa: BLE001 - a detector bug must not lose the fetch
                log.warning("could not decode %s: %r", url, exc)
                if result.error is None:
                    result.error, result.error_detail = "decode_error", f"charset: {exc!r}"[:300]
        return result

    def fetch_many(self, jobs: list[FetchJob]) -> list[FetchResult]:
        """Fetch many URLs: hosts in parallel (≤ max_parallel_hosts), each host's URLs in turn.
        Results come back in the order of ``jobs``."""
        by_host: dict[str, list[int]] = {}
        for index, job in enumerate(jobs):
            by_host.setdefault(host_key(job.url), []).append(index)
        results: list[FetchResult | None] = [None] * len(jobs)

        def run_host(indexes: list[int]) -> None:
            for index in indexes:
                job = jobs[index]
                results[index] = self.fetch(job.url, etag=job.etag, last_modified=job.last_modified,
                                            method=job.method, use_robots=job.use_robots, accept=job.accept)

        workers = max(1, min(self.settings.max_parallel_hosts, len(by_host)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kzwatch-fetch") as pool:
            for future in [pool.submit(run_host, idx) for idx in by_host.values()]:
                future.result()
        return [r for r in results if r is not None]

    def close(self) -> None:
        self._adapter.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- redirects, robots, retries --

    def _base_headers(self, accept: str | None) -> dict[str, str]:
        return {
            "User-Agent": self.settings.user_agent,
            "Accept": accept or "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate, br",
            "Accept-Language": self.settings.accept_language,
        }

    def _follow(self, result: FetchResult, url: str, method: str, headers: dict[str, str],
                deadline: _Deadline, *, use_robots: bool, max_bytes: int, max_redirects: int) -> None:
        """Walk the redirect chain from ``url``, filling ``result`` as it goes."""
        jar = requests.cookies.RequestsCookieJar()
        visited: set[str] = set()
        robots_checked: set[tuple[str, str, int]] = set()
        current = url
        redirects = 0
        while True:
            result.final_url = current
            error, detail = check_url(current)
            if error:
                # Every URL tried is a hop, even one refused before any request.
                result.hops.append(Hop(url=current, status=None))
                result.error, result.error_detail = error, detail
                return
            visited.add(self._visit_key(current))
            if use_robots:
                origin = self._origin(current)
                if origin not in robots_checked:
                    robots_checked.add(origin)
                    denied = self._robots_denial(current, origin, deadline)
                    if denied:
                        result.hops.append(Hop(url=current, status=None))
                        result.error, result.error_detail = denied
                        return
            exchange = self._exchange_with_retries(current, method, headers, jar, deadline, max_bytes)
            if method == "HEAD" and exchange.status in (405, 501):
                method = result.method = "GET"
                exchange = self._exchange_with_retries(current, method, headers, jar, deadline, max_bytes)
            result.hops.append(Hop(url=current, status=exchange.status, location=exchange.location,
                                   address=exchange.address))
            if exchange.status in _REDIRECT_STATUSES and exchange.location and not exchange.error:
                target = urljoin(current, exchange.location.strip())
                if redirects >= max_redirects:
                    self._fill(result, exchange)
                    result.error = "too_many_redirects"
                    result.error_detail = f"more than {max_redirects} redirects"
                    return
                if self._visit_key(target) in visited:
                    self._fill(result, exchange)
                    result.error, result.error_detail = "redirect_loop", f"{current} -> {target}"
                    return
                redirects += 1
                current = target
                continue
            self._fill(result, exchange)
            return

    @staticmethod
    def _fill(result: FetchResult, exchange: _Exchange) -> None:
        result.status = exchange.status
        result.headers = exchange.headers
        result.body = exchange.body
        result.bytes_read = exchange.bytes_read
        result.truncated = exchange.truncated
        result.content_type = media_type(exchange.headers.get("content-type"))
        result.not_modified = exchange.status == 304
        if exchange.error:
            result.error, result.error_detail = exchange.error, exchange.detail

    @staticmethod
    def _visit_key(url: str) -> str:
        parts = urlsplit(url)
        netloc = parts.netloc.lower()
        for scheme, port in (("http", ":80"), ("https", ":443")):
            if parts.scheme.lower() == scheme and netloc.endswith(port):
                netloc = netloc[: -len(port)]
        return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))

    @staticmethod
    def _origin(url: str) -> tuple[str, str, int]:
        parts = parse_url(url)
        scheme = (parts.scheme or "http").lower()
        return scheme, _normal_host(parts.host or ""), parts.port or (443 if scheme == "https" else 80)

    def _robots_denial(self, url: str, origin: tuple[str, str, int], deadline: _Deadline) -> tuple[str, str] | None:
        """(error, detail) when robots.txt forbids ``url`` or its host is unreachable, else None."""
        verdict = self._robots_verdict(origin, deadline)
        if isinstance(verdict, tuple):
            return verdict
        if verdict.rules is None:
            return "robots_denied", verdict.detail or "robots_unreachable"
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not verdict.rules.allows(self.robots_token, path):
            return "robots_denied", f"robots.txt disallows {path} for {self.robots_token}"
        return None

    def _robots_verdict(self, origin: tuple[str, str, int], deadline: _Deadline) -> _RobotsVerdict | tuple[str, str]:
        with self._robots_guard:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:  # one robots.txt fetch per origin at a time; the others use its verdict
            cached = self._robots.get(origin)
            if cached and cached.expires > self._monotonic():
                return cached
            scheme, host, port = origin
            default_port = 443 if scheme == "https" else 80
            netloc = (f"[{host}]" if ":" in host else host) + ("" if port == default_port else f":{port}")
            robots_url = f"{scheme}://{netloc}/robots.txt"
            fetched = FetchResult(url=robots_url, requested_at=self._now())
            self._follow(fetched, robots_url, "GET", self._base_headers("text/plain,*/*;q=0.5"), deadline,
                         use_robots=False, max_bytes=self.settings.robots_max_bytes,
                         max_redirects=self.settings.robots_max_redirects)
            now = self._monotonic()
            if fetched.error in ("too_many_redirects", "redirect_loop"):
                verdict = _RobotsVerdict(RobotsRules.allow_all(), now + self.settings.robots_cache_s)
            elif fetched.error:
                # The host itself is unreachable: report that, not a robots verdict; not cached.
                return fetched.error, f"robots.txt: {fetched.error_detail}".strip()
            elif fetched.status is not None and 200 <= fetched.status < 300:
                text = fetched.body.decode("utf-8", errors="replace")
                verdict = _RobotsVerdict(RobotsRules.parse(text), now + self.settings.robots_cache_s)
            elif fetched.status is not None and 400 <= fetched.status < 500:
                verdict = _RobotsVerdict(RobotsRules.allow_all(), now + self.settings.robots_cache_s)
            else:
                verdict = _RobotsVerdict(None, now + self.settings.robots_failure_cache_s,
                                         "robots_unreachable")
            self._robots[origin] = verdict
            return verdict

    def _exchange_with_retries(self, url: str, method: str, headers: dict[str, str],
                               jar: requests.cookies.RequestsCookieJar, deadline: _Deadline,
                               max_bytes: int) -> _Exchange:
        attempt = 0
        while True:
            exchange = self._exchange(url, method, headers, jar, deadline, max_bytes)
            wait = self._retry_wait(exchange, attempt, deadline)
            if wait is None:
                return exchange
            attempt += 1
            if wait > 0:
                self._sleep(wait)

    def _retry_wait(self, exchange: _Exchange, attempt: int, deadline: _Deadline) -> float | None:
        """Seconds to wait before retrying, or None to keep this exchange as the answer."""
        if attempt >= self.settings.retries:
            return None
        if exchange.error:
            wait = self.settings.retry_backoff_s if exchange.retryable else None
        elif exchange.status in _RETRY_STATUSES:
            wait = self.settings.retry_backoff_s
            if exchange.status in _RETRY_AFTER_STATUSES and "retry-after" in exchange.headers:
                wait = parse_retry_after(exchange.headers["retry-after"], self._now())
                if wait is None or wait > self.settings.max_retry_after_s:
                    return None
        else:
            return None
        if wait is None or wait >= deadline.remaining() - 0.05:
            return None
        return wait

    # -- one round trip --

    def _proxies_for(self, url: str) -> dict[str, str]:
        return requests.utils.get_environ_proxies(url) or {}

    def _verify(self) -> str | bool:
        if self.settings.ca_bundle:
            return self.settings.ca_bundle
        return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or True

    def _exchange(self, url: str, method: str, headers: dict[str, str],
                  jar: requests.cookies.RequestsCookieJar, deadline: _Deadline, max_bytes: int) -> _Exchange:
        exchange = _Exchange(url=url)
        try:
            prepared = requests.Request(method, url, headers=headers, cookies=jar).prepare()
            parts = parse_url(prepared.url)
        except (requests.exceptions.RequestException, LocationParseError, ValueError, UnicodeError) as exc:
            exchange.error, exchange.detail = "invalid_url", str(exc)[:300]
            return exchange
        host = parts.host or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        proxies = self._proxies_for(prepared.url)
        literal = parse_ip_literal(host)
        if proxies or literal is not None:
            # Through a proxy the connection never sees the target: vet it here, per hop.
            try:
                exchange.address = resolve_and_vet(host, port, self._resolver, self._allow_private)[0]
            except _UnsafeTarget as exc:
                exchange.error, exchange.detail = "unsafe", str(exc)
                return exchange
            except _DnsFailure as exc:
                exchange.error, exchange.detail = "dns_error", str(exc)
                exchange.retryable = exc.kind == "tempfail"
                return exchange
        with self._throttle.turn(_normal_host(host)) as waited:
            deadline.extend(waited)  # our own politeness is not the server's slowness
            remaining = deadline.remaining()
            if remaining <= 0:
                exchange.error, exchange.detail = "timeout", "total deadline reached before the request"
                return exchange
            watch = _Watch(remaining)
            ctx = _HopContext(self._resolver, self._allow_private, watch, guard=not proxies)
            _local.ctx = ctx
            watch.start()
            try:
                self._round_trip(exchange, prepared, proxies, jar, watch, ctx, deadline, max_bytes)
            finally:
                watch.cancel()
                _local.ctx = None
        return exchange

    def _round_trip(self, exchange: _Exchange, prepared: requests.PreparedRequest, proxies: dict[str, str],
                    jar: requests.cookies.RequestsCookieJar, watch: _Watch, ctx: _HopContext,
                    deadline: _Deadline, max_bytes: int) -> None:
        remaining = deadline.remaining()
        try:
            response = self._adapter.send(
                prepared, stream=True, verify=self._verify(), proxies=proxies,
                timeout=(min(self.settings.connect_timeout_s, remaining), remaining),
            )
        except Exception as exc:  # noqa: BLE001 - _classify re-raises what is not a network problem
            exchange.error, exchange.detail, exchange.retryable = _classify(exc, watch)
            exchange.address = exchange.address or ctx.address
            return
        raw = response.raw
        exchange.address = exchange.address or ctx.address or getattr(raw.connection, "kz_address", None)
        exchange.status = response.status_code
        exchange.headers = {k.lower(): v for k, v in response.headers.items()}
        try:
            requests.cookies.extract_cookies_to_jar(jar, prepared, raw)
        except Exception:  # noqa: BLE001 - a malformed cookie must not fail the fetch
            pass
        wants_body = (
            prepared.method != "HEAD"
            and exchange.status not in _NO_BODY_STATUSES
            and not (exchange.status in _REDIRECT_STATUSES and exchange.location)
            and exchange.status >= 200
        )
        if not wants_body:
            if prepared.method == "HEAD" or exchange.status in _NO_BODY_STATUSES:
                raw.release_conn()  # nothing follows the headers: the connection may be reused
            else:
                response.close()  # a redirect's body is not worth reading
            return
        self._read_body(exchange, response, watch, max_bytes)

    def _read_body(self, exchange: _Exchange, response: requests.Response, watch: _Watch, max_bytes: int) -> None:
        """Read and decode the body up to ``max_bytes`` decoded bytes; stop early on the cap."""
        raw = response.raw
        body = bytearray()
        complete = False
        try:
            decoder = _StreamDecoder(exchange.headers.get("content-encoding"))
            while True:
                chunk = raw.read1(_DECODE_CHUNK, decode_content=False)
                if not chunk:
                    complete = not watch.fired
                    break
                exchange.bytes_read += len(chunk)
                if watch.fired:
                    break  # Linux keeps delivering bytes after shutdown(SHUT_RD): stop here
                for piece in decoder.feed(chunk):
                    room = max_bytes - len(body)
                    if len(piece) > room:
                        body += piece[:room]
                        exchange.truncated = True
                        break
                    body += piece
                if exchange.truncated:
                    break
        except _UnsupportedEncoding as exc:
            exchange.error, exchange.detail = "decode_error", str(exc)
        except (zlib.error, brotli.error) as exc:
            exchange.error, exchange.detail = "decode_error", f"corrupt content-encoding: {exc}"
        except Exception as exc:  # noqa: BLE001 - _classify re-raises what is not a network problem
            exchange.error, exchange.detail, exchange.retryable = _classify(exc, watch)
        if watch.fired and not exchange.truncated:
            exchange.error, exchange.detail = "timeout", "total deadline reached while reading the body"
            exchange.retryable = False
        exchange.body = bytes(body)
        if complete and not exchange.error:
            raw.release_conn()  # fully read: the connection may be reused
        else:
            response.close()  # stopped early: never hand a half-read connection back
