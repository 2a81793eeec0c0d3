"""The link-health cycle: fetch every due cited URL, judge it, keep what was fetched.

Reading order: ``run_check_cycle`` at the bottom does the whole cycle in five steps —
load (short warehouse session), canaries, fetch + judge (network, no warehouse held),
write (one short transaction) — and each step is a small function above it.  Archive lookups
and archived baselines are their own phase afterwards (``kzwatch.cycles.archive``): verdicts
never wait for the archive.
All judgement is delegated to the pure core (classify, verdict, drift, verify, support); this
module only moves data between the core and the edges (fetcher, warehouse).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from kzwatch import classify, drift, extract, identity, support, textdiff, textnorm, verdict, verify
from kzwatch.config import Config
from kzwatch.corpus import Article, load_articles, sync_corpus
from kzwatch.cycles.common import build_fetcher, event_row, log, own_outage_event, stable_id
from kzwatch.fetch import Fetcher, FetchJob
from kzwatch.model import (EVENT_KIND_FOR_STATE, CheckOutcome, CheckRecord, Citation, Claim, Event, FetchResult,
                           Verdict, make_event)
from kzwatch.store import fetch_dicts, insert_rows, open_warehouse, write_transaction

TRANSPORT_OUTCOMES = classify.TRANSPORT_OUTCOMES  # failures of the path to a host, not of the page
HTML_TYPES = ("text/html", "application/xhtml+xml")
DIFF_CHARS = 3000  # a diff in an alert is for reading, not for archiving: the warehouse keeps both texts


@dataclass
class UrlTarget:
    """One distinct cited URL and everything the cycle needs to judge it."""

    url: str
    citations: list[Citation]
    claims: list[tuple[str, Claim]]  # (article_id, claim)
    state: dict  # the url_state row, or {} when never checked


@dataclass
class UrlResult:
    target: UrlTarget
    fetch: FetchResult
    outcome: CheckOutcome
    verdict: Verdict
    snapshot: dict | None = None
    drift: object | None = None  # drift.DriftResult
    verification: float | None = None
    baseline: dict | None = None  # {snapshot row, source}
    support: list[dict] = field(default_factory=list)
    diff: str | None = None  # readable baseline → current diff, when the text moved
    new_notices: tuple[str, ...] = ()  # correction/update notices not seen on this URL before
    notices: list[str] | None = None  # every notice on the page now (None: page not read)
    not_cited: str = ""  # evidence that the page is clearly another work (kzwatch.verify)


@dataclass
class CheckSummary:
    as_of: datetime
    checked: int = 0
    skipped_not_due: int = 0
    network_down: bool = False
    outcomes: dict[str, int] = field(default_factory=dict)
    states: dict[str, int] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "checked": self.checked,
                "skipped_not_due": self.skipped_not_due, "network_down": self.network_down,
                "outcomes": self.outcomes, "states": self.states, "events": len(self.events)}


# --- 1. load ------------------------------------------------------------------------------------


def load_targets(con, articles: list[Article]) -> list[UrlTarget]:
    states = {r["url"]: r for r in fetch_dicts(con, "SELECT * FROM url_state")}
    by_url: dict[str, UrlTarget] = {}
    for article in articles:
        for cit in article.citations:
            if not cit.url:
                continue
            target = by_url.setdefault(cit.url, UrlTarget(cit.url, [], [], states.get(cit.url, {})))
            target.citations.append(cit)
            for claim in article.claims_for_footnote(cit.footnote):
                if (article.id, claim) not in target.claims:
                    target.claims.append((article.id, claim))
    return list(by_url.values())


def load_stored_snapshots(con) -> dict[str, dict]:
    """Baseline snapshot rows by id."""
    rows = fetch_dicts(con, """
        SELECT DISTINCT s.snapshot_id, s.norm_text, s.text, s.title, s.published, s.modified, s.lang,
               s.canonical_url, s.notices
        FROM snapshots s JOIN url_state u ON s.snapshot_id = u.baseline_snapshot_id""")
    return {r["snapshot_id"]: r for r in rows}


def is_due(target: UrlTarget, as_of: datetime, settings: verdict.HealthSettings) -> bool:
    last = target.state.get("last_checked_at")
    if last is not None and last >= as_of:
        return False  # the same slot again (or time went backwards): nothing new to learn
    previous = _previous_verdict(target)
    return verdict.is_due(previous, last, as_of, settings)


def _previous_verdict(target: UrlTarget) -> Verdict | None:
    s = target.state
    if not s:
        return None
    return Verdict(state=s["state"], strikes=s["strikes"] or 0, first_failure_at=s.get("first_failure_at"),
                   reason=s.get("reason") or "", last_strike_at=s.get("last_strike_at"))


#: Fetches a list of jobs, one result each, in order: ``Fetcher.fetch_many``, or a scale-out
#: runner's (kzwatch.fanout) that spreads host-partitioned batches over workers.
FetchPages = Callable[[list[FetchJob]], list[FetchResult]]


# --- 2. canaries --------------------------------------------------------------------------------


def network_is_down(fetch_pages: FetchPages, canary_urls: list[str]) -> bool:
    if not canary_urls:
        return False
    results = fetch_pages([FetchJob(u, use_robots=False) for u in canary_urls])
    return classify.network_down(results)


# --- 3. fetch and judge -------------------------------------------------------------------------


def fetch_targets(fetch_pages: FetchPages, targets: list[UrlTarget]) -> list[FetchResult]:
    """One result per target, in order.  ``fetch_pages`` is normally ``Fetcher.fetch_many``; a
    scale-out runner may pass one that spreads host-partitioned batches over workers."""
    jobs = [FetchJob(t.url, etag=t.state.get("etag"), last_modified=t.state.get("last_modified"))
            for t in targets]
    results = fetch_pages(jobs)
    if len(results) != len(jobs):
        raise RuntimeError(f"fetch_pages returned {len(results)} results for {len(jobs)} jobs")
    return results


def probe_for_soft_404(fetch_pages: FetchPages, results: list[FetchResult], as_of: datetime) -> dict[str, FetchResult]:
    """One random-path probe per (host, directory) whose pages answered 200 this cycle."""
    probes: dict[str, str] = {}
    for r in results:
        if r.error is None and r.status == 200 and not r.not_modified:
            token = stable_id("probe", as_of.isoformat(), urlsplit(r.url).netloc)[:16]
            probe = identity.probe_url(r.url, token)
            probes.setdefault(_probe_key(r.url), probe)
    if not probes:
        return {}
    keys = list(probes)
    answers = fetch_pages([FetchJob(probes[k]) for k in keys])
    return dict(zip(keys, answers))


def _probe_key(url: str) -> str:
    parts = urlsplit(url)
    directory = parts.path.rsplit("/", 1)[0]
    return f"{parts.scheme}://{parts.netloc}{directory}/"


def judge(target: UrlTarget, result: FetchResult, probe: FetchResult | None, *,
          network_down: bool, settings: classify.ClassifySettings = classify.DEFAULT_SETTINGS) -> CheckOutcome:
    title = next((c.title for c in target.citations if c.title), None)
    outcome = classify.classify_fetch(result, probe=probe, cited_url=target.url, cited_title=title,
                                      settings=settings)
    return classify.apply_local_outage(outcome, network_down)


def snapshot_of(result: FetchResult, as_of: datetime) -> dict | None:
    """The content-addressed snapshot row for a fetched body (None when there is no body)."""
    if result.error is not None or result.not_modified or not result.body:
        return None
    if result.status is None or result.status >= 400:
        return None
    raw_sha = hashlib.sha256(result.body).hexdigest()
    row = {
        "snapshot_id": raw_sha, "first_seen_at": as_of, "url": result.final_url or result.url,
        "content_type": result.content_type, "encoding": result.encoding,
        "size_bytes": len(result.body), "truncated": result.truncated,
        "body": zlib.compress(result.body, 6),
    }
    row["stored_bytes"] = len(row["body"])
    ctype = (result.content_type or "").lower()
    if result.text is not None and (any(t in ctype for t in HTML_TYPES) or not ctype):
        page = extract.extract_page(result.text, result.final_url or result.url)
        norm = textnorm.normalize(page.text or "")
        row.update({
            "title": page.title, "text": page.text, "norm_text": norm,
            "text_sha256": hashlib.sha256(norm.encode()).hexdigest(),
            "published": page.published, "modified": page.modified, "lang": page.lang,
            "canonical_url": page.canonical_url, "notices": json.dumps(list(page.notices), ensure_ascii=False),
        })
    return row


# --- 4. events ----------------------------------------------------------------------------------



def state_events(r: UrlResult, as_of: datetime) -> list[Event]:
    before = r.target.state.get("state", "unknown")
    after = r.verdict.state
    events: list[Event] = []
    if after == before:
        return events
    details = {"previous_state": before, "outcome": r.outcome.outcome, "evidence": r.outcome.evidence,
               "http_status": r.fetch.status, "final_url": r.fetch.final_url,
               "archive_url": r.target.state.get("archive_url"),
               "moved_to": r.outcome.moved_to, "title": r.target.citations[0].title}
    if r.drift is not None:
        details["similarity"] = round(r.drift.similarity, 3)
    if r.diff:
        details["diff"] = r.diff
    for cit in r.target.citations:
        base = {"article_id": cit.article_id, "footnote": cit.footnote, "url": r.target.url,
                "created_at": as_of}
        if after in EVENT_KIND_FOR_STATE:
            kind = EVENT_KIND_FOR_STATE[after]
            events.append(make_event(kind.name, event_id=stable_id(kind.name, cit.article_id, cit.footnote, cit.seq, r.target.url, as_of.isoformat()),
                                subject=f"fn {cit.footnote}: {after} — {r.target.url}",
                                details=details, **base))
        elif after == "alive" and before in ("dying", "dead", "blocked", "drifted"):
            events.append(make_event("citation_recovered", event_id=stable_id("citation_recovered", cit.article_id, cit.footnote, cit.seq, r.target.url, as_of.isoformat()),
                                
                                subject=f"fn {cit.footnote}: recovered — {r.target.url}",
                                details=details, **base))
    if after == "blocked":
        host = urlsplit(r.target.url).hostname or r.target.url
        events.append(make_event("host_blocks_us", event_id=stable_id("host_blocks_us", host, as_of.date().isoformat()),
                            article_id=r.target.citations[0].article_id, created_at=as_of, subject=f"{host} blocks kzwatch",
                            url=r.target.url, details={"evidence": r.outcome.evidence}))
    return events


def change_events(r: UrlResult, as_of: datetime) -> list[Event]:
    """A page that is still the cited work but was retitled or gained a correction/update
    notice: worth a look (low severity), once per change."""
    if r.verdict.state != "alive" or r.drift is None:
        return []
    retitled = bool(r.drift.title_changed) and not r.target.state.get("title_changed")
    if not retitled and not r.new_notices:
        return []
    details = {"title": r.target.citations[0].title, "title_now": r.snapshot.get("title") if r.snapshot else None,
               "notices": "; ".join(r.new_notices), "similarity": round(r.drift.similarity, 3)}
    if r.diff:
        details["diff"] = r.diff
    what = " and ".join((["retitled"] if retitled else []) + (["a correction/update notice"] if r.new_notices else []))
    return [make_event("citation_changed", event_id=stable_id("citation_changed", cit.article_id, cit.footnote, cit.seq, r.target.url,
                                     as_of.isoformat()),
                  article_id=cit.article_id, created_at=as_of,
                  subject=f"fn {cit.footnote}: changed ({what}) — {r.target.url}", footnote=cit.footnote,
                  url=r.target.url, details=details)
            for cit in r.target.citations]


def support_events(r: UrlResult, as_of: datetime) -> list[Event]:
    events = []
    for row in r.support:
        # new when the figures just went, or when a new baseline (an archived capture) shows
        # that they were there when the author read the page
        lost_before = row["previous_status"] == "missing" and row["previous_baseline_status"] == "present"
        if row["status"] == "missing" and row["baseline_status"] == "present" and not lost_before:
            events.append(make_event(
                "support_missing", event_id=stable_id("support_missing", row["article_id"], row["claim_id"], row["url"], as_of.isoformat()),
                article_id=row["article_id"],
                created_at=as_of, subject=f"{row['claim_id']}: support missing at {row['url']}",
                claim_id=row["claim_id"], url=row["url"],
                details={"missing": list(row["missing"]), "found": list(row["found"]),
                         **({"diff": r.diff} if r.diff else {})}))
    return events


# --- the cycle ----------------------------------------------------------------------------------


def run_check_cycle(config: Config, as_of: datetime, *, fetcher: Fetcher | None = None,
                    fetch_pages: FetchPages | None = None) -> CheckSummary:
    """One link-health cycle.  ``fetch_pages`` replaces the fetches that judge the cited hosts
    (canaries, pages, soft-404 probes)."""
    settings = config.health
    drift_settings = config.drift
    wait_s = config.warehouse.lock_wait_s
    articles = load_articles(config)
    summary = CheckSummary(as_of=as_of)

    # 1. load: bring the warehouse up to date, read what is due
    with open_warehouse(config, wait_s=wait_s) as con:
        sync_corpus(con, articles, as_of)
        targets = load_targets(con, articles)
        stored = load_stored_snapshots(con)
        prev_support = {(r["article_id"], r["claim_id"], r["url"]): r
                        for r in fetch_dicts(con, "SELECT * FROM claim_support")}
    due = [t for t in targets if is_due(t, as_of, settings)]
    summary.skipped_not_due = len(targets) - len(due)
    if not due:
        return summary

    own_fetcher = fetcher is None
    fetcher = fetcher or build_fetcher(config)
    try:
        # Canaries, pages and soft-404 probes go through the same fetch, so with a scale-out
        # runner they all come from the workers' network.
        fetch = fetch_pages or fetcher.fetch_many

        # 2. canaries at the start
        canaries = config.fetch.canary_urls
        down = network_is_down(fetch, canaries)

        # 3. fetch and judge
        fetched = fetch_targets(fetch, due)
        probes = probe_for_soft_404(fetch, fetched, as_of) if config.health.soft404_probe else {}
        outcomes = [judge(t, r, probes.get(_probe_key(r.url)), network_down=down, settings=config.classify)
                    for t, r in zip(due, fetched)]
        if not down and canaries and any(o.outcome in TRANSPORT_OUTCOMES for o in outcomes):
            # again before any failure would add a strike: was it them, or us?
            if network_is_down(fetch, canaries):
                down = True
                outcomes = [classify.apply_local_outage(o, True) for o in outcomes]
        if not down and not canaries:
            hosts = [(urlsplit(t.url).hostname or "", o.outcome) for t, o in zip(due, outcomes)]
            if classify.mass_failure(hosts):
                down = True
                outcomes = [classify.apply_local_outage(o, True) for o in outcomes]
        summary.network_down = down

        results = []
        for target, result, outcome in zip(due, fetched, outcomes):
            results.append(_assess(target, result, outcome, as_of, settings, drift_settings, stored, prev_support))

    finally:
        if own_fetcher:
            fetcher.close()

    # 4. write everything in one short transaction
    events: list[Event] = []
    for r in results:
        events += state_events(r, as_of) + change_events(r, as_of) + support_events(r, as_of)
    if down:
        events.append(own_outage_event(as_of, canaries))
    with open_warehouse(config, wait_s=wait_s) as con:
        # a lake re-runs the (idempotent) write if another writer's commit conflicts
        write_transaction(con, lambda c: _write(c, results, events, as_of))
        con.execute("CHECKPOINT")

    summary.checked = len(results)
    for r in results:
        summary.outcomes[r.outcome.outcome] = summary.outcomes.get(r.outcome.outcome, 0) + 1
        summary.states[r.verdict.state] = summary.states.get(r.verdict.state, 0) + 1
    summary.events = events
    log.info("check cycle at %s: %d checked, states %s", as_of.isoformat(), len(results), summary.states)
    return summary


def _assess(target: UrlTarget, result: FetchResult, outcome: CheckOutcome, as_of: datetime,
            settings: verdict.HealthSettings, drift_settings: drift.DriftSettings,
            stored: dict, prev_support: dict) -> UrlResult:
    """Everything the content says about one fetched citation, then its new verdict.

    ``stored``: baseline snapshot rows by id."""
    snap = snapshot_of(result, as_of)
    r = UrlResult(target, result, outcome, verdict=Verdict("unknown"), snapshot=snap)
    state = target.state
    baseline = stored.get(state.get("baseline_snapshot_id") or "")
    new_baseline = False
    outcome = r.outcome = classify.still_moved(outcome, result, state.get("moved_to") if state.get("state") == "moved"
                                               else None)
    # What the page says now (None on a 304 or without a readable body: nothing new to compare)
    current = snap if snap is not None and snap.get("norm_text") is not None else None
    current_text = None
    if current is not None:
        current_text = current["text"] or ""
        if baseline is None:
            r.baseline = {"snapshot_id": current["snapshot_id"], "source": "live", "at": as_of}
            baseline = current
            new_baseline = True
        if (baseline.get("text") or "").strip():
            r.drift = drift.compare(baseline["text"], current_text, drift_settings,
                                    baseline_title=baseline.get("title"), current_title=current.get("title"))
        r.verification, not_cited = _verify_page(target, current, result)
        if new_baseline or _flagged_not_cited(state):  # no baseline of the cited work to compare with
            r.not_cited = not_cited
        if r.drift is not None and r.drift.band != "unchanged":
            r.diff = textdiff.readable_diff(baseline.get("text") or "", current_text, max_chars=DIFF_CHARS,
                                            before_label="baseline", after_label="now")
        r.notices = _notices(current)
        seen = set(_notices(baseline)) | set(json.loads(state.get("notices") or "[]"))
        r.new_notices = tuple(n for n in r.notices if n not in seen)
    for article_id, claim in target.claims:
        key = (article_id, claim.id, target.url)
        prev = prev_support.get(key, {})
        if current_text is None:
            continue  # nothing new read: keep what we knew
        now_s = support.claim_support(claim, current_text)
        base_status = None if new_baseline else prev.get("baseline_status")
        if base_status is None:
            base_status = support.claim_support(claim, baseline.get("text") or "").status if baseline else now_s.status
        r.support.append({"article_id": article_id, "claim_id": claim.id, "url": target.url,
                          "status": now_s.status, "baseline_status": base_status,
                          "found": list(now_s.found), "missing": list(now_s.missing),
                          "checked_at": as_of, "previous_status": prev.get("status"),
                          "previous_baseline_status": prev.get("baseline_status")})
    if r.drift is not None:  # the same title and text behind a permanent redirect: the work moved
        outcome = r.outcome = classify.moved_by_content(outcome, result, same_title=r.drift.title_changed is False,
                                                        same_text=r.drift.band == "unchanged")
    drifted = r.drift is not None and r.drift.band == "off_topic"
    if r.drift is None and result.not_modified and state.get("drift_band") == "off_topic":
        drifted = True  # unchanged since we found it drifted
    previous = _previous_verdict(target)
    check = CheckRecord(checked_at=as_of, outcome=outcome.outcome, http_status=result.status)
    _not_cited_verdict(r, previous, check, settings, drifted=drifted)
    return r


def _not_cited_verdict(r: UrlResult, previous: Verdict | None, check: CheckRecord,
                       settings: verdict.HealthSettings, *, drifted: bool) -> None:
    """The new verdict; a page that is clearly another work (this check, or unchanged since one
    found it) is drifted, with the verification evidence as its reason."""
    if r.fetch.not_modified and _flagged_not_cited(r.target.state):
        r.not_cited = r.target.state["reason"]  # unchanged since we found it was another work
    outcome = r.outcome
    r.verdict = verdict.next_verdict(previous, check, settings, moved=outcome.moved_to is not None,
                                     drifted=drifted or bool(r.not_cited))
    if r.not_cited and r.verdict.state == "drifted" and not drifted:
        r.verdict = dataclasses.replace(r.verdict, reason=r.not_cited)
        r.outcome = CheckOutcome(outcome.outcome, f"{outcome.evidence}; {r.not_cited}", outcome.moved_to)


def _verify_page(target: UrlTarget, current: dict, result: FetchResult) -> tuple[float | None, str]:
    """How well the page matches the citation (None without a cited title), and the evidence
    when it is clearly another work ("" otherwise; kzwatch.verify.not_the_cited_work)."""
    cit = next((c for c in target.citations if c.title), None)
    if cit is None or cit.title is None:
        return None, ""
    page = extract.PageInfo(title=current.get("title"), text=current.get("text") or "",
                            published=current.get("published"), modified=current.get("modified"),
                            lang=current.get("lang"), canonical_url=current.get("canonical_url"), notices=())
    found = verify.verify_citation(cit.title, cit.author, cit.published, page)
    outlet = verify.outlet_found(cit.outlet, page, result.final_url or result.url) if cit.outlet else None
    return found.score, verify.not_the_cited_work(found, outlet)


def _flagged_not_cited(state: dict) -> bool:
    return state.get("state") == "drifted" and (state.get("reason") or "").startswith("not the cited work")


def _notices(snapshot: dict) -> list[str]:
    """A snapshot's correction/update notices, normalised (stored as a JSON list)."""
    try:
        raw = json.loads(snapshot.get("notices") or "[]")
    except ValueError:
        return []
    return [textnorm.normalize(n) for n in raw if isinstance(n, str) and n.strip()]


def _write(con, results: list[UrlResult], events: list[Event], as_of: datetime) -> None:
    snapshots, checks, states, supports = {}, [], [], []
    for r in results:
        f, s = r.fetch, r.target.state
        if r.snapshot is not None:
            snapshots[r.snapshot["snapshot_id"]] = r.snapshot
        checks.append({
            "check_id": stable_id("check", r.target.url, as_of.isoformat()), "cycle_id": stable_id("cycle", "check", as_of.isoformat()),
            "checked_at": as_of, "url": r.target.url, "outcome": r.outcome.outcome,
            "http_status": f.status, "final_url": f.final_url,
            "hops": json.dumps([{"url": h.url, "status": h.status, "location": h.location, "address": h.address} for h in f.hops]),
            "elapsed_ms": f.elapsed_ms, "bytes": f.bytes_read,
            "snapshot_id": r.snapshot["snapshot_id"] if r.snapshot else None,
            "not_modified": f.not_modified, "error_detail": (f.error or "") + (": " + f.error_detail if f.error_detail else ""),
            "evidence": r.outcome.evidence, "moved_to": r.outcome.moved_to,
            "drift": r.drift.similarity if r.drift is not None else None,
            "drift_band": r.drift.band if r.drift is not None else None,
            "state_after": r.verdict.state,
        })
        states.append({
            "url": r.target.url, "state": r.verdict.state, "strikes": r.verdict.strikes,
            "first_failure_at": r.verdict.first_failure_at, "last_strike_at": r.verdict.last_strike_at,
            "last_checked_at": as_of,
            "last_outcome": r.outcome.outcome, "http_status": f.status,
            "final_url": f.final_url or s.get("final_url"),
            "moved_to": r.outcome.moved_to or (s.get("moved_to") if r.verdict.state == "moved" else None),
            "reason": r.verdict.reason or r.outcome.evidence,
            "etag": f.headers.get("etag") if f.status == 200 else s.get("etag"),
            "last_modified": f.headers.get("last-modified") if f.status == 200 else s.get("last_modified"),
            "last_snapshot_id": r.snapshot["snapshot_id"] if r.snapshot else s.get("last_snapshot_id"),
            "baseline_snapshot_id": (r.baseline or {}).get("snapshot_id") or s.get("baseline_snapshot_id"),
            "baseline_source": (r.baseline or {}).get("source") or s.get("baseline_source"),
            "baseline_at": (r.baseline or {}).get("at") or s.get("baseline_at"),
            "drift": s.get("drift") if r.drift is None else r.drift.similarity,
            "drift_band": s.get("drift_band") if r.drift is None else r.drift.band,
            "title_changed": s.get("title_changed") if r.drift is None else r.drift.title_changed,
            "verification": r.verification if r.verification is not None else s.get("verification"),
            "archive_url": s.get("archive_url"),  # written by the archive phase
            "archive_checked_at": s.get("archive_checked_at"),
            "notices": json.dumps(r.notices, ensure_ascii=False) if r.notices is not None else s.get("notices"),
            "updated_at": as_of,
        })
        supports += [{k: v for k, v in row.items() if not k.startswith("previous_")} for row in r.support]
    insert_rows(con, "snapshots", list(snapshots.values()), on_conflict="ignore")
    insert_rows(con, "checks", checks, on_conflict="ignore")
    insert_rows(con, "url_state", states, on_conflict="replace")
    insert_rows(con, "claim_support", supports, on_conflict="replace")
    insert_rows(con, "events", [event_row(e) for e in events], on_conflict="ignore")

