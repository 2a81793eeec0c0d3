"""Days of a month an item names ("9 и 10 июня", "21 February", "22 ақпанға", "March 19"),
as (day, month) pairs, for an event claim's scope: an event happened on one day, so an item
that dates what it reports to other days, and names neither that day nor the claim's vote,
is about another event (detentions in June 2019 or February 2022 are not the election day's).
Self-contained on purpose: the number reader's internals are tuned for speed elsewhere."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Month stems (casefolded) in Russian, Kazakh (Cyrillic and Latin) and English, by month.
_MONTH_STEMS: tuple[tuple[str, ...], ...] = (
    ("январ", "қаңтар", "қантар", "qantar", "qańtar", "january", "jan"),
    ("феврал", "ақпан", "aqpan", "february", "feb"),
    ("март", "наурыз", "nauryz", "naýryz", "march"),
    ("апрел", "сәуір", "sauir", "sáýir", "april"),
    ("мая", "май", "мае", "мамыр", "mamyr", "may"),
    ("июн", "маусым", "mausym", "maýsym", "june"),
    ("июл", "шілде", "shilde", "july"),
    ("август", "тамыз", "tamyz", "august"),
    ("сентябр", "қыркүйек", "qyrkuiek", "qyrkúiek", "september"),
    ("октябр", "қазан", "qazan", "october"),
    ("ноябр", "қараша", "qarasha", "november"),
    ("декабр", "желтоқсан", "jeltoqsan", "december"),
)
_STEM_MONTH = {stem: n for n, stems in enumerate(_MONTH_STEMS, 1) for stem in stems}
_STEMS = "|".join(sorted(map(re.escape, _STEM_MONTH), key=len, reverse=True))
#: "10 июня", "9 и 10 июня" (the first day of a pair too), "21 February"; "March 19" in English.
_DAY_MONTH_RE = re.compile(
    rf"(?<![\d.:,])(\d{{1,2}})(?:\s*(?:и|and|,|-|–|мен|және)\s*(\d{{1,2}}))?\s+({_STEMS})\w*",
    re.IGNORECASE)
_MONTH_DAY_RE = re.compile(rf"\b({_STEMS})\w*\s+(\d{{1,2}})(?![\d:.,]\d)", re.IGNORECASE)


def _month(word: str) -> int:
    word = word.casefold()
    return next(n for stem, n in _STEM_MONTH.items() if word.startswith(stem))


def named_days(sentences: Iterable[str]) -> set[tuple[int, int]]:
    """The (day, month) pairs named in *sentences*; days outside 1–31 are not days."""
    days: set[tuple[int, int]] = set()
    for sentence in sentences:
        for m in _DAY_MONTH_RE.finditer(sentence):
            month = _month(m.group(3))
            days.update((int(d), month) for d in m.group(1, 2) if d)
        for m in _MONTH_DAY_RE.finditer(sentence):
            days.add((int(m.group(2)), _month(m.group(1))))
    return {(d, mo) for d, mo in days if 1 <= d <= 31}


def parse_days(days: Iterable[str]) -> set[tuple[int, int]]:
    """The claims file's ``scope.days`` ("10 January"): each must name one day of a month."""
    out: set[tuple[int, int]] = set()
    for text in days:
        found = named_days([text])
        if len(found) != 1:
            raise ValueError(f"scope.days: {text!r} is not one day of a month")
        out |= found
    return out
