"""Days of a month an item names ("9 и 10 июня", "21 February", "22 ақпанға", "March 19"),
as (day, month) pairs, for an event claim's scope: an event happened on one day, so an item
that dates what it reports to other days, and names neither that day nor the claim's vote,
is about another event (detentions in June 2019 or February 2022 are not the election day's).
Also the years a sentence tells relative to its publication ("last year", "биыл": round 28c).
Self-contained on purpose: the number reader's internals are tuned for speed elsewhere."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

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
#: Both patterns are written so that the regex engine can skip ahead (3× faster, the same
#: matches: tested): the first starts with a digit and checks what stands before it after it
#: (``\d`` not after ``[\d.:,]`` is ``(?<![\d.:,])\d``); the second is looked for only where
#: a letter a month stem starts with stands (a lookahead the engine turns into a scan).
_DAY_MONTH_RE = re.compile(
    rf"(\d(?<![\d.:,]\d)\d?)(?:\s*(?:и|and|,|-|–|мен|және)\s*(\d{{1,2}}))?\s+({_STEMS})\w*",
    re.IGNORECASE)
_DIGIT_RE = re.compile(r"\d")
_STEM_FIRST = "".join(sorted({re.escape(stem[0]) for stem in _STEM_MONTH}))
_MONTH_DAY_RE = re.compile(rf"(?=[{_STEM_FIRST}])\b({_STEMS})\w*\s+(\d{{1,2}})(?![\d:.,]\d)",
                           re.IGNORECASE)


def _month(word: str) -> int:
    word = word.casefold()
    return next(n for stem, n in _STEM_MONTH.items() if word.startswith(stem))


def _days_at(sentence: str) -> tuple[tuple[int, int, int, int], ...]:
    """(day, month, start, end) of each day of a month named in *sentence*.  Not cached by
    sentence text: feeds do not repeat whole sentences the way the bench's items do (so such
    a cache would only flatter the bench); scoring reads an item's days once per item."""
    if not _DIGIT_RE.search(sentence):  # both patterns need a digit (most sentences have none)
        return ()
    out = []
    for m in _DAY_MONTH_RE.finditer(sentence):
        month = _month(m.group(3))
        out += [(int(d), month, m.start(), m.end()) for d in m.group(1, 2) if d]
    out += [(int(m.group(2)), _month(m.group(1)), m.start(), m.end())
            for m in _MONTH_DAY_RE.finditer(sentence)]
    # Most sentences with a digit name no day: no generator for them.
    return tuple(d for d in out if 1 <= d[0] <= 31) if out else ()


#: What ``_days_at`` returns: (day, month, start, end) of each day named in a sentence.
DaysAt = tuple[tuple[int, int, int, int], ...]


class DaysBySentence(dict[str, DaysAt]):
    """``_days_at`` of the sentences of one item, each read once (``days_by_sentence[s]``):
    the vote calendar (``vote_years``, through the item's numbers) and an event claim's scope
    (``named_days``) read the same sentences.  One per item, never shared between items (see
    ``_days_at``)."""

    def __missing__(self, sentence: str) -> DaysAt:
        found = self[sentence] = _days_at(sentence)
        return found


def named_days(sentences: Iterable[str],
               days_at: Callable[[str], DaysAt] = _days_at) -> set[tuple[int, int]]:
    """The (day, month) pairs named in *sentences*; days outside 1–31 are not days.
    *days_at*: ``_days_at`` or an item's ``DaysBySentence.__getitem__``."""
    return {(d, m) for sentence in sentences for d, m, _, _ in days_at(sentence)}


def parse_days(days: Iterable[str]) -> set[tuple[int, int]]:
    """The claims file's ``scope.days`` ("10 January"): each must name one day of a month."""
    out: set[tuple[int, int]] = set()
    for text in days:
        found = named_days([text])
        if len(found) != 1:
            raise ValueError(f"scope.days: {text!r} is not one day of a month")
        out |= found
    return out


_VOTE_WORD_RE = re.compile(
    r"выбор|голосов|бюллетен|явк|референдум|сайла|дауыс|election|vote|voting|ballot|turnout|"
    r"elect|referendum|polls|saila|saıla|daýys|dauys", re.IGNORECASE)


def parse_vote_days(calendar: Mapping[str, int]) -> dict[tuple[int, int], int]:
    """The claims file's ``vote_days`` ({"19 March" = 2023, ...}: the country's national votes
    by day) as (day, month) → year; each key must name one day of a month, each value a year."""
    out: dict[tuple[int, int], int] = {}
    for text, year in calendar.items():
        if not isinstance(year, int) or isinstance(year, bool) or not 1000 <= year <= 9999:
            raise ValueError(f"vote_days: {text!r} must give a four-digit year, got {year!r}")
        found = named_days([text])
        if len(found) != 1:
            raise ValueError(f"vote_days: {text!r} is not one day of a month")
        out[found.pop()] = year
    return out


def vote_years(sentences: Sequence[str], years: Sequence[frozenset[int]] = (), *,
               calendar: Mapping[tuple[int, int], int],
               days_at: Callable[[str], DaysAt] = _days_at) -> list[frozenset[int]]:
    """The year of the vote each sentence tells of by its day alone ("elected to the Mazhilis
    on March 19"), for a text that names no year at all: a day of *calendar* (the claims
    file's ``vote_days``, ``parse_vote_days``) with a vote
    word within a few words of it ("15 January, at the first session ... elections" is the
    session's day, not a vote's).  Any year the text names (*years*, one set per sentence)
    wins: it dates its own days.  *days_at*: as for ``named_days``."""
    if any(years):
        return [frozenset()] * len(sentences)
    # A vote word near a day is a vote word of the sentence (the words near it are pieces of
    # the sentence and no vote word has a space): the sentence needs no scan of its own for
    # one, which cost more than all the rest (most sentences name no day at all).
    # A sentence that names no day (most) gets the one empty set without a generator.
    return [frozenset(calendar[(d, m)] for d, m, start, end in days
                      if (d, m) in calendar and _vote_word_near(s, start, end))
            if (days := days_at(s)) else _NO_YEARS
            for s in sentences]


_NO_YEARS: frozenset[int] = frozenset()


def _vote_word_near(sentence: str, start: int, end: int, words: int = 8) -> bool:
    before = sentence[:start].split()[-words:]
    after = sentence[end:].split()[:words]
    return _VOTE_WORD_RE.search(" ".join(before + after)) is not None


#: Years told relative to the item's publication: "в прошлом году", "last year", "былтыр"
#: (one year before it) and "в этом году", "this year", "биыл" (its own year) date a sentence
#: as a four-digit year would ("148 protests last year, far fewer than in 2019–2020" speaks of
#: the year before publication, not of 2019).  Singular forms only: "в прошлые годы", "өткен
#: жылдары" (in past years) name no year.  Read on each sentence's number text (Latin Kazakh
#: in Cyrillic), lower-cased.  ``SentenceNumbers.relative_years`` adds the publication year.
_RELATIVE_YEAR_RES: tuple[tuple[int, re.Pattern[str]], ...] = (
    (-1, re.compile(r"\b(?:(?:в|за)\s+(?:прошлом|минувшем)\s+году|год\s+назад|last\s+year|"
                    r"a\s+year\s+ago|былтыр\w*|өткен\s+жыл(?:ы|ғы)|бір\s+жыл\s+бұрын)\b")),
    (0, re.compile(r"\b(?:(?:в|за)\s+(?:этом|текущем|нынешнем)\s+году|this\s+year|биыл\w*|"
                   r"осы\s+жылы|ағымдағы\s+жыл\w*)\b")),
)


def relative_year_offsets(text: str) -> frozenset[int]:
    """The years *text* tells relative to its publication, as offsets from it (-1: "last
    year"; 0: "this year")."""
    folded = text.lower()
    return frozenset(offset for offset, pattern in _RELATIVE_YEAR_RES if pattern.search(folded))
