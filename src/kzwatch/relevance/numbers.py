"""Numbers in text for relevance scoring: values with their units (percent, thousands,
millions), years, days of a month, and small numbers written as words.  Pure functions."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import overload


@dataclass(frozen=True)
class Number:
    """A number found in text: its value, whether it is a percentage, a year or a day of a
    month, and the text it was read from."""

    value: float
    percent: bool
    year: bool
    text: str
    date: bool = False  # "25 мая", "25 February", "25 ақпанда": a day, never a quantity


#: A number starts with a digit not after a digit, "." or ",".  The check is a lookbehind
#: *after* the first digit, so that the pattern starts with ``\d`` and the regex engine skips
#: to the digits instead of trying the lookbehind at every character (3× faster on a sentence;
#: the same matches: ``\d{1,3}`` is ``\d\d{0,2}`` and ``\d+`` is ``\d\d*``).
_NUMBER_RE = re.compile(
    r"(?P<num>\d(?<![\d.,]\d)(?:\d{0,2}(?:[ ,.]\d{3})+(?![.,]?\d)|\d*(?:[.,]\d+)?))"
    r"(?:\s*-?\s*(?P<unit>%|процент\w*|пайыз\w*|percent|per cent|тыс\w*|мын\w*|thousand|"
    r"млн|миллион\w*|million|млрд|billion))?"
)
_MULTIPLIERS = {"тыс": 1e3, "мын": 1e3, "thousand": 1e3, "млн": 1e6, "миллион": 1e6,
                "million": 1e6, "млрд": 1e9, "billion": 1e9}
#: Month names (normalised stems) in Russian, Kazakh and English: a number next to one is a date.
_MONTHS = (
    "январ", "феврал", "март", "апрел", "мая", "май", "мае", "июн", "июл", "август", "сентябр",
    "октябр", "ноябр", "декабр", "кантар", "акпан", "наурыз", "сауир", "мамыр", "маусым",
    "шилде", "тамыз", "кыркуйек", "казан", "караша", "желтоксан", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december",
)  # fmt: skip
_MONTH_RE = re.compile(r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\w*$")
_DAY_BEFORE_MONTH_RE = re.compile(r"^\s+([^\W\d_]+)")
_MONTH_BEFORE_DAY_RE = re.compile(r"([^\W\d_]+)\s+$")
#: Small numbers written as words (normalised), as reports write "шесть из семи", "nine hours".
_NUMBER_WORDS = {
    "два": 2, "две": 2, "двух": 2, "три": 3, "трех": 3, "четыре": 4, "четырех": 4, "пять": 5,
    "пяти": 5, "шесть": 6, "шести": 6, "семь": 7, "семи": 7, "восемь": 8, "девять": 9,
    "девяти": 9, "десять": 10, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "еки": 2, "уш": 3, "торт": 4, "бес": 5,
    "алты": 6, "жети": 7, "сегиз": 8, "тогыз": 9,
}  # fmt: skip


_NUMBER_FOLD = str.maketrans({"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у",
                              "һ": "х", "і": "и", "ё": "е", "\u00a0": " ", "\u202f": " ",
                              "\u2009": " ", "\u2013": "-", "\u2014": "-"})
_NUMBER_FOLD_PAIRS = tuple((chr(k), v) for k, v in _NUMBER_FOLD.items())
_DIGIT_RE = re.compile(r"\d")
_LETTER_RUN_RE = re.compile(r"[^\W\d_]+")
_GROUPED_RE = re.compile(r"\d{1,3}(?:[ ,.]\d{3})+")
_GROUP_SEPARATOR_RE = re.compile(r"[ ,.]")


def _is_date(text: str, start: int, end: int, value: float) -> bool:
    if not (1 <= value <= 31) or value != int(value):
        return False
    after = _DAY_BEFORE_MONTH_RE.match(text[end:end + 20])
    before = _MONTH_BEFORE_DAY_RE.search(text[max(0, start - 20):start])
    return any(m is not None and _MONTH_RE.match(m.group(1)) is not None
               for m in (after, before))


def extract_numbers(text: str) -> list[Number]:
    """Numbers in *text*: "63,3 %", "63.3 процента", "340 000", "340 тысяч", "шесть"; days of a
    month ("25 мая") are marked as dates and four-digit 1990–2039 as years."""
    out: list[Number] = []
    # The units and number words need only case, Kazakh letters and spaces folded: the full
    # normalize() (Latin diacritics, char by char) costs more than all the rest of this.
    # Folding neither makes nor removes digits, and every number pattern starts with one.
    if _DIGIT_RE.search(text):
        out += _digit_numbers(_fold_text(text))
    for chunk in text.split():
        out += _number_words(chunk)
    return out


def _fold_text(text: str) -> str:
    """``text.casefold().translate(_NUMBER_FOLD)``: a dict-table translate walks a Cyrillic
    text character by character in Python objects; a replace per letter that occurs is C."""
    folded = text.casefold()
    for old, new in _NUMBER_FOLD_PAIRS:
        if old in folded:
            folded = folded.replace(old, new)
    return folded


@lru_cache(maxsize=200_000)
def _fold(chunk: str) -> str:
    return chunk.casefold().translate(_NUMBER_FOLD)


@lru_cache(maxsize=200_000)
def _number_words(chunk: str) -> tuple[Number, ...]:
    """Number words of one whitespace-separated chunk, cached: a letter run never spans
    whitespace, so the chunks' words in order are the text's.  Number words stand as whole
    words: a letter run equal to one (a set lookup per word is far cheaper than a regex
    alternation of all of them)."""
    return tuple(Number(value=float(_NUMBER_WORDS[w]), percent=False, year=False, text=w)
                 for w in _LETTER_RUN_RE.findall(_fold(chunk))
                 if w in _NUMBER_WORDS)


def _digit_numbers(normal: str) -> list[Number]:
    out = []
    for m in _NUMBER_RE.finditer(normal):
        raw, unit = m.group(1, 2)  # "num", "unit"
        if raw.isdigit():  # the common case: no separator, so not grouped
            value = float(raw)
        elif _GROUPED_RE.fullmatch(raw):
            value = float(_GROUP_SEPARATOR_RE.sub("", raw))
        else:
            value = float(raw.replace(",", "."))
        if unit:
            percent = unit == "%" or unit.startswith(("процент", "пайыз", "percent", "per cent"))
            for prefix, factor in _MULTIPLIERS.items():
                if unit.startswith(prefix):
                    value *= factor
            out.append(Number(value=value, percent=percent, year=False,
                              text=m.group(0).strip()))
        else:
            out.append(Number(value=value, percent=False, year=raw.isdigit() and 1990 <= value <= 2039,
                              text=m.group(0).strip(),
                              date=_is_date(normal, m.start(), m.end(), value)))
    return out


#: A year is read from a run of digits (1990–2039, leading zeros allowed): a sentence
#: without four digits in a row names none, and its numbers need not be read for years.
#: Transliteration and folding never make, remove or join digits (checked for every
#: character), so the test holds on the sentence as written.
_FOUR_DIGITS_RE = re.compile(r"\d{4}")


def number_words_near(value: float, tolerance: float) -> frozenset[str]:
    """The number words (folded) whose value is within *tolerance* of *value*."""
    return frozenset(w for w, v in _NUMBER_WORDS.items() if abs(v - value) <= tolerance)


class SentenceNumbers(Sequence[list[Number]]):
    """The numbers of each sentence (``extract_numbers``), read on first use and by part:
    the digits of a sentence (years, figures) are read without its number words, which only
    the sentences a quantity's cue occurs in need.  *to_text* turns a sentence into the text
    its numbers are read from (Latin Kazakh into Cyrillic), also only when it is read."""

    def __init__(self, sentences: Sequence[str], to_text: Callable[[str], str] | None = None
                 ) -> None:
        self._sentences = sentences
        self._to_text = to_text
        self._digits: dict[int, list[Number]] = {}
        self._all: dict[int, list[Number]] = {}
        self._years: list[Number] | None = None
        self._with_digits: list[int] | None = None
        self._years_in: dict[int, frozenset[float]] = {}
        self._texts: dict[int, str] = {}
        self._folded: dict[int, str] = {}  # ``_fold_text`` of each text

    def __len__(self) -> int:
        return len(self._sentences)

    @overload
    def __getitem__(self, index: int) -> list[Number]: ...

    @overload
    def __getitem__(self, index: slice) -> list[list[Number]]: ...

    def __getitem__(self, index: int | slice) -> list[Number] | list[list[Number]]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        found = self._all.get(index)
        if found is None:
            # Number words by chunk, cached (as ``extract_numbers`` reads them).
            found = self._all[index] = self.digits(index) + list(
                chain.from_iterable(map(_number_words, self.text(index).split())))
        return found

    def text(self, index: int) -> str:
        """The text sentence *index*'s numbers are read from."""
        found = self._texts.get(index)
        if found is None:
            sentence = self._sentences[index]
            found = self._texts[index] = (self._to_text(sentence) if self._to_text is not None
                                          else sentence)
        return found

    def may_name(self, index: int, words: frozenset[str]) -> bool:
        """Might sentence *index* hold one of the number *words* (each, folded, is a part of
        its folded text: a number word is a whole letter run of it)?"""
        folded = self._folded.get(index)
        if folded is None:
            folded = self._folded[index] = _fold_text(self.text(index))
        return any(word in folded for word in words)

    def digits(self, index: int) -> list[Number]:
        """The numbers written in digits in sentence *index* (first in ``self[index]``)."""
        found = self._digits.get(index)
        if found is None:
            # Transliteration and folding neither make nor remove digits.
            if not _DIGIT_RE.search(self._sentences[index]):
                found = self._digits[index] = []
            else:
                folded = self._folded.get(index)
                if folded is None:
                    folded = self._folded[index] = _fold_text(self.text(index))
                found = self._digits[index] = _digit_numbers(folded)
        return found

    def with_digits(self) -> list[int]:
        """The indexes of the sentences with a digit, in order."""
        if self._with_digits is None:
            self._with_digits = [i for i, s in enumerate(self._sentences) if _DIGIT_RE.search(s)]
        return self._with_digits

    def years_in(self, index: int) -> frozenset[float]:
        """The values of the years sentence *index* names."""
        found = self._years_in.get(index)
        if found is None:
            found = self._years_in[index] = frozenset(
                n.value for n in self.digits(index) if n.year
            ) if _FOUR_DIGITS_RE.search(self._sentences[index]) else frozenset()
        return found

    def years(self) -> list[Number]:
        """Every number read as a year, in text order (number words are never years)."""
        if self._years is None:
            self._years = [n for i in self.with_digits()
                           if _FOUR_DIGITS_RE.search(self._sentences[i])
                           for n in self.digits(i) if n.year]
        return self._years


def parse_figure(figure: str) -> Number | None:
    numbers = extract_numbers(figure)
    return numbers[0] if numbers else None


def figure_tolerance(figure: Number) -> float:
    """A figure written "63%" matches 62.5–63.5; "35.10%" matches 35.1 only."""
    digits = figure.text.replace(" ", "")
    m = re.search(r"[.,](\d{1,2})(?!\d)", digits)
    if m and figure.value < 1000:
        return 0.5 * 10 ** -len(m.group(1)) + 1e-9
    return 0.5 if figure.percent else 0.0
