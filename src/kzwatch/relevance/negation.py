"""Negation: whether an occurrence of a term is said or denied ("не будет", "no new party",
"тіркелген жоқ", "wasn't registered").  Read by the scorer, the stance words, renames and
denials; the windows are ``RelevanceSettings``' negation fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING

from kzwatch.relevance.settings import DEFAULT_SETTINGS, RelevanceSettings

if TYPE_CHECKING:
    from kzwatch.relevance.text import Doc
    from kzwatch.relevance.words import Tok

_NORM = attrgetter("norm")

#: Words that negate a nearby update term: before it in Russian/English ("не будет", "no new
#: party has been registered"), after it in Kazakh ("тіркелген жоқ", "өткен емес").
#: Negation words that negate what follows them (also read by ``denials``).
NEGATIONS_BEFORE = frozenset({"не", "нет", "ни", "not", "no", "never", "without", "без"})
#: Negation words that negate what precedes them (Kazakh; also read by ``denials``).
NEGATIONS_AFTER = frozenset({"жок", "емес"})  # normalised "жоқ", "емес"


#: The verbs an English "n't" is written on, as the tokeniser leaves them ("wasn't" → "wasn"
#: "t"): "Ivan T." is no negation.
_CONTRACTED = frozenset({"wasn", "weren", "isn", "aren", "didn", "doesn", "don", "hasn", "haven",
                         "hadn", "won", "wouldn", "couldn", "shouldn", "mustn", "needn", "ain"})


def contracted_not(row: Sequence[Tok], lo: int, hi: int, *, cannot: bool = False) -> bool:
    """An English "n't" among ``row[lo:hi]``: the tokeniser splits "wasn't" into "wasn" "t",
    so "not" never appears.  "can't" counts only with *cannot* (as "cannot" itself, it is left
    out of the general negations: several claims' restatement markers are "cannot")."""
    return any(row[i].norm == "t" and (row[i - 1].norm in _CONTRACTED
                                       or (cannot and row[i - 1].norm == "can"))
               for i in range(max(lo, 1), hi))


def negated(doc: Doc, s_idx: int, start: int, end: int,
            settings: RelevanceSettings = DEFAULT_SETTINGS) -> bool:
    """A negation within ``settings.negation_before_tokens`` before the occurrence or (Kazakh)
    ``negation_after_tokens`` after it."""
    # Cached per document: each assessed claim asks about the same occurrences of the change
    # and update words claims share (about five asks per occurrence on the bench).  The
    # windows are part of the key: one document may be assessed with other settings.
    before, after = settings.negation_before_tokens, settings.negation_after_tokens
    key = (s_idx, start, end, before, after)
    found = doc.negations.get(key)
    if found is None:
        row = doc.toks[s_idx]
        found = doc.negations[key] = (
            not NEGATIONS_BEFORE.isdisjoint(map(_NORM, row[max(0, start - before):start]))
            or not NEGATIONS_AFTER.isdisjoint(map(_NORM, row[end + 1:end + 1 + after]))
            or contracted_not(row, start - before, start))
    return found


def negated_inside(doc: Doc, s_idx: int, start: int, end: int) -> bool:
    """A negation between a phrase's first and last words: "решение [не] участвовать",
    "will [not] take part" match the phrase's words but say the opposite."""
    row = doc.toks[s_idx]
    return (any(t.norm in NEGATIONS_BEFORE for t in row[start + 1:end])
            or contracted_not(row, start + 1, end))


def said(doc: Doc, hits: Mapping[str, list[tuple[int, int, int]]],
         settings: RelevanceSettings = DEFAULT_SETTINGS) -> list[str]:
    """Terms with at least one occurrence negated neither before, after nor inside it."""
    return [text for text, occurrences in hits.items()
            if any(not negated(doc, s, a, b, settings) and not negated_inside(doc, s, a, b)
                   for s, a, b in occurrences)]


def affirmed(doc: Doc, hits: Mapping[str, list[tuple[int, int, int]]],
             settings: RelevanceSettings = DEFAULT_SETTINGS) -> list[str]:
    """Terms with at least one occurrence that is not negated."""
    return [
        text
        for text, occurrences in hits.items()
        if any(not negated(doc, s, start, end, settings) for s, start, end in occurrences)
    ]
