"""Finding an archived copy of a cited page (Wayback Machine and Memento TimeGates).

When a citation dies, the digest should point readers at the copy closest to the day the author
consulted it.  ``ArchiveClient.find_capture`` asks, in order:

1. the Wayback **Availability API** (``/wayback/available?url=…&timestamp=YYYYMMDD``) — one cheap
   request; its answer is used at once when it is on or before the accessed date;
2. the Wayback **CDX API** (``output=json``, ``fl=timestamp,original,statuscode``,
   ``filter=statuscode:200``, ``closest=…&sort=closest``) — several captures sorted by distance,
   so a capture *before* the accessed date is found even when Availability offered one after;
3. **Memento TimeGates** (RFC 7089; ``Accept-Datetime`` → ``Location`` or ``Link rel=memento``).

Preference: the latest capture on or before the accessed day (what the author saw), else the
earliest one after it (H3llBot/IABot do the same).  Without an accessed date, the latest capture.

``ArchiveClient.fetch_memento`` then fetches a capture's original bytes (``id_`` form), which
the check cycle uses as a citation's baseline: the page as it stood when the author read it.

Politeness (research/linkrot.md §4.7): at most ``max_per_minute`` archive requests in any 60 s
(sliding window; the client sleeps), and on the first HTTP 429 the client stops making archive
requests for its whole lifetime (``stopped``), because the Internet Archive firewalls clients
that keep going after a 429.  Lookups after that return None.

Network access goes through an injected ``fetch(url, headers=None) -> FetchResult`` (normally
``kzwatch.fetch``), so this module holds no HTTP code and is tested against a loopback fake.
Every answer is parsed defensively: malformed JSON or headers mean "no capture", never a crash.
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time as dt_time
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlencode, urljoin

from kzwatch.model import FetchResult

__all__ = ["ArchiveCapture", "ArchiveSettings", "ArchiveClient", "ArchiveFetch", "id_url", "parse_link_header"]

WAYBACK_REPLAY_PREFIX = "https://web.archive.org/web/"


class ArchiveFetch(Protocol):
    def __call__(self, url: str, headers: dict[str, str] | None = None) -> FetchResult: ...


@dataclass(frozen=True)
class ArchiveCapture:
    """One archived copy: ``url`` is the replay URL, ``original_url`` what was archived."""

    url: str
    original_url: str
    captured_at: datetime
    source: str  # "wayback-availability" | "wayback-cdx" | "memento"


@dataclass(frozen=True)
class ArchiveSettings:
    """The ``[archive]`` section: endpoints and budget.  ``replay_prefix`` builds replay URLs
    from CDX rows; ``cdx_rows`` is how many closest captures one CDX query asks for.
    ``baseline``: baseline each citation on the capture closest to its accessed date (else on
    the first live fetch)."""

    enabled: bool = True
    baseline: bool = True
    availability_endpoint: str = "https://archive.org/wayback/available"
    cdx_endpoint: str = "https://web.archive.org/cdx/search/cdx"
    timegate_endpoints: tuple[str, ...] = (WAYBACK_REPLAY_PREFIX,)
    replay_prefix: str = WAYBACK_REPLAY_PREFIX
    max_per_minute: int = 20
    cdx_rows: int = 25

    def __post_init__(self) -> None:
        if self.max_per_minute < 1:
            raise ValueError(f"max_per_minute must be ≥ 1, got {self.max_per_minute}")
        if self.cdx_rows < 1:
            raise ValueError(f"cdx_rows must be ≥ 1, got {self.cdx_rows}")


# --- parsing helpers ------------------------------------------------------------------------------

_TS_FILL = "19700101000000"


def parse_timestamp(ts: Any) -> datetime | None:
    """A Wayback timestamp (4–14 digits, shorter ones padded: "2021" = 2021-01-01) as UTC."""
    if not isinstance(ts, str) or not re.fullmatch(r"\d{4,14}", ts):
        return None
    full = ts + _TS_FILL[len(ts) :]
    try:
        return datetime.strptime(full, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


_REPLAY_RE = re.compile(r"^(?P<prefix>https?://.*?/)(?P<ts>\d{4,14})(?P<mod>[a-z]{2}_)?/(?P<orig>.+)$")


def _original_from_replay(replay_url: str) -> str | None:
    match = _REPLAY_RE.match(replay_url)
    return match.group("orig") if match else None


def id_url(capture: ArchiveCapture, replay_prefix: str = WAYBACK_REPLAY_PREFIX) -> str:
    """The ``id_`` form of a capture's replay URL (original bytes, no Wayback banner or link
    rewriting), e.g. ``https://web.archive.org/web/20210128000000id_/https://…``."""
    match = _REPLAY_RE.match(capture.url)
    if match:
        return f"{match.group('prefix')}{match.group('ts')}id_/{match.group('orig')}"
    ts = capture.captured_at.astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return f"{replay_prefix}{ts}id_/{capture.original_url}"


_LINK_RE = re.compile(r'<([^>]*)>((?:\s*;\s*[A-Za-z*-]+\s*=\s*(?:"[^"]*"|[^;,]*))*)')
_PARAM_RE = re.compile(r'([A-Za-z*-]+)\s*=\s*(?:"([^"]*)"|([^;,]*))')


def parse_link_header(value: str) -> list[tuple[str, dict[str, str]]]:
    """``Link`` header entries as (uri, params) with lower-case parameter names.  Quoted values
    may contain commas (Memento datetimes), so entries are found by pattern, not by splitting."""
    entries: list[tuple[str, dict[str, str]]] = []
    for match in _LINK_RE.finditer(value or ""):
        params = {
            m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3).strip())
            for m in _PARAM_RE.finditer(match.group(2))
        }
        entries.append((match.group(1).strip(), params))
    return entries


def _body_text(result: FetchResult) -> str:
    if result.text is not None:
        return result.text
    return result.body.decode("utf-8", errors="replace")


def _json(result: FetchResult) -> Any:
    try:
        return json.loads(_body_text(result))
    except (ValueError, TypeError):
        return None


# --- the client ---------------------------------------------------------------------------------


class ArchiveClient:
    """Archive lookups under a request budget.  Not thread-safe: one client per cycle."""

    def __init__(
        self,
        fetch: ArchiveFetch | Callable[..., FetchResult],
        settings: ArchiveSettings = ArchiveSettings(),
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._fetch = fetch
        self.settings = settings
        self._monotonic = monotonic
        self._sleep = sleep
        self._recent: deque[float] = deque()
        self.stopped = False
        self.stop_reason = ""
        self.requests_made = 0
        self.errors: list[str] = []  # lookups that failed, for the cycle's operational notes

    id_url = staticmethod(id_url)

    # -- budget ---------------------------------------------------------------------------------

    def _wait_for_budget(self) -> None:
        window = 60.0
        while True:
            now = self._monotonic()
            while self._recent and self._recent[0] <= now - window:
                self._recent.popleft()
            if len(self._recent) < self.settings.max_per_minute:
                self._recent.append(now)
                return
            self._sleep(max(0.0, self._recent[0] + window - now))

    def _request(self, url: str, headers: dict[str, str] | None = None) -> FetchResult | None:
        """One archive request within budget; None when stopped, failed, or rate-limited."""
        if self.stopped:
            return None
        self._wait_for_budget()
        self.requests_made += 1
        try:
            result = self._fetch(url, headers)
        except Exception as exc:  # noqa: BLE001 — archive lookup is best effort; record, go on
            self.errors.append(f"{url}: {type(exc).__name__}: {exc}")
            return None
        if result.status == 429:
            self.stopped = True
            self.stop_reason = f"HTTP 429 from {url}; no further archive requests this cycle"
            return None
        if result.error is not None:
            self.errors.append(f"{url}: {result.error} {result.error_detail}".strip())
            return None
        if result.status is not None and result.status >= 500:
            # the archive's own trouble: returned (callers read it as "no capture here"), but
            # recorded, so a caller can tell "nothing archived" from "could not ask"
            self.errors.append(f"{url}: HTTP {result.status}")
        return result

    # -- the three sources ----------------------------------------------------------------------

    def _availability(self, url: str, around: date | None) -> ArchiveCapture | None:
        params = {"url": url}
        if around is not None:
            params.update(timestamp=around.strftime("%Y%m%d"), closest="before")
        result = self._request(f"{self.settings.availability_endpoint}?{urlencode(params)}")
        if result is None or result.status != 200:
            return None
        data = _json(result)
        snapshots = data.get("archived_snapshots") if isinstance(data, dict) else None
        closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
        if not isinstance(closest, dict) or closest.get("available") not in (True, "true"):
            return None
        if not str(closest.get("status", "200")).startswith("2"):
            return None
        captured_at = parse_timestamp(closest.get("timestamp"))
        replay = closest.get("url")
        if captured_at is None or not isinstance(replay, str) or not replay.startswith(("http://", "https://")):
            return None
        original = _original_from_replay(replay) or url
        return ArchiveCapture(replay, original, captured_at, "wayback-availability")

    def _cdx(self, url: str, around: date | None) -> list[ArchiveCapture]:
        params: list[tuple[str, str]] = [
            ("url", url),
            ("output", "json"),
            ("fl", "timestamp,original,statuscode"),
            ("filter", "statuscode:200"),
        ]
        if around is not None:
            params += [
                ("closest", around.strftime("%Y%m%d") + "235959"),
                ("sort", "closest"),
                ("limit", str(self.settings.cdx_rows)),
            ]
        else:
            params.append(("limit", str(-self.settings.cdx_rows)))
        result = self._request(f"{self.settings.cdx_endpoint}?{urlencode(params)}")
        if result is None or result.status != 200:
            return []
        rows = _json(result)
        if not isinstance(rows, list):
            return []
        captures = []
        for row in rows:
            if not isinstance(row, list) or len(row) < 2 or row[0] == "timestamp":
                continue
            timestamp, original = row[0], row[1]
            status = row[2] if len(row) > 2 else "200"
            captured_at = parse_timestamp(timestamp)
            if captured_at is None or not isinstance(original, str) or not original or str(status) != "200":
                continue
            replay = f"{self.settings.replay_prefix}{timestamp}/{original}"
            captures.append(ArchiveCapture(replay, original, captured_at, "wayback-cdx"))
        return captures

    def _timegate(self, endpoint: str, url: str, cutoff: datetime | None) -> ArchiveCapture | None:
        headers = {"Accept-Datetime": format_datetime(cutoff, usegmt=True)} if cutoff else None
        request_url = f"{endpoint}{url}"
        result = self._request(request_url, headers)
        if result is None:
            return None
        links = parse_link_header(result.headers.get("link", ""))
        original = next((u for u, p in links if "original" in p.get("rel", "").split()), url)
        memento_url: str | None = None
        memento_at: datetime | None = None
        location = result.headers.get("location")
        if result.status is not None and 300 <= result.status < 400 and location:
            memento_url = urljoin(request_url, location)
        elif result.hops and result.hops[0].status is not None and 300 <= result.hops[0].status < 400:
            if result.hops[0].location:
                memento_url = urljoin(result.hops[0].url, result.hops[0].location)
                if result.status == 200:
                    memento_at = _http_date(result.headers.get("memento-datetime"))
        elif result.status == 200 and result.headers.get("memento-datetime"):
            memento_url = result.final_url or request_url
            memento_at = _http_date(result.headers.get("memento-datetime"))
        if memento_url is None:
            return self._best_linked_memento(links, original, cutoff)
        if memento_at is None:
            memento_at = next(
                (_http_date(p.get("datetime")) for u, p in links if u == memento_url and p.get("datetime")), None
            )
        if memento_at is None:
            match = _REPLAY_RE.match(memento_url)
            memento_at = parse_timestamp(match.group("ts")) if match else None
        if memento_at is None:
            return None
        return ArchiveCapture(memento_url, original, memento_at, "memento")

    def _best_linked_memento(
        self, links: list[tuple[str, dict[str, str]]], original: str, cutoff: datetime | None
    ) -> ArchiveCapture | None:
        captures = []
        for uri, params in links:
            if "memento" in params.get("rel", "").split():
                at = _http_date(params.get("datetime"))
                if at is not None and uri:
                    captures.append(ArchiveCapture(uri, original, at, "memento"))
        return _choose(captures, cutoff)

    # -- public ---------------------------------------------------------------------------------

    def find_capture(self, url: str, around: date | None) -> ArchiveCapture | None:
        """The capture of *url* closest before *around* (end of that day, UTC), else the closest
        after it; the latest one when *around* is None.  None when nothing is archived, the
        archives failed, or the client has stopped after a 429."""
        if self.stopped or not url:
            return None
        cutoff = datetime.combine(around, dt_time(23, 59, 59), tzinfo=UTC) if around else None
        found = self._availability(url, around)
        if found is not None and (cutoff is None or found.captured_at <= cutoff):
            return found
        candidates = [found] if found else []
        candidates += self._cdx(url, around)
        best = _choose(candidates, cutoff)
        if best is not None:
            return best
        for endpoint in self.settings.timegate_endpoints:
            if self.stopped:
                return None
            found = self._timegate(endpoint, url, cutoff)
            if found is not None:
                return found
        return None


    def fetch_memento(self, capture: ArchiveCapture) -> FetchResult | None:
        """The capture's original bytes (its ``id_`` form: no banner, no rewritten links),
        within the same budget.  None when stopped or the request failed in transport."""
        return self._request(id_url(capture, self.settings.replay_prefix))


def _choose(captures: list[ArchiveCapture], cutoff: datetime | None) -> ArchiveCapture | None:
    """Latest capture at or before *cutoff*, else earliest after; latest overall without one."""
    if not captures:
        return None
    if cutoff is None:
        return max(captures, key=lambda c: c.captured_at)
    before = [c for c in captures if c.captured_at <= cutoff]
    if before:
        return max(before, key=lambda c: c.captured_at)
    return min(captures, key=lambda c: c.captured_at)
