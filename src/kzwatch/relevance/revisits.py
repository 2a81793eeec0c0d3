"""A return to a subject is not a restoration (round 18; words in the claims file, round 19a).

"Returned"/"вернулся" are change words: "the 50% turnout floor was returned" reports the
claim's rule undone.  But a speaker or a report that "returned to one figure from the 2021
vote" or "returns to the January 2021 election" revisits the claim's own time; read as a
change it turned a retelling into ``updates`` (written tests 12 and 13).  A change word inside
one of the claim's ``revisit_terms`` (the file's ``revisiting`` group: "returned to",
"вернулся к", "тақырыбына қайта оралды"), in a sentence whose years are all the claim's year or
earlier, is such a revisit and is dropped from the change words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kzwatch.relevance.numbers import SentenceNumbers
from kzwatch.relevance.text import Doc, Term, term_hits


def without_revisits(doc: Doc, hits: Mapping[str, list[tuple[int, int, int]]],
                     numbers: SentenceNumbers, claim_year: int | None,
                     revisit_terms: Sequence[Term] = ()) -> dict[str, list[tuple[int, int, int]]]:
    """*hits* (change or update words) less the occurrences that revisit the claim's own
    time (inside an occurrence of one of *revisit_terms*)."""
    if not (claim_year and hits and revisit_terms):
        return dict(hits)
    spans: dict[int, list[tuple[int, int]]] = {}
    for occ in term_hits(doc, revisit_terms).values():
        for s, start, end in occ:
            spans.setdefault(s, []).append((start, end))
    if not spans:
        return dict(hits)

    def revisit(s: int, start: int, end: int) -> bool:
        if not any(r_start <= start <= r_end for r_start, r_end in spans.get(s, ())):
            return False
        years = numbers.years_in(s)
        return bool(years) and max(years) <= claim_year

    kept = {text: [o for o in occ if not revisit(*o)] for text, occ in hits.items()}
    return {text: occ for text, occ in kept.items() if occ}
