"""An article's corpus: its citations (parsed from any input people have) and its claims.

One concern per module, read in this order:

- ``tables``   plain data: outlets, look-alike letters, months, thresholds;
- ``notes``    finding footnotes/endnotes in text, in every marker style (with page furniture);
- ``urls``     finding URLs in a note (across line breaks) and repairing them (``UrlRepair``);
- ``fields``   splitting a note into citations; title, author, outlet, dates; back-references;
- ``parse``    the pipeline notes -> citations, and the summary people read (``ParseSummary``);
- ``formats``  readers per input kind (text, PDF, HTML, DOCX, BibTeX, CSL-JSON, RIS), by kind;
- ``align``    reconciling two versions of one article (clean vs OCR);
- ``csvio``    the citations CSV of SPEC §3;
- ``load``     loading the configured articles and mirroring them into the warehouse;
- ``add``/``claims_draft``  ``kzwatch add`` and ``kzwatch claims draft``.
"""

from kzwatch.corpus.load import Article, load_article, load_articles, sync_corpus

__all__ = ["Article", "load_article", "load_articles", "sync_corpus"]
