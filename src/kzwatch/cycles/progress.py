"""What a person watching a long check cycle sees.

On a terminal: one line rewritten in place — done/total, counts per outcome, ETA.  Not on a
terminal (cron, Prefect workers, tests): nothing on the stream.  Either way, one log line per
committed batch, which Prefect shows in the run's logs (``PREFECT_LOGGING_EXTRA_LOGGERS``).
"""

from __future__ import annotations

import logging
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import TextIO

log = logging.getLogger("kzwatch")


class Progress:
    def __init__(self, total: int, *, stream: TextIO | None = None, interval_s: float = 0.5,
                 monotonic: Callable[[], float] = time.monotonic):
        self.total = total
        self.done = 0
        self.outcomes: Counter[str] = Counter()
        self.batches = 0
        self._stream = stream if stream is not None else sys.stderr
        self._tty = bool(getattr(self._stream, "isatty", lambda: False)())
        self._interval = interval_s
        self._monotonic = monotonic
        self._started = monotonic()
        self._shown_at = float("-inf")

    def add(self, outcome: str) -> None:
        self.done += 1
        self.outcomes[outcome] += 1
        if self._tty and (self._monotonic() - self._shown_at >= self._interval or self.done == self.total):
            self._shown_at = self._monotonic()
            self._stream.write("\r\x1b[K" + self.line())
            self._stream.flush()

    def batch_committed(self, rows: int, seconds: float) -> None:
        self.batches += 1
        log.info("check batch %d committed: %d URLs in %.1f s; %s; peak RSS %d MB", self.batches, rows, seconds,
                 self.line(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)

    def finish(self) -> None:
        if self._tty and self.done:
            self._stream.write("\n")
            self._stream.flush()

    def line(self) -> str:
        elapsed = self._monotonic() - self._started
        share = self.done / self.total if self.total else 1.0
        counts = " ".join(f"{name} {n}" for name, n in self.outcomes.most_common())
        eta = ""
        if 0 < self.done < self.total:
            eta = f", ETA {_clock(elapsed / self.done * (self.total - self.done))}"
        return f"checked {self.done}/{self.total} ({share:.0%}) in {_clock(elapsed)}{eta} — {counts}"


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
