"""Why an item scored as it did against every claim (``kzwatch explain ITEM_URL``).  Pure:
an item and claims in, plain rows and text out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from kzwatch.model import SENTENCE_SHOWN_CHARS, Claim, ClaimMatch, FeedItem
from kzwatch.relevance.beside import named_beside
from kzwatch.relevance.claimset import vote_days_of
from kzwatch.relevance.scoring import DEFAULT_THRESHOLD, Assessment, assess, prepare
from kzwatch.relevance.settings import DEFAULT_SETTINGS, RelevanceSettings

if TYPE_CHECKING:
    from kzwatch.relevance.learned import SecondOpinion


@dataclass
class ClaimExplanation:
    """One claim's verdict on one item, with the evidence behind it."""

    claim_id: str
    verdict: str  # "flagged" | "flagged by the second opinion" | "below threshold" | "not scored"
    score: float = 0.0
    stance: str = ""
    why: str = ""  # the stance reason, or why the gate rejected the claim
    terms: list[str] = field(default_factory=list)  # anchors and supporting terms matched
    figures: list[str] = field(default_factory=list)  # claim figures / quantities found
    changes: list[str] = field(default_factory=list)  # change markers and renames
    sentence: str = ""


def _row(a: Assessment, prep_sentences: list[str]) -> ClaimExplanation:
    if a.evidence is None:
        return ClaimExplanation(a.claim_id, "not scored", why=a.rejected)
    ev = a.evidence
    return ClaimExplanation(
        a.claim_id, "flagged" if a.match is not None else "below threshold", score=a.score,
        stance=a.stance, why=a.reason, terms=list(dict.fromkeys([*ev.anchors, *ev.support])),
        figures=list(dict.fromkeys([*ev.figures, *ev.confirmed, *ev.differing, *ev.disputed,
                                     *ev.replaced])),
        changes=list(dict.fromkeys([*ev.renames, *ev.updates, *ev.changes])),
        sentence=prep_sentences[ev.best_sentence()][:SENTENCE_SHOWN_CHARS])


def _added_row(match: ClaimMatch, rules: ClaimExplanation) -> ClaimExplanation:
    """A claim the second opinion added: its similarity, nearest exemplars and stance, and
    what the rules said (``why``: the model's reason, then the rules' verdict)."""
    rules_said = rules.why or rules.verdict
    return ClaimExplanation(match.claim_id, "flagged by the second opinion", score=match.score,
                            stance=match.stance,
                            why=f"{match.reason} (rules: {rules.verdict}: {rules_said})",
                            terms=rules.terms, figures=rules.figures, changes=rules.changes,
                            sentence=match.sentence)


def explain_item(item: FeedItem, claims: Sequence[Claim], *,
                 threshold: float = DEFAULT_THRESHOLD,
                 now: datetime | None = None,
                 second_opinion: SecondOpinion | None = None,
                 settings: RelevanceSettings = DEFAULT_SETTINGS,
                 ) -> tuple[str, list[ClaimExplanation]]:
    """A note on how the text was read, and one row per claim (flagged ones first).  With
    *second_opinion*, the claims it adds are shown with its similarity and exemplars.
    *settings*: the scorer's policy numbers, as ``score_item`` takes them."""
    prep = prepare(item, vote_days=vote_days_of(claims))
    if prep is None:
        return "the item has no title or text", []
    assessed = [assess(prep, c, threshold=threshold, now=now, settings=settings) for c in claims]
    rows = [_row(a, prep.sentences) for a in assessed]
    if any(a.match is not None for a in assessed):  # as ``score_item``: named beside another
        beside = {m.claim_id: m for m in named_beside(prep, claims, assessed, threshold, settings)}
        for r in rows:
            if r.claim_id in beside:
                r.verdict, r.score = "flagged", beside[r.claim_id].score
                r.why += " (named beside another claim's story)"
    if second_opinion is not None:
        flagged = {r.claim_id for r in rows if r.verdict == "flagged"}
        added = {m.claim_id: m for m in second_opinion.matches(prep, claims, flagged, now=now,
                                                                settings=settings)}
        rows = [_added_row(added[r.claim_id], r) if r.claim_id in added else r for r in rows]
    order = {"flagged": 0, "flagged by the second opinion": 0, "below threshold": 1,
             "not scored": 2}
    rows.sort(key=lambda r: (order[r.verdict], -r.score))
    note = f"{len(prep.sentences)} sentences, language {prep.lang or '?'}"
    return note + (f"; {prep.script_note}" if prep.script_note else ""), rows


def format_explanation(item: FeedItem, note: str, rows: Sequence[ClaimExplanation],
                       threshold: float = DEFAULT_THRESHOLD) -> str:
    """The rows as text for a terminal."""
    lines = [f"{item.title or '(no title)'}", f"  {item.url}", f"  {note}; threshold {threshold}"]
    for r in rows:
        if r.verdict == "not scored":
            lines.append(f"{r.claim_id:<4} not scored: {r.why}")
            continue
        lines.append(f"{r.claim_id:<4} {r.verdict}: score {r.score:.2f}, {r.stance} — {r.why}")
        for label, values in (("terms", r.terms), ("figures", r.figures),
                              ("changes", r.changes)):
            if values:
                lines.append(f"       {label}: {', '.join(values[:12])}")
        if r.sentence:
            lines.append(f"       sentence: {r.sentence}")
    return "\n".join(lines)
