"""What ``kzwatch corpus`` and ``kzwatch add`` print: one line per note, then a summary.

Nothing is silent: a note that looks like a citation but gave no URL, a marker in the body with
no note, a note cut by a page break — each is listed by its printed label.
"""

from __future__ import annotations

from kzwatch.corpus.formats import Document
from kzwatch.corpus.notes import note_label
from kzwatch.corpus.parse import ParseResult, ParseSummary


def _clip(text: str | None, n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def render_notes(result: ParseResult) -> list[str]:
    """One line per citation with a URL, and one per note without any."""
    lines = []
    by_note: dict[int, list] = {}
    for c in result.citations:
        by_note.setdefault(c.footnote, []).append(c)
    for note in result.notes:
        label = note_label(note)
        cites = [c for c in by_note.get(note.number, []) if c.url]
        if not cites:
            lines.append(f"{label:>5}  (no URL)  {_clip(note.text, 90)}")
            continue
        for c in cites:
            dates = " ".join(x for x in (f"published {c.published}" if c.published else "",
                                         f"accessed {c.accessed}" if c.accessed else "") if x)
            repaired = f"  [repaired: {', '.join(sorted({r.kind for r in c.repairs}))}]" if c.repairs else ""
            via = f"  (short form of note {c.ref_of[0]})" if c.ref_of else ""
            lines.append(f"{label:>5}  {c.url_display or c.url}{repaired}{via}")
            lines.append(f"       {_clip(c.title, 70) or '(no title)'} | {c.outlet or '(no outlet)'}"
                         + (f" | {dates}" if dates else ""))
    return lines


def render_summary(summary: ParseSummary, kind: str) -> list[str]:
    def listed(items: tuple[str, ...]) -> str:
        return ", ".join(items[:20]) + (" …" if len(items) > 20 else "") if items else "none"

    return [
        f"read as {kind}: notes seen {summary.notes_seen} · notes with a URL {summary.notes_with_url} · "
        f"citations with a URL {summary.citations} · URLs repaired {summary.urls_repaired}",
        f"notes that look like citations but gave no URL: {listed(summary.citation_like_without_url)}",
        f"markers in the body with no note: {listed(summary.body_markers_without_note)}",
        f"notes cut by a page or column break and never completed: {listed(summary.incomplete_notes)}",
    ]


def zero_reason(doc: Document, result: ParseResult, name: str) -> str:
    """One line: why nothing was found, and what to try."""
    if doc.citations is not None:
        return (f"{name}: {len(doc.citations)} {doc.kind} entries but none has a URL or DOI; "
                "add URLs in the reference manager")
    if not result.notes:
        hint = {
            "html": "save the page with its notes section, or pass the PDF or DOCX",
            "pdf": "if the PDF is a scan, run OCR first; else try its HTML or a text export (pdftotext)",
            "docx": "the document has no Word footnotes or endnotes; if notes are typed as text, save it as .txt",
        }.get(doc.kind, "notes must start a line with a marker such as [1], ¹, 1. or '1 ' "
                        "(or the text needs a References section)")
        return f"{name}: no footnotes or endnotes found (read as {doc.kind}); {hint}"
    return (f"{name}: {len(result.notes)} notes found but none holds a URL (read as {doc.kind}); "
            "check that URLs are in the notes, or pass another format of the article (HTML, PDF, DOCX)")
