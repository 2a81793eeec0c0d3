"""Numbers in text for relevance scoring: values with their units (percent, thousands,
millions), years, days of a month, and small numbers written as words.  Pure functions."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import overload

from kzwatch.relevance.days import relative_year_offsets


@dataclass(frozen=True)
class Number:
    """A number found in text: its value, whether it is a percentage, a year or a day of a
    month, and the text it was read from."""

    value: float
    percent: bool
    year: bool
    text: str
    # "25 мая", "25 February", "25 ақпанда": a day; "в 12:00": a time of day; never a quantity
    date: bool = False


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


#: Words of a number written out in several words ("он сегіз миллион", "сорока тысяч",
#: "forty thousand", "сексен тоғыз мың бес жүз бес"), folded: the words that add (units,
#: teens, tens, whole hundreds) and those that multiply what came before (hundred, thousand,
#: million).  Read only as a run of two or more such words with a tens word or a multiplier
#: in it: "он" (Kazakh ten, Russian "he") and "бес" alone say nothing.
_ADDING_WORDS = {
    **_NUMBER_WORDS, "один": 1, "одна": 1, "одного": 1, "one": 1, "бир": 1, "он": 10,
    "одиннадцать": 11, "двенадцать": 12, "тринадцать": 13, "четырнадцать": 14,
    "пятнадцать": 15, "шестнадцать": 16, "семнадцать": 17, "восемнадцать": 18,
    "восемнадцати": 18, "девятнадцать": 19, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "двадцать": 20, "двадцати": 20, "тридцать": 30, "тридцати": 30,
    "сорок": 40, "сорока": 40, "пятьдесят": 50, "пятидесяти": 50, "шестьдесят": 60,
    "семьдесят": 70, "восемьдесят": 80, "восьмидесяти": 80, "девяносто": 90, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "жиырма": 20, "отыз": 30, "кырык": 40, "елу": 50, "алпыс": 60,
    "жетпис": 70, "сексен": 80, "токсан": 90, "сто": 100, "двести": 200, "триста": 300,
    "четыреста": 400, "пятьсот": 500, "шестьсот": 600, "семьсот": 700, "восемьсот": 800,
    "девятьсот": 900, "ста": 100, "двухсот": 200, "трехсот": 300, "четырехсот": 400,
    "пятисот": 500, "шестисот": 600, "семисот": 700, "восьмисот": 800, "девятисот": 900,
}  # fmt: skip
_KAZAKH_UNITS = frozenset(("бир", "еки", "уш", "торт", "бес", "алты", "жети", "сегиз", "тогыз"))
_TENS_OR_MORE = frozenset(w for w, v in _ADDING_WORDS.items() if v >= 10)
_MULTIPLYING_WORDS = {
    "hundred": 100, "жуз": 100, "тысяча": 1e3, "тысячи": 1e3, "тысяч": 1e3, "thousand": 1e3,
    "мын": 1e3, "миллион": 1e6, "миллиона": 1e6, "миллионов": 1e6, "million": 1e6,
    "миллионга": 1e6, "миллионнан": 1e6, "миллионы": 1e6, "мынга": 1e3, "мыннан": 1e3,
    "мыны": 1e3, "мындай": 1e3, "thousands": 1e3, "millions": 1e6,
}  # fmt: skip


@lru_cache(maxsize=200_000)
def _compound_word(chunk: str) -> str:
    """The folded word of *chunk* when it may be part of a number in words, else ""."""
    word = _fold(chunk).strip(".,;:!?()«»\"'")
    return word if word in _ADDING_WORDS or word in _MULTIPLYING_WORDS else ""


_LARGE_WORD_RE = re.compile(r"\b(?:" + "|".join(sorted(
    (w for w in (*_TENS_OR_MORE, *_MULTIPLYING_WORDS) if w != "он"), key=len, reverse=True))
    + r"|он (?:" + "|".join(sorted(_KAZAKH_UNITS)) + r"))\b")


def _number_pieces(chunks: list[str]) -> list[tuple[str, str]]:
    """Each chunk's number word (``_compound_word``; "" for none) with what joins it to the
    one before, a hyphenated compound ("twenty-five", "қырық-елу") taken apart into its words;
    "and" kept between a hundred and what it adds ("three hundred and sixty")."""
    pieces: list[tuple[str, str]] = []
    for n_chunk, chunk in enumerate(chunks):
        parts = chunk.split("-")
        words = [_compound_word(part) for part in parts] if len(parts) > 1 else []
        if words and all(words):
            pieces += [(word, " " if n == 0 else "-") for n, word in enumerate(words)]
        elif chunk.casefold() == "and" and pieces and pieces[-1][0] == "hundred":
            pieces.append(("and", " "))
        elif _PERCENT_UNIT_RE.match(fold_text(" ".join(chunks[n_chunk:n_chunk + 2]))):
            # A share in words ("forty-five per cent") is ``_words_percent``'s, not a count.
            pieces.append((_PERCENT_MARK, " "))
        else:
            pieces.append((_compound_word(chunk), " "))
    return pieces


#: Where a percent word follows number words (``_number_pieces``): the run before it is no count.
_PERCENT_MARK = "%"


def _compound_words(chunks: list[str]) -> list[Number]:
    """Numbers written in two or more words (``_ADDING_WORDS``, ``_MULTIPLYING_WORDS``), as
    one value each: "он сегіз миллион" is 18,000,000, "forty thousand" 40,000, "twenty-five
    thousand" 25,000, "three hundred and sixty" 360."""
    pieces = [*_number_pieces(chunks), ("", " ")]
    if sum(bool(word) for word, _ in pieces) < 2:
        return []
    out: list[Number] = []
    run: list[tuple[str, str]] = []
    for i, (word, joint) in enumerate(pieces):
        # "он" is ten only before a Kazakh unit ("он сегіз"); in Russian it is "he".
        if word == "он" and pieces[i + 1][0] not in _KAZAKH_UNITS:
            word = ""
        # "and" stands in a number only with an adding word after it.
        if word == "and" and pieces[i + 1][0] not in _ADDING_WORDS:
            word = ""
        if word and word != _PERCENT_MARK:
            run.append((word, joint))
            continue
        if run and run[-1][0] == "and":
            run.pop()
        if word == _PERCENT_MARK:
            run = []
        words = [w for w, _ in run if w != "and"]
        if len(words) >= 2 and any(w in _TENS_OR_MORE or w in _MULTIPLYING_WORDS for w in words):
            text = "".join(j + w for w, j in run).lstrip()
            out.append(Number(value=_run_value(words), percent=False, year=False, text=text))
        run = []
    return out


#: A share written in words: "меньше одного процента", "closer to forty-five per cent",
#: "бір пайыздан аз" (folded).  The words before the percent word are read as one number
#: (``_words_percent``); "один", "one" and "бір" count here, where a unit word follows.
#: Informal Latin Kazakh writes "y" for both "й" and "ы": "payyz" reads "паыыз".
_PERCENT_WORD_RE = re.compile(r"(?<![\w-])((?:[^\W\d_]+[\s-]+){1,4})(?:процент\w*|па[йы]ыз\w*|"
                              r"percent|per cent)")
_PERCENT_UNIT_RE = re.compile(r"процент|па[йы]ыз|percent|per cent")
_ONE_WORDS = {"один": 1, "одна": 1, "одного": 1, "одной": 1, "one": 1, "бир": 1}
_PERCENT_NUMBER_WORDS = {**_ADDING_WORDS, **_ONE_WORDS}


def _words_percent(folded: str) -> list[Number]:
    """Percentages written in words in the folded text *folded*: the run of number words right
    before a percent word, as one value ("forty-five per cent" is 45%); its text is the folded
    span from the first number word to the end of the percent word (what ``qualifiers`` finds)."""
    out: list[Number] = []
    for m in _PERCENT_WORD_RE.finditer(folded):
        words = re.split(r"[\s-]+", m.group(1).strip())
        run = 0
        while run < len(words) and words[len(words) - 1 - run] in _PERCENT_NUMBER_WORDS:
            run += 1
        if not run:
            continue
        value = sum(_PERCENT_NUMBER_WORDS[w] for w in words[len(words) - run:])
        start = m.start(1) + _nth_word_start(m.group(1), len(words) - run)
        out.append(Number(value=float(value), percent=True, year=False,
                          text=folded[start:m.end()]))
    return out


def _nth_word_start(span: str, n: int) -> int:
    """Where the *n*-th word (from 0) of *span* starts (words parted by spaces or hyphens)."""
    return [w.start() for w in re.finditer(r"[^\s-]+", span)][n]


def _run_value(run: list[str]) -> float:
    total = current = 0.0
    for word in run:
        factor = _MULTIPLYING_WORDS.get(word)
        if factor is None:
            current += _ADDING_WORDS[word]
        elif factor == 100:
            current = (current or 1) * 100
        else:
            total += (current or 1) * factor
            current = 0.0
    return total + current


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


_CLOCK_AFTER_RE = re.compile(r":\d{2}(?!\d)")
_CLOCK_BEFORE_RE = re.compile(r"(?<!\d)\d{1,2}:$")


def _is_clock(text: str, start: int, end: int) -> bool:
    """Hours or minutes of a time of day ("в 12:00", "at 18:30")."""
    if end - start > 2:
        return False
    return (_CLOCK_AFTER_RE.match(text, end) is not None
            or (end - start == 2 and _CLOCK_BEFORE_RE.search(text[max(0, start - 3):start])
                is not None))


def extract_numbers(text: str) -> list[Number]:
    """Numbers in *text*: "63,3 %", "63.3 процента", "340 000", "340 тысяч", "шесть"; days of a
    month ("25 мая") are marked as dates and four-digit 1990–2039 as years."""
    out: list[Number] = []
    # The units and number words need only case, Kazakh letters and spaces folded: the full
    # normalize() (Latin diacritics, char by char) costs more than all the rest of this.
    # Folding neither makes nor removes digits, and every number pattern starts with one.
    if _DIGIT_RE.search(text):
        out += _digit_numbers(fold_text(text))
    chunks = text.split()
    for chunk in chunks:
        out += _number_words(chunk)
    return out + _compound_words(chunks)


def numbers_and_shares_in_words(text: str) -> list[Number]:
    """``extract_numbers`` of *text* and its percentages written in words ("sixty-three
    percent", ``_words_percent``)."""
    found = extract_numbers(text)
    if _PERCENT_UNIT_RE.search(text.casefold()):
        found += _words_percent(fold_text(text))
    return found


def fold_text(text: str) -> str:
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
            year = raw.isdigit() and 1990 <= value <= 2039
            decade = (year and value % 10 == 0
                      and _DECADE_AFTER_RE.match(normal, m.end()) is not None
                      and _RANGE_BEFORE_RE.search(normal, 0, m.start()) is None)
            day = (decade or _is_date(normal, m.start(), m.end(), value)
                   or _is_clock(normal, m.start(), m.end()))
            out.append(Number(value=value, percent=False, year=year and not decade,
                              text=m.group(0).strip(), date=day))
    return out


#: A decade, not a year: a round year followed by "s", "-х", "-е год…" or the Kazakh plural
#: "жылдар…" ("the 2000s", "the 1990's", "в 2000-х", "1990-е годы", "2000-жылдары"), read on
#: folded text, and not the end of a range ("2019–2020 жылдары" is two years).  Marked as a
#: date (neither a year nor a count): "since the mid-2000s" does not put a story about the latest
#: vote in 2000.
_DECADE_AFTER_RE = re.compile(r"(?:'?s\b|\s*-\s*(?:х\b|е\s+год)|\s*-?\s*жылдар)")
_RANGE_BEFORE_RE = re.compile(r"\d\s*[-/]\s*$")


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

    def __init__(self, sentences: Sequence[str], to_text: Callable[[str], str] | None = None,
                 vote_years: Callable[[Sequence[str]], list[frozenset[int]]] | None = None
                 ) -> None:
        self._sentences = sentences
        self._to_text = to_text
        # For a text that names no year at all: the year of the vote each sentence names by its
        # day ("elected on March 19"), read as a year of that sentence (``days.vote_years``).
        self._vote_years = vote_years
        self._voted: dict[int, list[Number]] | None = None
        self._digits: dict[int, list[Number]] = {}
        self._written_cache: dict[int, list[Number]] = {}
        self._all: dict[int, list[Number]] = {}
        self._in_words: dict[int, list[Number]] = {}
        self._percent_words: dict[int, list[Number]] = {}
        self._years: list[Number] | None = None
        self._with_digits: list[int] | None = None
        self._years_in: dict[int, frozenset[float]] = {}
        self._texts: dict[int, str] = {}
        self._folded: dict[int, str] = {}  # ``fold_text`` of each text
        self._folded_given: dict[int, str] = {}  # ``folded_sentence`` when it is another
        # Facts of the whole item every assessed claim reads: worked out once per item.
        self._year_values: frozenset[int] | None = None
        self._sentence_years: list[frozenset[int]] | None = None
        self._relative_years: list[frozenset[int]] | None = None  # offsets, ``relative_years``
        self._percent_sentences: frozenset[int] | None = None
        #: (percent, year) → the item's digit-written numbers of that kind that are not dates,
        #: as values sorted and the first sentence of each (``first_near``)
        self._by_kind: dict[tuple[bool, bool], tuple[list[float], list[int]]] | None = None

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

    def in_words(self, index: int) -> list[Number]:
        """Numbers written in several words in sentence *index* ("сорока тысяч"), read only
        for the quantities and figures large enough to be written so (each has a tens word
        or a multiplier: looked for with one regex first)."""
        found = self._in_words.get(index)
        if found is None:
            found = self._in_words[index] = (
                _compound_words(self.text(index).split())
                if _LARGE_WORD_RE.search(self._folded_text(index)) else [])
        return found

    def percent_words(self, index: int) -> list[Number]:
        """Percentages written in words in sentence *index* ("меньше одного процента"), read
        from its folded text (``_words_percent``)."""
        found = self._percent_words.get(index)
        if found is None:  # each quantity of each claim with a cue there asks again
            found = self._percent_words[index] = (
                _words_percent(self._folded_text(index)) if _PERCENT_UNIT_RE.search(
                    self._folded_text(index)) else [])
        return found

    def folded_read_text(self, index: int) -> str:
        """``fold_text`` of the text sentence *index*'s numbers are read from (Latin Kazakh
        in Cyrillic): where a number read from it is found again."""
        return self._folded_text(index)

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
        folded = self._folded_text(index)
        return any(word in folded for word in words)

    def _folded_text(self, index: int) -> str:
        folded = self._folded.get(index)
        if folded is None:
            folded = self._folded[index] = fold_text(self.text(index))
        return folded

    def folded_sentence(self, index: int) -> str:
        """``fold_text`` of sentence *index* as given (not the text its numbers are read
        from, which differs for Latin Kazakh), once per item: every quantity of every claim
        whose cue is in the sentence reads its numbers' qualifiers there."""
        if self._to_text is None:  # the same text: one fold serves both
            return self._folded_text(index)
        folded = self._folded_given.get(index)
        if folded is None:
            folded = self._folded_given[index] = fold_text(self._sentences[index])
        return folded

    def digits(self, index: int) -> list[Number]:
        """The numbers written in digits in sentence *index* (first in ``self[index]``), and
        the year of a vote it names by its day when the text names no year."""
        found = self._digits.get(index)
        if found is None:
            found = self._digits[index] = self._written(index) + self.voted().get(index, [])
        return found

    def voted(self) -> dict[int, list[Number]]:
        """Sentence index → the years of the votes it names by their day alone (empty unless
        a ``vote_years`` reader was given).  A sentence that names a year is dated by it; one
        that names none is dated by its vote's day even when other sentences name years ("the
        parliamentary election on January 10" in a story that recalls a 2019 vote), but not
        by an earlier vote's day than the latest year the text names: there the day is the
        story's own ("results announced on March 20" in a 2023 story is not the 2016 vote)."""
        if self._voted is None:
            self._voted = {}
            if self._vote_years is not None:
                named = {i: [int(n.value) for n in self._written(i) if n.year]
                         for i in self._digit_sentences()}
                latest = max((y for ys in named.values() for y in ys), default=0)
                undated = ["" if named.get(i) else s for i, s in enumerate(self._sentences)]
                self._voted = {i: [Number(float(y), False, True, str(y)) for y in sorted(ys)]
                               for i, ys in enumerate(self._vote_years(undated))
                               if ys and max(ys) >= latest}
        return self._voted

    def _digit_sentences(self) -> list[int]:
        return [i for i, s in enumerate(self._sentences) if _FOUR_DIGITS_RE.search(s)]

    def _written(self, index: int) -> list[Number]:
        """The numbers written in digits in sentence *index*."""
        found = self._written_cache.get(index)
        if found is None:
            # Transliteration and folding neither make nor remove digits.
            if not _DIGIT_RE.search(self._sentences[index]):
                found = self._written_cache[index] = []
            else:
                found = self._written_cache[index] = _digit_numbers(self._folded_text(index))
        return found

    def with_digits(self) -> list[int]:
        """The indexes of the sentences with a digit, in order."""
        if self._with_digits is None:
            voted = self.voted()
            self._with_digits = [i for i, s in enumerate(self._sentences)
                                 if _DIGIT_RE.search(s) or i in voted]
        return self._with_digits

    def years_in(self, index: int) -> frozenset[float]:
        """The values of the years sentence *index* names."""
        found = self._years_in.get(index)
        if found is None:
            found = self._years_in[index] = frozenset(
                n.value for n in self.digits(index) if n.year
            ) if (_FOUR_DIGITS_RE.search(self._sentences[index])
                  or index in self.voted()) else frozenset()
        return found

    def years(self) -> list[Number]:
        """Every number read as a year, in text order (number words are never years)."""
        if self._years is None:
            voted = self.voted()
            self._years = [n for i in self.with_digits()
                           if _FOUR_DIGITS_RE.search(self._sentences[i]) or i in voted
                           for n in self.digits(i) if n.year]
        return self._years


    def year_values(self) -> frozenset[int]:
        """The years the item names (``years``), as integers."""
        if self._year_values is None:
            self._year_values = frozenset(int(n.value) for n in self.years())
        return self._year_values

    def sentence_years(self, published: int | None = None) -> list[frozenset[int]]:
        """Per sentence, the years it names (``years_in``) as integers, with those it tells
        relative to *published* (``relative_years``; none without it).  A new list each
        call (the sets are shared): every claim's evidence holds its own."""
        if self._sentence_years is None:
            self._sentence_years = [frozenset(int(v) for v in self.years_in(s))
                                    for s in range(len(self))]
        if published is None:
            return list(self._sentence_years)
        return [named | relative for named, relative in
                zip(self._sentence_years, self.relative_years(published))]

    def relative_years(self, published: int | None) -> list[frozenset[int]]:
        """Per sentence, the years it tells relative to *published* (``days.relative_year_offsets``);
        all empty when the item has no date."""
        if published is None:
            return [frozenset()] * len(self)
        if self._relative_years is None:
            self._relative_years = [relative_year_offsets(self.text(s))
                                    for s in range(len(self))]
        return [frozenset(published + offset for offset in offsets)
                for offsets in self._relative_years]

    def percent_sentences(self) -> frozenset[int]:
        """The sentences with a percentage that is not a year (a vote's result)."""
        if self._percent_sentences is None:
            self._percent_sentences = frozenset(
                s for s in self.with_digits()
                if any(n.percent and not n.year for n in self.digits(s)))
        return self._percent_sentences

    def first_near(self, figure: Number, tolerance: float) -> int | None:
        """The first sentence with a number written in digits, not a date, of *figure*'s kind
        (percentage, year) and within *tolerance* of its value; None when none is.  What each
        claim's figure check asks of every sentence in turn, answered by bisection in the
        item's numbers (read once per item) instead."""
        if self._by_kind is None:
            self._by_kind = self._index_by_kind()
        values, sentences = self._by_kind.get((figure.percent, figure.year), ((), ()))
        # Bisect a wider window (by far more than a rounding error), then compare as the
        # check always did: the same floating-point test, so the same answers at its edges.
        slack = tolerance + 1e-6 * (1 + abs(figure.value))
        at = bisect_left(values, figure.value - slack)
        found = None
        while at < len(values) and values[at] <= figure.value + slack:
            if abs(values[at] - figure.value) <= tolerance and (found is None
                                                                or sentences[at] < found):
                found = sentences[at]
            at += 1
        return found

    def _index_by_kind(self) -> dict[tuple[bool, bool], tuple[list[float], list[int]]]:
        by_kind: dict[tuple[bool, bool], list[tuple[float, int]]] = {}
        for s_idx in self.with_digits():
            for n in self.digits(s_idx):
                if not n.date:
                    by_kind.setdefault((n.percent, n.year), []).append((n.value, s_idx))
        return {kind: ([v for v, _ in pairs], [s for _, s in pairs])
                for kind, pairs in ((k, sorted(p)) for k, p in by_kind.items())}


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
