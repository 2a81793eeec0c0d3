"""Fetcher settings and job descriptions (plain data, no network)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

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
    robots_error_cache_s: float = 3600  # how long a robots.txt the host never answered is remembered
    robots_max_bytes: int = 500 * 1024  # RFC 9309: parsers must accept at least 500 KiB
    robots_max_redirects: int = 5  # RFC 9309: follow at least five
    max_parallel_hosts: int = 8
    retries: int = 1  # transport retries on timeout/reset/408/429/5xx within the deadline
    retry_backoff_s: float = 1.0  # wait before a retry when the server gave no Retry-After
    max_retry_after_s: float = 120
    accept_language: str = "ru,kk;q=0.9,en;q=0.8"
    ca_bundle: str | None = None  # overrides REQUESTS_CA_BUNDLE / SSL_CERT_FILE when set
    # After this many consecutive transport failures (timeout, refused, DNS) on one host, its
    # remaining requests this cycle get the same error at once (0: never give up on a host).
    host_failure_limit: int = 3
    # Fetched results waiting for the consumer (bounds memory: ~70 KB each for a 30 KB page).
    # Enough to absorb a batch commit (~1 s at ~40 pages/s) without pausing the fetch threads.
    max_pending_results: int = 128
    #: Known-good URLs: when every one fails, our own network is down and failures count for
    #: nothing (kzwatch.cycles.outage).
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
    # Fetched once per directory right after the first page of it that answers 200 (the
    # soft-404 probe), and attached to every such result as ``FetchResult.probe``.
    probe_url: str | None = None
