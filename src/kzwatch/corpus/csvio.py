"""The citations CSV of SPEC §3: reading it (strictly, naming the bad line) and writing it."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable

from kzwatch.corpus.fields import parse_date
from kzwatch.corpus.notes import SYMBOL_NUMBER_BASE
from kzwatch.corpus.parse import parse_article
from kzwatch.corpus.tables import DEFAULT_ARTICLE_ID
from kzwatch.model import Citation, UrlRepair


class CitationFileError(ValueError):
    """A citations CSV is malformed; the message is one line and names the line."""


#: SPEC §3 columns, then ours.  Any further column is kept in ``Citation.extra``.
CSV_COLUMNS: tuple[str, ...] = ("footnote", "url", "title", "outlet", "author", "published", "accessed")
CSV_EXTRA_COLUMNS: tuple[str, ...] = ("seq", "url_display", "url_original", "repairs", "ref_of")
_ISO_DATE_CELL_RE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def citations_to_csv(citations: Iterable[Citation], *, printed: bool = False, short_forms: bool = True) -> str:
    """The citations that carry a URL, as a citations CSV (deterministic, "\\n" line ends).

    ``printed`` (what ``kzwatch corpus`` and ``kzwatch add`` write, SPEC §6): the footnote as
    printed ("12", "*") and the URL as printed once repaired, ``#fragment`` included; reading
    the file back splits the fragment off again.  Without it (the packaged corpus): the footnote
    number and the fetch URL.  ``short_forms=False`` leaves out short forms and "Ibid." (rows
    whose URL is copied from the citation they abbreviate, not printed in their note)."""
    with_url = [c for c in citations if c.url and (short_forms or c.ref_of is None)]
    extra_keys = sorted(
        {k for c in with_url for k in c.extra} - set(CSV_COLUMNS) - set(CSV_EXTRA_COLUMNS)
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *CSV_EXTRA_COLUMNS, *extra_keys])
    for c in with_url:
        repairs = (
            json.dumps(
                [{"kind": r.kind, "before": r.before, "after": r.after, "detail": r.detail} for r in c.repairs],
                ensure_ascii=False,
            )
            if c.repairs
            else ""
        )
        writer.writerow(
            [
                (c.extra.get("label") or c.footnote) if printed else c.footnote,
                (c.url_display or c.url) if printed else c.url, c.title or "", c.outlet or "", c.author or "",
                c.published or "", c.accessed or "", c.seq, c.url_display or "",
                c.url_original or "", repairs,
                f"{c.ref_of[0]}:{c.ref_of[1]}" if c.ref_of else "",
                *(c.extra.get(k, "") for k in extra_keys),
            ]
        )
    return out.getvalue()


def _positive_int(value: str, what: str, line: int) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        number = 0
    if number < 1:
        raise CitationFileError(f"line {line}: bad {what} {value!r} (expected a whole number >= 1)")
    return number


def _footnote_cell(cells: dict[str, str], symbols: dict[str, int], line: int) -> int:
    value = cells["footnote"].strip()
    if re.fullmatch(r"[*†‡§]{1,4}", value):
        cells.setdefault("label", value)
        return symbols.setdefault(value, SYMBOL_NUMBER_BASE + len(symbols) + 1)
    return _positive_int(value, "footnote number", line)


def _date_cell(value: str, column: str, line: int) -> str | None:
    value = value.strip()
    if not value:
        return None
    if _ISO_DATE_CELL_RE.match(value):
        return value
    iso = parse_date(value)
    if iso is None:
        raise CitationFileError(f"line {line}: bad {column} date {value!r} (expected YYYY-MM-DD)")
    return iso


def _repairs_cell(value: str, line: int) -> tuple[UrlRepair, ...]:
    if not value.strip():
        return ()
    try:
        items = json.loads(value)
        return tuple(
            UrlRepair(kind=str(i["kind"]), before=str(i["before"]), after=str(i["after"]),
                      detail=str(i.get("detail", "")))
            for i in items
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise CitationFileError(f"line {line}: bad repairs cell ({exc.__class__.__name__})") from None


def _ref_of_cell(value: str, line: int) -> tuple[int, int] | None:
    if not value.strip():
        return None
    match = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", value)
    if not match:
        raise CitationFileError(f"line {line}: bad ref_of {value!r} (expected FOOTNOTE:SEQ)")
    return int(match.group(1)), int(match.group(2))


def _rows(reader) -> Iterable[tuple[int, list[str]]]:  # type: ignore[no-untyped-def]
    """(line number, cells) of each non-blank row; a CSV syntax error names its line."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CitationFileError(f"line {reader.line_num}: unreadable CSV ({exc})") from None
        if any(cell.strip() for cell in row):
            yield reader.line_num, row


def citations_from_csv(text: str, article_id: str) -> list[Citation]:
    """Read a citations CSV (SPEC §3).  Unknown columns land in ``Citation.extra``.

    A URL with a ``#fragment`` is split: ``url`` loses it, ``url_display`` keeps it.  Dates
    may be ISO (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) or "January 28, 2021" (made ISO).
    Raises ``CitationFileError`` naming the line for anything malformed.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise CitationFileError("line 1: empty file, expected a header row") from None
    except csv.Error as exc:
        raise CitationFileError(f"line 1: unreadable CSV header ({exc})") from None
    for required in ("footnote", "url"):
        if required not in header:
            raise CitationFileError(f"line 1: missing required column {required!r}")
    if len(set(header)) != len(header):
        raise CitationFileError("line 1: duplicate column names in the header")

    citations: list[Citation] = []
    symbols: dict[str, int] = {}  # "*" -> 1001 …: symbol notes get numbers, keep their label
    seen: set[tuple[int, int]] = set()
    next_seq: dict[int, int] = {}
    for line, row in _rows(reader):
        if len(row) > len(header):
            raise CitationFileError(f"line {line}: {len(row)} cells but the header has {len(header)}")
        cells = dict(zip(header, row + [""] * (len(header) - len(row))))
        footnote = _footnote_cell(cells, symbols, line)
        url_cell = cells["url"].strip()
        if not url_cell:
            raise CitationFileError(f"line {line}: empty url (footnote {footnote})")
        seq = (
            _positive_int(cells["seq"], "seq", line)
            if cells.get("seq", "").strip()
            else next_seq.get(footnote, 1)
        )
        next_seq[footnote] = max(next_seq.get(footnote, 1), seq + 1)
        if (footnote, seq) in seen:
            raise CitationFileError(f"line {line}: duplicate citation footnote {footnote}, seq {seq}")
        seen.add((footnote, seq))
        known = set(CSV_COLUMNS) | set(CSV_EXTRA_COLUMNS)
        citations.append(
            Citation(
                article_id=article_id,
                footnote=footnote,
                seq=seq,
                url=url_cell.split("#", 1)[0],
                url_display=cells.get("url_display", "").strip() or url_cell,
                url_original=cells.get("url_original", "") or None,
                title=cells.get("title", "").strip() or None,
                outlet=cells.get("outlet", "").strip() or None,
                author=cells.get("author", "").strip() or None,
                published=_date_cell(cells.get("published", ""), "published", line),
                accessed=_date_cell(cells.get("accessed", ""), "accessed", line),
                repairs=_repairs_cell(cells.get("repairs", ""), line),
                ref_of=_ref_of_cell(cells.get("ref_of", ""), line),
                extra={k: v for k, v in cells.items() if k not in known},
            )
        )
    return sorted(citations, key=lambda c: (c.footnote, c.seq))


def build_default_corpus(text: str, article_id: str = DEFAULT_ARTICLE_ID) -> str:
    """The packaged citations CSV, generated from the article text (``kzwatch corpus``)."""
    return citations_to_csv(parse_article(text, article_id))
