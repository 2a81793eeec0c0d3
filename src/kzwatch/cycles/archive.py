"""The archive phase: archived captures for cited URLs, beside the link-health verdicts.

Runs after the check cycle (``kzwatch check``/``run``, the ``kzwatch-archive`` flow), never inside
it: the verdicts are written before the first archive request.  Two kinds of work, per URL:

* **baselines** — the capture closest before the citation's accessed date, fetched in ``id_``
  form, becomes the citation's baseline (``kzwatch.archive.baseline``), so an edit made before
  kzwatch first looked still shows as drift or lost support;
* **copies for failing citations** — dying, dead, drifted or soft-404 citations get an
  ``archive_url`` for the digest; when nothing is archived they are asked again after
  ``lookup_retry_days``.

Reading order: ``run_archive_phase`` at the bottom — load (short session), ``plan`` (pure: what
is due, most useful first), then one URL at a time: ask, and commit what was learnt at once
(``archive_work`` keeps each URL's progress: pending → looked_up → baseline_done | none).  The
phase stops at its time budget, on a 429 (persisting the endpoint's back-off), or when the
archive is unreachable; a kill loses only the request in flight.  The next phase continues.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from kzwatch.archive import (
    ArchiveCapture,
    ArchiveClient,
    ArchiveSettings,
    Backoff,
    BudgetExhausted,
    Pacer,
    next_backoff,
)
from kzwatch.archive.baseline import Cited, baseline_update, memento_rejection
from kzwatch.config import Config
from kzwatch.corpus import load_articles
from kzwatch.cycles.check import UrlTarget, load_targets, snapshot_of
from kzwatch.cycles.common import build_fetcher, event_row, log, stable_id
from kzwatch.fetch import Fetcher
from kzwatch.health import classify, drift
from kzwatch.model import FetchResult
from kzwatch.store import fetch_dicts, insert_rows, open_warehouse, transaction

FAILING_STATES = ("dying", "dead", "drifted")
UNREACHABLE = classify.TRANSPORT_OUTCOMES | {"unsafe", "tls_error"}  # the archive, not the URL, is the problem


@dataclass
class ArchiveSummary:
    as_of: datetime
    enabled: bool = True
    planned: int = 0  # URLs with archive work due at the start
    done: dict[str, int] = field(default_factory=dict)  # URLs moved to each status this phase
    remaining: int = 0  # URLs still due when the phase ended
    requests: dict[str, int] = field(default_factory=dict)
    stopped: str = ""  # why the phase ended before its work did ("" when everything was done)
    elapsed_s: float = 0.0

    def as_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "enabled": self.enabled, "planned": self.planned,
                "done": self.done, "remaining": self.remaining, "requests": self.requests,
                "stopped": self.stopped, "elapsed_s": round(self.elapsed_s, 1)}


# --- plan (pure) ------------------------------------------------------------------------------------


@dataclass
class WorkItem:
    target: UrlTarget
    row: dict  # its archive_work row, {} when new
    baseline: bool  # an archived baseline is still wanted
    lookup: bool  # a failing citation without an archived copy


def plan(targets: list[UrlTarget], work: dict[str, dict], as_of: datetime, settings: ArchiveSettings) -> list[WorkItem]:
    """URLs with archive work due, most useful first: copies for failing citations (the digest
    points readers at them), then fetching mementos already found, then new baseline lookups."""
    items = []
    for t in targets:
        if not t.state:
            continue  # never checked: the check comes first
        row = work.get(t.url, {})
        if row.get("next_try_at") is not None and row["next_try_at"] > as_of:
            continue
        status = row.get("status")
        baseline = (settings.baseline and t.state.get("baseline_source") != "archive"
                    and status in (None, "pending", "looked_up"))
        failing = t.state.get("state") in FAILING_STATES or t.state.get("last_outcome") == "soft_404"
        checked = t.state.get("archive_checked_at")
        stale = checked is None or as_of - checked >= timedelta(days=settings.lookup_retry_days)
        lookup = failing and not t.state.get("archive_url") and stale and status != "looked_up"
        if baseline or lookup:
            items.append(WorkItem(t, row, baseline, lookup))
    order = {"looked_up": 1}
    return sorted(items, key=lambda i: 0 if i.lookup else order.get(i.row.get("status") or "", 2))


def accessed_date(target: UrlTarget) -> date | None:
    for c in target.citations:
        if c.accessed:
            try:
                return date.fromisoformat(c.accessed[:10])
            except ValueError:
                continue
    return None


def cited_title(target: UrlTarget) -> str | None:
    return next((c.title for c in target.citations if c.title), None)


# --- the edges: asking the archive, writing what was learnt ------------------------------------------


def guarded_fetch(fetcher: Fetcher) -> Callable[..., FetchResult]:
    """Archive requests through kzwatch's fetcher: SSRF guard, size limits, timeouts."""

    def fetch(url: str, headers: dict | None = None) -> FetchResult:
        return fetcher.fetch(url, headers=headers, use_robots=False)

    return fetch


class Writer:
    """One short transaction per piece of progress, so a kill loses only the request in flight."""

    def __init__(self, config: Config, as_of: datetime, settings: ArchiveSettings) -> None:
        self.config, self.as_of, self.settings = config, as_of, settings
        self.drift: drift.DriftSettings = config.drift
        self.wait_s = config.warehouse.lock_wait_s

    def _session(self):
        return open_warehouse(self.config, wait_s=self.wait_s)

    def work_row(self, url: str, status: str, capture: ArchiveCapture | None = None, *, prior: dict,
                 attempts: int | None = None, next_try_at: datetime | None = None, error: str | None = None) -> dict:
        return {"url": url, "status": status,
                "capture_url": capture.url if capture else prior.get("capture_url"),
                "captured_at": capture.captured_at if capture else prior.get("captured_at"),
                "attempts": (prior.get("attempts") or 0) if attempts is None else attempts,
                "next_try_at": next_try_at, "last_error": error, "updated_at": self.as_of}

    def lookup(self, row: dict, archive_url: str | None) -> None:
        """The archive answered a lookup: a capture (archive_url) or nothing."""
        with self._session() as con, transaction(con):
            insert_rows(con, "archive_work", [row], on_conflict="replace")
            con.execute("UPDATE url_state SET archive_url = coalesce(?, archive_url), archive_checked_at = ? "
                        "WHERE url = ?", [archive_url, self.as_of, row["url"]])

    def failure(self, item: WorkItem, error: str) -> str:
        """The archive failed on this URL (5xx, a memento that would not come): try again later,
        spaced by doubling hours; give up after ``max_attempts``."""
        attempts = (item.row.get("attempts") or 0) + 1
        status = item.row.get("status") or "pending"
        hours = min(2 ** (attempts - 1), 24 * self.settings.lookup_retry_days)
        next_try: datetime | None = self.as_of + timedelta(hours=hours)
        if attempts >= self.settings.max_attempts:
            status, next_try, error = "none", None, f"gave up after {attempts} attempts: {error}"
        row = self.work_row(item.target.url, status, prior=item.row, attempts=attempts, next_try_at=next_try,
                            error=error)
        with self._session() as con, transaction(con):
            insert_rows(con, "archive_work", [row], on_conflict="replace")
        return status

    def baseline(self, item: WorkItem, capture: ArchiveCapture, memento: dict) -> None:
        """The memento becomes the baseline: re-read the live page and claim support against it."""
        target = item.target
        with self._session() as con, transaction(con):
            current = _one(fetch_dicts(con, "SELECT text, title FROM snapshots WHERE snapshot_id = ?",
                                       [target.state.get("last_snapshot_id") or ""]))
            previous = {(r["article_id"], r["claim_id"], r["url"]): r for r in fetch_dicts(
                con, "SELECT * FROM claim_support WHERE url = ?", [target.url])}
            state = {**target.state, "archive_url": capture.url}
            update = baseline_update(Cited(target.url, state, target.citations, target.claims), memento,
                                     capture.captured_at, current, previous, self.as_of, self.drift, stable_id)
            insert_rows(con, "snapshots", [memento], on_conflict="ignore")
            columns = {**update.state, "archive_url": capture.url, "archive_checked_at": self.as_of}
            con.execute(f"UPDATE url_state SET {', '.join(f'{k} = ?' for k in columns)} WHERE url = ?",
                        [*columns.values(), target.url])
            insert_rows(con, "claim_support", update.support, on_conflict="replace")
            insert_rows(con, "events", [event_row(e) for e in update.events], on_conflict="ignore")
            insert_rows(con, "archive_work", [self.work_row(target.url, "baseline_done", capture, prior=item.row,
                                                            attempts=0)], on_conflict="replace")

    def backoffs(self, set_: list[Backoff], cleared: list[str]) -> None:
        with self._session() as con, transaction(con):
            for endpoint in cleared:
                con.execute("DELETE FROM archive_backoff WHERE endpoint = ?", [endpoint])
            insert_rows(con, "archive_backoff", [{"endpoint": b.endpoint, "until_at": b.until, "strikes": b.strikes,
                                                  "last_error": b.last_error, "updated_at": self.as_of}
                                                 for b in set_], on_conflict="replace")


def _one(rows: list[dict]) -> dict | None:
    return rows[0] if rows else None


# --- one URL ----------------------------------------------------------------------------------------


def work_on(item: WorkItem, client: ArchiveClient, writer: Writer, settings: ArchiveSettings) -> str | None:
    """Advance one URL as far as the archive lets us; the status it reached, or None when the
    archive could not be asked properly (nothing recorded: the next phase asks again)."""
    row = item.row
    if row.get("status") == "looked_up" and row.get("capture_url") and not item.lookup:
        capture = ArchiveCapture(row["capture_url"], item.target.url, row["captured_at"], "stored")
    elif client.blocked:
        return None  # a lookup may need every endpoint: none while one is backing off
    else:
        found = _look_up(item, client, writer, settings)
        if not isinstance(found, tuple):
            return found
        capture, item = found
    return _take_memento(item, capture, client, writer)


def _look_up(item: WorkItem, client: ArchiveClient, writer: Writer,
             settings: ArchiveSettings) -> str | None | tuple[ArchiveCapture, WorkItem]:
    """Find the capture; (capture, item) when its memento is wanted next, else the status."""
    url, row = item.target.url, item.row
    errors, skipped = len(client.errors), client.skipped
    capture = client.find_capture(url, accessed_date(item.target))
    if client.stopped or client.skipped > skipped:
        return None  # rate-limited or an endpoint backing off: the answer is not complete
    if capture is None and len(client.errors) > errors:
        return writer.failure(item, client.errors[-1])
    wants_memento = item.baseline or (settings.baseline and row.get("status") in (None, "pending", "none")
                                      and item.target.state.get("baseline_source") != "archive")
    status = "none" if capture is None else "looked_up" if wants_memento else row.get("status") or "looked_up"
    row = writer.work_row(url, status, capture, prior=row, attempts=0)
    writer.lookup(row, capture.url if capture else None)
    if capture is None or not wants_memento:
        return status
    return capture, WorkItem(item.target, row, item.baseline, item.lookup)


def _take_memento(item: WorkItem, capture: ArchiveCapture, client: ArchiveClient, writer: Writer) -> str | None:
    """Fetch the capture's id_ memento; make it the baseline when it is a usable page."""
    url = item.target.url
    errors, skipped = len(client.errors), client.skipped
    memento = client.fetch_memento(capture)
    if client.stopped or client.skipped > skipped:
        return None  # rate-limited or backing off: the capture stays known, the memento waits
    if memento is None or (memento.status or 0) >= 500:
        error = client.errors[-1] if len(client.errors) > errors else "memento not fetched"
        return writer.failure(item, f"memento: {error}")
    snap = snapshot_of(memento, writer.as_of)
    rejected = memento_rejection(memento, snap, cited_title(item.target))
    if rejected or snap is None:
        log.info("%s: %s; the first live fetch stays the baseline", url, rejected)
        writer.lookup(writer.work_row(url, "none", capture, prior=item.row, attempts=0, error=rejected), capture.url)
        return "none"
    writer.baseline(item, capture, snap)
    return "baseline_done"


# --- the phase ----------------------------------------------------------------------------------------


def archive_settings(config: Config) -> ArchiveSettings:
    return config.archive


def run_archive_phase(config: Config, as_of: datetime, *, fetcher: Fetcher | None = None,
                      monotonic: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                      now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> ArchiveSummary:
    """One archive phase within ``[archive] budget_s`` (plus at most one request in flight)."""
    settings = archive_settings(config)
    summary = ArchiveSummary(as_of=as_of, enabled=settings.enabled)
    if not settings.enabled:
        return summary
    started = monotonic()
    with open_warehouse(config, wait_s=config.warehouse.lock_wait_s) as con:
        targets = load_targets(con, load_articles(config))
        work = {r["url"]: r for r in fetch_dicts(con, "SELECT * FROM archive_work")}
        backoffs = {r["endpoint"]: Backoff(r["endpoint"], r["until_at"], r["strikes"], r["last_error"] or "")
                    for r in fetch_dicts(con, "SELECT * FROM archive_backoff")}
    items = plan(targets, work, as_of, settings)
    summary.planned = summary.remaining = len(items)
    if not items:
        return summary
    blocked = {e for e, b in backoffs.items() if b.until > now()}
    own_fetcher = fetcher is None
    fetcher = fetcher or build_fetcher(config)
    pacer = Pacer(settings.per_minute(), deadline=started + settings.budget_s, monotonic=monotonic, sleep=sleep)
    client = ArchiveClient(guarded_fetch(fetcher), settings, pacer=pacer, blocked=blocked, stop_on=UNREACHABLE)
    writer = Writer(config, as_of, settings)
    try:
        summary.stopped = _work_through(items, client, writer, settings, summary)
    finally:
        if own_fetcher:
            fetcher.close()
        _persist_backoff(client, backoffs, writer, settings, now())
    summary.requests = dict(client.requests_by_endpoint)
    summary.elapsed_s = monotonic() - started
    if blocked:
        summary.stopped = summary.stopped or f"backing off: {', '.join(sorted(blocked))}"
    log.info("archive phase at %s: %d due, done %s, %d left, %s requests; stopped: %s", as_of.isoformat(),
             summary.planned, summary.done, summary.remaining, summary.requests, summary.stopped or "no")
    return summary


def _work_through(items: list[WorkItem], client: ArchiveClient, writer: Writer, settings: ArchiveSettings,
                  summary: ArchiveSummary) -> str:
    """Work the items in order until done or stopped; why it stopped ("" when done)."""
    for item in items:
        try:
            status = work_on(item, client, writer, settings)
        except BudgetExhausted:
            return f"time budget of {settings.budget_s:.0f} s used"
        if client.stopped:
            return client.stop_reason
        if status is not None:  # this URL's answer is recorded
            summary.done[status] = summary.done.get(status, 0) + 1
            summary.remaining -= 1
    return ""


def _persist_backoff(client: ArchiveClient, backoffs: dict[str, Backoff], writer: Writer,
                     settings: ArchiveSettings, now: datetime) -> None:
    """A 429 sets (or doubles) its endpoint's back-off; an endpoint that answered clears its own."""
    new: list[Backoff] = []
    if client.throttled is not None:
        endpoint, retry_after = client.throttled
        new.append(next_backoff(backoffs.get(endpoint), endpoint, retry_after, now, base_s=settings.backoff_s,
                                max_s=settings.backoff_max_s, error=client.stop_reason))
    throttled = client.throttled[0] if client.throttled else None
    cleared = [e for e in backoffs if client.requests_by_endpoint.get(e) and e != throttled]
    if new or cleared:
        writer.backoffs(new, cleared)
