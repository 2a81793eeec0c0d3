"""Markdown (CommonMark/GFM): every character that could start markup is escaped; newlines folded."""

from __future__ import annotations

import re
from typing import Any

from kzwatch.alerts.digest import (
    MAX_DIGEST_BYTES,
    Digest,
    EntryView,
    assemble,
    clean,
    generated_line,
    safe_http_url,
    truncation_sentence,
)
from kzwatch.alerts.render import renderer

# --- Markdown ----------------------------------------------------------------------------------

# Everything CommonMark/GFM could read as markup: links and images ([]()!), emphasis (*_~),
# code (`), raw HTML and autolinks (<> → entities), entities (&), headings (#), tables (|), escapes (\).
# List and setext markers (- + = "1.") only matter at the start of a line: see _md_entry.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()<>#!|~&])")
_MD_LINE_START = re.compile(r"^([-+=])")
_MD_ORDERED_ITEM = re.compile(r"^(\d+)\.")


def _md_escape_char(match: re.Match[str]) -> str:
    char = match.group(1)
    return {"<": "&lt;", ">": "&gt;"}.get(char, "\\" + char)


def escape_markdown(text: str) -> str:
    """Escape page text so Markdown shows it literally, on one line.

    ``<`` and ``>`` become entities rather than backslash escapes, so that the Markdown source
    itself holds no tag-like text either (for tools that paste it into HTML unrendered).
    """
    return _MD_SPECIAL.sub(_md_escape_char, clean(text))


def _md_url(url: str | None) -> str:
    if not url:
        return ""
    safe = safe_http_url(url)
    if safe is None:
        return escape_markdown(url) + " (not a web link)"
    # Percent-encode what could end the link destination early.
    dest = "".join(f"%{ord(c):02X}" if c in "()<> " else c for c in safe)
    return f"[{escape_markdown(url)}]({dest})"


def _md_entry(view: EntryView) -> str:
    head = f"- **{escape_markdown(view.kind_label)}**"
    if view.footnote is not None:
        head += f" · footnote {view.footnote}"
    head += f" · {escape_markdown(view.headline)}\n"
    lines = [head]
    if view.url:
        lines.append(f"  - URL: {_md_url(view.url)}\n")
    for fld in view.fields:
        label = escape_markdown(fld.label)
        if fld.style == "url":
            lines.append(f"  - {label}: {_md_url(fld.value)}\n")
        elif fld.style == "quote":
            lines.append(f"  - {label}: “{escape_markdown(fld.value)}”\n")
        elif fld.style == "block":
            lines.append(f"  - {label}:\n")
            for raw_line in fld.value.split("\n"):
                line = escape_markdown(raw_line) if raw_line.strip() else ""
                # A diff line must not start a list or a setext heading.
                line = _MD_ORDERED_ITEM.sub(r"\1\\.", _MD_LINE_START.sub(r"\\\1", line))
                lines.append(f"    > {line}  \n" if line else "    >\n")
        else:
            lines.append(f"  - {label}: {escape_markdown(fld.value)}\n")
    return "".join(lines)


def _md_block(kind: str, obj: Any) -> str:
    if kind == "article":
        return f"\n## Article {escape_markdown(obj.article_id)}\n"
    if kind == "severity":
        return f"\n### {escape_markdown(obj.severity.capitalize())}\n"
    if kind == "group":
        return f"\n#### {escape_markdown(obj.label)}\n\n"
    if kind == "operational":
        return "\n## Operational notices\n\n"
    return _md_entry(obj)


@renderer("md", "md", "markdown")
def render_markdown(d: Digest, *, max_bytes: int = MAX_DIGEST_BYTES) -> str:
    head = f"# {escape_markdown(d.title)}\n\n{escape_markdown(generated_line(d))}\n"
    if d.is_empty:
        head += "\nNothing new.\n"
    note = lambda n: f"\n---\n\n*{escape_markdown(truncation_sentence(n))}*\n"  # noqa: E731
    return assemble(d, head, _md_block, "", note, max_bytes)
