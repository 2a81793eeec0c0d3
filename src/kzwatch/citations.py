"""The citation parser's former single-module home, kept so existing imports keep working.

The parser now lives in the ``kzwatch.corpus`` package, one concern per module; new code should
import from there.
"""

from kzwatch.corpus.align import Disagreement, Reconciliation, align_versions, reconcile
from kzwatch.corpus.csvio import (
    CSV_COLUMNS,
    CSV_EXTRA_COLUMNS,
    CitationFileError,
    build_default_corpus,
    citations_from_csv,
    citations_to_csv,
)
from kzwatch.corpus.fields import parse_date, split_citations
from kzwatch.corpus.notes import (
    FootnoteBlock,
    NoteBlock,
    parse_footnotes,
    scan_footnotes,
    scan_notes,
)
from kzwatch.corpus.parse import parse_article
from kzwatch.corpus.tables import (
    BACKREF_MIN_SCORE,
    DEFAULT_ARTICLE_ID,
    HOST_OUTLETS,
    KNOWN_OUTLET_TEXTS,
    MATCH_MIN_SCORE,
)
from kzwatch.corpus.urls import outlet_for_host, repair_url

__all__ = [
    "BACKREF_MIN_SCORE", "CSV_COLUMNS", "CSV_EXTRA_COLUMNS", "CitationFileError",
    "DEFAULT_ARTICLE_ID", "Disagreement", "FootnoteBlock", "HOST_OUTLETS", "KNOWN_OUTLET_TEXTS",
    "MATCH_MIN_SCORE", "NoteBlock", "Reconciliation", "align_versions", "build_default_corpus",
    "citations_from_csv", "citations_to_csv", "outlet_for_host", "parse_article", "parse_date",
    "parse_footnotes", "reconcile", "repair_url", "scan_footnotes", "scan_notes", "split_citations",
]
