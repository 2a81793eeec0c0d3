"""URL and address policy: which URLs may be fetched and which addresses may be dialled.

See the package docstring (``kzwatch.fetch``) for the guarantees; this module is the pure
policy (syntax, schemes, address classes, resolve-then-vet) used by the guarded transport."""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from urllib.parse import urlsplit

from urllib3.exceptions import (
    LocationParseError,
)
from urllib3.util import parse_url

from kzwatch.fetch.settings import Resolver

log = logging.getLogger(__name__)

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
