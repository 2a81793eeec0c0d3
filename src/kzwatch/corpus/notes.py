"""Finding footnotes and endnotes in a text, whatever style the publication uses (pure core).

Text comes from many places — a clean article, an OCR, ``pdftotext`` of a report with page-bottom
footnotes or three-column endnotes — so a note is found in three steps:

1. *Furniture*: page numbers, running headers and footers (short lines repeated on many pages)
   and form feeds are recognised and skipped; they never end or start a note.
2. *Markers*: a note starts a line with a marker.  Strong markers (``[12]``, ``¹²``, ``^(c)``
   from OCR) are unambiguous; weak ones (``12.``, bare ``12 “Title…``) also start body lines, so
   when a text has enough strong markers the weak ones are ignored.  Symbol notes (``*``, ``**``,
   ``†``) are read in both cases.
3. *Extent*: a note runs on over the following lines until a blank line, the next marker, or —
   when the note already looks complete (ends with a full stop, not inside a URL) — a line that
   does not continue it.  A note cut by a page break or a column jump is *incomplete*; a short
   fragment without a marker that holds a URL is given back to the nearest incomplete note
   (multi-column extraction moves such fragments away from their note).

Numbering: with strong markers a garbled or out-of-order number becomes the previous plus one
(an OCR must still give distinct, ordered notes).  With weak markers ``number`` is the printed
number, even when numbering restarts per section (two notes "1" then share footnote number 1
and their citations take successive ``seq``); a symbol note ("*", "†") gets a number from
``SYMBOL_NUMBER_BASE`` up and keeps its symbol as ``label``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from kzwatch.corpus.urls import _joins, _slug

#: A text is read with strong markers only when it has at least this many of them.
MIN_STRONG_MARKERS = 3
#: A line repeated at least this many times (and short) is a running header or footer.
MIN_FURNITURE_REPEATS = 3
MAX_FURNITURE_CHARS = 80
#: An orphan fragment (no marker) is given to an incomplete note at most this many lines away,
#: and only when it has at most this many lines (a longer block is body text).
ORPHAN_MAX_DISTANCE = 90
ORPHAN_MAX_LINES = 8
#: Symbol notes ("*", "**", "†") get footnote numbers from here up, one per symbol.
SYMBOL_NUMBER_BASE = 1000
#: Weak markers above this number are not notes ("2016 report", "300 people").
MAX_WEAK_NUMBER = 999


@dataclass(frozen=True)
class NoteBlock:
    """One footnote or endnote found in a text."""

    number: int  # unique within the text: see the module docstring
    marker: str  # the marker exactly as written ("[1]", "¹³", "12.", "**")
    text: str  # the note's text, lines joined with "\n" (kept for URL repair)
    line: int  # 1-based line of the text where the note starts
    garbled: bool = False  # the marker could not be read as a number
    label: str = ""  # the printed label ("12", "*"); "" when it equals ``number``
    complete: bool = True  # False: cut by a page/column break and never continued


#: The name used before notes had labels; kept for callers of ``scan_footnotes``.
FootnoteBlock = NoteBlock


_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_TO_ASCII = str.maketrans(_SUPERSCRIPT_DIGITS, "0123456789")

# Body text carries markers too, but mid-line ("...from.”[1] There is"), so anchoring at the
# line start separates them.  Garbled OCR forms (``^(c)``, ``^{!#}``) are accepted as markers
# without a readable number.
_STRONG_RE = re.compile(
    r"""^[ \t]*(?P<marker>
        \[(?P<bracket>[0-9Il|]{1,3})\]\.?
      | ⁽(?P<supparen>[^⁾\s]{1,4})⁾
      | (?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})
      | \^\((?P<caretparen>[^)\s]{1,4})\)
      | \^\{(?P<caretbrace>[^}\s]{1,5})\}
      | \^(?P<caret>[0-9]{1,3})
    )[ \t]+(?=\S)""",
    re.VERBOSE,
)
_SYMBOL_RE = re.compile(r"^[ \t]*(?P<marker>(?P<symbol>\*{1,4}|†{1,3}|‡{1,3}|§{1,2})\.?)[ \t]+(?=\S)")
# "12. Title" (Chicago) and "12 “Title" (bare, as pdftotext leaves endnotes).  A bare number
# must be followed by what starts a citation, so "22 companies were ranked" is body text.
_WEAK_RE = re.compile(
    r"""^[ \t]*(?P<marker>
        (?P<dot>[0-9]{1,3})\.
      | (?P<bare>[0-9]{1,3})(?=[ \t]+(?:[“"«„‘'(A-ZА-ЯЁ]|ibid\b|see\b|cf\.|https?://|www\.))
    )[ \t]+(?=\S)""",
    re.VERBOSE,
)
_PAGE_NUMBER_RE = re.compile(
    r"(?i)^(?:page\s+)?[-–—]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$"
)
_TERMINAL_RE = re.compile(r"[.!?][”’\"»)\]]*$")
_ABBREVIATION_RE = re.compile(r"^(?:[A-Z]\.|[A-Za-z]{1,2}\.|(?:[A-Za-z]\.){2,}|al\.|eds?\.|vol\.|no\.|pp?\.)$")
_URL_START_RE = re.compile(r"(?i)(?:https?://|www\.|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,6}/)")
_URL_TAIL_WORDS = frozenset(
    "pdf html htm shtml php aspx asp jsp cfm doc docx xls xlsx ppt pptx txt xml json "
    "org com net gov edu int info io biz eu uk us de fr ru kz ca au cn jp in ch nl".split()
)


def _decode_strong(match: re.Match[str]) -> int | None:
    """The note number a strong marker spells, or None when OCR garbled it."""
    for group in ("bracket", "supparen", "sup", "caretparen", "caretbrace", "caret"):
        content = match.group(group)
        if content is None:
            continue
        digits = content.translate(_SUPERSCRIPT_TO_ASCII)
        if group == "bracket":
            digits = digits.replace("I", "1").replace("l", "1").replace("|", "1")
        return int(digits) if digits.isascii() and digits.isdigit() and int(digits) > 0 else None
    return None


# --- 1. furniture ------------------------------------------------------------------------------


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split())).casefold()


def furniture_lines(lines: list[str]) -> set[int]:
    """Indexes of page numbers and running headers/footers (repeated short lines)."""
    keys = [_furniture_key(line) for line in lines]
    counts = Counter(k for k, line in zip(keys, lines) if line.strip() and not _marker(line, True))
    found = set()
    for i, (key, line) in enumerate(zip(keys, lines)):
        stripped = line.strip()
        if not stripped:
            continue
        if _PAGE_NUMBER_RE.match(stripped):
            found.add(i)
        elif (counts[key] >= MIN_FURNITURE_REPEATS and len(stripped) <= MAX_FURNITURE_CHARS
              and not _URL_START_RE.search(stripped) and not _marker(line, True)
              and not _TERMINAL_RE.search(stripped)):
            found.add(i)
    return found


# --- 2. markers ----------------------------------------------------------------------------------


@dataclass
class _Marker:
    marker: str
    end: int  # where the note text starts in the line
    strong: bool
    label: str  # printed label: digits, a symbol, or "" when garbled
    number: int | None


def _marker(line: str, weak: bool) -> _Marker | None:
    match = _STRONG_RE.match(line)
    if match:
        number = _decode_strong(match)
        return _Marker(match.group("marker"), match.end(), True, str(number or ""), number)
    match = _SYMBOL_RE.match(line)
    if match:
        return _Marker(match.group("marker"), match.end(), False, match.group("symbol"), None)
    if weak:
        match = _WEAK_RE.match(line)
        if match and int(match.group("dot") or match.group("bare")) <= MAX_WEAK_NUMBER:
            digits = match.group("dot") or match.group("bare")
            return _Marker(match.group("marker"), match.end(), False, digits, int(digits))
    return None


def _use_weak_markers(lines: list[str]) -> bool:
    """Weak markers count unless the text clearly numbers its notes with strong ones."""
    strong = sum(1 for line in lines if _STRONG_RE.match(line))
    return strong < MIN_STRONG_MARKERS


# --- 3. extent -----------------------------------------------------------------------------------


def _last_token(text: str) -> str:
    parts = text.split()
    return parts[-1] if parts else ""


def url_unfinished(token: str) -> bool:
    """A URL cut before its host is whole ("https://", "https://www.", "https://example.")."""
    match = re.match(r"(?i)^\(?(?:https?://)?(?P<host>[^/\s]*)$", token.rstrip(".,;"))
    if not (match and re.match(r"(?i)^\(?(?:https?://|www\.)", token)):
        return False
    host = match.group("host")
    return token.lower().rstrip("(").endswith("://") or "." not in host.rstrip(".").removeprefix("www.")


def note_complete(text: str) -> bool:
    """The note reads as finished: a full stop (or a whole URL) at the end, not an abbreviation."""
    stripped = text.rstrip()
    token = _last_token(stripped)
    if _URL_START_RE.match(token) and not url_unfinished(token) and token[-1] not in "/-_=&?#%~+:":
        return True  # "… https://example.org/2017-indicators/#P" ends the note as a full stop would
    if not _TERMINAL_RE.search(stripped):
        return False
    return not (_ABBREVIATION_RE.match(token) or url_unfinished(token))


def continues_url(text: str, line: str) -> bool:
    """``line`` goes on with the URL at the end of ``text`` ("…/index." + "php;")."""
    token = _last_token(text).lstrip("(<[")
    head = line.split()[0] if line.split() else ""
    if not head or not (_URL_START_RE.search(token) or "/" in token):
        return False
    return _joins(token.rstrip(",;"), head, _slug(text))


def _continues(text: str, line: str) -> bool:
    """``line`` belongs to the note ``text``: it is unfinished, or the line goes on with its URL,
    or the note stops on a bare URL and the line goes on in lower case ("… index.shtml\nand …")."""
    if not note_complete(text) or continues_url(text, line):
        return True
    return not _TERMINAL_RE.search(text.rstrip()) and line.lstrip()[:1].islower()


@dataclass
class _Open:
    marker: _Marker
    line: int
    lines: list[str] = field(default_factory=list)
    complete: bool = True

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class _Fragment:
    line: int
    lines: list[str]
    after: _Open | None = None  # the note it directly follows (no blank line, no page break)


_DATE_START_RE = re.compile(
    r"(?i)^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(?:\d{1,2},?\s+)?\d{4}\b"
)


_MID_SENTENCE_RE = re.compile(r"(?:[,;:]|\b(?:and|of|in|the|at))$", re.IGNORECASE)
_NUMBER_FOLLOWS_RE = re.compile(r"\b(?:no|nos|vol|pp?|art|sec|ch)\.$|\bissue$", re.IGNORECASE)  # "no.\n2"


def _weak_is_text(found: _Marker, rest: str, before: str | None, seen: set[str], last: str) -> bool:
    """A weak marker that is really running text: a date ("6 January 2016, https://…") inside a
    note, or a number where the line before stops mid-sentence ("…Journal 12, no.\n2 (2019)…",
    "…Bloomberg,\n6 March…") and the number is not the next note's."""
    if found.strong or not found.label.isdigit():
        return False
    if _DATE_START_RE.match(rest):
        return True
    if before is None:
        return False
    if _NUMBER_FOLLOWS_RE.search(before.rstrip()):
        return True
    if not _MID_SENTENCE_RE.search(before.rstrip()):
        return False
    expected = str(int(last) + 1) if last.isdigit() else "1"
    return found.label != expected or found.label in seen


def _scan(lines: list[str], weak: bool) -> tuple[list[_Open], list[_Fragment]]:
    """Notes (with their lines) and orphan fragments, in order of appearance."""
    skip = furniture_lines(lines)
    notes: list[_Open] = []
    fragments: list[_Fragment] = []
    seen: set[str] = set()
    current: _Open | None = None
    fragment: _Fragment | None = None
    for i, raw in enumerate(lines):
        line = raw.replace("\f", "")
        if i in skip or (not line.strip() and "\f" in raw):
            continue  # furniture and page breaks neither end nor start a note
        if not line.strip():
            current = fragment = None
            continue
        found = _marker(line, weak)
        before = current.text if current else ("\n".join(fragment.lines) if fragment else None)
        last = notes[-1].marker.label if notes else ""
        if found and _weak_is_text(found, line[found.end:], before, seen, last):
            found = None
        if found:
            current, fragment = _Open(found, i + 1, [line[found.end:].strip()]), None
            notes.append(current)
            seen.add(found.label)
        elif current is not None and _continues(current.text, line):
            current.lines.append(line.strip())
        else:
            if fragment is None:
                fragment = _Fragment(i + 1, [], after=current)
                fragments.append(fragment)
            current = None
            fragment.lines.append(line.strip())
    return notes, fragments


def _citation_like(note: _Open) -> bool:
    return bool(re.search(r"[“\"«„,]", note.text))


def _attach_fragments(notes: list[_Open], fragments: list[_Fragment]) -> None:
    """Give each short fragment holding a URL to the nearest incomplete note (before, else after)."""
    for note in notes:
        note.complete = note_complete(note.text)
    for frag in fragments:
        text = "\n".join(frag.lines)
        if len(frag.lines) > ORPHAN_MAX_LINES or not _URL_START_RE.search(text):
            continue
        open_notes = [n for n in notes if not n.complete and _citation_like(n)
                      and abs(n.line - frag.line) <= ORPHAN_MAX_DISTANCE]
        before = [n for n in open_notes if n.line < frag.line]
        after = [n for n in open_notes if n.line > frag.line]
        # A short block right after a finished note is its next sentence ("… agreements.\n
        # For more, see: https://…"); otherwise the nearest note still waiting for its end.
        follows = frag.after if frag.after and not _URL_START_RE.search(frag.after.text) else None
        target = follows or (before[-1] if before else (after[0] if after else None))
        if target is None:
            continue
        target.lines.extend(frag.lines)
        target.complete = note_complete(target.text)


def _number(notes: list[_Open], strong: bool) -> list[NoteBlock]:
    blocks: list[NoteBlock] = []
    symbols: dict[str, int] = {}
    previous = 0
    for note in notes:
        m = note.marker
        if strong:  # OCR-safe: garbled or out of order -> previous + 1
            garbled = m.number is None or m.number <= previous
            number = previous + 1 if garbled else int(m.number or 0)
            label, previous = "", number
        else:
            garbled = False
            if m.label.isdigit():
                number = int(m.label)
            else:
                number = symbols.setdefault(m.label, SYMBOL_NUMBER_BASE + len(symbols) + 1)
            label = "" if m.label == str(number) else m.label
        blocks.append(NoteBlock(number, m.marker, note.text, note.line, garbled, label, note.complete))
    return blocks


def scan_notes(text: str) -> list[NoteBlock]:
    """Every footnote or endnote of ``text``, in order of appearance (see the module docstring)."""
    lines = text.replace("\r\n", "\n").split("\n")
    weak = _use_weak_markers(lines)
    notes, fragments = _scan(lines, weak)
    _attach_fragments(notes, fragments)
    strong = not weak or (bool(notes) and all(n.marker.strong for n in notes))
    return _number(notes, strong)


def scan_footnotes(text: str) -> list[NoteBlock]:
    """Alias of ``scan_notes`` (the name the default-article code and tests use)."""
    return scan_notes(text)


def parse_footnotes(text: str) -> dict[int, str]:
    """Footnote number -> raw footnote text (lines of a wrapped footnote joined with "\\n")."""
    return {block.number: block.text for block in scan_notes(text)}


# --- body markers --------------------------------------------------------------------------------

# A note reference in running text: "[12]", superscript digits, or digits glued to the end of a
# word or closing quote/full stop ("rights.3", "secure.”1", "Rights17").
_BODY_MARK_RE = re.compile(
    r"\[(?P<bracket>\d{1,3})\]|(?P<sup>[¹²³⁴⁵⁶⁷⁸⁹][⁰¹²³⁴⁵⁶⁷⁸⁹]{0,2})"
    r"|(?<=[a-z.,;:”’\")])(?P<glued>\d{1,3})(?=[\s,;:.]|$)"
)


def body_markers(text: str, notes: list[NoteBlock]) -> list[str]:
    """Printed labels referenced in the body (outside the notes), in order, without repeats."""
    note_lines: set[int] = set()
    for note in notes:
        note_lines.update(range(note.line, note.line + note.text.count("\n") + 1))
    seen: dict[str, None] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if number in note_lines:
            continue
        for match in _BODY_MARK_RE.finditer(line):
            raw = match.group("bracket") or match.group("sup") or match.group("glued")
            seen.setdefault(str(int(raw.translate(_SUPERSCRIPT_TO_ASCII))), None)
    return list(seen)


def note_label(block: NoteBlock) -> str:
    return block.label or str(block.number)


def relabel(blocks: list[NoteBlock], labels: list[str]) -> list[NoteBlock]:
    """The blocks with given printed labels (readers that know the labels, such as DOCX)."""
    return [replace(b, label="" if lab == str(b.number) else lab) for b, lab in zip(blocks, labels)]
