"""The fetcher: redirects by hand, robots.txt, retries, conditional GET, one round trip."""

from __future__ import annotations

import contextlib
import email.utils
import logging
import os
import queue
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit, urlunsplit

import brotli
import requests
import requests.cookies
import requests.utils
from urllib3.exceptions import (
    LocationParseError,
)
from urllib3.util import parse_url

from kzwatch.fetch.decode import (
    _DECODE_CHUNK,
    _StreamDecoder,
    _UnsupportedEncoding,
    decode_text,
    is_text_type,
    media_type,
)
from kzwatch.fetch.robots import RobotsRules, _RobotsVerdict
from kzwatch.fetch.settings import FetchJob, FetchSettings, Resolver, utc_now
from kzwatch.fetch.ssrf import (
    _DnsFailure,
    _normal_host,
    _UnsafeTarget,
    check_url,
    host_key,
    parse_ip_literal,
    resolve_and_vet,
    system_resolver,
)
from kzwatch.fetch.throttle import HostFailures, HostThrottle, _Deadline
from kzwatch.fetch.transport import (
    _classify,
    _Exchange,
    _GuardedAdapter,
    _HopContext,
    _local,
    _Watch,
)
from kzwatch.model import FetchResult, Hop

log = logging.getLogger(__name__)



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
_HOST_FAILURES = frozenset({"timeout", "connect_error", "dns_error"})  # no answer from the host at all



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
        self._failures = HostFailures(self.settings.host_failure_limit)
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
        results: list[FetchResult | None] = [None] * len(jobs)
        for index, result in self.iter_fetch(jobs):
            results[index] = result
        return [r for r in results if r is not None]

    def iter_fetch(self, jobs: list[FetchJob], *, on_idle: Callable[[], None] | None = None,
                   idle_s: float = 1.0) -> Iterator[tuple[int, FetchResult]]:
        """``(index into jobs, result)`` as each fetch completes, so a caller can judge and store
        results while the rest are fetched.  At most ``max_pending_results`` finished results
        wait for the caller (the fetching threads pause beyond that): memory stays bounded.
        Closing the iterator early stops the fetch threads after their current request.
        ``on_idle`` is called (in the caller's thread) whenever no result came for ``idle_s``:
        a caller can commit what it holds while slow hosts are still being waited for."""
        by_host: dict[str, list[int]] = {}
        for index, job in enumerate(jobs):
            by_host.setdefault(host_key(job.url), []).append(index)
        finished: queue.Queue[tuple[int, FetchResult | None, BaseException | None]] = queue.Queue(
            maxsize=max(1, self.settings.max_pending_results))
        stop = threading.Event()

        def run_host(indexes: list[int]) -> None:
            probes: dict[str, FetchResult] = {}  # this host's probes: freed when the host is done
            try:
                for index in indexes:
                    if stop.is_set():
                        return
                    finished.put((index, self._fetch_job(jobs[index], probes), None))
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                finished.put((-1, None, exc))

        workers = max(1, min(self.settings.max_parallel_hosts, len(by_host)))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kzwatch-fetch")
        # Busiest hosts first: with more hosts than threads, a big host started last would
        # finish its politeness-paced queue long after the others (longest-processing-time first).
        ordered = sorted(by_host.values(), key=len, reverse=True)
        futures = [pool.submit(run_host, indexes) for indexes in ordered]
        try:
            for _ in range(len(jobs)):
                index, result, exc = self._next_finished(finished, on_idle, idle_s)
                if exc is not None:
                    raise exc
                assert result is not None
                yield index, result
        finally:
            stop.set()
            while not all(f.done() for f in futures):  # unblock producers waiting on a full queue
                with contextlib.suppress(queue.Empty):
                    finished.get(timeout=0.05)
            pool.shutdown(wait=True)

    @staticmethod
    def _next_finished(finished: queue.Queue, on_idle: Callable[[], None] | None,
                       idle_s: float) -> tuple[int, FetchResult | None, BaseException | None]:
        while True:
            try:
                return finished.get(timeout=idle_s if on_idle is not None else None)
            except queue.Empty:
                if on_idle is not None:
                    on_idle()

    def _fetch_job(self, job: FetchJob, probes: dict[str, FetchResult]) -> FetchResult:
        result = self.fetch(job.url, etag=job.etag, last_modified=job.last_modified,
                            method=job.method, use_robots=job.use_robots, accept=job.accept)
        if job.probe_url and result.error is None and result.status == 200 and not result.not_modified:
            if job.probe_url not in probes:
                probes[job.probe_url] = self.fetch(job.probe_url)
            result.probe = probes[job.probe_url]
        return result

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
                try:
                    target = urljoin(current, exchange.location.strip())
                except ValueError as exc:  # e.g. "http://[::1/x": urljoin raises on a bad IPv6 host
                    self._fill(result, exchange)
                    result.error, result.error_detail = "invalid_url", f"unparsable Location: {exc}"
                    return
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
                if cached.error is not None:
                    error, detail = cached.error
                    return error, f"{detail} (remembered from an earlier attempt this cycle)"
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
                # The host itself is unreachable: report that, not a robots verdict, and remember
                # it so the host's other URLs do not each wait out the same timeout.
                answer = fetched.error, f"robots.txt: {fetched.error_detail}".strip()
                self._robots[origin] = _RobotsVerdict(None, now + self.settings.robots_error_cache_s,
                                                      error=answer)
                return answer
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
            parts = parse_url(prepared.url or url)
        except (requests.exceptions.RequestException, LocationParseError, ValueError, UnicodeError) as exc:
            exchange.error, exchange.detail = "invalid_url", str(exc)[:300]
            return exchange
        host = parts.host or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        proxies = self._proxies_for(prepared.url or url)
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
        given_up = self._failures.given_up(_normal_host(host))
        if given_up is not None:
            exchange.error, exchange.detail = given_up
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
        if exchange.status is not None or exchange.error in _HOST_FAILURES:
            self._failures.record(_normal_host(host), None if exchange.status is not None else exchange.error,
                                  exchange.detail)
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
