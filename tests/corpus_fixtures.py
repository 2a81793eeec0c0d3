"""Builders for realistic test inputs of every format, with our own invented text.

DOCX is assembled from its XML parts (python-docx cannot write footnotes); the PDF is written
by hand with a text layer in Helvetica (no PDF-writing library is a dependency).
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' \
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def docx_bytes(paragraphs: list[list[str | tuple[str, str]]], footnotes: dict[str, list],
               links: dict[str, str], endnotes: dict[str, list] | None = None) -> bytes:
    """A DOCX: body paragraphs of text runs and ("fn"|"en", id) references; notes as runs and
    ("link", rId, text) hyperlinks; ``links`` maps rIds to external URLs (footnotes part)."""
    def runs(items: list) -> str:
        out = []
        for item in items:
            if isinstance(item, str):
                out.append(f'<w:r><w:t xml:space="preserve">{escape(item)}</w:t></w:r>')
            elif item[0] == "fn":
                out.append(f'<w:r><w:footnoteReference w:id="{item[1]}"/></w:r>')
            elif item[0] == "en":
                out.append(f'<w:r><w:endnoteReference w:id="{item[1]}"/></w:r>')
            else:
                out.append(f'<w:hyperlink r:id="{item[1]}"><w:r><w:t>{escape(item[2])}</w:t></w:r></w:hyperlink>')
        return "".join(out)

    body = "".join(f"<w:p>{runs(p)}</w:p>" for p in paragraphs)
    document = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W_NS}><w:body>{body}</w:body></w:document>'

    def notes_part(kind: str, notes: dict[str, list]) -> str:
        sep = (f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
               f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:{kind}>')
        items = "".join(f'<w:{kind} w:id="{i}"><w:p><w:r><w:{kind}Ref/></w:r>{runs(r)}</w:p></w:{kind}>'
                        for i, r in notes.items())
        return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind}s {W_NS}>{sep}{items}</w:{kind}s>'

    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    doc_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rIdF" Type="{rel}/footnotes" Target="footnotes.xml"/>'
                f'<Relationship Id="rIdE" Type="{rel}/endnotes" Target="endnotes.xml"/></Relationships>')
    fn_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               + "".join(f'<Relationship Id="{rid}" Type="{rel}/hyperlink" Target="{escape(url)}" TargetMode="External"/>'
                         for rid, url in links.items()) + "</Relationships>")
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
          '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>'
          '<Override PartName="/word/endnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml"/>'
          '</Types>')
    root_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                 'Target="word/document.xml"/></Relationships>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("word/document.xml", document)
        z.writestr("word/_rels/document.xml.rels", doc_rels)
        z.writestr("word/footnotes.xml", notes_part("footnote", footnotes))
        z.writestr("word/_rels/footnotes.xml.rels", fn_rels)
        z.writestr("word/endnotes.xml", notes_part("endnote", endnotes or {}))
    return buf.getvalue()


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A PDF whose pages hold the given lines (Helvetica 10 pt, top to bottom): a real text layer."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    page_ids = []
    pages_id = len(objects) + 2 * len(pages) + 1  # the /Pages object comes after all pages
    for lines in pages:
        ops = ["BT", "/F1 10 Tf", "12 TL", "50 800 Td"]
        for line in lines:
            text = line.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            ops.append(f"({text.decode('latin-1')}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        page_ids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages_id, content, font)))
    kids = " ".join(f"{p} 0 R" for p in page_ids).encode()
    assert add(b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(page_ids)) == pages_id
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref))
    return out.getvalue()
