"""A return to a subject is not a restoration (round 18).

"Returned"/"вернулся" are change words: "the 50% turnout floor was returned" reports the
claim's rule undone.  But a speaker or a report that "returned to one figure from the 2021
vote" or "returns to the January 2021 election" revisits the claim's own time; read as a
change it turned a retelling into ``updates`` (written tests 12 and 13).  A return word with
"to"/"к" right after it, in a sentence whose years are all the claim's year or earlier, is
such a revisit and is dropped from the change words."""

from __future__ import annotations

from collections.abc import Mapping

from kzwatch.relevance.numbers import SentenceNumbers
from kzwatch.relevance.text import Doc

#: The return words (prefixes of their normal forms) and what follows them in a revisit.
_RETURNING = ("return", "вернул", "вернет", "возвращ")  # tokens fold ё to е
_TO_A_SUBJECT = frozenset({"to", "к", "ко"})


def without_revisits(doc: Doc, hits: Mapping[str, list[tuple[int, int, int]]],
                     numbers: SentenceNumbers, claim_year: int | None
                     ) -> dict[str, list[tuple[int, int, int]]]:
    """*hits* (change or update words) less the occurrences that revisit the claim's own
    time."""
    if not claim_year:
        return dict(hits)

    def revisit(s: int, start: int, end: int) -> bool:
        toks = doc.toks[s]
        if not toks[start].norm.startswith(_RETURNING) or end + 1 >= len(toks):
            return False
        years = numbers.years_in(s)
        return toks[end + 1].norm in _TO_A_SUBJECT and bool(years) and max(years) <= claim_year

    kept = {text: [o for o in occ if not revisit(*o)] for text, occ in hits.items()}
    return {text: occ for text, occ in kept.items() if occ}
