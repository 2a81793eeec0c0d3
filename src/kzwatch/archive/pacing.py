"""Pacing archive requests per endpoint, a time budget, and back-off after HTTP 429.

The Internet Archive rate-limits each service on its own (separate backend servers for CDX
queries and for replay, IA staff quoted in edgi-govdata-archiving/wayback#12), so every endpoint
has its own pace:

* ``cdx`` — CDX search.  IA staff: "60/min averaged over a 5-minute window" (wayback#153, 2023);
  since June 2026 a hard limit of 30/min, which TimeMaps share (wayback#206; the ``wayback``
  package v0.5.1 defaults to 24/min = 80 % of it, "IA folks asked us to set the defaults at 80 %
  of the hard limits", ``wayback/_client.py``).  Default 24/min.
* ``availability`` — ``archive.org/wayback/available``.  No published figure: IA staff count it
  with "CDXServerAPI and other API endpoints" (wayback#12), and users see 429s early
  (internetarchive/wayback#274).  Default: the CDX pace, 24/min.
* ``memento`` — replay, ``id_`` fetches and TimeGate redirects under ``/web/``: 600/min hard
  limit (``wayback`` v0.5.1 ``DEFAULT_MEMENTO_RATE_LIMIT`` = 80 % of 600/min).  Default 480/min;
  in practice kzwatch's fetcher spaces requests to one host by ``[fetch] per_host_delay_s``
  (3 s), which is slower still.

Requests of one endpoint are spaced by 60/rate seconds, so no window of any length ever sees
more than the rate.  A 429 stops the phase (IA firewalls clients that keep going after 429s,
wayback#137) and sets a back-off for that endpoint, persisted by the caller: Retry-After when
given, else ``backoff_s`` doubled per consecutive 429, capped at ``backoff_max_s``.

Pure bookkeeping on injected clocks; no I/O.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["ENDPOINTS", "Backoff", "BudgetExhausted", "Pacer", "next_backoff"]

ENDPOINTS = ("availability", "cdx", "memento")


class BudgetExhausted(Exception):
    """The phase's time budget ends before the next request could be sent."""


class Pacer:
    """Spacing per endpoint and one deadline (monotonic seconds) for the whole phase."""

    def __init__(self, per_minute: Mapping[str, float], *, deadline: float | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        for endpoint, rate in per_minute.items():
            if rate <= 0:
                raise ValueError(f"{endpoint}: requests per minute must be > 0, got {rate}")
        self._spacing = {e: 60.0 / r for e, r in per_minute.items()}
        self._next: dict[str, float] = {}
        self.deadline = deadline
        self._monotonic = monotonic
        self._sleep = sleep

    def acquire(self, endpoint: str) -> None:
        """Wait for *endpoint*'s next slot; BudgetExhausted if that slot is past the deadline."""
        now = self._monotonic()
        slot = max(now, self._next.get(endpoint, now))
        if self.deadline is not None and slot >= self.deadline:
            raise BudgetExhausted(f"time budget ends before the next {endpoint} request")
        if slot > now:
            self._sleep(slot - now)
        self._next[endpoint] = max(self._monotonic(), slot) + self._spacing.get(endpoint, 0.0)


@dataclass(frozen=True)
class Backoff:
    """One endpoint's back-off after a 429, as persisted in ``archive_backoff``."""

    endpoint: str
    until: datetime
    strikes: int  # consecutive 429s; the wait doubles with each
    last_error: str = ""


def next_backoff(previous: Backoff | None, endpoint: str, retry_after_s: float | None, now: datetime, *,
                 base_s: float, max_s: float, error: str = "") -> Backoff:
    """The back-off after a new 429: Retry-After if the archive gave one (never shorter than
    it), else ``base_s`` × 2^(consecutive 429s), capped at ``max_s``."""
    strikes = (previous.strikes if previous is not None else 0) + 1
    wait = min(max_s, base_s * 2 ** (strikes - 1))
    if retry_after_s is not None:
        wait = max(retry_after_s, min(wait, max_s))
    return Backoff(endpoint, now + timedelta(seconds=wait), strikes, error)
