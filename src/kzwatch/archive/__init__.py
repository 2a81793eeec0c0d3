"""The Internet Archive, for kzwatch: finding captures, paced per endpoint, and archived baselines.

* ``client``   — ``ArchiveClient``: Availability API, CDX, Memento TimeGates, ``id_`` fetches,
  through an injected fetch (kzwatch's guarded fetcher);
* ``pacing``   — per-endpoint pace at IA's published limits, the phase's time budget, back-off
  after a 429;
* ``baseline`` — pure: is a memento usable as a baseline, and what taking it changes (drift,
  claim support, events).

The phase that drives them, with progress kept in the warehouse, is ``kzwatch.cycles.archive``.
"""

from kzwatch.archive.client import (
    WAYBACK_REPLAY_PREFIX,
    ArchiveCapture,
    ArchiveClient,
    ArchiveFetch,
    ArchiveSettings,
    id_url,
    parse_link_header,
    parse_timestamp,
)
from kzwatch.archive.pacing import ENDPOINTS, Backoff, BudgetExhausted, Pacer, next_backoff

__all__ = ["ArchiveCapture", "ArchiveClient", "ArchiveFetch", "ArchiveSettings", "Backoff", "BudgetExhausted",
           "ENDPOINTS", "Pacer", "WAYBACK_REPLAY_PREFIX", "id_url", "next_backoff", "parse_link_header",
           "parse_timestamp"]
