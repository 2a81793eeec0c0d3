"""Citation parser: from an article's footnotes to ``model.Citation`` records (pure core).

An article reaches kzwatch as plain text with footnotes, sometimes clean, sometimes OCR-damaged.
This module turns that text into one ``Citation`` per cited work, repairing the URLs the way a
careful human would and recording every repair (``model.UrlRepair``) so nobody has to trust it
blindly.  It also reconciles two versions of the same article (clean vs OCR) and reads/writes the
citations CSV of SPEC §3.

Reading order of this file:

1. data tables (outlets, look-alike letters, months, thresholds) — plain data, easy to extend;
2. footnotes: finding footnote definitions under many marker styles (``[1]``, ``¹``, ``^(c)``...);
3. URLs: finding them (also across line breaks) and ``repair_url``;
4. citations: splitting a footnote on ``;``, reading author/title/outlet/dates, linking
   back-references ("Bagdat, 'Sovet (ne)doveriia...'") to the full citation;
5. ``reconcile``: matching two versions by URL/title similarity and listing disagreements;
6. CSV in and out, and ``build_default_corpus``.

Everything here is deterministic and does no I/O: text in, plain data out.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from rapidfuzz import fuzz

from kzwatch.model import Citation, UrlRepair

# =============================================================================================
# 1. Data
# =============================================================================================

#: The packaged default article.
DEFAULT_ARTICLE_ID = "beimenbetov-2021"

#: URL host (without "www.") -> readable outlet name; used when the footnote names no outlet.
#: A host also matches its subdomains ("rus.azattyq.org" -> "azattyq.org").
HOST_OUTLETS: dict[str, str] = {
    "rferl.org": "RFE/RL",
    "azattyq.org": "Radio Azattyk",
    "cabar.asia": "CABAR.asia",
    "vlast.kz": "Vlast.kz",
    "vibory.watch": "Vibory.watch (League of Young Voters)",
    "akorda.kz": "Akorda (Office of the President of Kazakhstan)",
    "adilet.zan.kz": "Adilet (legal database of Kazakhstan)",
    "zakon.kz": "Zakon.kz",
    "the-village.kz": "The Village Kazakhstan",
    "forbes.kz": "Forbes Kazakhstan",
    "iz.ru": "Izvestiia",
    "neues-deutschland.de": "Neues Deutschland",
    "nd-aktuell.de": "Neues Deutschland",
    "exclusive.kz": "Exclusive.kz",
    "zois-berlin.de": "ZOiS",
    "oxussociety.org": "Oxus Society for Central Asian Affairs",
    "eurasianet.org": "Eurasianet",
    "chathamhouse.org": "Chatham House",
    "osce.org": "OSCE",
    "election.gov.kz": "Central Election Commission of Kazakhstan",
    "tengrinews.kz": "Tengrinews",
    "kursiv.media": "Kursiv",
    "informburo.kz": "Informburo",
}

#: Outlet names recognised when written plainly (not in italics) after a citation's title.
#: Longer names are tried first, so "RFE/RL Kazakh Service" wins over "RFE/RL".
KNOWN_OUTLET_TEXTS: tuple[str, ...] = (
    "RFE/RL Kazakh Service",
    "RFE/RL",
    "Radio Free Europe/Radio Liberty",
    "Radio Azattyk",
    "Radio Azattyq",
    "Azattyq",
    "Chatham House",
    "Exclusive.kz",
    "Eurasianet",
    "EurasiaNet",
    "Cabar.Asia",
    "Vlast.kz",
    "Forbes Kazakhstan",
    "The Village Kazakhstan",
    "Neues Deutschland",
    "Izvestiia",
    "Reuters",
    "The Diplomat",
)

#: Cyrillic letters that OCR confuses with Latin ones: visual look-alikes first ...
CYRILLIC_HOMOGLYPHS: dict[str, str] = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "к": "k",
    "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
}
#: ... and, for the rest, the usual Latin transliteration (``в`` in "zhapishева" is a ``v``).
CYRILLIC_TRANSLIT: dict[str, str] = {
    "б": "b", "в": "v", "г": "g", "д": "d", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "л": "l", "м": "m", "н": "n", "п": "p", "т": "t", "ф": "f", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "ё": "e", "қ": "q", "ғ": "g", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "ә": "a",
}

#: A word of a URL is repaired only if its Cyrillic letters are at most this share of its
#: letters: "zhapishева" (3 of 10) is OCR damage, "новости" (7 of 7) is a real Cyrillic path.
MAX_LOOKALIKE_SHARE = 0.5

#: Minimum score (0-100) for a short form to be linked to the full citation it abbreviates.
BACKREF_MIN_SCORE = 85.0
#: Minimum score (0-100) for two citations of two versions of an article to be the same one.
MATCH_MIN_SCORE = 80.0

MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

# Characters that open/close a quoted title.  "„" (German) closes with "“" or "”".
_QUOTE_CLOSERS: dict[str, str] = {"“": "”", "„": "“”", "«": "»", '"': '"'}

# =============================================================================================
# Public result types
# =============================================================================================


class CitationFileError(ValueError):
    """A citations CSV is malformed; the message is one line and names the line."""


@dataclass(frozen=True)
class Disagreement:
    """One field on which two versions of the same citation differ (or a citation one lacks)."""

    footnote_clean: int | None
    footnote_variant: int | None
    # "url", "url_original", "title", "author", "outlet", "published", "accessed",
    # "short_title" (two short forms), or "citation" (only one version has it)
    field: str
    clean_value: str | None
    variant_value: str | None
    note: str = ""


@dataclass(frozen=True)
class Reconciliation:
    """How the citations of a variant text line up with those of the clean text."""

    matched: tuple[tuple[Citation, Citation, float], ...]  # (clean, variant, score 0-100)
    unmatched_clean: tuple[Citation, ...]
    unmatched_variant: tuple[Citation, ...]
    disagreements: tuple[Disagreement, ...]


@dataclass(frozen=True)
class FootnoteBlock:
    """One footnote definition found in a text."""

    number: int  # decoded from the marker, or the previous number + 1 when it is garbled
    marker: str  # the marker exactly as written ("[1]", "¹³", "^(c)")
    text: str  # the footnote's text, lines joined with "\n" (kept for URL repair)
    line: int  # 1-based line of the text where the footnote starts
    garbled: bool = False  # the marker could not be read as a number


# =============================================================================================
# 2. Footnotes
# =============================================================================================

_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_TO_ASCII = str.maketrans(_SUPERSCRIPT_DIGITS, "0123456789")

# A footnote definition starts a line with a marker and a space.  Body text carries markers
# too, but mid-line ("...from.”[1] There is"), so anchoring at the line start separates them.
# Garbled OCR forms (``^(c)``, ``^{!#}``) are accepted as markers without a readable number.
_MARKER_RE = re.compile(
    r"""^[ \t]*(?P<marker>
        \[(?P<bracket>[0-9Il|]{1,3})\]
      | ⁽(?P<supparen>[^⁾\s]{1,4})⁾
      | (?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})
      | \^\((?P<caretparen>[^)\s]{1,4})\)
      | \^\{(?P<caretbrace>[^}\s]{1,5})\}
      | \^(?P<caret>[0-9]{1,3})
    )[ \t]+(?=\S)""",
    re.VERBOSE,
)


def _decode_marker(match: re.Match[str]) -> int | None:
    """The footnote number a marker spells, or None when OCR garbled it."""
    for group in ("bracket", "supparen", "sup", "caretparen", "caretbrace", "caret"):
        content = match.group(group)
        if content is None:
            continue
        digits = content.translate(_SUPERSCRIPT_TO_ASCII)
        if group == "bracket":
            digits = digits.replace("I", "1").replace("l", "1").replace("|", "1")
        return int(digits) if digits.isascii() and digits.isdigit() and int(digits) > 0 else None
    return None


def scan_footnotes(text: str) -> list[FootnoteBlock]:
    """Find every footnote definition, in order of appearance.

    A definition is a line that starts with a marker; it runs on over the following non-blank
    lines (a long URL may wrap) until a blank line or the next definition.  Numbers come from
    the markers while they increase; a garbled or out-of-order marker gets the previous number
    plus one, so an OCR version still yields distinct, ordered footnotes.
    """
    blocks: list[FootnoteBlock] = []
    current: dict[str, object] | None = None
    previous_number = 0

    def close() -> None:
        nonlocal current
        if current is not None:
            blocks.append(FootnoteBlock(**current))  # type: ignore[arg-type]
            current = None

    for line_no, line in enumerate(text.splitlines(), start=1):
        match = _MARKER_RE.match(line)
        if match:
            close()
            decoded = _decode_marker(match)
            garbled = decoded is None or decoded <= previous_number
            number = previous_number + 1 if garbled else decoded
            assert number is not None
            previous_number = number
            current = {
                "number": number,
                "marker": match.group("marker"),
                "text": line[match.end():].strip(),
                "line": line_no,
                "garbled": garbled,
            }
        elif current is not None and line.strip():
            current["text"] = f"{current['text']}\n{line.strip()}"
        else:
            close()
    close()
    return blocks


def parse_footnotes(text: str) -> dict[int, str]:
    """Footnote number -> raw footnote text (lines of a wrapped footnote joined with "\\n")."""
    return {block.number: block.text for block in scan_footnotes(text)}


# =============================================================================================
# 3. URLs
# =============================================================================================

# "<https://...>" may wrap across lines inside its brackets; a bare URL ends at white space.
_ANGLE_URL_RE = re.compile(r"<\s*((?:https?://|www\.)[^<>]*?)\s*>", re.IGNORECASE)
_BARE_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"“”„«»]+", re.IGNORECASE)
# What may continue a bare URL on the next line: no spaces, no quotes.
_URL_CONTINUATION_RE = re.compile(r"[ \t]*([^\s<>\"“”„«»]+)")
_LOOKS_LIKE_URL_TAIL_RE = re.compile(r"/|\.(?:s?html?|php|aspx?|jsp|pdf)\b|[?=&]", re.IGNORECASE)
_SEPARATORS = ",;."
_TRAILING_JUNK = ".,;:?'\"”’»)]}>"
_INVISIBLE = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


@dataclass(frozen=True)
class _UrlSpan:
    start: int  # span in the footnote text, delimiters included
    end: int
    raw: str  # the URL exactly as written, separators excluded


def _find_urls(text: str) -> list[_UrlSpan]:
    """Every URL in a footnote text, in order; a bare URL that wraps at a line end is joined."""
    spans: list[_UrlSpan] = []
    taken: list[tuple[int, int]] = []
    for match in _ANGLE_URL_RE.finditer(text):
        spans.append(_UrlSpan(match.start(), match.end(), match.group(1)))
        taken.append((match.start(), match.end()))
    for match in _BARE_URL_RE.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        end = match.end()
        raw = match.group(0)
        # A bare URL cut by a line break: glue the next line's first token when it looks like
        # the rest of a URL (or the URL visibly stops mid-way, on "-", "/", "=" ...).
        if text[end:end + 1] == "\n":
            cont = _URL_CONTINUATION_RE.match(text, end + 1)
            if cont and (raw[-1] in "-_/=&?%#~+" or _LOOKS_LIKE_URL_TAIL_RE.search(cont.group(1))):
                raw = text[match.start():cont.end()]
                end = cont.end()
        # A "," ";" or "." right after a bare URL separates it from the rest of the note.
        if raw and raw[-1] in _SEPARATORS:
            raw = raw[:-1]
        if raw.endswith(")") and raw.count("(") < raw.count(")"):
            raw = raw[:-1]
        spans.append(_UrlSpan(match.start(), match.start() + len(raw), raw))
        taken.append((match.start(), end))
    spans.sort(key=lambda span: span.start)
    return spans


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff" or "\u0500" <= char <= "\u052f"


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _fold_lookalikes(word: str) -> str:
    return "".join(CYRILLIC_HOMOGLYPHS.get(c) or CYRILLIC_TRANSLIT.get(c.lower(), c) for c in word)


def _repair_lookalikes(url: str) -> tuple[str, list[str]]:
    """Replace Cyrillic letters inside mostly-Latin words; leave Cyrillic words alone."""
    changed: list[str] = []
    url_cyrillic = sum(1 for c in url if _is_cyrillic(c))
    url_latin = sum(1 for c in url if _is_latin(c))
    mostly_latin_url = url_cyrillic > 0 and url_cyrillic / (url_cyrillic + url_latin) <= 0.1

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        cyrillic = sum(1 for c in word if _is_cyrillic(c))
        latin = sum(1 for c in word if _is_latin(c))
        # A lone all-look-alike word ("/а/" with a Cyrillic а) in an otherwise Latin URL.
        lone_lookalike = latin == 0 and mostly_latin_url and all(c in CYRILLIC_HOMOGLYPHS for c in word)
        mixed = cyrillic > 0 and latin > 0 and cyrillic / (cyrillic + latin) <= MAX_LOOKALIKE_SHARE
        if not (mixed or lone_lookalike):
            return word
        fixed = _fold_lookalikes(word)
        changed.append(f"{word}->{fixed}")
        return fixed

    # Words are runs of letters: "kazakhstan-oyan-qazaqstan-assem-zhapishева" -> one per slug part.
    repaired = re.sub(r"[^\W\d_]+", fix, url)
    return repaired, changed


def repair_url(raw: str) -> tuple[str, str, list[UrlRepair]]:
    """Repair OCR damage in one URL: ``(fetch_url, display_url, repairs)``.

    Repairs, each recorded: white space from a line break inside the URL (``line_break``),
    invisible characters such as soft hyphens (``invisible_char``), trailing punctuation
    (``trailing_punctuation``) and trailing "!" (``stray_char``), a missing scheme on
    "www." (``missing_scheme``), and Cyrillic look-alike letters inside Latin words
    (``cyrillic_lookalike``).  Fully Cyrillic words (IDN hosts, Russian paths) are left alone.
    The display URL keeps a ``#fragment``; the fetch URL drops it (servers never see it).
    """
    repairs: list[UrlRepair] = []
    url = raw

    def record(kind: str, new: str, detail: str = "") -> None:
        nonlocal url
        if new != url:
            repairs.append(UrlRepair(kind=kind, before=url, after=new, detail=detail))
            url = new

    stripped = url.strip()
    if stripped != url:
        url = stripped  # surrounding white space is layout, not part of the URL
    record("line_break", re.sub(r"\s+", "", url), "joined a URL split across lines")
    record("invisible_char", "".join(c for c in url if c not in _INVISIBLE), "removed invisible characters")

    # Trailing junk, peeled one character at a time so "!" and "." are told apart.
    while url and url[-1] in _TRAILING_JUNK + "!":
        last = url[-1]
        if last in ")]}" and url.count({")": "(", "]": "[", "}": "{"}[last]) >= url.count(last):
            break  # balanced: part of the URL (Wikipedia-style "(disambiguation)")
        if last == "!":
            record("stray_char", url[:-1], "removed a stray '!' after the URL")
        else:
            record("trailing_punctuation", url[:-1], f"removed trailing {last!r}")

    if url.lower().startswith("www."):
        record("missing_scheme", "http://" + url, "added http:// to a www. address")

    repaired, changed = _repair_lookalikes(url)
    record("cyrillic_lookalike", repaired, "; ".join(changed))

    display = url
    fetch = url.split("#", 1)[0]
    return fetch, display, repairs


def _host(url: str) -> str:
    match = re.match(r"(?i)^[a-z][a-z0-9+.-]*://([^/?#:@]+)", url)
    host = match.group(1).lower() if match else ""
    return host[4:] if host.startswith("www.") else host


def outlet_for_host(url: str, outlets: Mapping[str, str] = HOST_OUTLETS) -> str | None:
    """The readable outlet name for a URL's host (or a parent domain of it), if known."""
    host = _host(url)
    while host:
        if host in outlets:
            return outlets[host]
        host = host.partition(".")[2] if "." in host else ""
    return None


# =============================================================================================
# 4. Citations
# =============================================================================================

_MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_RE = re.compile(
    rf"""(?ix)
      \b(?P<m1>{_MONTH_PATTERN})\.?\s+(?P<d1>\d{{1,2}}),?\s+(?P<y1>\d{{4}})\b   # January 13, 2021
    | \b(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH_PATTERN})\.?,?\s+(?P<y2>\d{{4}})\b  # 13 January 2021
    | \b(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}})\b                     # 2021-01-13
    """
)
_ACCESSED_RE = re.compile(r"(?i)\b(?:last\s+)?(?:accessed|retrieved|viewed)(?:\s+on)?:?\s+")
_ITALIC_RE = re.compile(r"\*([^*\n]+?)\*")
_IBID_RE = re.compile(r"(?i)^\s*(?:ibid|ibidem)\b\.?")
_PAGE_ONLY_RE = re.compile(r"(?i)^[\s,.;:]*(?:(?:pp?\.|page|pages)\s*)?[\dIVXLCivxlc\-–—, ]*\.?\s*$")
_LEADING_SEE_RE = re.compile(r"(?i)^(?:see\s+also|see|cf\.|compare)\s+")


def _iso_date(match: re.Match[str]) -> str | None:
    if match.group("m1"):
        month, day, year = MONTHS[match.group("m1").lower()], match.group("d1"), match.group("y1")
    elif match.group("m2"):
        month, day, year = MONTHS[match.group("m2").lower()], match.group("d2"), match.group("y2")
    else:
        month, day, year = int(match.group("m3")), match.group("d3"), match.group("y3")
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO "YYYY-MM-DD", or None."""
    for match in _DATE_RE.finditer(text):
        iso = _iso_date(match)
        if iso:
            return iso
    return None


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with the given spans blanked out (same length), for structure-only scans."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def split_citations(footnote: str) -> list[str]:
    """Split a footnote into its citations on ";" outside quotes, parentheses and URLs."""
    urls = _find_urls(footnote)
    masked = _mask(footnote, ((u.start, u.end) for u in urls))

    def cut_points(respect_quotes: bool) -> list[int] | None:
        expecting: list[str] = []  # stack of closers we wait for
        parens = 0
        cuts: list[int] = []
        for i, char in enumerate(masked):
            if respect_quotes and expecting and char in expecting[-1]:
                expecting.pop()
            elif respect_quotes and char in _QUOTE_CLOSERS:
                expecting.append(_QUOTE_CLOSERS[char])
            elif char == "(":
                parens += 1
            elif char == ")" and parens:
                parens -= 1
            elif char == ";" and not expecting and not parens:
                cuts.append(i)
        return cuts if not expecting and not parens else None

    # Unbalanced quotes (OCR) would swallow every ";", so fall back to ignoring quotes.
    cuts = cut_points(True)
    if cuts is None:
        cuts = cut_points(False) or []
    parts, start = [], 0
    for cut in cuts:
        parts.append(footnote[start:cut])
        start = cut + 1
    parts.append(footnote[start:])
    return [part.strip() for part in parts if part.strip()]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _find_quoted(text: str) -> tuple[int, int, str] | None:
    """(start, end, inner text) of the first quoted title in ``text``."""
    for start, char in enumerate(text):
        if char in _QUOTE_CLOSERS:
            closers = _QUOTE_CLOSERS[char]
            for end in range(start + 1, len(text)):
                if text[end] in closers:
                    return start, end + 1, text[start + 1:end]
            return None
    return None


def _clean_title(title: str) -> str:
    title = _one_line(title).strip()
    title = title.rstrip(",;: ")
    if title.endswith(".") and not title.endswith("..."):
        title = title[:-1]
    return title.strip()


def _clean_author(author: str) -> str | None:
    author = _one_line(author).strip(" ,;:")
    # "There is only limited literature ... See Hans Oversloot, ..." -> the last sentence.
    sentences = re.split(r"(?<=[a-z]{2}[.!?])\s+(?=[A-Z])", author)
    author = sentences[-1] if sentences else author
    author = _LEADING_SEE_RE.sub("", author)
    # "the interview with Beate Eschment by Cyrus Salimi-Asl" -> "Cyrus Salimi-Asl"
    by = re.search(r"\bby\s+([A-Z].*)$", author)
    if by:
        author = by.group(1)
    author = author.strip(" ,;:")
    return author if any(c.isalpha() for c in author) else None


def _outlet_from_text(text: str) -> str | None:
    """An outlet named in plain text (after the title), from KNOWN_OUTLET_TEXTS."""
    for name in sorted(KNOWN_OUTLET_TEXTS, key=len, reverse=True):
        match = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)
        if match:
            return match.group(0)
    return None


@dataclass
class _Parsed:
    """A citation being built, with what back-reference linking needs to know."""

    citation: Citation
    short_form: bool = False
    ibid: bool = False


def _parse_citation(
    text: str, article_id: str, footnote: int, seq: int, outlets: Mapping[str, str]
) -> _Parsed:
    # OCR leaves stray "!" after the final punctuation of a note ("2021.!!"): not content.
    text = re.sub(r"(?<=[.,;:”’\"»)\]*])!+\s*$", "", text.strip())
    urls = _find_urls(text)
    url_raw = urls[0].raw if urls else None
    head = text[: urls[0].start] if urls else text
    tail = text[urls[0].end:] if urls else ""
    head = _one_line(head)

    # Accessed date: after "accessed" anywhere; removed from what the other fields look at.
    accessed = None
    accessed_match = _ACCESSED_RE.search(_one_line(text))
    if accessed_match:
        accessed = parse_date(_one_line(text)[accessed_match.end():][:40])
    head_wo_accessed = _ACCESSED_RE.split(head, maxsplit=1)[0]

    author: str | None = None
    title: str | None = None
    outlet: str | None = None
    after_title = ""
    quoted = _find_quoted(head_wo_accessed)
    italic_title = None if quoted else _ITALIC_RE.search(head_wo_accessed)
    if quoted:
        start, end, inner = quoted
        author = _clean_author(head_wo_accessed[:start])
        title = _clean_title(inner) or None
        after_title = head_wo_accessed[end:]
    elif italic_title:  # a book: "Author, *Title* (Place: Publisher, Year)"
        author = _clean_author(head_wo_accessed[: italic_title.start()])
        title = _clean_title(italic_title.group(1)) or None
        after_title = head_wo_accessed[italic_title.end():]
    else:  # laws, institutions: the whole lead text is the title
        title = _clean_title(_LEADING_SEE_RE.sub("", head_wo_accessed.strip())) or None

    italic_outlet = _ITALIC_RE.search(after_title)
    if italic_outlet:
        outlet = italic_outlet.group(1).strip()
    else:
        outlet = _outlet_from_text(after_title)
    published = parse_date(after_title)

    fetch = display = None
    repairs: list[UrlRepair] = []
    if url_raw is not None:
        fetch, display, repairs = repair_url(url_raw)
        fetch, display = fetch or None, display or None
        if outlet is None and fetch:
            outlet = outlet_for_host(fetch, outlets)

    extra: dict[str, str] = {}
    if len(urls) > 1:
        extra["other_urls"] = " ".join(repair_url(u.raw)[1] for u in urls[1:])

    citation = Citation(
        article_id=article_id,
        footnote=footnote,
        seq=seq,
        url=fetch,
        url_display=display,
        url_original=url_raw,
        title=title,
        outlet=outlet,
        author=author,
        published=published,
        accessed=accessed,
        raw=text,
        repairs=tuple(repairs),
        extra=extra,
    )
    ibid = bool(_IBID_RE.match(head)) and url_raw is None
    short_form = (
        url_raw is None
        and published is None
        and accessed is None
        and quoted is not None
        and title is not None
        and (author is None or len(author.split()) <= 8)
        and _is_page_reference(after_title + " " + _one_line(tail))
    )
    return _Parsed(citation, short_form=short_form, ibid=ibid)


def _is_page_reference(text: str) -> bool:
    """True for what may follow a short form's title: nothing, or a page ("p. 4", "77.")."""
    text = text.strip()
    return len(text) <= 40 and bool(_PAGE_ONLY_RE.match(text))  # length cap: no long regex runs


def _norm_title(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).casefold()
    text = text.replace("...", " ").replace("…", " ")
    text = re.sub(r"[’‘'`´]", "", text)  # apostrophes inside words (soft signs): drop, not split
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def _surnames(author: str | None) -> list[str]:
    stop = {"and", "et", "al", "the", "of", "by", "eds", "ed"}
    words = re.findall(r"[^\W\d_][\w'’-]*", author or "")
    return [w.casefold() for w in words if w.casefold() not in stop]


def _backref_score(short: Citation, full: Citation) -> float:
    """How well a short form ("Bagdat, 'Sovet...'") matches a full citation, 0-100."""
    if not short.title or not full.title:
        return 0.0
    short_title, full_title = _norm_title(short.title), _norm_title(full.title)
    if not short_title:
        return 0.0
    if full_title.startswith(short_title):
        title_score = 100.0
    else:
        title_score = max(fuzz.token_set_ratio(short_title, full_title), fuzz.ratio(short_title, full_title))
    if short.author:
        names = _surnames(full.author)
        author_ok = any(fuzz.ratio(a, b) >= 85 for a in _surnames(short.author) for b in names)
        if not author_ok:
            return 0.0
    elif title_score < 100:
        return 0.0
    return float(title_score)


def _link_back_references(parsed: list[_Parsed]) -> list[Citation]:
    """Point each short form at the full citation it abbreviates, copying the work's details."""
    result: list[Citation] = []
    for index, item in enumerate(parsed):
        citation = item.citation
        target: Citation | None = None
        if item.ibid and result:
            target = result[-1]
        elif item.short_form:
            best_score = 0.0
            for earlier_item, earlier in zip(parsed[:index], result):
                if earlier_item.short_form and earlier.ref_of is None:
                    continue
                score = _backref_score(citation, earlier)
                # ">=" so that among equals the nearest earlier citation wins.
                if score >= BACKREF_MIN_SCORE and score >= best_score:
                    best_score, target = score, earlier
        if target is not None:
            if target.ref_of is not None:  # a short form of a short form: follow it home
                target = next(c for c in result if (c.footnote, c.seq) == target.ref_of)
            citation = replace(
                citation,
                ref_of=(target.footnote, target.seq),
                url=target.url,
                url_display=target.url_display,
                title=target.title,
                author=target.author or citation.author,
                outlet=citation.outlet or target.outlet,
                published=target.published,
                accessed=citation.accessed or target.accessed,
                extra={**citation.extra, "short_title": citation.title or ""},
            )
        result.append(citation)
    return result


def parse_article(
    text: str, article_id: str, outlets: Mapping[str, str] | None = None
) -> list[Citation]:
    """Every citation of an article, ordered by (footnote, seq); URL-less ones included.

    ``outlets`` maps URL hosts to outlet names (default ``HOST_OUTLETS``), used when the
    footnote itself names no outlet.
    """
    host_outlets = HOST_OUTLETS if outlets is None else outlets
    parsed: list[_Parsed] = []
    for block in scan_footnotes(text):
        for seq, part in enumerate(split_citations(block.text), start=1):
            item = _parse_citation(part, article_id, block.number, seq, host_outlets)
            if block.garbled:
                item.citation.extra["marker"] = block.marker
            parsed.append(item)
    citations = _link_back_references(parsed)
    return sorted(citations, key=lambda c: (c.footnote, c.seq))


# =============================================================================================
# 5. Reconciling two versions of one article
# =============================================================================================


def _url_key(url: str) -> str:
    key = url.casefold()
    key = re.sub(r"^[a-z][a-z0-9+.-]*://", "", key)
    key = key[4:] if key.startswith("www.") else key
    return key.rstrip("/")


def _citation_similarity(a: Citation, b: Citation) -> float:
    """0-100: the best of URL similarity and title similarity, nudged by the author."""
    scores = []
    if a.url and b.url:
        scores.append(fuzz.ratio(_url_key(a.url), _url_key(b.url)))
    if a.title and b.title:
        scores.append(fuzz.token_sort_ratio(_norm_title(a.title), _norm_title(b.title)))
    if not scores:
        return 0.0
    score = max(scores)
    # A short form carries its target's URL and title, so it looks like the full citation:
    # only a short form may pair with a short form.
    if (a.ref_of is None) != (b.ref_of is None):
        score -= 30
    if a.author and b.author:
        score += (fuzz.token_sort_ratio(a.author, b.author) - 50) / 50  # -1..+1: a tie-breaker
    return float(score)


def _difference_note(field_name: str, clean: str, variant: str) -> str:
    if clean.casefold() == variant.casefold():
        return "letter case only"
    if _fold_lookalikes(clean) == _fold_lookalikes(variant):
        return "Cyrillic look-alike letters in one version"
    if re.sub(r"[’‘'`]", "'", clean) == re.sub(r"[’‘'`]", "'", variant):
        return "apostrophe style only"
    similarity = fuzz.ratio(clean, variant)
    if field_name == "url":
        return f"two spellings of the URL (similarity {similarity:.0f}%): at most one is the live address"
    return f"spelling differs (similarity {similarity:.0f}%)"


def _compare(clean: Citation, variant: Citation) -> list[Disagreement]:
    found: list[Disagreement] = []
    # A short form's url/title/... are copies of its target's, compared there already.
    both_short = clean.ref_of is not None and variant.ref_of is not None
    names = ("short_title",) if both_short else ("url", "title", "author", "outlet", "published", "accessed")
    for name in names:
        if name == "short_title":
            a, b = clean.extra.get(name) or None, variant.extra.get(name) or None
        else:
            a, b = getattr(clean, name), getattr(variant, name)
        if a == b:
            continue
        if a is None or b is None:
            note = f"missing in the {'clean' if a is None else 'variant'} version"
        else:
            note = _difference_note(name, a, b)
        found.append(Disagreement(clean.footnote, variant.footnote, name, a, b, note))
    if not both_short and clean.url == variant.url and clean.url_original != variant.url_original:
        if clean.url_original and variant.url_original:
            kinds = sorted({r.kind for r in clean.repairs + variant.repairs})
            note = "same URL after repair (" + ", ".join(kinds) + ")" if kinds else "written differently"
            found.append(
                Disagreement(clean.footnote, variant.footnote, "url_original",
                             clean.url_original, variant.url_original, note)
            )
    return found


def _describe(citation: Citation) -> str:
    return citation.url_display or citation.title or _one_line(citation.raw)[:120]


def align_versions(clean: Sequence[Citation], variant: Sequence[Citation]) -> Reconciliation:
    """Match the citations of two versions by URL/title similarity, never by footnote number.

    Pairs are taken best-first.  Equal scores (a short form repeated in several footnotes)
    are broken by footnote position: the shift between the versions is estimated from the
    nearest exact URL match, so the "same" repeated note pairs with its counterpart.
    """
    scored = [
        (_citation_similarity(c, v), i, j)
        for i, c in enumerate(clean)
        for j, v in enumerate(variant)
    ]
    # Anchors: full citations whose URL occurs once in each version and is identical.
    def unique_urls(citations: Sequence[Citation]) -> dict[str, Citation]:
        full = [c.url for c in citations if c.url and c.ref_of is None]
        return {c.url: c for c in citations if c.url and c.ref_of is None and full.count(c.url) == 1}

    clean_unique, variant_unique = unique_urls(clean), unique_urls(variant)
    anchors = sorted(
        (c.footnote, c.footnote - variant_unique[url].footnote)
        for url, c in clean_unique.items()
        if url in variant_unique
    )

    def expected_shift(footnote: int) -> int:
        if not anchors:
            return 0
        return min(anchors, key=lambda a: (abs(a[0] - footnote), a[0]))[1]

    def order_key(item: tuple[float, int, int]) -> tuple[float, int, int, int]:
        score, i, j = item
        drift = abs(clean[i].footnote - expected_shift(clean[i].footnote) - variant[j].footnote)
        return (-round(score, 6), drift, i, j)

    used_clean: set[int] = set()
    used_variant: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    for score, i, j in sorted(scored, key=order_key):
        if score < MATCH_MIN_SCORE:
            break
        if i in used_clean or j in used_variant:
            continue
        used_clean.add(i)
        used_variant.add(j)
        pairs.append((i, j, min(score, 100.0)))
    pairs.sort()

    disagreements: list[Disagreement] = []
    for i, j, _ in pairs:
        disagreements.extend(_compare(clean[i], variant[j]))
    unmatched_clean = tuple(c for i, c in enumerate(clean) if i not in used_clean)
    unmatched_variant = tuple(v for j, v in enumerate(variant) if j not in used_variant)
    for c in unmatched_clean:
        disagreements.append(
            Disagreement(c.footnote, None, "citation", _describe(c), None, "only in the clean version")
        )
    for v in unmatched_variant:
        disagreements.append(
            Disagreement(None, v.footnote, "citation", None, _describe(v), "only in the variant version")
        )
    return Reconciliation(
        matched=tuple((clean[i], variant[j], score) for i, j, score in pairs),
        unmatched_clean=unmatched_clean,
        unmatched_variant=unmatched_variant,
        disagreements=tuple(disagreements),
    )


def reconcile(clean: list[Citation], variant: list[Citation]) -> list[Disagreement]:
    """Where two versions of an article disagree, including citations only one of them has."""
    return list(align_versions(clean, variant).disagreements)


# =============================================================================================
# 6. CSV
# =============================================================================================

#: SPEC §3 columns, then ours.  Any further column is kept in ``Citation.extra``.
CSV_COLUMNS: tuple[str, ...] = ("footnote", "url", "title", "outlet", "author", "published", "accessed")
CSV_EXTRA_COLUMNS: tuple[str, ...] = ("seq", "url_display", "url_original", "repairs", "ref_of")
_ISO_DATE_CELL_RE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def citations_to_csv(citations: Iterable[Citation]) -> str:
    """The citations that carry a URL, as a citations CSV (deterministic, "\\n" line ends)."""
    with_url = [c for c in citations if c.url]
    extra_keys = sorted(
        {k for c in with_url for k in c.extra} - set(CSV_COLUMNS) - set(CSV_EXTRA_COLUMNS)
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *CSV_EXTRA_COLUMNS, *extra_keys])
    for c in with_url:
        repairs = (
            json.dumps(
                [{"kind": r.kind, "before": r.before, "after": r.after, "detail": r.detail} for r in c.repairs],
                ensure_ascii=False,
            )
            if c.repairs
            else ""
        )
        writer.writerow(
            [
                c.footnote, c.url, c.title or "", c.outlet or "", c.author or "",
                c.published or "", c.accessed or "", c.seq, c.url_display or "",
                c.url_original or "", repairs,
                f"{c.ref_of[0]}:{c.ref_of[1]}" if c.ref_of else "",
                *(c.extra.get(k, "") for k in extra_keys),
            ]
        )
    return out.getvalue()


def _positive_int(value: str, what: str, line: int) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        number = 0
    if number < 1:
        raise CitationFileError(f"line {line}: bad {what} {value!r} (expected a whole number >= 1)")
    return number


def _date_cell(value: str, column: str, line: int) -> str | None:
    value = value.strip()
    if not value:
        return None
    if _ISO_DATE_CELL_RE.match(value):
        return value
    iso = parse_date(value)
    if iso is None:
        raise CitationFileError(f"line {line}: bad {column} date {value!r} (expected YYYY-MM-DD)")
    return iso


def _repairs_cell(value: str, line: int) -> tuple[UrlRepair, ...]:
    if not value.strip():
        return ()
    try:
        items = json.loads(value)
        return tuple(
            UrlRepair(kind=str(i["kind"]), before=str(i["before"]), after=str(i["after"]),
                      detail=str(i.get("detail", "")))
            for i in items
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise CitationFileError(f"line {line}: bad repairs cell ({exc.__class__.__name__})") from None


def _ref_of_cell(value: str, line: int) -> tuple[int, int] | None:
    if not value.strip():
        return None
    match = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", value)
    if not match:
        raise CitationFileError(f"line {line}: bad ref_of {value!r} (expected FOOTNOTE:SEQ)")
    return int(match.group(1)), int(match.group(2))


def citations_from_csv(text: str, article_id: str) -> list[Citation]:
    """Read a citations CSV (SPEC §3).  Unknown columns land in ``Citation.extra``.

    A URL with a ``#fragment`` is split: ``url`` loses it, ``url_display`` keeps it.  Dates
    may be ISO (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) or "January 28, 2021" (made ISO).
    Raises ``CitationFileError`` naming the line for anything malformed.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise CitationFileError("line 1: empty file, expected a header row") from None
    except csv.Error as exc:
        raise CitationFileError(f"line 1: unreadable CSV header ({exc})") from None
    for required in ("footnote", "url"):
        if required not in header:
            raise CitationFileError(f"line 1: missing required column {required!r}")
    if len(set(header)) != len(header):
        raise CitationFileError("line 1: duplicate column names in the header")

    citations: list[Citation] = []
    seen: set[tuple[int, int]] = set()
    next_seq: dict[int, int] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise CitationFileError(f"line {reader.line_num}: unreadable CSV ({exc})") from None
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise CitationFileError(f"line {line}: {len(row)} cells but the header has {len(header)}")
        cells = dict(zip(header, row + [""] * (len(header) - len(row))))
        footnote = _positive_int(cells["footnote"], "footnote number", line)
        url_cell = cells["url"].strip()
        if not url_cell:
            raise CitationFileError(f"line {line}: empty url (footnote {footnote})")
        seq = (
            _positive_int(cells["seq"], "seq", line)
            if cells.get("seq", "").strip()
            else next_seq.get(footnote, 1)
        )
        next_seq[footnote] = max(next_seq.get(footnote, 1), seq + 1)
        if (footnote, seq) in seen:
            raise CitationFileError(f"line {line}: duplicate citation footnote {footnote}, seq {seq}")
        seen.add((footnote, seq))
        known = set(CSV_COLUMNS) | set(CSV_EXTRA_COLUMNS)
        citations.append(
            Citation(
                article_id=article_id,
                footnote=footnote,
                seq=seq,
                url=url_cell.split("#", 1)[0],
                url_display=cells.get("url_display", "").strip() or url_cell,
                url_original=cells.get("url_original", "") or None,
                title=cells.get("title", "").strip() or None,
                outlet=cells.get("outlet", "").strip() or None,
                author=cells.get("author", "").strip() or None,
                published=_date_cell(cells.get("published", ""), "published", line),
                accessed=_date_cell(cells.get("accessed", ""), "accessed", line),
                repairs=_repairs_cell(cells.get("repairs", ""), line),
                ref_of=_ref_of_cell(cells.get("ref_of", ""), line),
                extra={k: v for k, v in cells.items() if k not in known},
            )
        )
    return sorted(citations, key=lambda c: (c.footnote, c.seq))


def build_default_corpus(text: str, article_id: str = DEFAULT_ARTICLE_ID) -> str:
    """The packaged citations CSV, generated from the article text (``kzwatch corpus``)."""
    return citations_to_csv(parse_article(text, article_id))


__all__ = [
    "BACKREF_MIN_SCORE", "CSV_COLUMNS", "CSV_EXTRA_COLUMNS", "CitationFileError",
    "DEFAULT_ARTICLE_ID", "Disagreement", "FootnoteBlock", "HOST_OUTLETS", "KNOWN_OUTLET_TEXTS",
    "MATCH_MIN_SCORE", "Reconciliation", "align_versions", "build_default_corpus",
    "citations_from_csv", "citations_to_csv", "outlet_for_host", "parse_article", "parse_date",
    "parse_footnotes", "reconcile", "repair_url", "scan_footnotes", "split_citations",
]
