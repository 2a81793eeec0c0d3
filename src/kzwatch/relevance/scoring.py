"""Score one item against claims: gate (anchors, context, exclusions), evidence, score, stance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from kzwatch.model import STANCES, Claim, ClaimMatch, FeedItem
from kzwatch.relevance.compiled import Compiled, compiled_claim
from kzwatch.relevance.stance import choose_stance
from kzwatch.relevance.text import (
    Doc,
    Number,
    affirmed,
    extract_numbers,
    figure_tolerance,
    hit_positions,
    sentences_of,
    term_hits,
)
from kzwatch.textnorm import detect_lang

# --- tunables (the lead exposes these in config; defaults documented here) --------------------

#: Minimum score for a (item, claim) pair to be reported.  0.55 = an anchor plus one supporting
#: term, or an anchor plus a matching figure; an anchor alone never passes.
DEFAULT_THRESHOLD = 0.55

#: Score parts.  An anchor is required (gate); the rest accumulates.
W_ANCHOR = 0.40
W_ANCHOR_IN_TITLE = 0.10
W_EXTRA_ANCHOR = 0.05  # per further distinct anchor, at most 2
W_TERM = 0.15  # per distinct supporting term, at most 2
W_FIGURE = 0.20  # per distinct claim figure found, at most 2
W_QUANTITY = 0.15  # a measured quantity of the claim is reported (same or different value)
W_CHANGE = 0.10  # a rename or update term is present

#: A change word counts as "about the claim" in the title, an anchor's sentence or up to this
#: many sentences after it.
CHANGE_NEAR_SENTENCES = 2


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 1000 else f"{value:g}"


@dataclass
class Evidence:
    anchors: dict[str, list[tuple[int, int, int]]]
    support: dict[str, list[tuple[int, int, int]]]
    figures: list[str]
    confirmed: list[str]  # quantity values equal to the claim's
    differing: list[str]  # quantity values different from the claim's
    later_years: list[int]
    updates: list[str]
    changes: list[str]
    changes_near_anchor: list[str]
    renames: list[str]
    renames_reported: bool
    contradictions: list[str]
    sentence_weight: dict[int, float]


def _quantities(doc: Doc, compiled: Compiled, numbers_by_sentence: list[list[Number]],
                weight: dict[int, float]) -> tuple[list[str], list[str]]:
    confirmed: list[str] = []
    differing: list[str] = []
    # A number equal to any of the claim's own figures is not a disagreement, even when it sits
    # next to another quantity's cue ("Ak Zhol ... cleared the 7% threshold").
    known = [(q["values"], q["tolerance"]) for q in compiled.quantities]
    known += [([f.value], figure_tolerance(f)) for f in compiled.figures]
    for quantity in compiled.quantities:
        cue_sentences = {s for occ in term_hits(doc, quantity["cues"]).values() for s, _, _ in occ}
        for s_idx in sorted(cue_sentences):
            for number in numbers_by_sentence[s_idx]:
                if number.year and quantity["unit"] != "%":
                    continue
                if quantity["unit"] == "%" and not number.percent:
                    continue
                if quantity["unit"] == "" and number.percent:
                    continue
                label = f"{quantity['name']} {number.text}".strip()
                if any(abs(number.value - v) <= quantity["tolerance"] + 1e-9
                       for v in quantity["values"]):
                    confirmed.append(label)
                    weight[s_idx] += 2
                elif any(abs(number.value - v) <= tol + 1e-9 for vs, tol in known for v in vs):
                    continue
                elif quantity["unit"] == "%" or number.value >= 10:
                    # Small bare counts ("3 parties", "2 days") are too ambiguous to disagree.
                    differing.append(label)
                    weight[s_idx] += 2
    return confirmed, differing


def _gather(doc: Doc, compiled: Compiled, numbers_by_sentence: list[list[Number]],
            now: datetime | None) -> Evidence | None:
    """Evidence for one claim, or None when the gate (anchor, context, exclusions) fails."""
    anchors = term_hits(doc, compiled.anchors)
    if not anchors:
        return None
    change_hits = term_hits(doc, compiled.change)
    changes = affirmed(doc, change_hits)
    renames = _renames(doc, compiled, changes, require_old=True)
    # A reported rename is specific enough on its own: only the first context group (the
    # country) is still required ("Nur Otan renamed Amanat" needs no election words for C2).
    for group in compiled.context[:1] if renames else compiled.context:
        if not term_hits(doc, group):
            return None
    # With the full gate passed, the new name alone says the body was renamed or replaced (for
    # the stance; it adds nothing to the score: "Amanat faction meets" is not news on C2).
    renames_reported = bool(renames)
    renames = renames or _renames(doc, compiled, changes, require_old=False)
    for excluded_terms, unless_terms in compiled.exclude:
        n_excluded = len(hit_positions(term_hits(doc, excluded_terms)))
        if n_excluded and n_excluded > len(hit_positions(term_hits(doc, unless_terms))):
            return None

    weight: dict[int, float] = defaultdict(float)
    anchor_sentences = {s for occ in anchors.values() for s, _, _ in occ}
    support = term_hits(doc, compiled.support)
    for occurrences, w in ((anchors, 3.0), (support, 1.0)):
        for occ in occurrences.values():
            for s_idx, _, _ in occ:
                weight[s_idx] += w

    figures = []
    for figure in compiled.figures:
        tolerance = figure_tolerance(figure)
        for s_idx, numbers in enumerate(numbers_by_sentence):
            if any(n.percent == figure.percent and n.year == figure.year
                   and abs(n.value - figure.value) <= tolerance for n in numbers):
                figures.append(figure.text)
                weight[s_idx] += 2
                break

    confirmed, differing = _quantities(doc, compiled, numbers_by_sentence, weight)
    max_year = (now.year + 1) if now else 2100
    later_years = sorted({int(n.value) for ns in numbers_by_sentence for n in ns
                          if n.year and compiled.year and compiled.year < n.value <= max_year})
    return Evidence(
        anchors=anchors,
        support=support,
        figures=figures,
        confirmed=confirmed,
        differing=differing,
        later_years=later_years,
        updates=affirmed(doc, term_hits(doc, compiled.update)),
        changes=changes + affirmed(doc, term_hits(doc, compiled.weak_change)),
        changes_near_anchor=[
            text for text in changes
            if any(s == 0 or any(0 <= s - a <= CHANGE_NEAR_SENTENCES for a in anchor_sentences)
                   for s, _, _ in change_hits[text])
        ],
        renames=renames,
        renames_reported=renames_reported,
        contradictions=[
            text for text, occ in term_hits(doc, compiled.contradict).items()
            if any(s in anchor_sentences for s, _, _ in occ)
        ],
        sentence_weight=weight,
    )


def _renames(doc: Doc, compiled: Compiled, changes: list[str], *, require_old: bool) -> list[str]:
    """Renames/replacements the item names: a new name (with the old one or a change word when
    *require_old*)."""
    found = []
    for old_terms, new_terms, note in compiled.renames:
        new_hits = term_hits(doc, new_terms)
        old_hits = term_hits(doc, old_terms)
        if new_hits and (old_hits or changes or not require_old):
            old = next(iter(old_hits), old_terms[0].text if old_terms else "?")
            found.append(f"{old} → {next(iter(new_hits))}" + (f" ({note})" if note else ""))
    return found


def score_evidence(ev: Evidence) -> float:
    score = W_ANCHOR
    if any(s == 0 for occ in ev.anchors.values() for s, _, _ in occ):
        score += W_ANCHOR_IN_TITLE
    # Distinct places, not distinct spellings: "Amanat" and "Аманат" on one token count once.
    anchor_places = {(s, start) for occ in ev.anchors.values() for s, start, _ in occ}
    score += W_EXTRA_ANCHOR * min(2, len(anchor_places) - 1)
    score += W_TERM * min(2, len(ev.support))
    score += W_FIGURE * min(2, len(ev.figures))
    if ev.confirmed or ev.differing:
        score += W_QUANTITY
    if ev.renames_reported or ev.updates or ev.changes:
        score += W_CHANGE
    return round(min(1.0, score), 3)


def score_item(
    item: FeedItem,
    claims: Sequence[Claim],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    now: datetime | None = None,
) -> list[ClaimMatch]:
    """The claims *item* bears on, best first, each with score, stance, reason and evidence.

    *threshold* (default ``DEFAULT_THRESHOLD``) is the minimum score reported.  *now*, when
    given, caps which four-digit numbers count as years (no later than next year).
    """
    sentences = sentences_of(item)
    if not sentences:
        return []
    doc = Doc(sentences)
    numbers_by_sentence = [extract_numbers(s) for s in sentences]
    lang = item.lang or detect_lang(" ".join(sentences))
    matches = []
    for claim in claims:
        compiled = compiled_claim(claim)
        ev = _gather(doc, compiled, numbers_by_sentence, now)
        if ev is None:
            continue
        score = score_evidence(ev)
        if score < threshold:
            continue
        stance, reason = choose_stance(ev, compiled)
        assert stance in STANCES
        best = max(ev.sentence_weight.items(), key=lambda kv: (kv[1], -kv[0]))[0]
        matched = tuple(dict.fromkeys([*ev.anchors, *ev.support, *ev.figures, *ev.renames,
                                       *ev.updates]))
        matches.append(ClaimMatch(claim_id=claim.id, score=score, stance=stance, reason=reason,
                                  matched=matched[:16], sentence=sentences[best][:500], lang=lang))
    matches.sort(key=lambda m: (-m.score, m.claim_id))
    return matches

