"""The discovery cycle: read every watched source, keep new items once, score them against claims.

``run_discover_cycle`` at the bottom: load seen keys and feed state (short warehouse session),
fetch each source politely with conditional GET, parse (kzwatch.discovery.sources), drop what was seen,
fetch each new item's page for its main text, score against every article's claims
(kzwatch.relevance), then write items, matches, feed health and events in one transaction.
A source that fails is recorded and reported; it never stops the others.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kzwatch import extract, relevance
from kzwatch.config import Config, FeedConfig
from kzwatch.corpus import Article, load_articles, sync_corpus
from kzwatch.cycles.check import TRANSPORT_OUTCOMES, network_is_down
from kzwatch.cycles.common import build_fetcher, event_row, log, own_outage_event, stable_id
from kzwatch.discovery import dedupe as seen_once
from kzwatch.discovery import sources
from kzwatch.discovery.settings import DiscoverySettings
from kzwatch.fetch import Fetcher, FetchJob
from kzwatch.model import NEW_REPORTING_SEVERITY, ClaimMatch, Event, FeedItem, FetchResult, make_event
from kzwatch.store import fetch_dicts, insert_rows, open_warehouse, transaction


@dataclass
class SourceResult:
    feed: FeedConfig
    fetch: FetchResult | None
    outcome: str  # ok | not_modified | <error kind>
    detail: str = ""
    items: list[FeedItem] = field(default_factory=list)
    new_items: list[FeedItem] = field(default_factory=list)


@dataclass
class DiscoverSummary:
    as_of: datetime
    sources: int = 0
    failed_sources: int = 0
    new_items: int = 0
    matches: int = 0
    events: list[Event] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "sources": self.sources,
                "failed_sources": self.failed_sources, "new_items": self.new_items,
                "matches": self.matches, "events": len(self.events)}


def item_id(item: FeedItem) -> str:
    return hashlib.sha256(seen_once.canonical_url(item.url).encode()).hexdigest()


def read_source(fetcher: Fetcher, feed: FeedConfig, state: dict, as_of: datetime,
                settings: DiscoverySettings) -> SourceResult:
    """Fetch and parse one source; failures become a SourceResult with the error kind."""
    since = state.get("last_ok_at") or (as_of - timedelta(days=settings.first_lookback_days))
    url = seen_once.expand_url(feed.url, since)
    result = fetcher.fetch(url, etag=state.get("etag"), last_modified=state.get("last_modified"))
    if result.error is not None:
        return SourceResult(feed, result, result.error, result.error_detail)
    if result.not_modified:
        return SourceResult(feed, result, "not_modified")
    if result.status is None or result.status >= 400:
        return SourceResult(feed, result, "http_error", f"HTTP {result.status}")
    try:
        parsed = sources.parse_source(result.body, feed, url=result.final_url or url,
                                    content_type=result.content_type)
    except sources.FeedError as exc:
        return SourceResult(feed, result, f"feed_{exc.kind}", str(exc))
    for item in parsed.items:
        item.lang = item.lang or feed.lang
    return SourceResult(feed, result, "ok", "; ".join(parsed.warnings)[:500], items=parsed.items)


def attach_page_text(fetcher: Fetcher, items: list[FeedItem], max_chars: int) -> None:
    """Fetch each new item's page (politely, hosts in parallel) and keep its main text."""
    pages = fetcher.fetch_many([FetchJob(i.url) for i in items])
    for item, page in zip(items, pages):
        if page.error is None and page.status == 200 and page.text:
            info = extract.extract_page(page.text, page.final_url or item.url)
            item.text = (info.text or "")[:max_chars]
            item.title = item.title or (info.title or "")
            item.lang = item.lang or info.lang


def score(items: list[FeedItem], articles: list[Article], threshold: float | None,
          second_opinion: bool = True, settings: relevance.RelevanceSettings | None = None
          ) -> list[tuple[str, FeedItem, ClaimMatch]]:
    """Every (article, item, match) at or above *threshold* (None: ``settings.threshold``);
    *settings*: the ``[scoring]`` section (None: the scorer's defaults)."""
    settings = settings or relevance.DEFAULT_SETTINGS
    found = []
    model = relevance.second_opinion_model(second_opinion)
    if model is not None:
        for article in articles:
            uncovered = [c.id for c in article.claims if not model.applies_to(c)]
            if uncovered:
                # The model knows only the claim texts it was trained on: say so, do not go
                # quiet (rules alone score these claims).
                log.warning("second opinion: not trained for %s's claims %s; the rules alone "
                            "score them (retrain: python bench/train_second_opinion.py)",
                            article.id, ", ".join(uncovered[:8]))
    for item in items:
        for article in articles:
            if not article.claims:
                continue
            for match in relevance.score_item(item, list(article.claims), threshold=threshold,
                                              settings=settings, second_opinion=model):
                found.append((article.id, item, match))
    return found


def run_discover_cycle(config: Config, as_of: datetime, *, fetcher: Fetcher | None = None) -> DiscoverSummary:
    summary = DiscoverSummary(as_of=as_of)
    wait_s = config.warehouse.lock_wait_s
    opts = config.relevance
    articles = load_articles(config)
    sources = [f for f in config.feeds if f.enabled]

    with open_warehouse(config, wait_s=wait_s) as con:
        sync_corpus(con, articles, as_of)
        states = {r["feed_url"]: r for r in fetch_dicts(con, "SELECT * FROM feed_state")}
        done = {r["feed_url"] for r in fetch_dicts(
            con, "SELECT feed_url FROM feed_fetches WHERE fetched_at = ?", [as_of])}
        seen: set[str] = set()
        for (keys,) in con.execute("SELECT dedupe_keys FROM items").fetchall():
            seen.update(keys or ())
    sources = [f for f in sources if f.url not in done]  # the same slot again: already read
    summary.sources = len(sources)
    if not sources:
        return summary

    own_fetcher = fetcher is None
    fetcher = fetcher or build_fetcher(config)
    try:
        results = [read_source(fetcher, f, states.get(f.url, {}), as_of, opts) for f in sources]
        canaries = config.fetch.canary_urls
        if any(r.outcome in TRANSPORT_OUTCOMES for r in results) and network_is_down(fetcher.fetch_many, canaries):
            for r in results:  # our own network, not the sources: record it, count nothing
                if r.outcome in TRANSPORT_OUTCOMES:
                    r.outcome, r.detail = "local_outage", f"our network was down ({r.outcome})"
        fresh: list[FeedItem] = []
        for r in results:
            r.new_items = seen_once.dedupe(r.items, seen)[: opts.max_items_per_feed]
            for item in r.new_items:
                seen.update(seen_once.item_keys(item))
            fresh += r.new_items
        if fresh and opts.fetch_item_pages:
            attach_page_text(fetcher, fresh, opts.max_item_text)
    finally:
        if own_fetcher:
            fetcher.close()

    matches = score(fresh, articles, opts.threshold, opts.second_opinion, config.scoring)
    events = _events(results, matches, states, as_of)
    if any(r.outcome == "local_outage" for r in results):
        events.append(own_outage_event(as_of, config.fetch.canary_urls))
    with open_warehouse(config, wait_s=wait_s) as con:
        with transaction(con):
            _write(con, results, fresh, matches, events, states, as_of)
        con.execute("CHECKPOINT")

    summary.failed_sources = sum(r.outcome not in ("ok", "not_modified", "local_outage") for r in results)
    summary.new_items, summary.matches, summary.events = len(fresh), len(matches), events
    log.info("discovery at %s: %d sources (%d failed), %d new items, %d matches",
             as_of.isoformat(), len(results), summary.failed_sources, len(fresh), len(matches))
    return summary


def _events(results: list[SourceResult], matches, states: dict, as_of: datetime) -> list[Event]:
    events = []
    for r in results:
        failing = r.outcome not in ("ok", "not_modified", "local_outage")
        was_failing = (states.get(r.feed.url, {}).get("consecutive_failures") or 0) > 0
        if failing and not was_failing:
            events.append(make_event(
                "feed_broken", event_id=stable_id("feed_broken", r.feed.url, r.outcome, as_of.isoformat()),
                article_id="", created_at=as_of,
                subject=f"source broken: {r.feed.outlet or r.feed.url} ({r.outcome})", url=r.feed.url,
                details={"outcome": r.outcome, "detail": r.detail, "kind": r.feed.kind}))
    for article_id, item, m in matches:
        events.append(make_event(
            "new_reporting", event_id=stable_id("new_reporting", article_id, m.claim_id, item_id(item)),
            article_id=article_id, severity=NEW_REPORTING_SEVERITY.get(m.stance, "info"),
            created_at=as_of, subject=f"{m.claim_id} {m.stance}: {item.title}", claim_id=m.claim_id,
            url=item.url, details={"title": item.title, "outlet": item.outlet, "stance": m.stance,
                                   "reason": m.reason, "sentence": m.sentence, "score": round(m.score, 3),
                                   "matched": list(m.matched), "lang": m.lang}))
    return events


def _write(con, results, fresh, matches, events, states, as_of) -> None:
    insert_rows(con, "items", [{
        "item_id": item_id(i), "url": i.url, "canonical_url": seen_once.canonical_url(i.url), "guid": i.guid,
        "dedupe_keys": list(seen_once.item_keys(i)), "title": i.title, "summary": i.summary[:5000],
        "text": i.text, "outlet": i.outlet, "source_url": i.source_url, "lang": i.lang,
        "published_at": i.published_at, "first_seen_at": as_of} for i in fresh], on_conflict="ignore")
    insert_rows(con, "item_matches", [{
        "article_id": a, "claim_id": m.claim_id, "item_id": item_id(i), "score": m.score,
        "stance": m.stance, "reason": m.reason, "matched": list(m.matched), "sentence": m.sentence,
        "lang": m.lang or i.lang, "first_seen_at": as_of} for a, i, m in matches], on_conflict="ignore")
    fetch_rows, state_rows = [], []
    for r in results:
        prev = states.get(r.feed.url, {})
        ok = r.outcome in ("ok", "not_modified")
        outage = r.outcome == "local_outage"
        f = r.fetch
        fetch_rows.append({"fetched_at": as_of, "feed_url": r.feed.url, "http_status": f.status if f else None,
                           "outcome": r.outcome, "detail": r.detail[:1000], "items": len(r.items),
                           "new_items": len(r.new_items)})
        state_rows.append({
            "feed_url": r.feed.url, "kind": r.feed.kind, "outlet": r.feed.outlet, "last_fetched_at": as_of,
            "last_status": f.status if f else None, "last_error": None if ok else f"{r.outcome}: {r.detail}"[:1000],
            "last_ok_at": as_of if ok else prev.get("last_ok_at"),
            "consecutive_failures": 0 if ok else (prev.get("consecutive_failures") or 0) + (0 if outage else 1),
            "etag": (f.headers.get("etag") if ok and f and f.status == 200 else prev.get("etag")),
            "last_modified": (f.headers.get("last-modified") if ok and f and f.status == 200 else prev.get("last_modified")),
            "items_total": (prev.get("items_total") or 0) + len(r.new_items)})
    insert_rows(con, "feed_fetches", fetch_rows, on_conflict="ignore")
    insert_rows(con, "feed_state", state_rows, on_conflict="replace")
    insert_rows(con, "events", [event_row(e) for e in events], on_conflict="ignore")
