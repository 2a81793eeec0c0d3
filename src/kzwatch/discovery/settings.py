"""The discovery cycle's settings (the ``[relevance]`` section of the config)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DiscoverySettings:
    """The ``[relevance]`` section: how the discovery cycle reads sources and scores items.

    ``threshold`` unset: the ``[scoring]`` section's (the scorer's policy numbers,
    ``kzwatch.relevance.RelevanceSettings``; default kzwatch.relevance.DEFAULT_THRESHOLD).
    ``first_lookback_days``: a source never read before is asked for this many days back (the
    ``{modified_after}`` of WordPress sources).  ``max_item_text``: characters of an item page's
    main text kept for scoring and the warehouse.  ``second_opinion``: let the learned model
    (``kzwatch.relevance.learned``) add claims the rules missed on items they flagged for
    nothing, within their vetoes; on, because it raised recall on the held-out sets test 3 and
    real 3 with item precision and near-misses unchanged (bench/RESULTS.md, "Learned second opinion")."""

    threshold: float | None = None
    fetch_item_pages: bool = True
    max_items_per_feed: int = 200
    first_lookback_days: float = 30.0
    max_item_text: int = 100_000
    second_opinion: bool = True
