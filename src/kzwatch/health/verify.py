"""Is the page at a cited URL still the cited work?

Footnotes name Russian-language works in Library of Congress romanisation ("OSDP ob'iavila
boikot vyboram") while the page says «ОСДП объявила бойкот выборам»; footnotes also carry typos
("obchestvennogo"), abbreviations for repeat citations ("Vse piat' partii...") and sometimes a
wording that differs from the outlet's real headline.  ``title_similarity`` therefore compares
titles in a script-independent form (``textnorm.latin_key``, and also the reverse romanisation
``textnorm.translit_latin_ru``) with fuzzy token matching; ``verify_citation`` adds whether the
cited author and date appear on the page.

Threshold: ``TITLE_MATCH_THRESHOLD`` = 0.82 was set on the default corpus: every Russian title of
the article's footnotes scores ≥ 0.88 against its Cyrillic page title, while the most similar
*different* title in the corpus (two articles about the same council) scores 0.76
(tests/data/verify_titles.toml, tests/test_verify.py).

Pure functions; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from kzwatch import textnorm
from kzwatch.extract import PageInfo
from kzwatch.health.support import TextFacts

__all__ = ["FidelitySettings", "Verification", "not_the_cited_work", "outlet_found", "title_similarity",
           "verify_citation", "TITLE_MATCH_THRESHOLD", "WEIGHTS"]

TITLE_MATCH_THRESHOLD = 0.82
#: How much each kind of evidence counts in ``Verification.score`` (renormalised over the kinds
#: the citation states: a footnote without an author is judged on title and date).
WEIGHTS = {"title": 0.70, "author": 0.15, "date": 0.15}
#: Subset matching ("cited title ⊂ page title + site name") only counts when the two share at
#: least this many words; otherwise a one-word title would match every page containing it.
_MIN_SHARED_TOKENS_FOR_SUBSET = 2
_ELLIPSIS_RE = re.compile(r"(\.\.\.|…)\s*$")
_DATE_TOLERANCE = timedelta(days=1)  # time zones: 23:30 in Almaty is the previous day in UTC


@dataclass(frozen=True)
class Verification:
    score: float  # 0..1, weighted over the evidence the citation states
    title_score: float  # 0..1
    author_found: bool | None  # None when the citation names no author
    date_found: bool | None  # None when the citation has no date
    detail: str
    title_matches: bool = False  # title_score >= the threshold used


def _latin_tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", textnorm.latin_key(text))


def _cyrillic_tokens(text: str) -> list[str]:
    return re.findall(r"\w+", textnorm.normalize(text))


def _fuzzy(a_tokens: list[str], b_tokens: list[str]) -> float:
    if not a_tokens or not b_tokens:
        return 0.0
    a, b = " ".join(a_tokens), " ".join(b_tokens)
    score = fuzz.token_sort_ratio(a, b)
    if len(set(a_tokens) & set(b_tokens)) >= _MIN_SHARED_TOKENS_FOR_SUBSET:
        # token_set_ratio scores a title contained in the other as 100: the page's
        # "<headline> | Радио Азаттык" and a footnote's abbreviated "Vse piat' partii..." both
        # rely on that.
        score = max(score, fuzz.token_set_ratio(a, b))
    return score / 100.0


def title_similarity(cited: str | None, page: str | None) -> float:
    """Similarity (0..1) of a cited title and a page title, in any script or romanisation."""
    if not cited or not page:
        return 0.0
    cited = _ELLIPSIS_RE.sub("", cited)
    via_latin = _fuzzy(_latin_tokens(cited), _latin_tokens(page))
    via_cyrillic = _fuzzy(
        _cyrillic_tokens(textnorm.translit_latin_ru(cited)), _cyrillic_tokens(textnorm.translit_latin_ru(page))
    )
    return max(via_latin, via_cyrillic)


def _author_found(author: str, page: PageInfo) -> bool:
    """The author's surname (longest name word) appears in the byline or the text."""
    names = [t for t in _latin_tokens(author) if len(t) >= 3]
    if not names:
        return False
    surname = max(names, key=len)
    # Russian declines surnames in running text: "Логинова" → "Логиновой", "Марин" →
    # "Марина"; compare on a prefix without the final vowel.
    prefix = surname[:-1] if len(surname) >= 5 and surname[-1] in "aeiou" else surname
    haystack = _latin_tokens(" ".join(filter(None, [page.author, page.title, page.text])))
    return any(tok == surname or (len(prefix) >= 4 and tok.startswith(prefix)) for tok in haystack)


def _parse_iso_date(value: str | None) -> date | None:
    if not value:
        return None
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _date_found(cited: date, page: PageInfo) -> bool:
    for stated in (page.published, page.modified):
        page_date = _parse_iso_date(stated)
        if page_date and abs(page_date - cited) <= _DATE_TOLERANCE:
            return True
    # The date printed in the page text (header line, dateline) in any language/format.
    head = "\n".join(filter(None, [page.title, page.text[:3000]]))
    return (cited.year, cited.month, cited.day) in TextFacts(head).dates


def verify_citation(
    cited_title: str | None,
    cited_author: str | None,
    cited_date: str | None,
    page: PageInfo,
    *,
    threshold: float = TITLE_MATCH_THRESHOLD,
) -> Verification:
    """How well *page* matches the citation (title, author, ISO date "YYYY-MM-DD")."""
    first_line = page.text.strip().split("\n", 1)[0][:300] if page.text else ""
    title_score = max(title_similarity(cited_title, page.title), title_similarity(cited_title, first_line))
    author_found = _author_found(cited_author, page) if cited_author and cited_author.strip() else None
    parsed_date = _parse_iso_date(cited_date)
    date_found = _date_found(parsed_date, page) if parsed_date else None

    evidence: dict[str, float] = {}
    if cited_title:
        evidence["title"] = title_score
    if author_found is not None:
        evidence["author"] = 1.0 if author_found else 0.0
    if date_found is not None:
        evidence["date"] = 1.0 if date_found else 0.0
    total_weight = sum(WEIGHTS[k] for k in evidence)
    score = sum(WEIGHTS[k] * v for k, v in evidence.items()) / total_weight if total_weight else 0.0

    parts = [f"title {title_score:.2f}" + (" (match)" if title_score >= threshold else " (no match)")]
    if author_found is not None:
        parts.append("author found" if author_found else "author not found")
    if date_found is not None:
        parts.append("date found" if date_found else "date not found")
    if not cited_title:
        parts.append("citation has no title")
    return Verification(
        score=round(score, 4),
        title_score=round(title_score, 4),
        author_found=author_found,
        date_found=date_found,
        detail="; ".join(parts),
        title_matches=title_score >= threshold,
    )


# --- clearly another work ------------------------------------------------------------------------


@dataclass(frozen=True)
class FidelitySettings:
    """When a page that answers 200 is *clearly* not the cited work.

    Only when every kind of evidence the citation states disagrees: the title scores below
    ``not_cited_title_max`` (well under ``TITLE_MATCH_THRESHOLD``: a footnote's own wording of a
    headline still scores above it, tests/data/verify_titles.toml), the outlet's name is nowhere
    on the page or in its address, and the cited date is not on the page.  A citation without a
    title, outlet or date is never judged this way."""

    not_cited_title_max: float = 0.5
    min_outlet_token: int = 3  # outlet words shorter than this ("kz", "tv") prove nothing


def outlet_found(outlet: str, page: PageInfo, url: str | None = None,
                 settings: FidelitySettings = FidelitySettings()) -> bool:
    """Any word of the outlet's name in the page's title, opening text, address or canonical
    address (Latin or Cyrillic spelling: "Vlast.kz" matches «Власть» via the Latin key)."""
    words = [t for t in _latin_tokens(outlet) if len(t) >= settings.min_outlet_token]
    if not words:
        return False
    hosts = " ".join(urlsplit(u).hostname or "" for u in (url, page.canonical_url) if u)
    haystack = set(_latin_tokens(" ".join(filter(None, [page.title, (page.text or "")[:3000]]))))
    return any(w in haystack or w in hosts for w in words)


def not_the_cited_work(verification: Verification, outlet_on_page: bool | None,
                       settings: FidelitySettings = FidelitySettings()) -> str:
    """Evidence that a page is clearly another work than the one cited, or "" when it is not
    clear (see ``FidelitySettings``).  *outlet_on_page*: None when the citation names no outlet."""
    if verification.title_score >= settings.not_cited_title_max or "citation has no title" in verification.detail:
        return ""
    if outlet_on_page is not False or verification.date_found is not False:
        return ""
    return f"not the cited work: {verification.detail}; outlet not found"
