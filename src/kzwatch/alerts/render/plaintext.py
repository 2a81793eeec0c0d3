"""Plain text: nothing interprets it, so only control characters (terminal escapes) are stripped."""

from __future__ import annotations

from typing import Any

from kzwatch.alerts.digest import (
    MAX_DIGEST_BYTES,
    Digest,
    EntryView,
    assemble,
    clean,
    generated_line,
    truncation_sentence,
)
from kzwatch.alerts.render import renderer

# --- Plain text --------------------------------------------------------------------------------


def _text_entry(view: EntryView) -> str:
    head = f"* [{view.kind_label}]"
    if view.footnote is not None:
        head += f" footnote {view.footnote}:"
    lines = [f"{head} {view.headline}\n"]
    if view.url:
        lines.append(f"    URL: {view.url}\n")
    for fld in view.fields:
        if fld.style == "block":
            lines.append(f"    {fld.label}:\n")
            lines.extend(f"      | {line}\n" for line in fld.value.split("\n"))
        elif fld.style == "quote":
            lines.append(f"    {fld.label}: “{fld.value}”\n")
        else:
            lines.append(f"    {fld.label}: {fld.value}\n")
    return "".join(lines)


def _text_block(kind: str, obj: Any) -> str:
    if kind == "article":
        heading = f"Article {clean(obj.article_id)}"
        return f"\n{heading}\n{'=' * len(heading)}\n"
    if kind == "severity":
        return f"\n{clean(obj.severity).upper()}\n"
    if kind == "group":
        return f"\n  {clean(obj.label)}\n\n"
    if kind == "operational":
        return "\nOperational notices\n===================\n\n"
    return _text_entry(obj)


@renderer("text", "txt", "txt")
def render_text(d: Digest, *, max_bytes: int = MAX_DIGEST_BYTES) -> str:
    head = f"{clean(d.title)}\n{generated_line(d)}\n"
    if d.is_empty:
        head += "\nNothing new.\n"
    note = lambda n: f"\n-- {truncation_sentence(n)}\n"  # noqa: E731
    return assemble(d, head, _text_block, "", note, max_bytes)
