"""Loading each configured article's citations and claims, and mirroring them into the warehouse.

An article's citations come from a CSV (SPEC §3 header) or from an article text with footnotes,
which the citation parser reads; its claims from a claims TOML.  The packaged default article
(``beimenbetov-2021``) uses the corpus shipped in ``kzwatch/data`` unless its config names files.

``sync_corpus`` makes the warehouse's corpus tables equal to what the config says, so any command
brings the warehouse up to date (SPEC; issue "Foundation").  It replaces an article's rows only
when their content changed, in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from kzwatch.config import (
    DEFAULT_ARTICLE_ID,
    ArticleConfig,
    Config,
    ConfigError,
    packaged_text,
)
from kzwatch.corpus import csvio
from kzwatch.model import Citation, Claim
from kzwatch.relevance import load_claims
from kzwatch.store import insert_rows, transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Article:
    id: str
    title: str | None
    citations: tuple[Citation, ...]
    claims: tuple[Claim, ...]
    citations_source: str
    claims_source: str

    def claims_for_footnote(self, footnote: int) -> list[Claim]:
        return [c for c in self.claims if footnote in c.footnotes]


def load_article(cfg: ArticleConfig) -> Article:
    """Read one article's citations and claims as the config says.

    ``citations`` is a citations CSV (by its ``.csv`` name) or the article itself in any format
    ``kzwatch corpus`` reads (text, PDF, HTML, DOCX, BibTeX, CSL-JSON, RIS; detected from the
    content)."""
    if cfg.citations is None:
        cites_source = "packaged"
        cites = _csv(packaged_text("citations.csv"), cfg.id, cites_source)
    elif cfg.citations.suffix.lower() == ".csv":
        cites_source = str(cfg.citations)
        cites = _csv(_read(cfg.citations, "citations"), cfg.id, cites_source)
    else:
        cites_source = str(cfg.citations)
        cites = _parsed(cfg.citations, cfg.id)

    if cfg.claims is not None:
        claims_text, claims_source = _read(cfg.claims, "claims"), str(cfg.claims)
    elif cfg.id == DEFAULT_ARTICLE_ID:
        claims_text, claims_source = packaged_text("claims.toml"), "packaged"
    else:
        claims_text, claims_source = "", ""
    try:
        claims = load_claims(claims_text, cfg.id) if claims_text else []
    except ValueError as exc:
        raise ConfigError(f"{claims_source}: {exc}") from None
    return Article(cfg.id, cfg.title, tuple(cites), tuple(claims), cites_source, claims_source)


def _csv(text: str, article_id: str, source: str) -> list[Citation]:
    try:
        return csvio.citations_from_csv(text, article_id)
    except ValueError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _parsed(path: Path, article_id: str) -> list[Citation]:
    from kzwatch.corpus.formats import parse_document, read_document

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read citations file: {exc.strerror or exc}") from None
    try:
        doc = read_document(data, str(path), article_id)
        result = parse_document(doc, article_id)
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if data.strip() and result.summary.citations == 0:
        log.warning("%s: no citation with a URL found (read as %s); run `kzwatch corpus %s` to see why",
                    path, doc.kind, path)
    return result.citations


def load_articles(config: Config) -> list[Article]:
    return [load_article(a) for a in config.articles]


def _read(path: Path, what: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} file: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: {what} file is not UTF-8 text") from None


# --- Warehouse mirror ---------------------------------------------------------------------------


def _fingerprint(article: Article) -> str:
    payload = json.dumps(
        [article.title, [asdict(c) for c in article.citations], [asdict(c) for c in article.claims]],
        sort_keys=True, default=str, ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def sync_corpus(con: duckdb.DuckDBPyConnection, articles: list[Article], now: datetime) -> list[str]:
    """Mirror the articles into the warehouse; return the ids whose rows changed."""
    changed = []
    for article in articles:
        fp = _fingerprint(article)
        stored = con.execute(
            "SELECT fingerprint FROM articles WHERE article_id = ?", [article.id]
        ).fetchall()
        if stored and stored[0][0] == fp:
            continue
        with transaction(con):
            for table in ("articles", "citations", "claims", "claim_citations"):
                con.execute(f"DELETE FROM {table} WHERE article_id = ?", [article.id])
            insert_rows(con, "articles", [{
                "article_id": article.id, "title": article.title,
                "citations_source": article.citations_source,
                "claims_source": article.claims_source, "fingerprint": fp, "loaded_at": now,
            }])
            insert_rows(con, "citations", [_citation_row(c) for c in article.citations])
            insert_rows(con, "claims", [_claim_row(c) for c in article.claims])
            links = sorted({(c.id, fn) for c in article.claims for fn in c.footnotes})
            insert_rows(con, "claim_citations", [
                {"article_id": article.id, "claim_id": cid, "footnote": fn} for cid, fn in links
            ])
        changed.append(article.id)
    return changed


def _citation_row(c: Citation) -> dict:
    return {
        "article_id": c.article_id, "footnote": c.footnote, "seq": c.seq, "url": c.url,
        "url_display": c.url_display, "url_original": c.url_original, "title": c.title,
        "outlet": c.outlet, "author": c.author,
        "published": _date_or_none(c.published), "accessed": _date_or_none(c.accessed),
        "repairs": json.dumps([asdict(r) for r in c.repairs], ensure_ascii=False),
        "ref_of_footnote": c.ref_of[0] if c.ref_of else None,
        "ref_of_seq": c.ref_of[1] if c.ref_of else None,
        "extra": json.dumps(c.extra, ensure_ascii=False),
    }


def _claim_row(c: Claim) -> dict:
    return {
        "article_id": c.article_id, "claim_id": c.id, "text": c.text,
        "footnotes": list(c.footnotes), "figures": list(c.figures),
        "terms": json.dumps({k: list(v) for k, v in c.terms.items()}, ensure_ascii=False),
        "extra": json.dumps(c.extra, ensure_ascii=False, default=str),
    }


def _date_or_none(value: str | None):
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
