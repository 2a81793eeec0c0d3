"""Readers per input kind, registered by kind, and detection of the kind from the content.

Every reader takes the raw bytes (and a name, for messages) and returns a ``Document``: either
notes (``NoteBlock``s, which the common pipeline in ``kzwatch.corpus.parse`` turns into
citations) or, for reference-manager exports, citations directly.  The kind is detected from
the content first (magic bytes, markup, record syntax) and only then from the file extension,
so a ``.txt`` holding RIS or an HTML page saved without extension are read correctly.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO

from kzwatch.corpus.notes import NoteBlock
from kzwatch.corpus.parse import ParseResult, parse_notes, summarise
from kzwatch.model import Citation


class InputError(ValueError):
    """An input that cannot be read; the message is one line and says what to try."""


@dataclass
class Document:
    kind: str
    text: str = ""  # running text (body markers, claim drafting); "" when there is none
    notes: list[NoteBlock] | None = None
    citations: list[Citation] | None = None  # reference-manager exports: no parsing needed
    title: str | None = None
    warnings: list[str] = field(default_factory=list)


Reader = Callable[[bytes, str, str], Document]  # (data, name, article_id) -> Document
READERS: dict[str, Reader] = {}
#: Extensions consulted only when the content does not say what it is.
EXTENSIONS: dict[str, str] = {
    ".txt": "text", ".md": "text", ".pdf": "pdf", ".html": "html", ".htm": "html", ".docx": "docx",
    ".bib": "bibtex", ".json": "csl-json", ".ris": "ris",
}


def register(kind: str) -> Callable[[Reader], Reader]:
    def add(reader: Reader) -> Reader:
        READERS[kind] = reader
        return reader
    return add


_BIBTEX_ENTRY_RE = re.compile(
    r"(?mi)^\s*@(article|book|misc|online|report|inproceedings|techreport|incollection|webpage)\s*[{(]")


def detect(data: bytes, name: str = "") -> str:
    """The input kind, from the content (then the extension)."""
    head = data[:4096]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            names = []
        if "word/document.xml" in names:
            return "docx"
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if re.match(r"(?is)(<!doctype\s+html|<html|<\?xml[^>]*>\s*<html)", text) or re.search(r"(?i)<body[\s>]", text):
        return "html"
    if re.match(r"@\w+\s*[{(]", text) or _BIBTEX_ENTRY_RE.search(text):
        return "bibtex"
    if re.search(r"(?m)^TY  - ", text):
        return "ris"
    if text[:1] in "[{" and _looks_like_csl(data):
        return "csl-json"
    ext = re.search(r"\.[A-Za-z0-9]+$", name)
    return EXTENSIONS.get(ext.group(0).lower(), "text") if ext else "text"


def _looks_like_csl(data: bytes) -> bool:
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return False
    items = items if isinstance(items, list) else [items]
    return bool(items) and all(isinstance(i, dict) for i in items) and any(
        k in i for i in items for k in ("URL", "title", "container-title", "DOI", "type")
    )


def read_document(data: bytes, name: str, article_id: str, kind: str | None = None) -> Document:
    _load_readers()
    kind = kind or detect(data, name)
    if kind not in READERS:
        raise InputError(f"{name}: no reader for input kind {kind!r} (known: {', '.join(sorted(READERS))})")
    return READERS[kind](data, name, article_id)


def parse_document(doc: Document, article_id: str) -> ParseResult:
    """The citations and summary of a read document, whatever its kind."""
    if doc.citations is not None:
        notes = [NoteBlock(c.footnote, "", c.raw, 0) for c in doc.citations]
        return ParseResult(doc.citations, notes, summarise(notes, doc.citations, []), list(doc.warnings))
    result = parse_notes(doc.notes or [], article_id, doc.text)
    result.warnings.extend(doc.warnings)
    return result


def _load_readers() -> None:
    # Imported here so that registering a kind is importing its module, and a missing optional
    # library breaks only its own format.
    from kzwatch.corpus.formats import docx, html, pdf, refs, text  # noqa: F401


__all__ = ["Document", "InputError", "READERS", "detect", "parse_document", "read_document", "register"]
