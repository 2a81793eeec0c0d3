"""Plain text with footnotes or endnotes (an article, ``pdftotext`` output, an OCR)."""

from __future__ import annotations

from kzwatch.corpus.formats import Document, InputError, register
from kzwatch.corpus.notes import NoteBlock, scan_notes
from kzwatch.corpus.references import scan_references


def find_notes(text: str) -> list[NoteBlock]:
    """Footnotes/endnotes; failing those, the entries of a reference list (author–date styles)."""
    return scan_notes(text) or scan_references(text)


def decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"{name}: not text in any encoding we recognise (is it a binary file?)")
    return str(best)


@register("text")
def read_text(data: bytes, name: str, article_id: str) -> Document:
    text = decode(data, name)
    return Document("text", text=text, notes=find_notes(text))
