"""Does a page's text still carry what a claim rests on?

A citation supports a claim through a few checkable facts: its key figures ("63%", "340,000",
"25 May 2020") and its core terms ("OSDP", "против всех").  ``claim_support`` looks for them in
a main text; comparing the result for the baseline snapshot with the current one
(``compare_support``) tells a maintainer that a source silently dropped the figure the article
quotes, even when the page as a whole has only been "edited".

Figures are matched by value, not by spelling, so that one figure matches the ways Russian,
Kazakh and English news write it:

* percentages: "35.10%" = "35,1 %" = "35,10 процента" = "35,1 пайыз";
* numbers: "340,000" = "340 000" = "340 тыс." = "340 тысяч"; "18 million" = "18 млн";
* dates: "25 May 2020" = "25 мая 2020" = "25.05.2020" = "2020-05-25" = "2020 жылғы 25 мамыр";
  "July 2019" = "июле 2019" = any date in July 2019;
* ratios: "6 of 7" = "6 из 7";
* a number with a unit ("5 days", "44 members") needs the unit (any language) right after it;
* anything else with digits needs all its numbers present; anything without digits is a term.

Terms match as phrases of stems (per language, via ``textnorm.stem``) or of cross-script
``textnorm.latin_key`` forms, so "ОСДП" matches "OSDP" and "выборам" matches "выборы".

Status: ``unknown`` when there is no text or the claim names neither figures nor terms;
``present`` when at least ``min_figures`` of its figures (if it has any) and at least one of its
terms (if it has any) are found; ``missing`` otherwise.  Claims usually rest on several
footnotes, each carrying only some figures, hence "at least one" by default.

Pure functions; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property

from kzwatch import model, textnorm

__all__ = [
    "SupportResult",
    "TextFacts",
    "claim_support",
    "compare_support",
    "figure_found",
    "term_found",
    "parse_figure",
]

STATUSES = ("present", "missing", "unknown")


@dataclass(frozen=True)
class SupportResult:
    status: str  # one of STATUSES
    found: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


# --- vocabulary --------------------------------------------------------------------------------
# All spelled in textnorm.normalize() form (casefolded, Kazakh letters mapped to Russian ones).

_PERCENT_WORDS = r"(?:%|процент\w*|проц\.|пайыз\w*|percent|per\s+cent)"
_SCALES: tuple[tuple[str, int], ...] = (
    (r"тыс\.?|тысяч\w*|мын|thousand|k\b", 1_000),
    (r"млн\.?|миллион\w*|million|mln", 1_000_000),
    (r"млрд\.?|миллиард\w*|billion|bn", 1_000_000_000),
)
#: Unit words a figure like "5 days" may name, with their stems in Russian, Kazakh and English.
_UNITS: dict[str, tuple[str, ...]] = {
    "day": ("day", "дн", "ден", "день", "сут", "кун"),
    "hour": ("hour", "час", "сагат"),
    "member": ("member", "член", "участник", "муше"),
    "year": ("year", "лет", "год", "жыл"),
    "month": ("month", "месяц"),
    "week": ("week", "недел", "апта"),
    "people": ("people", "person", "человек", "адам"),
    "vote": ("vote", "голос", "дауыс"),
    "ballot": ("ballot", "бюллетен"),
    "party": ("part", "парти"),
    "protest": ("protest", "протест", "акци", "наразылык"),
    "rally": ("rall", "митинг", "акци", "шеру"),
    "arrest": ("arrest", "задержа", "арест", "устал"),
}
_UNIT_LOOKAHEAD_TOKENS = 3

#: Month word → number; English needs the whole word or its 3-letter abbreviation, Russian and
#: Kazakh are matched by stem (they inflect: "мая", "июле", "мамырда").
_EN_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")]
    )
    for name in names
}  # fmt: skip
_STEM_MONTHS: tuple[tuple[str, int], ...] = (
    ("январ", 1), ("феврал", 2), ("март", 3), ("апрел", 4), ("июн", 6), ("июл", 7),
    ("август", 8), ("сентябр", 9), ("октябр", 10), ("ноябр", 11), ("декабр", 12),
    # Kazakh (normalised: қаңтар → кантар, сәуір → сауир, шілде → шилде, ...)
    ("кантар", 1), ("акпан", 2), ("наурыз", 3), ("сауир", 4), ("мамыр", 5), ("маусым", 6),
    ("шилде", 7), ("тамыз", 8), ("кыркуйек", 9), ("казан", 10), ("караша", 11), ("желтоксан", 12),
)  # fmt: skip
_RU_MAY = {"май", "мая", "мае", "маю", "маем"}


def _month_of(word: str) -> int | None:
    word = word.rstrip(".")
    if word in _EN_MONTHS:
        return _EN_MONTHS[word]
    if word in _RU_MAY:
        return 5
    for stem, month in _STEM_MONTHS:
        if word.startswith(stem):
            return month
    return None


# --- numbers -----------------------------------------------------------------------------------

# A number as news writes it: grouped thousands ("340,000", "340 000", "1.234.567") with an
# optional decimal part, or plain digits with an optional decimal part ("35,10", "63.3").
_NUMBER = r"\d{1,3}(?:[ ,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_NUMBER_RE = re.compile(rf"(?<![\d.,])({_NUMBER})(?![.,]?\d)")
_SCALE_RE = re.compile(r"\s*(" + "|".join(p for p, _ in _SCALES) + r")", re.IGNORECASE)
_PERCENT_AFTER_RE = re.compile(r"\s*" + _PERCENT_WORDS)


def number_values(literal: str) -> set[Decimal]:
    """Every value *literal* can mean: "340,000" → {340000, 340}; "35,10" → {35.10}.

    Tried once with "," as the decimal separator ("." and space group thousands, Russian
    style) and once with "." (English style); readings whose groups are not 3 digits drop out.
    """
    values: set[Decimal] = set()
    for decimal_sep, group_seps in ((",", ". "), (".", ", ")):
        if decimal_sep in literal:
            body, _, fraction = literal.rpartition(decimal_sep)
            if not fraction.isdigit():
                continue
        else:
            body, fraction = literal, ""
        groups = re.split("[" + re.escape(group_seps) + "]", body)
        if not all(g.isdigit() for g in groups):
            continue
        if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
            continue
        try:
            values.add(Decimal("".join(groups) + ("." + fraction if fraction else "")))
        except InvalidOperation:
            continue
    return values


@dataclass(frozen=True)
class _NumberMention:
    values: frozenset[Decimal]
    percent: bool
    end: int  # offset just after the number (and its scale/percent word) in the text


class TextFacts:
    """One text's numbers, dates and tokens, computed once and queried for many figures."""

    def __init__(self, text: str) -> None:
        self.text = textnorm.normalize(text or "")

    @cached_property
    def numbers(self) -> list[_NumberMention]:
        mentions = []
        for match in _NUMBER_RE.finditer(self.text):
            values = set(number_values(match.group(1)))
            end = match.end()
            scale = _SCALE_RE.match(self.text, end)
            if scale:
                factor = next(f for p, f in _SCALES if re.fullmatch(p, scale.group(1), re.IGNORECASE))
                values |= {v * factor for v in values}
                end = scale.end()
            percent = _PERCENT_AFTER_RE.match(self.text, end)
            if percent:
                end = percent.end()
            mentions.append(_NumberMention(frozenset(values), bool(percent), end))
        return mentions

    @cached_property
    def dates(self) -> set[tuple[int, int, int]]:
        return _find_dates(self.text)

    @cached_property
    def month_years(self) -> set[tuple[int, int]]:
        found = {(y, m) for y, m, _ in self.dates}
        for match in re.finditer(r"([^\W\d_]+)\.?\s+(\d{4})\b", self.text):
            month = _month_of(match.group(1))
            if month:
                found.add((int(match.group(2)), month))
        return found

    @cached_property
    def tokens(self) -> list[str]:
        return textnorm.tokens(self.text)

    @cached_property
    def latin_tokens(self) -> list[str]:
        return [textnorm.latin_key(t) for t in self.tokens]

    def stems(self, lang: str | None) -> list[str]:
        cache = self.__dict__.setdefault("_stems", {})
        if lang not in cache:
            cache[lang] = [textnorm.stem(t, lang) for t in self.tokens]
        return cache[lang]

    def words_after(self, offset: int, count: int) -> list[str]:
        return textnorm.tokens(self.text[offset : offset + 80])[:count]


def _find_dates(text: str) -> set[tuple[int, int, int]]:
    found: set[tuple[int, int, int]] = set()

    def add(year: str, month: int | None, day: str) -> None:
        if month and 1 <= int(day) <= 31 and 1000 <= int(year) <= 2999:
            found.add((int(year), month, int(day)))

    for m in re.finditer(r"\b(\d{1,2})\s+([^\W\d_]+)\.?,?\s+(\d{4})", text):  # 25 мая 2020
        add(m[3], _month_of(m[2]), m[1])
    for m in re.finditer(r"\b([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})", text):  # May 25, 2020
        add(m[3], _month_of(m[1]), m[2])
    for m in re.finditer(r"\b(\d{4})\s*(?:ж\.?|жылгы|жылы)?\s+(\d{1,2})\s+([^\W\d_]+)", text):  # 2020 жылгы 25 мамыр
        add(m[1], _month_of(m[3]), m[2])
    for m in re.finditer(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b", text):  # 25.05.2020
        if 1 <= int(m[2]) <= 12:
            add(m[3], int(m[2]), m[1])
    for m in re.finditer(r"\b(\d{4})-(\d{2})-(\d{2})\b", text):  # 2020-05-25
        if 1 <= int(m[2]) <= 12:
            add(m[1], int(m[2]), m[3])
    return found


# --- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A claim figure, parsed: what kind of thing it is and the value(s) to look for."""

    kind: str  # percent | number | date | month_year | ratio | unit | numbers | term | all
    values: tuple = ()
    unit: str | None = None
    parts: tuple[Figure, ...] = ()


_PERCENT_FIG_RE = re.compile(rf"^~?\s*({_NUMBER})\s*{_PERCENT_WORDS}$")
_NUMBER_FIG_RE = re.compile(rf"^({_NUMBER})$")
_SCALED_FIG_RE = re.compile(rf"^({_NUMBER})\s*(" + "|".join(p for p, _ in _SCALES) + r")$")
_RATIO_FIG_RE = re.compile(r"^(\d+)\s*(?:of|из|/)\s*(\d+)$")
_UNIT_FIG_RE = re.compile(rf"^({_NUMBER})\s+([^\W\d_]+)$")


def _figure_number_values(literal: str) -> tuple[Decimal, ...]:
    """Values of a number written in a claims file: "340,000" there is always thousands."""
    if _THOUSANDS_ONLY_RE.match(literal):
        return (Decimal(re.sub(r"[ ,.]", "", literal)),)
    return tuple(number_values(literal))


_THOUSANDS_ONLY_RE = re.compile(r"^\d{1,3}(?:[ ,.]\d{3})+$")


def parse_figure(figure: str) -> Figure:
    """Parse one claim figure ("63%", "340,000", "25 May 2020", "6 of 7", "5 days", "OSDP").

    The readers below are tried in order; the first that recognises the text decides.  A figure
    none of them reads is a term, matched as words."""
    text = textnorm.normalize(figure).strip(" \"'")
    for reader in _FIGURE_READERS:
        found = reader(text)
        if found is not None:
            return found
    return Figure("term", (figure,))


def _alternatives(text: str) -> Figure | None:  # "35.10%/35.1%": every part must be found
    if "/" not in text or _RATIO_FIG_RE.match(text):
        return None
    parts = tuple(parse_figure(p) for p in text.split("/") if p.strip())
    return Figure("all", parts=parts) if len(parts) > 1 else None


def _percent(text: str) -> Figure | None:
    m = _PERCENT_FIG_RE.match(text)
    return Figure("percent", _figure_number_values(m[1])) if m else None


def _number(text: str) -> Figure | None:
    if m := _NUMBER_FIG_RE.match(text):
        return Figure("number", _figure_number_values(m[1]))
    if m := _SCALED_FIG_RE.match(text):  # "18 million"
        factor = next(f for p, f in _SCALES if re.fullmatch(p, m[2], re.IGNORECASE))
        return Figure("number", tuple(v * factor for v in _figure_number_values(m[1])))
    return None


def _ratio(text: str) -> Figure | None:
    m = _RATIO_FIG_RE.match(text)
    return Figure("ratio", (int(m[1]), int(m[2]))) if m else None


def _date(text: str) -> Figure | None:
    if dates := _find_dates(text):
        return Figure("date", tuple(sorted(dates)))
    m = re.fullmatch(r"([^\W\d_]+)\.?\s+(\d{4})", text)
    month = _month_of(m[1]) if m else None
    return Figure("month_year", ((int(m[2]), month),)) if m and month else None


def _with_unit(text: str) -> Figure | None:  # "5 days"
    m = _UNIT_FIG_RE.match(text)
    unit = next((u for u, stems in _UNITS.items() if m[2].startswith(stems)), None) if m else None
    return Figure("unit", _figure_number_values(m[1]), unit=unit) if m and unit else None


def _numbers(text: str) -> Figure | None:  # several numbers in a phrase: all must be found
    numbers = [_figure_number_values(n) for n in re.findall(_NUMBER, text)]
    return Figure("numbers", tuple(tuple(v) for v in numbers)) if numbers else None


_FIGURE_READERS = (_alternatives, _percent, _number, _ratio, _date, _with_unit, _numbers)


def figure_found(figure: str | Figure, facts: TextFacts) -> bool:
    """Whether *figure* occurs in the text of *facts* (matched by value; see module docstring)."""
    fig = parse_figure(figure) if isinstance(figure, str) else figure
    values = set(fig.values) if fig.kind in ("percent", "number", "unit") else set()
    if fig.kind == "all":
        return all(figure_found(part, facts) for part in fig.parts)
    if fig.kind == "percent":
        return any(m.percent and m.values & values for m in facts.numbers)
    if fig.kind == "number":
        return any(m.values & values for m in facts.numbers)
    if fig.kind == "unit":
        stems = _UNITS[fig.unit or ""]
        return any(
            m.values & values
            and any(w.startswith(stems) for w in facts.words_after(m.end, _UNIT_LOOKAHEAD_TOKENS))
            for m in facts.numbers
        )
    if fig.kind == "date":
        return any(d in facts.dates for d in fig.values)
    if fig.kind == "month_year":
        return any(my in facts.month_years for my in fig.values)
    if fig.kind == "ratio":
        a, b = fig.values
        return re.search(rf"(?<!\d){a}\s*(?:из|of|/)\s*{b}(?!\d)", facts.text) is not None
    if fig.kind == "numbers":
        return all(any(m.values & set(vals) for m in facts.numbers) for vals in fig.values)
    return term_found(fig.values[0], facts, None)


# --- terms -------------------------------------------------------------------------------------

_MIN_PREFIX_LATIN = 5  # cross-script prefix match only for keys this long ("nazarbaev" ok, "ak" no)


def term_found(term: str, facts: TextFacts, lang: str | None) -> bool:
    """Whether *term* occurs as a phrase in the text: stems per *lang*, or latin keys."""
    term_tokens = textnorm.tokens(term)
    if not term_tokens or not facts.tokens:
        return False
    lang = lang or textnorm.detect_lang(term)
    term_stems = [textnorm.stem(t, lang) for t in term_tokens]
    term_latin = [textnorm.latin_key(t) for t in term_tokens]
    text_stems = facts.stems(lang)
    text_latin = facts.latin_tokens
    n = len(term_tokens)
    for start in range(len(facts.tokens) - n + 1):
        if all(
            _token_matches(term_stems[i], term_latin[i], text_stems[start + i], text_latin[start + i])
            for i in range(n)
        ):
            return True
    return False


def _token_matches(term_stem: str, term_latin: str, text_stem: str, text_latin: str) -> bool:
    if term_stem == text_stem or term_latin == text_latin:
        return True
    return len(term_latin) >= _MIN_PREFIX_LATIN and text_latin.startswith(term_latin)


# --- claims ------------------------------------------------------------------------------------


def claim_support(claim: model.Claim, text: str | None, *, min_figures: int = 1) -> SupportResult:
    """Which of *claim*'s figures and terms *text* carries (see module docstring for status)."""
    all_terms = [(lang, term) for lang, terms in (claim.terms or {}).items() for term in terms]
    if not text or not text.strip() or (not claim.figures and not all_terms):
        return SupportResult("unknown")
    facts = TextFacts(text)
    found: list[str] = []
    missing: list[str] = []
    figures_found = 0
    for figure in claim.figures:
        if figure_found(figure, facts):
            figures_found += 1
            found.append(figure)
        else:
            missing.append(figure)
    terms_found = 0
    for lang, term in all_terms:
        if term_found(term, facts, lang):
            terms_found += 1
            found.append(term)
        else:
            missing.append(term)
    figures_ok = not claim.figures or figures_found >= min(min_figures, len(claim.figures))
    terms_ok = not all_terms or terms_found >= 1
    status = "present" if figures_ok and terms_ok else "missing"
    return SupportResult(status, tuple(found), tuple(missing))


def compare_support(baseline: SupportResult, current: SupportResult) -> str:
    """"lost" (something the baseline had is gone), "gained", "kept", or "unknown"."""
    if baseline.status == "unknown" or current.status == "unknown":
        return "unknown"
    lost = set(baseline.found) - set(current.found)
    if lost or (baseline.status == "present" and current.status == "missing"):
        return "lost"
    if set(current.found) - set(baseline.found) or (baseline.status, current.status) == ("missing", "present"):
        return "gained"
    return "kept"


def lost_items(baseline: SupportResult, current: SupportResult) -> tuple[str, ...]:
    """Figures/terms found in the baseline but not any more, in the baseline's order."""
    now = set(current.found)
    return tuple(item for item in baseline.found if item not in now)
