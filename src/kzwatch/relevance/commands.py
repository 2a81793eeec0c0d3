"""The edges behind ``kzwatch explain`` and ``kzwatch feedback``: find the item (warehouse
first, else fetch its page), the claims (the configured articles), and the warehouse rows.
Errors a user can fix are ``ValueError`` with one line (the CLI prints it and exits 2)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from kzwatch.config import Config
from kzwatch.model import Claim, FeedItem
from kzwatch.relevance import feedback
from kzwatch.relevance.explain import explain_item, format_explanation
from kzwatch.relevance.settings import second_opinion_model


def _warehouse(config: Config) -> Any:
    from kzwatch.store import open_warehouse

    return open_warehouse(config, wait_s=config.warehouse.lock_wait_s)


def _threshold(config: Config) -> float:
    """``[relevance] threshold``, else ``[scoring] threshold`` (as the discovery cycle reads it)."""
    value = config.relevance.threshold
    return config.scoring.threshold if value is None else float(value)


def _stored_item(con: Any, url: str) -> FeedItem | None:
    from kzwatch.discovery.dedupe import canonical_url
    from kzwatch.store import fetch_dicts

    rows = fetch_dicts(con, "SELECT url, title, summary, text, outlet, lang FROM items "
                            "WHERE url = ? OR canonical_url = ? LIMIT 1", [url, canonical_url(url)])
    if not rows:
        return None
    r = rows[0]
    return FeedItem(url=r["url"], title=r["title"] or "", summary=r["summary"] or "",
                    text=r["text"] or "", outlet=r["outlet"] or "", lang=r["lang"])


def _fetched_item(config: Config, url: str, fetcher: Any = None) -> FeedItem:
    from kzwatch.cycles.common import build_fetcher
    from kzwatch.extract import extract_page

    own = fetcher is None
    fetcher = fetcher or build_fetcher(config)
    try:
        page = fetcher.fetch(url)
    finally:
        if own:
            fetcher.close()
    if page.error is not None or page.status != 200 or not page.text:
        why = page.error or f"HTTP {page.status}"
        raise ValueError(f"{url}: not in the warehouse, and fetching it failed ({why})")
    info = extract_page(page.text, page.final_url or url)
    return FeedItem(url=url, title=info.title or "", text=info.text or "", lang=info.lang)


def find_item(config: Config, url: str, *, fetcher: Any = None) -> tuple[FeedItem, str]:
    """The item at *url* and where it came from ("warehouse" or "fetched")."""
    with _warehouse(config) as con:
        item = _stored_item(con, url)
    if item is not None:
        return item, "warehouse"
    return _fetched_item(config, url, fetcher), "fetched"


def _claims_by_article(config: Config) -> dict[str, list[Claim]]:
    from kzwatch.corpus import load_articles

    return {a.id: list(a.claims) for a in load_articles(config) if a.claims}


def explain(config: Config, url: str, as_of: datetime, *, fetcher: Any = None) -> str:
    """The scoring of one item against every claim of every article, with stored verdicts and
    maintainers' corrections when the warehouse has them."""
    item, source = find_item(config, url, fetcher=fetcher)
    threshold = _threshold(config)
    model = second_opinion_model(config.relevance.second_opinion)
    out = ["item from the warehouse" if source == "warehouse"
           else "item fetched (not in the warehouse)"]
    for article_id, claims in _claims_by_article(config).items():
        note, rows = explain_item(item, claims, threshold=threshold, now=as_of,
                                  second_opinion=model, settings=config.scoring)
        out.append(f"\narticle {article_id}")
        out.append(format_explanation(item, note, rows, threshold))
    with _warehouse(config) as con:
        fixes = [c for c in feedback.corrections(con) if c["url"] == item.url]
    for fix in fixes:
        out.append(f"maintainer feedback {fix['recorded_at']:%Y-%m-%d}: {fix['claim_id']} "
                   f"{fix['label']}" + (f", stance {fix['stance']}" if fix["stance"] else ""))
    return "\n".join(out)


def _article_of(config: Config, claim_id: str, article: str | None) -> str:
    owners = [a for a, claims in _claims_by_article(config).items()
              if any(c.id == claim_id for c in claims) and article in (None, a)]
    if not owners:
        raise ValueError(f"feedback: no configured article has claim {claim_id!r}")
    if len(owners) > 1:
        raise ValueError(f"feedback: claim {claim_id} is in {', '.join(owners)}: give --article")
    return owners[0]


def record_feedback(config: Config, url: str, claim_id: str, label: str, as_of: datetime, *,
                    stance: str | None = None, note: str = "", article: str | None = None,
                    fetcher: Any = None) -> str:
    """Record one correction; returns a one-line summary."""
    feedback.check(label, stance)
    article_id = _article_of(config, claim_id, article)
    item, _ = find_item(config, url, fetcher=fetcher)
    from kzwatch.cycles.discover import item_id

    row = {"feedback_id": feedback.feedback_id(article_id, claim_id, item.url, as_of),
           "article_id": article_id, "claim_id": claim_id, "url": item.url,
           "item_id": item_id(item), "label": label, "stance": stance, "note": note,
           "title": item.title, "text": item.text, "lang": item.lang, "outlet": item.outlet,
           "recorded_at": as_of}
    from kzwatch.store import transaction

    with _warehouse(config) as con:
        with transaction(con):
            feedback.record(con, row)
    what = f"{claim_id} {label}" + (f", stance {stance}" if stance else "")
    kept_out = " (kept out of digests)" if label == "wrong" else ""
    return f"recorded: {what} for {item.url}{kept_out}"


def export_feedback(config: Config, path: Path, *, with_text: bool = False) -> str:
    with _warehouse(config) as con:
        rows = feedback.corrections(con)
    if not rows:
        raise ValueError("feedback --export: the warehouse holds no corrections yet")
    items = feedback.labelled_rows(rows, with_text=with_text)
    path.write_text(feedback.to_toml(items), encoding="utf-8")
    return f"wrote {len(items)} labelled item(s) from {len(rows)} correction(s) to {path}"
