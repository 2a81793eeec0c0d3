"""Reference-manager exports — BibTeX, CSL-JSON, RIS (Zotero, Mendeley): entries map to citations.

No guessing is needed: each entry is one citation, numbered in file order.  An entry without a
URL but with a DOI gets ``https://doi.org/<DOI>`` (recorded as a ``doi_link`` repair); an entry
with neither is kept without URL and counted as such in the summary.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kzwatch.corpus.fields import parse_date
from kzwatch.corpus.formats import Document, InputError, register
from kzwatch.corpus.formats.text import decode
from kzwatch.corpus.urls import repair_url
from kzwatch.model import Citation, UrlRepair


def _date(value: Any) -> str | None:
    if not value:
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4}(-\d{2}){0,2}", text):
        return text
    iso = re.match(r"(\d{4})[/-](\d{1,2})(?:[/-](\d{1,2}))?", text)
    if iso:
        return "-".join([iso.group(1), iso.group(2).zfill(2)] + ([iso.group(3).zfill(2)] if iso.group(3) else []))
    return parse_date(text)


def _citation(article_id: str, number: int, entry: dict[str, Any]) -> Citation:
    url, repairs = (entry.get("url") or "").strip(), []
    if not url and entry.get("doi"):
        doi = re.sub(r"(?i)^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", str(entry["doi"]).strip())
        url = f"https://doi.org/{doi}"
        repairs.append(UrlRepair("doi_link", "", url, "no URL in the entry: linked its DOI"))
    fetch = display = None
    if url:
        fetch, display, more = repair_url(url)
        repairs.extend(more)
    return Citation(
        article_id=article_id, footnote=number, seq=1, url=fetch or None, url_display=display or None,
        url_original=url or None, title=entry.get("title") or None, outlet=entry.get("outlet") or None,
        author=entry.get("author") or None, published=_date(entry.get("published")),
        accessed=_date(entry.get("accessed")), raw=json.dumps(entry, ensure_ascii=False, default=str),
        repairs=tuple(repairs), extra={"key": str(entry.get("key") or "")} if entry.get("key") else {},
    )


_KIND_NAMES = {"bibtex": "BibTeX", "csl-json": "CSL-JSON", "ris": "RIS"}


def _document(kind: str, article_id: str, entries: list[dict[str, Any]], name: str) -> Document:
    if not entries:
        raise InputError(f"{name}: a {_KIND_NAMES[kind]} file with no entries")
    return Document(kind, citations=[_citation(article_id, i, e) for i, e in enumerate(entries, start=1)])


# --- BibTeX (bibtexparser 2) ------------------------------------------------------------------------


def _bib_clean(value: str | None) -> str | None:
    if not value:
        return None
    return " ".join(re.sub(r"[{}]", "", value).replace("\\&", "&").split()) or None


def _url_in(text: str | None) -> str | None:
    match = re.search(r"https?://\S+", (text or "").replace("\\url", ""))
    return match.group(0).rstrip("}.,;") if match else None


@register("bibtex")
def read_bibtex(data: bytes, name: str, article_id: str) -> Document:
    import bibtexparser

    library = bibtexparser.parse_string(decode(data, name))
    entries = []
    for e in library.entries:
        f = {k.lower(): _bib_clean(str(v.value)) for k, v in e.fields_dict.items()}
        entries.append({
            "key": e.key, "url": f.get("url") or _url_in(f.get("howpublished") or f.get("note")),
            "doi": f.get("doi"), "title": f.get("title"),
            "outlet": f.get("journal") or f.get("journaltitle") or f.get("booktitle") or f.get("publisher")
            or f.get("institution") or f.get("organization"),
            "author": f.get("author"), "published": f.get("date") or f.get("year"),
            "accessed": f.get("urldate"),
        })
    if library.failed_blocks and not entries:
        raise InputError(f"{name}: BibTeX that could not be parsed ({len(library.failed_blocks)} bad blocks)")
    return _document("bibtex", article_id, entries, name)


# --- CSL-JSON ---------------------------------------------------------------------------------------


def _csl_date(value: Any) -> str | None:
    if isinstance(value, dict):
        parts = (value.get("date-parts") or [[None]])[0]
        if parts and parts[0]:
            return "-".join(str(p).zfill(2) if i else str(p) for i, p in enumerate(parts[:3]))
        return value.get("raw") or value.get("literal")
    return value


def _csl_authors(value: Any) -> str | None:
    names = []
    for a in value or []:
        name = a.get("literal") or " ".join(x for x in (a.get("given"), a.get("family")) if x)
        if name:
            names.append(name)
    return " and ".join(names) or None


@register("csl-json")
def read_csl_json(data: bytes, name: str, article_id: str) -> Document:
    try:
        items = json.loads(decode(data, name))
    except ValueError as exc:
        raise InputError(f"{name}: not valid JSON ({exc})") from None
    items = items if isinstance(items, list) else [items]
    entries = [{
        "key": i.get("id"), "url": i.get("URL"), "doi": i.get("DOI"), "title": i.get("title"),
        "outlet": i.get("container-title") or i.get("publisher"), "author": _csl_authors(i.get("author")),
        "published": _csl_date(i.get("issued")), "accessed": _csl_date(i.get("accessed")),
    } for i in items if isinstance(i, dict)]
    return _document("csl-json", article_id, entries, name)


# --- RIS (rispy) ------------------------------------------------------------------------------------


@register("ris")
def read_ris(data: bytes, name: str, article_id: str) -> Document:
    import rispy  # type: ignore[import-untyped]

    try:
        records = rispy.loads(decode(data, name))
    except Exception as exc:  # noqa: BLE001 - rispy raises plain exceptions on bad records
        raise InputError(f"{name}: RIS that could not be parsed ({exc})") from None
    entries = []
    for r in records:
        urls = r.get("urls") or ([r["url"]] if r.get("url") else [])
        entries.append({
            "key": r.get("id"), "url": urls[0] if urls else None, "doi": r.get("doi"),
            "title": r.get("title") or r.get("primary_title"),
            "outlet": r.get("journal_name") or r.get("secondary_title") or r.get("publisher"),
            "author": " and ".join(r.get("authors") or r.get("first_authors") or []) or None,
            "published": r.get("date") or r.get("publication_year") or r.get("year"),
            "accessed": r.get("access_date"),
        })
    return _document("ris", article_id, entries, name)
