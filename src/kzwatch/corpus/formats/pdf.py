"""PDF read directly from its text layer, with pypdf.

pypdf (pure Python, already a dependency of the stack) keeps the hyphen a line ends with and
reads each page's text in content order, which for the reports we tested puts each note's lines
together even in multi-column layouts.  Pages are joined with form feeds; the note scanner then
recognises running headers, footers and page numbers as page furniture.  A PDF without a text
layer (a scan) is an error that says to run OCR first.
"""

from __future__ import annotations

import logging
from io import BytesIO

from kzwatch.corpus.formats import Document, InputError, register
from kzwatch.corpus.formats.text import find_notes

#: Fewer extracted characters than this per page on average: the PDF is a scan.
MIN_CHARS_PER_PAGE = 20


def pdf_text(data: bytes, name: str) -> str:
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # font-encoding chatter, not our problem
    try:
        reader = pypdf.PdfReader(BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types for broken files
        raise InputError(f"{name}: cannot read the PDF ({exc.__class__.__name__}: {exc})") from None
    if sum(len(p.strip()) for p in pages) < MIN_CHARS_PER_PAGE * max(1, len(pages)):
        raise InputError(f"{name}: the PDF has no text layer (a scan?): run OCR first "
                         "(e.g. ocrmypdf) or pass the publication's HTML or text")
    return "\n\f".join(pages)


@register("pdf")
def read_pdf(data: bytes, name: str, article_id: str) -> Document:
    text = pdf_text(data, name)
    return Document("pdf", text=text, notes=find_notes(text))
