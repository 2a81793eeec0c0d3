"""Was it them, or us?  The check cycle's own-outage policy, decided batch by batch.

A transport failure (timeout, refused, DNS) adds a strike to a cited URL only when our own
network was up.  Evidence, in order:

1. **Canaries** (``[fetch] canary_urls``): asked at the start of the cycle, and again before a
   batch with transport failures is committed (at most every ```[check] canary_recheck_s```).  All
   canaries failing at the transport level means our network is down.
2. **Part of our network** (some canaries down, not all): once at least ``mass_failure_min_hosts``
   distinct hosts were tried and ``partial_outage_share`` of them failed on every check, it was
   us too (one upstream route, IPv6 or a resolver broken) — a canary down alone is the canary's
   own trouble and excuses nothing.
3. **Mass failure** (no canaries configured): once at least ``mass_failure_min_hosts`` distinct
   hosts were tried this cycle and ``mass_failure_share`` of them failed on every check, it was
   us (a broken resolver or egress filter).

Once down, the rest of the cycle stays down: transport failures become ``local_outage`` and no
strike is counted.  Batches committed before the outage was seen keep their verdicts — a batch
is judged with what is known when it is committed (that is the price of keeping work).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kzwatch.cycles.check_settings import CheckSettings
from kzwatch.fetch import FetchJob
from kzwatch.health import classify
from kzwatch.model import CheckOutcome, FetchResult

FetchPages = Callable[[list[FetchJob]], list[FetchResult]]


def network_is_down(fetch_pages: FetchPages, canary_urls: list[str]) -> bool:
    return ask_canaries(fetch_pages, canary_urls) == "down"


def ask_canaries(fetch_pages: FetchPages, canary_urls: list[str]) -> str:
    """"down" (every canary failed at the transport level), "partial" (some did) or "up"."""
    if not canary_urls:
        return "up"
    results = fetch_pages([FetchJob(u, use_robots=False) for u in canary_urls])
    if classify.network_down(results):
        return "down"
    return "partial" if any(r.error in classify.TRANSPORT_ERRORS for r in results) else "up"


class OutageWatch:
    """The outage verdict for one cycle; feed it each batch's (host, outcome) pairs."""

    def __init__(self, fetch_pages: FetchPages, canaries: list[str], settings: CheckSettings,
                 *, monotonic: Callable[[], float] = time.monotonic):
        self.canaries = list(canaries)
        self.settings = settings
        self.down = False
        self.canaries_say = "up"  # the last answer of the canaries: up | partial | down
        self._fetch = fetch_pages
        self._monotonic = monotonic
        self._asked_at: float | None = None
        self._rechecked = False
        self._hosts: dict[str, str] = {}  # host -> an outcome showing whether it ever answered

    def start(self) -> bool:
        self.down = self._ask_canaries()
        return self.down

    def judge(self, pairs: list[tuple[str, CheckOutcome]]) -> list[CheckOutcome]:
        """The batch's outcomes, rewritten to ``local_outage`` if our own network is down."""
        self._remember(pairs)
        failing = any(o.outcome in classify.TRANSPORT_OUTCOMES for _, o in pairs)
        if not self.down and failing:
            if self.canaries:
                # again before any failure adds a strike: the first time failures appear, then at
                # most every canary_recheck_s (a dead host must not cost a canary round per batch)
                recheck = not self._rechecked or (self._asked_at is not None and self._monotonic()
                                                  - self._asked_at >= self.settings.canary_recheck_s)
                if recheck:
                    self._rechecked = True
                    self.down = self._ask_canaries()
                if not self.down and self.canaries_say == "partial":
                    self.down = classify.mass_failure(self._hosts.items(), self.settings.mass_failure_min_hosts,
                                                      self.settings.partial_outage_share)
            else:
                self.down = classify.mass_failure(self._hosts.items(), self.settings.mass_failure_min_hosts,
                                                  self.settings.mass_failure_share)
        return [classify.apply_local_outage(o, self.down) for _, o in pairs]

    def _ask_canaries(self) -> bool:
        self._asked_at = self._monotonic()
        self.canaries_say = ask_canaries(self._fetch, self.canaries)
        return self.canaries_say == "down"

    def _remember(self, pairs: list[tuple[str, CheckOutcome]]) -> None:
        # One outcome per host is enough for classify.mass_failure: any answer makes the host
        # "answering" for the whole cycle; otherwise its (transport) failure stands.
        for host, outcome in pairs:
            name = outcome.outcome
            if name in _NOT_FETCHED:
                continue  # never requested: says nothing about the network
            seen = self._hosts.get(host)
            if seen is None or (seen in classify.TRANSPORT_OUTCOMES and name not in classify.TRANSPORT_OUTCOMES):
                self._hosts[host] = name


_NOT_FETCHED = frozenset({"invalid_url", "unsafe", "robots_denied", "local_outage"})
