"""The scorer's policy numbers: the threshold, the weights of the score's parts, and how near a
change word must be to count.  One frozen dataclass with the defaults the evaluation in
bench/RESULTS.md was measured with; ``score_item(..., settings=...)`` takes another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kzwatch.relevance.learned import SecondOpinion


@dataclass(frozen=True)
class RelevanceSettings:
    #: Minimum score for an (item, claim) pair to be reported.  0.55 = an anchor plus one
    #: supporting term, or an anchor plus a matching figure; an anchor alone never passes.
    threshold: float = 0.55
    #: Score parts.  An anchor is required (the gate); the rest accumulates, capped at 1.
    w_anchor: float = 0.40
    w_anchor_in_title: float = 0.10
    w_extra_anchor: float = 0.05  # per further distinct anchor place, at most 2
    w_term: float = 0.15  # per distinct supporting term, at most 2
    w_figure: float = 0.20  # per distinct claim figure found, at most 2
    w_quantity: float = 0.15  # a measured quantity of the claim is reported (any value)
    w_change: float = 0.10  # a rename or update term is present
    #: A change word counts as "about the claim" in the title, an anchor's sentence or up to
    #: this many sentences after it.
    change_near_sentences: int = 2


DEFAULT_SETTINGS = RelevanceSettings()


def second_opinion_model(enabled: bool) -> SecondOpinion | None:
    """The packaged learned second opinion when *enabled* (``[relevance] second_opinion``),
    else None; a ValueError with one clear line when NumPy (a dependency) is missing."""
    if not enabled:
        return None
    try:
        from kzwatch.relevance.learned import packaged
    except ImportError as exc:
        raise ValueError("[relevance] second_opinion = true needs NumPy (pip install numpy), "
                         "or set it to false") from exc
    return packaged()
