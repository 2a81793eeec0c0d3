"""Claims named beside another claim's story: a name only one claim's event or body has
(``unique_anchors``), in an item that already bears on another claim, mentions that claim
even where it alone would stay below the threshold (test 20 and real 16: Oyan's students
told beside the population's age, the NSOD beside the assembly law)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kzwatch.model import MATCHED_SHOWN, SENTENCE_SHOWN_CHARS, Claim, ClaimMatch
from kzwatch.relevance.compiled import compiled_claim
from kzwatch.relevance.settings import DEFAULT_SETTINGS, RelevanceSettings
from kzwatch.relevance.text import any_hits

if TYPE_CHECKING:
    from kzwatch.relevance.scoring import Assessment, Prepared


def named_beside(prep: Prepared, claims: Sequence[Claim], assessed: Sequence[Assessment],
                 threshold: float | None, settings: RelevanceSettings = DEFAULT_SETTINGS,
                 ) -> list[ClaimMatch]:
    """Claims below the threshold whose event or body is named by a name only it has
    (``unique_anchors``: Oyan, the NSOD) in an item that bears on another claim (*assessed*:
    each of *claims* on *prep*, one of them a match): a story told beside that claim's names
    the event as part of its own, so the name counts as one supporting term (alone, as in a
    title, it stays below: a passing name in an unrelated story).  Only claims whose name is no
    person's (``unique_mentions``) and that have no supporting term of their own (those are
    scored already)."""
    bar = settings.threshold if threshold is None else threshold
    found = []
    for claim, a in zip(claims, assessed, strict=True):
        ev = a.evidence
        if a.match is not None or ev is None or ev.support or a.score + settings.w_term < bar:
            continue
        compiled = compiled_claim(claim)
        if not compiled.unique_mentions or not any_hits(prep.doc, compiled.unique):
            continue
        found.append(ClaimMatch(claim_id=a.claim_id, score=round(a.score + settings.w_term, 3),
                                stance=a.stance, reason=a.reason,
                                matched=tuple(ev.anchors)[:MATCHED_SHOWN],
                                sentence=prep.sentences[ev.best_sentence()][:SENTENCE_SHOWN_CHARS],
                                lang=prep.lang))
    return found
