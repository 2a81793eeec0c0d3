"""A readable, size-bounded diff of two versions of a text, for people.

Alerts about an edited or drifted source show what changed.  Main texts come as paragraphs, so
a line diff would mark a whole paragraph for one changed figure; this module diffs *sentences*
instead (each paragraph split at sentence ends) in unified style:

    - Явка составила 63%.
    + Явка составила 65%.

The result is plain text and may contain anything the page said: renderers must escape it.
It is cut at ``max_chars`` on a line boundary with an explicit marker, so a rewritten page never
produces a megabyte alert.  Pure; no I/O.
"""

from __future__ import annotations

import difflib
import re

__all__ = ["readable_diff", "split_sentences", "TRUNCATION_MARKER"]

TRUNCATION_MARKER = "[… diff truncated: {lines} more line(s) not shown]"
_MIN_CUT_LINE = 40  # cut a long line only if at least this much of it fits

# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets) and whitespace,
# when the next sentence starts with an upper-case letter, digit, quote or dash.  Abbreviations
# ("г.", "т.е.") rarely precede a capital in news text; a rare wrong split only costs a line.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[»\"'”)\]]*\s+(?=[«\"'“(\[\-—–\d]|[^\W\d_])")


def split_sentences(text: str) -> list[str]:
    """Paragraphs split into sentences, whitespace collapsed, empty pieces dropped."""
    sentences: list[str] = []
    for paragraph in (text or "").splitlines():
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        for piece in _split_paragraph(paragraph):
            if piece:
                sentences.append(piece)
    return sentences


def _split_paragraph(paragraph: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(paragraph):
        following = paragraph[match.end() : match.end() + 1]
        if following.isalpha() and not following.isupper():
            continue  # "и т. д. и ..." — the next word is lower case: not a sentence end
        pieces.append(paragraph[start : match.start() + len(match.group(0).rstrip())].strip())
        start = match.end()
    pieces.append(paragraph[start:].strip())
    return pieces


def readable_diff(
    before: str,
    after: str,
    *,
    max_chars: int = 4000,
    context: int = 1,
    before_label: str = "before",
    after_label: str = "after",
) -> str:
    """Unified-style sentence diff of *before* → *after*; "" when they have the same sentences."""
    if max_chars < 80:
        raise ValueError("readable_diff: max_chars must be at least 80")
    if context < 0:
        raise ValueError("readable_diff: context must be >= 0")
    lines = list(
        difflib.unified_diff(
            split_sentences(before),
            split_sentences(after),
            fromfile=before_label,
            tofile=after_label,
            n=context,
            lineterm="",
        )
    )
    if not lines:
        return ""
    lines = [_readable_line(line) for line in lines]
    return _bounded("\n".join(lines), lines, max_chars)


def _readable_line(line: str) -> str:
    """difflib's "-x" / "+x" / " x" → "- x" / "+ x" / "  x" (easier to read); headers as is."""
    if line.startswith(("---", "+++", "@@")):
        return line
    if line[:1] in "-+ ":
        return f"{line[:1]} {line[1:]}"
    return line


def _bounded(full: str, lines: list[str], max_chars: int) -> str:
    if len(full) <= max_chars:
        return full
    kept: list[str] = []
    shown_whole = 0
    used = 0
    # Leave room for the marker line (its length depends on the number, so assume the worst).
    budget = max_chars - len(TRUNCATION_MARKER.format(lines=len(lines))) - 1
    for line in lines:
        cost = len(line) + 1
        if used + cost > budget:
            room = budget - used - 2
            if room >= _MIN_CUT_LINE:  # an enormous sentence: show its start, not nothing
                kept.append(line[:room] + "…")
            break
        kept.append(line)
        shown_whole += 1
        used += cost
    hidden = len(lines) - shown_whole
    return "\n".join(kept + [TRUNCATION_MARKER.format(lines=hidden)])
