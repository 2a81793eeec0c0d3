"""Fields of one citation: splitting a note into citations, author/title/outlet/dates, back-references.

A note ("footnote") may hold several citations separated by ";".  Each becomes a ``Citation``
with its first URL repaired (``urls.repair_url``); short forms ("Bagdat, 'Sovet...'") are linked
to the full citation they abbreviate and inherit its URL.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from rapidfuzz import fuzz

from kzwatch.corpus.tables import (
    _QUOTE_CLOSERS,
    BACKREF_MIN_SCORE,
    KNOWN_OUTLET_TEXTS,
    MONTHS,
)
from kzwatch.corpus.urls import _find_urls, outlet_for_host, repair_url
from kzwatch.model import Citation, UrlRepair

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
    # "an interview with A. Author by B. Reporter" -> "B. Reporter"
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


_OUTLET_SEGMENT_RE = re.compile(r"^[\s,.(]*(?:in\s+)?([^,;()“”\"]{2,80}?)\s*(?:[,;()]|$)")


def _outlet_after_title(after_title: str) -> str | None:
    """The segment right after a quoted title ("“Title,” Outlet, May 2, 2016"), if it reads as a
    name: not a date, not "accessed …", starting with a capital."""
    match = _OUTLET_SEGMENT_RE.match(_one_line(after_title))
    if not match:
        return None
    segment = match.group(1).strip(" .")
    if (not segment[:1].isupper() or parse_date(segment) or _ACCESSED_RE.match(segment)
            or re.search(r"\d{4}|https?:|www\.", segment) or segment.split()[0].lower() in MONTHS):
        return None
    return segment


@dataclass
class _Parsed:
    """A citation being built, with what back-reference linking needs to know."""

    citation: Citation
    short_form: bool = False
    ibid: bool = False


def _title_fields(head: str, quoted: tuple[int, int, str] | None) -> tuple[str | None, str | None, str]:
    """(author, title, what follows the title) of a citation's text before its URL."""
    if quoted:
        start, end, inner = quoted
        return _clean_author(head[:start]), _clean_title(inner) or None, head[end:]
    italic_title = _ITALIC_RE.search(head)
    if italic_title:  # a book: "Author, *Title* (Place: Publisher, Year)"
        return (_clean_author(head[: italic_title.start()]), _clean_title(italic_title.group(1)) or None,
                head[italic_title.end():])
    # laws, institutions: the whole lead text is the title
    return None, _clean_title(_LEADING_SEE_RE.sub("", head.strip())) or None, ""


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

    quoted = _find_quoted(head_wo_accessed)
    author, title, after_title = _title_fields(head_wo_accessed, quoted)
    italic_outlet = _ITALIC_RE.search(after_title)
    outlet = italic_outlet.group(1).strip() if italic_outlet else _outlet_from_text(after_title)
    published = parse_date(after_title)

    fetch = display = None
    repairs: list[UrlRepair] = []
    if url_raw is not None:
        fetch, display, repairs = repair_url(url_raw)
        fetch, display = fetch or None, display or None
        if outlet is None and fetch:
            outlet = outlet_for_host(fetch, outlets)
        if outlet is None and quoted:
            outlet = _outlet_after_title(after_title)

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
    short_form = url_raw is None and _is_short_form(citation, quoted, after_title + " " + _one_line(tail))
    return _Parsed(citation, short_form=short_form, ibid=ibid)


def _is_short_form(citation: Citation, quoted: object, rest: str) -> bool:
    """A back-reference ("Bagdat, 'Sovet (ne)doveriia...', p. 4"): a quoted title, no dates, no URL."""
    return (citation.published is None and citation.accessed is None and quoted is not None
            and citation.title is not None and (citation.author is None or len(citation.author.split()) <= 8)
            and _is_page_reference(rest))


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
