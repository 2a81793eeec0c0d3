"""Reconciling two versions of one article (say a clean text and an OCR of it).

Citations are matched by URL/title similarity, never by footnote number, and every field on
which a matched pair disagrees is listed, as are citations only one version has.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from kzwatch.corpus.fields import _norm_title, _one_line
from kzwatch.corpus.tables import MATCH_MIN_SCORE
from kzwatch.corpus.urls import _fold_lookalikes
from kzwatch.model import Citation


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
