"""Politeness and per-URL deadlines: one request at a time per host, a gap between them."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

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


class HostFailures:
    """Consecutive transport failures per host, for one fetcher's life (one cycle).

    After ``limit`` failures in a row with no HTTP answer in between, :meth:`given_up` returns
    the last failure, and the fetcher answers the host's remaining requests with it at once
    instead of waiting out each timeout.  Any HTTP answer resets the streak.  ``limit`` 0
    disables the short-circuit."""

    def __init__(self, limit: int):
        self.limit = limit
        self._guard = threading.Lock()
        self._streak: dict[str, int] = {}
        self._last: dict[str, tuple[str, str]] = {}

    def record(self, host: str, error: str | None, detail: str = "") -> None:
        with self._guard:
            if error is None:
                self._streak.pop(host, None)
                self._last.pop(host, None)
            else:
                self._streak[host] = self._streak.get(host, 0) + 1
                self._last[host] = (error, detail)

    def given_up(self, host: str) -> tuple[str, str] | None:
        """(error, detail) of the last failure when the host has failed ``limit`` times in a row."""
        if self.limit <= 0:
            return None
        with self._guard:
            if self._streak.get(host, 0) < self.limit:
                return None
            error, detail = self._last[host]
            return error, (f"not sent: {host} failed {self._streak[host]} times in a row this cycle "
                           f"(last: {error}{': ' + detail if detail else ''})")
