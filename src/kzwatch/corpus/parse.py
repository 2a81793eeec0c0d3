"""From notes to citations, with a summary that says what was found and what was not.

``parse_notes`` is the one pipeline every input format ends in: a reader (``formats``) turns a
file into ``NoteBlock``s (a text reader scans for them; DOCX and HTML readers know them), and
this module splits each note into citations, reads their fields, links short forms and counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kzwatch.corpus.fields import (
    _link_back_references,
    _parse_citation,
    _Parsed,
    split_citations,
)
from kzwatch.corpus.notes import NoteBlock, body_markers, note_label, scan_notes
from kzwatch.corpus.tables import HOST_OUTLETS
from kzwatch.corpus.urls import _find_urls
from kzwatch.model import Citation

# What follows a URL and still belongs to its citation: ", accessed March 1, 2017." and the like.
_URL_TRAILER_RE = re.compile(
    r"[\s,.;:]*(?:\(?\s*(?:last\s+)?(?:accessed|retrieved|viewed)(?:\s+on)?:?\s+[^,;()]{0,30}?\d{4}\)?)?[.,]?",
    re.IGNORECASE,
)
# A note that reads like a citation even though it yielded no URL (worth a look by a person).
_CITATION_LIKE_RE = re.compile(
    r"[“\"«„]|\b(?:accessed|retrieved|available at|https?|www)\b|\b(?:19|20)\d{2}\b", re.IGNORECASE
)


#: Body markers up to this much above the highest note number count as "marker without note".
BODY_MARKER_SLACK = 10


@dataclass(frozen=True)
class ParseSummary:
    """What a parse found, for people: ``kzwatch corpus`` prints it, ``--strict`` acts on it."""

    notes_seen: int
    notes_with_url: int
    citations: int  # citations with a URL (rows of the CSV)
    urls_repaired: int
    citation_like_without_url: tuple[str, ...]  # labels of notes that look cited but had no URL
    body_markers_without_note: tuple[str, ...]  # labels referenced in the body, never defined
    incomplete_notes: tuple[str, ...]  # labels of notes cut by a page/column break

    @property
    def unresolved(self) -> int:
        return len(self.citation_like_without_url) + len(self.body_markers_without_note)


@dataclass(frozen=True)
class ParseResult:
    citations: list[Citation]
    notes: list[NoteBlock]
    summary: ParseSummary
    warnings: list[str] = field(default_factory=list)


def split_on_urls(part: str) -> list[str]:
    """A citation text holding several URLs ("See URL1 and Author, Title, URL2") -> one per URL."""
    urls = _find_urls(part)
    if len(urls) < 2:
        return [part]
    pieces, start = [], 0
    for url in urls[:-1]:
        trailer = _URL_TRAILER_RE.match(part, url.end)
        cut = trailer.end() if trailer else url.end
        pieces.append(part[start:cut])
        start = cut
    pieces.append(part[start:])
    return [p.strip() for p in pieces if p.strip()]


def _note_parts(notes: Sequence[NoteBlock]) -> list[tuple[NoteBlock, int, list[str]]]:
    """(note, its first seq, its citation texts) per note.  Notes sharing a number (numbering
    restarting per section) continue each other's seq, so (footnote, seq) stays unique."""
    out = []
    used: dict[int, int] = {}
    for block in notes:
        parts = [piece for part in split_citations(block.text) for piece in split_on_urls(part)]
        first = used.get(block.number, 0) + 1
        used[block.number] = first - 1 + len(parts)
        out.append((block, first, parts))
    return out


def citations_from_notes(
    notes: Sequence[NoteBlock], article_id: str, outlets: Mapping[str, str] | None = None
) -> list[Citation]:
    """Every citation of the notes, ordered by (footnote, seq); URL-less ones included."""
    host_outlets = HOST_OUTLETS if outlets is None else outlets
    parsed: list[_Parsed] = []
    for block, first, parts in _note_parts(notes):
        for seq, part in enumerate(parts, start=first):
            item = _parse_citation(part, article_id, block.number, seq, host_outlets)
            if block.garbled:
                item.citation.extra["marker"] = block.marker
            if block.label:
                item.citation.extra["label"] = block.label
            parsed.append(item)
    citations = _link_back_references(parsed)
    return sorted(citations, key=lambda c: (c.footnote, c.seq))


def summarise(notes: Sequence[NoteBlock], citations: Sequence[Citation], body: list[str]) -> ParseSummary:
    by_key = {(c.footnote, c.seq): c for c in citations}
    own: list[list[Citation]] = [
        [by_key[(block.number, seq)] for seq in range(first, first + len(parts)) if (block.number, seq) in by_key]
        for block, first, parts in _note_parts(notes)
    ] if notes and notes[0].marker else [[c for c in citations if c.footnote == n.number] for n in notes]
    labels = {note_label(n) for n in notes}
    # A number far beyond the last note is a figure glued to a word ("COVID19"), not a marker.
    highest = max((int(x) for x in labels if x.isdigit()), default=0) + BODY_MARKER_SLACK
    return ParseSummary(
        notes_seen=len(notes),
        notes_with_url=sum(1 for cites in own if any(c.url for c in cites)),
        citations=sum(1 for c in citations if c.url),
        urls_repaired=sum(1 for c in citations if c.url and c.repairs and c.ref_of is None),
        citation_like_without_url=tuple(
            note_label(n) for n, cites in zip(notes, own)
            if not any(c.url or c.ref_of for c in cites) and _CITATION_LIKE_RE.search(n.text)
        ),
        body_markers_without_note=tuple(m for m in body if m not in labels and 0 < int(m) <= highest),
        incomplete_notes=tuple(note_label(n) for n in notes if not n.complete),
    )


def parse_notes(
    notes: Sequence[NoteBlock], article_id: str, body_text: str = "",
    outlets: Mapping[str, str] | None = None,
) -> ParseResult:
    citations = citations_from_notes(notes, article_id, outlets)
    body = body_markers(body_text, list(notes)) if body_text else []
    return ParseResult(citations, list(notes), summarise(notes, citations, body))


def parse_text(text: str, article_id: str, outlets: Mapping[str, str] | None = None) -> ParseResult:
    """Plain text with footnotes or endnotes -> citations and a summary."""
    return parse_notes(scan_notes(text), article_id, text, outlets)


def parse_article(text: str, article_id: str, outlets: Mapping[str, str] | None = None) -> list[Citation]:
    """Every citation of an article text, ordered by (footnote, seq); URL-less ones included.

    ``outlets`` maps URL hosts to outlet names (default ``HOST_OUTLETS``), used when the
    footnote itself names no outlet.
    """
    return parse_text(text, article_id, outlets).citations
