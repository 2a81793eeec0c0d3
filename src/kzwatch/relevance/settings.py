"""The scorer's policy numbers: the threshold, the weights of the score's parts and their caps,
the sentence weights that pick the evidence shown, how near (in sentences and tokens) a word must
be to count, and the smallest bare count that may disagree.  One frozen dataclass with the defaults the evaluation in
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
    w_extra_anchor: float = 0.05  # per further distinct anchor place, at most max_extra_anchors
    w_term: float = 0.15  # per distinct supporting term, at most max_terms
    w_figure: float = 0.20  # per distinct claim figure found, at most max_figures
    w_quantity: float = 0.15  # a measured quantity of the claim is reported (any value)
    w_change: float = 0.10  # a rename or update term is present
    #: A change word counts as "about the claim" in the title, an anchor's sentence or up to
    #: this many sentences after it.
    change_near_sentences: int = 2
    #: Caps on the counted parts: two of a kind already show the item is about the claim;
    #: more (a long page repeating a name) must not outweigh a figure or a change.
    max_extra_anchors: int = 2  # further distinct anchor places counted
    max_terms: int = 2  # distinct supporting terms counted
    max_figures: int = 2  # distinct claim figures counted
    #: Weights that pick the sentence shown as evidence (the heaviest, the earliest on a tie):
    #: the claim's subject named outweighs its words; a figure read in a sentence adds to it.
    sentence_weight_anchor: float = 3.0  # per anchor occurrence in the sentence
    sentence_weight_term: float = 1.0  # per supporting-term occurrence
    sentence_weight_figure: float = 2.0  # the first sentence with a claim figure
    sentence_weight_quantity: float = 2.0  # per number read as one of the claim's quantities
    #: A standing state's differing figure decides the stance only within this many sentences
    #: of an anchor's (one: a figure further away is told of something else).
    figure_near_sentences: int = 1
    #: An official's dismissal or anyone's dispute word counts in the title or within this many
    #: sentences of an anchor's (one: the sentence before or after still speaks of the claim).
    denial_near_sentences: int = 1
    #: Smallest differing number, not a percentage, that may disagree with the claim: small
    #: bare counts ("3 parties", "2 days") are too ambiguous to.
    differing_count_floor: float = 10
    #: How many tokens before a restatement marker a negation ("не", "not", "cannot") negates
    #: it for an official denial: three ("was not removed"), not a clause away.
    denial_negation_tokens: int = 3
    #: ... or a Kazakh negation up to this many tokens after it ("кедергі болмады", two: as
    #: ``negation_after_tokens``, but for the denials' own restatement markers and negations).
    denial_negation_after_tokens: int = 2
    #: How many tokens before a claim's word a flat denial ("никакого", "ешқандай") denies
    #: it outright: two ("никакого многочасового оцепления": one adjective between).
    flat_denial_tokens: int = 2
    #: How many tokens before an event's anchor a "nobody" ("никого не задержали") denies it.
    nobody_tokens: int = 5
    #: A party's share stands for a vote and its result (``shares.share_told``) when written
    #: in the party name's clause with at most this many tokens between: four ("Party X had
    #: earned 71%": a noun and a verb of two words).
    share_owner_tokens: int = 4
    #: A change, update or negative term is negated by a negation up to this many tokens
    #: before it ("no new party has been registered": five spans a short noun phrase) ...
    negation_before_tokens: int = 5
    #: ... or by a Kazakh negation this many tokens after it ("тіркелген жоқ", two: the verb's
    #: auxiliary may stand between).
    negation_after_tokens: int = 2
    #: A rename is reported when the new name and the old name or a change word stand in the
    #: same sentence or up to this many apart (one: apart further, they are two mentions).
    rename_near_sentences: int = 1
    #: A bound ("over 60%", "under 70%") agrees with a claimed value only within this fraction
    #: of it: "over 10%" is true of 63% but says nothing about it.
    bound_near_fraction: float = 0.10
    #: "About X" agrees with a claimed value within the rounding a writer does: this many
    #: points (for values under 100) or this fraction of the value, whichever is larger.
    about_points: float = 1.0
    about_fraction: float = 0.03
    #: With *now* given, a four-digit number up to this many years after it counts as a year
    #: the item names (one: next year's scheduled vote); a larger one is not a year.
    years_ahead: int = 1

    def __post_init__(self) -> None:
        # A negative window, cap or weight would silently switch a rule off or invert it.
        for name, value in vars(self).items():
            if value < 0:
                raise ValueError(f"'{name}' must be 0 or more, not {value}")


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
