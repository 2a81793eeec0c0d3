"""DOCX footnotes and endnotes, read from their own parts (``word/footnotes.xml``, ``endnotes.xml``).

python-docx opens the package but has no footnote API, so the parts are parsed as XML: each
``w:footnote``/``w:endnote`` (except Word's separators) is a note, its hyperlinks resolved through
the part's relationships and written after their text.  Word numbers notes in order of
reference, so the note's label is its position among the body's references.
"""

from __future__ import annotations

from io import BytesIO

from lxml import etree  # type: ignore[import-untyped]

from kzwatch.corpus.formats import Document, InputError, register
from kzwatch.corpus.notes import NoteBlock

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS = {"w": W, "r": R}


def _run_text(run: etree._Element) -> str:
    return "".join((t.text or "") if t.tag == f"{{{W}}}t" else " " for t in run
                   if t.tag in (f"{{{W}}}t", f"{{{W}}}tab", f"{{{W}}}br"))


def _paragraph_text(p: etree._Element, links: dict[str, str]) -> str:
    """A paragraph's text; a hyperlink's address follows its text unless the text shows it."""
    parts: list[str] = []
    for child in p:
        if child.tag == f"{{{W}}}hyperlink":
            text = "".join(_run_text(r) for r in child.iter(f"{{{W}}}r"))
            target = links.get(child.get(f"{{{R}}}id") or "", "")
            parts.append(text if not target or target.rstrip("/") in text else f"{text} <{target}>")
        elif child.tag == f"{{{W}}}r":
            parts.append(_run_text(child))
    return "".join(parts)


def _notes_of(document, kind: str) -> dict[str, str]:
    """note id -> text, for the footnotes or endnotes part."""
    part = next((p for p in document.part.package.parts if p.partname == f"/word/{kind}s.xml"), None)
    if part is None:
        return {}
    links = {rel.rId: rel.target_ref for rel in part.rels.values() if rel.is_external}
    root = etree.fromstring(part.blob)
    notes = {}
    for note in root.findall(f"w:{kind}", _NS):
        if note.get(f"{{{W}}}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        paragraphs = [_paragraph_text(p, links) for p in note.findall(".//w:p", _NS)]
        notes[note.get(f"{{{W}}}id") or ""] = "\n".join(" ".join(t.split()) for t in paragraphs if t.strip())
    return notes


def _body_paragraph(p: etree._Element, labels: dict[tuple[str, str], str]) -> str:
    """A body paragraph's text with each note reference written "[label]"."""
    parts: list[str] = []
    for node in p.iter(f"{{{W}}}t", f"{{{W}}}footnoteReference", f"{{{W}}}endnoteReference"):
        if node.tag == f"{{{W}}}t":
            parts.append(node.text or "")
        else:
            kind = "footnote" if node.tag.endswith("footnoteReference") else "endnote"
            parts.append(f"[{labels.get((kind, node.get(f'{{{W}}}id') or ''), '?')}]")
    return "".join(parts)


@register("docx")
def read_docx(data: bytes, name: str, article_id: str) -> Document:
    import docx

    try:
        document = docx.Document(BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many types for broken files
        raise InputError(f"{name}: cannot open the DOCX ({exc.__class__.__name__})") from None
    body = document.element.body
    notes: list[NoteBlock] = []
    refs: list[tuple[str, str, NoteBlock]] = []
    for kind in ("footnote", "endnote"):
        texts = _notes_of(document, kind)
        order = [ref.get(f"{{{W}}}id") for ref in body.iter(f"{{{W}}}{kind}Reference")]
        ids = list(dict.fromkeys([i for i in order if i in texts] + list(texts)))
        start = len(notes)
        for position, note_id in enumerate(ids, start=1):
            label = str(position) if kind == "footnote" else f"e{position}"
            notes.append(NoteBlock(start + position, label, texts[note_id], 0,
                                   label="" if label == str(start + position) else label))
            refs.append((kind, note_id, notes[-1]))
    labels = {(kind, ref_id): n.label or str(n.number) for kind, ref_id, n in refs}
    paragraphs = [t for p in body.iter(f"{{{W}}}p") if (t := _body_paragraph(p, labels)).strip()]
    title = document.core_properties.title or (paragraphs[0] if paragraphs else None)
    return Document("docx", text="\n\n".join(paragraphs), notes=notes, title=title)
