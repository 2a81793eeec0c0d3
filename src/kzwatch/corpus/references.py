"""Author–date texts: no note markers, but a reference list ("References", "Bibliography").

APA, Harvard and similar styles cite "(Ospanova & Lee, 2021)" in the body and list the works
after a heading.  Each entry starts a line with its authors and a year in parentheses
("Ospanova, K., & Lee, M. (2021).", "World Weather Archive. (n.d.).") and runs on until the next
entry or a blank line.  Entries become notes numbered in list order.
"""

from __future__ import annotations

import re

from kzwatch.corpus.notes import NoteBlock

_HEADING_RE = re.compile(r"(?i)^\s*(?:references|bibliography|works cited|sources|literature|reference list)\s*:?\s*$")
_ENTRY_RE = re.compile(r"^[A-ZА-ЯЁ][^()\n]{0,160}?\((?:\d{4}[a-z]?|n\.\s?d\.)(?:,[^)]{0,30})?\)")


def scan_references(text: str) -> list[NoteBlock]:
    """The entries of the last reference-list section of ``text`` (none without a heading)."""
    lines = text.replace("\r\n", "\n").split("\n")
    starts = [i for i, line in enumerate(lines) if _HEADING_RE.match(line)]
    if not starts:
        return []
    entries: list[tuple[int, list[str]]] = []
    for i in range(starts[-1] + 1, len(lines)):
        line = lines[i].replace("\f", "").strip()
        if not line:
            if entries and entries[-1][1]:
                entries.append((i + 1, []))  # a blank line closes the entry
            continue
        if _ENTRY_RE.match(line) or not entries:
            entries.append((i + 1, [line]))
        else:
            entries[-1][1].append(line)
    real = [(start, body) for start, body in entries if body]
    return [NoteBlock(n, str(n), "\n".join(body), start) for n, (start, body) in enumerate(real, start=1)]
