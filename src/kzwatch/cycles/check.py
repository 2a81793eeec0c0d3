"""The link-health cycle: fetch every due cited URL, judge it, commit the verdicts as they come.

Reading order: ``run_check_cycle`` (near the bottom) is the whole cycle —

1. **plan** (short warehouse session): sync the corpus, read url_state, pick what is due in
   this ``--as-of`` slot (a URL already committed in this slot is not due: a killed cycle
   resumes where it stopped, and a finished slot run again changes nothing);
2. **canaries** (:mod:`kzwatch.cycles.outage`);
3. **stream**: the fetcher hands back each page as soon as it is fetched (hosts in parallel,
   politeness per host, the soft-404 probe of a directory right after its first 200 page);
4. **judge and commit in batches** bounded in rows and seconds (:mod:`kzwatch.cycles.check_rows`):
   outage policy, content judgement, events, one transaction per batch.

With a fan-out (``kzwatch.fanout``) on a DuckLake warehouse, step 3 runs in the workers and
goes further: each worker classifies its pages and commits their check rows (``state_after``
NULL) and snapshots itself (:func:`commit_worker_checks`), and sends back light results; step 4
then uses the workers' outcomes and snapshot rows and, instead of inserting check rows, fills
their verdict columns.  On a DuckDB file a fan-out only fetches.

Archive lookups and archived baselines are their own phase afterwards
(:mod:`kzwatch.cycles.archive`): verdicts never wait for the archive.

Memory is flat in the number of URLs: only one batch of pages and their baselines is held.
CPU goes where the bytes changed: a 304 or a body byte-identical to the last snapshot is not
parsed again, and a first check does not compare a page with itself.
All judgement is delegated to the pure core (classify, verdict, drift, verify, support); this
module only moves data between the core and the edges (fetcher, warehouse).
"""

from __future__ import annotations

import ctypes
import dataclasses
import functools
import hashlib
import json
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from kzwatch import extract, textnorm
from kzwatch.config import Config
from kzwatch.corpus import Article, load_articles, sync_corpus
from kzwatch.cycles import content
from kzwatch.cycles.check_events import change_events, events_for, state_events, support_events
from kzwatch.cycles.check_rows import BatchRows, WarehouseSession, fetched_check_row
from kzwatch.cycles.check_settings import CheckSettings
from kzwatch.cycles.common import build_fetcher, log, own_outage_event, process_name, stable_id
from kzwatch.cycles.outage import OutageWatch, network_is_down
from kzwatch.cycles.progress import Progress
from kzwatch.fetch import Fetcher, FetchJob
from kzwatch.health import classify, drift, identity, verdict
from kzwatch.health.drift import DriftResult
from kzwatch.model import CheckOutcome, CheckRecord, Citation, Claim, Event, FetchResult, Verdict, WorkerCheck
from kzwatch.store import check_states, claim_support_rows, open_warehouse, settings_of, snapshots_by_id, write_check_batch
from kzwatch.store.checks import check_writer

__all__ = ["run_check_cycle", "network_is_down", "state_events", "change_events", "support_events",
           "TRANSPORT_OUTCOMES", "snapshot_of", "judge"]

TRANSPORT_OUTCOMES = classify.TRANSPORT_OUTCOMES  # failures of the path to a host, not of the page
HTML_TYPES = ("text/html", "application/xhtml+xml")

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
    drift: DriftResult | None = None
    verification: float | None = None
    baseline: dict | None = None  # {snapshot row, source}
    support: list[dict] = field(default_factory=list)
    diff: str | None = None  # readable baseline → current diff, when the text moved
    new_notices: tuple[str, ...] = ()  # correction/update notices not seen on this URL before
    notices: list[str] | None = None  # every notice on the page now (None: page not read)
    same_snapshot_id: str | None = None  # the body was byte-identical to this (the last) snapshot
    not_cited: str = ""  # evidence that the page is clearly another work (kzwatch.health.verify)


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



# --- 1. plan ------------------------------------------------------------------------------------


def load_targets(con, articles: list[Article]) -> list[UrlTarget]:
    states = {r["url"]: r for r in check_states(con)}
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




def load_stored_snapshots(con, targets: list[UrlTarget]) -> dict[str, dict]:
    """Baseline snapshot rows (texts, no bodies) by id for these targets."""
    return snapshots_by_id(con, [i for i in (t.state.get("baseline_snapshot_id") for t in targets) if i])


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
#: Yields ``(index into jobs, result)`` as results arrive: ``Fetcher.iter_fetch``.
FetchStream = Callable[[list[FetchJob]], Iterator[tuple[int, FetchResult]]]


# --- 3. fetch and judge -------------------------------------------------------------------------


def page_jobs(targets: list[UrlTarget], as_of: datetime, *, probe: bool) -> list[FetchJob]:
    """One conditional GET per target, each carrying its directory's soft-404 probe URL (the
    fetcher asks it once per directory, right after the first page there that answers 200)."""
    return [FetchJob(t.url, etag=t.state.get("etag"), last_modified=t.state.get("last_modified"),
                     probe_url=probe_url_for(t.url, as_of) if probe else None) for t in targets]


def probe_url_for(url: str, as_of: datetime) -> str | None:
    token = stable_id("probe", as_of.isoformat(), urlsplit(url).netloc)[:16]
    try:
        return identity.probe_url(url, token)
    except ValueError:
        return None


def judge(target: UrlTarget, result: FetchResult, probe: FetchResult | None, *,
          network_down: bool, settings: classify.ClassifySettings = classify.DEFAULT_SETTINGS) -> CheckOutcome:
    outcome = classify.classify_fetch(result, probe=probe, cited_url=target.url, cited_title=cited_title(target),
                                      settings=settings)
    return classify.apply_local_outage(outcome, network_down)


def cited_title(target: UrlTarget) -> str | None:
    return next((c.title for c in target.citations if c.title), None)


def own_outcome(target: UrlTarget, result: FetchResult, settings: classify.ClassifySettings) -> CheckOutcome:
    """The page's own outcome: the fan-out worker's when it judged the page, else judged here."""
    if result.worker_check is not None:
        return result.worker_check.outcome
    return judge(target, result, result.probe, network_down=False, settings=settings)




def snapshot_of(result: FetchResult, as_of: datetime, *, last_id: str | None = None) -> dict | None:
    """The content-addressed snapshot row for a fetched body (None when there is no body).

    When the body is byte-identical to ``last_id`` (the URL's last snapshot) the row is only
    ``{"snapshot_id": ..., "unchanged": True}``: nothing is parsed or stored again."""
    if result.error is not None or result.not_modified or not result.body:
        return None
    if result.status is None or result.status >= 400:
        return None
    raw_sha = hashlib.sha256(result.body).hexdigest()
    if last_id is not None and raw_sha == last_id:
        return {"snapshot_id": raw_sha, "unchanged": True}
    row = {
        "snapshot_id": raw_sha, "first_seen_at": as_of, "url": result.final_url or result.url,
        "content_type": result.content_type, "encoding": result.encoding,
        "size_bytes": len(result.body), "truncated": result.truncated,
        "body": zlib.compress(result.body, 6),
    }
    row["stored_bytes"] = len(row["body"])  # type: ignore[arg-type]
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


# --- 3b. a fan-out worker commits its own check rows (DuckLake) ---------------------------------


@dataclass(frozen=True)
class PageCheck:
    """What a worker needs to judge one page on its own and commit its check row."""

    cited_title: str | None
    last_snapshot_id: str | None  # the URL's last snapshot: a byte-identical body is not parsed


@dataclass(frozen=True)
class CheckWork:
    """The check rows a fan-out worker commits itself: one ``PageCheck`` per page URL."""

    as_of: datetime
    pages: dict[str, PageCheck]

    def only(self, jobs: Iterable[FetchJob]) -> CheckWork:
        """The part a shard needs (what travels to its worker)."""
        return CheckWork(self.as_of, {j.url: self.pages[j.url] for j in jobs})


def check_work(targets: list[UrlTarget], as_of: datetime) -> CheckWork:
    return CheckWork(as_of, {t.url: PageCheck(cited_title(t), t.state.get("last_snapshot_id")) for t in targets})


def commit_worker_checks(config: Config, work: CheckWork, jobs: list[FetchJob], results: list[FetchResult],
                         worker: str) -> list[FetchResult]:
    """A fan-out worker's side of the check cycle on a lake (runs in the worker's process).

    Per page: the snapshot row and a check row with what the fetch saw and the page's own
    outcome (``state_after`` NULL: the coordinator commits the verdict), committed here, a
    transaction per ``[check] batch_rows``, replacing only unjudged rows of a killed earlier
    run.  Returns the results made light for the coordinator: no body, text or probe, but the
    outcome and the snapshot row without its blob (``FetchResult.worker_check``)."""
    chunk = max(1, config.check.batch_rows)
    light: list[FetchResult] = []
    with check_writer(config, author=worker) as append:
        for start in range(0, len(results), chunk):
            checks, snapshots = [], {}
            for job, result in zip(jobs[start:start + chunk], results[start:start + chunk]):
                page = work.pages[job.url]
                outcome = classify.classify_fetch(result, probe=result.probe, cited_url=job.url,
                                                  cited_title=page.cited_title, settings=config.classify)
                snap = snapshot_of(result, work.as_of, last_id=page.last_snapshot_id)
                row = fetched_check_row(job.url, result, outcome, snap["snapshot_id"] if snap else None,
                                        work.as_of)
                checks.append(row)
                if snap is not None and not snap.get("unchanged"):
                    snapshots[snap["snapshot_id"]] = snap
                kept = {k: v for k, v in snap.items() if k != "body"} if snap is not None else None
                light.append(dataclasses.replace(result, body=b"", text=None, probe=None, worker_check=WorkerCheck(
                    outcome, kept, worker)))
            append(checks, list(snapshots.values()), replace_unjudged=True)
    return light


#: ``check_pages(jobs, work)``: a fan-out that fetches the jobs and has its workers commit the
#: check rows ``work`` describes (``kzwatch.fanout.FanOut.check_pages``).
CheckPages = Callable[[list[FetchJob], CheckWork], list[FetchResult]]


# --- the cycle ----------------------------------------------------------------------------------


@dataclass
class CyclePlan:
    """What one cycle knows before fetching anything (read in one short warehouse session)."""

    due: list[UrlTarget]
    skipped_not_due: int
    prev_support: dict  # (article_id, claim_id, url) -> claim_support row


def plan_cycle(config: Config, as_of: datetime, settings: verdict.HealthSettings) -> CyclePlan:
    articles = load_articles(config)
    with open_warehouse(config, wait_s=config.warehouse.lock_wait_s) as con:
        sync_corpus(con, articles, as_of)
        targets = load_targets(con, articles)
        prev_support = {(r["article_id"], r["claim_id"], r["url"]): r for r in claim_support_rows(con)}
    due = [t for t in targets if is_due(t, as_of, settings)]
    return CyclePlan(due=due, skipped_not_due=len(targets) - len(due), prev_support=prev_support)


def run_check_cycle(config: Config, as_of: datetime, *, fetcher: Fetcher | None = None,
                    fetch_pages: FetchPages | None = None, progress: Progress | None = None) -> CheckSummary:
    """One link-health cycle.  ``fetch_pages`` replaces the fetches that judge the cited hosts
    (canaries, pages with their soft-404 probes).  Results are committed batch by batch as they
    are judged; the archive phase (``kzwatch.cycles.archive``) runs afterwards."""
    health = config.health
    plan = plan_cycle(config, as_of, health)
    summary = CheckSummary(as_of=as_of, skipped_not_due=plan.skipped_not_due)
    if not plan.due:
        return summary
    own_fetcher = fetcher is None
    fetcher = fetcher or build_fetcher(config)
    try:
        batcher = _Batcher(config, as_of, plan, fetcher, fetch_pages, summary,
                           progress or Progress(len(plan.due)))
        batcher.run()
    finally:
        if own_fetcher:
            fetcher.close()
    with open_warehouse(config, wait_s=config.warehouse.lock_wait_s) as con:
        con.execute("CHECKPOINT")
    log.info("check cycle at %s: %d checked, states %s", as_of.isoformat(), summary.checked, summary.states)
    return summary


class _Batcher:
    """Streams the due pages through judgement into committed batches (one cycle's worth)."""

    def __init__(self, config: Config, as_of: datetime, plan: CyclePlan, fetcher: Fetcher,
                 fetch_pages: FetchPages | None, summary: CheckSummary, progress: Progress):
        self.config, self.as_of, self.plan, self.summary, self.progress = config, as_of, plan, summary, progress
        self.settings: CheckSettings = config.check
        self.health = config.health
        self.drift_settings = config.drift
        # Canaries, pages and soft-404 probes come from the same network (the fan-out workers'
        # when there is a fan-out).
        list_fetch: FetchPages = fetch_pages or fetcher.fetch_many
        self.pending: list[tuple[UrlTarget, FetchResult]] = []  # fetched, not yet committed
        self.opened = time.monotonic()  # when the oldest pending result arrived
        idle_s = min(1.0, max(0.05, self.settings.batch_seconds / 2))
        self.stream: FetchStream = (functools.partial(fetcher.iter_fetch, on_idle=self._flush_if_old, idle_s=idle_s)
                                    if fetch_pages is None else _as_stream(fetch_pages))
        # On a lake, a fan-out's workers commit the check rows themselves; this process the verdicts.
        check_pages: CheckPages | None = getattr(fetch_pages, "check_pages", None)
        if check_pages is not None and settings_of(config).is_lake:
            work = check_work(plan.due, as_of)
            self.stream = _as_stream(lambda jobs: check_pages(jobs, work))
        self.outage = OutageWatch(list_fetch, list(config.fetch.canary_urls), self.settings)
        self.outage_reported = False
        wait_s = config.warehouse.lock_wait_s
        self.warehouse = WarehouseSession(lambda: open_warehouse(config, wait_s=wait_s),
                                          self.settings.session_seconds)

    def run(self) -> None:
        try:
            self._run()
        finally:
            self.warehouse.close()

    def _run(self) -> None:
        self.outage.start()
        due = self.plan.due
        jobs = page_jobs(due, self.as_of, probe=self.config.health.soft404_probe)
        for index, result in self.stream(jobs):
            if not self.pending:
                self.opened = time.monotonic()
            self.pending.append((due[index], result))
            if len(self.pending) >= self.settings.batch_rows:
                self._flush()
            else:
                self._flush_if_old()
        self._flush()
        self.progress.finish()
        self.summary.network_down = self.outage.down

    def _flush_if_old(self) -> None:
        """Commit a batch older than ``batch_seconds`` — also while slow hosts are waited for."""
        if self.pending and time.monotonic() - self.opened >= self.settings.batch_seconds:
            self._flush()

    def _flush(self) -> None:
        batch, self.pending = self.pending, []
        if batch:
            self.commit(batch)

    def commit(self, batch: list[tuple[UrlTarget, FetchResult]]) -> None:
        """Judge one batch and commit it in one transaction."""
        started = time.monotonic()
        outcomes = self.outage.judge([(urlsplit(t.url).hostname or "", own_outcome(t, r, self.config.classify))
                                      for t, r in batch])
        stored = load_stored_snapshots(self.warehouse.connection(), [t for t, _ in batch])
        rows = BatchRows()
        for (target, result), outcome in zip(batch, outcomes):
            r = _assess(target, result, outcome, self.as_of, self.health, self.drift_settings, stored,
                        self.plan.prev_support)
            result.body, result.text, result.probe = b"", None, None  # judged: the snapshot row keeps what stays
            events = events_for(r, self.as_of)
            rows.add(r, events, self.as_of)
            self._count(r, events)
        if self.outage.down and not self.outage_reported:
            event = own_outage_event(self.as_of, self.outage.canaries)
            rows.add_event(event)
            self.summary.events.append(event)
            self.outage_reported = True
        write_check_batch(self.warehouse.connection(), snapshots=list(rows.snapshots.values()), checks=rows.checks,
                          states=rows.states, supports=rows.supports, events=rows.events, verdicts=rows.verdicts,
                          author=f"coordinator {process_name()}" if rows.verdicts else None)
        self.progress.batch_committed(len(batch), time.monotonic() - started)
        _release_freed_memory()

    def _count(self, r: UrlResult, events: list[Event]) -> None:
        s = self.summary
        s.checked += 1
        s.outcomes[r.outcome.outcome] = s.outcomes.get(r.outcome.outcome, 0) + 1
        s.states[r.verdict.state] = s.states.get(r.verdict.state, 0) + 1
        s.events += events
        self.progress.add(r.outcome.outcome)


def _release_freed_memory() -> None:
    """Hand the batch's freed pages back to the OS (glibc keeps them per thread arena otherwise:
    with many fetch threads the cycle's RSS crept up batch after batch)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _as_stream(fetch_pages: FetchPages) -> FetchStream:
    """A list-returning fetch (a fan-out runner) as a stream: its results arrive all at once."""
    def stream(jobs: list[FetchJob]) -> Iterator[tuple[int, FetchResult]]:
        results = fetch_pages(jobs)
        if len(results) != len(jobs):
            raise RuntimeError(f"fetch_pages returned {len(results)} results for {len(jobs)} jobs")
        yield from enumerate(results)
    return stream


def _assess(target: UrlTarget, result: FetchResult, outcome: CheckOutcome, as_of: datetime,
            settings: verdict.HealthSettings, drift_settings: drift.DriftSettings,
            stored: dict, prev_support: dict) -> UrlResult:
    """Everything the content says about one fetched citation, then its new verdict.

    ``stored``: baseline snapshot rows by id."""
    state = target.state
    snap = (result.worker_check.snapshot if result.worker_check is not None  # parsed by the worker
            else snapshot_of(result, as_of, last_id=state.get("last_snapshot_id")))
    r = UrlResult(target, result, outcome, verdict=Verdict("unknown"))
    unchanged_body = snap is not None and snap.get("unchanged", False)
    if unchanged_body:
        r.same_snapshot_id = snap["snapshot_id"] if snap else None
    else:
        r.snapshot = snap
    moved_to = state.get("moved_to") if state.get("state") == "moved" else None
    outcome = r.outcome = classify.still_moved(outcome, result, moved_to)  # a 304 where the work moved
    baseline = stored.get(state.get("baseline_snapshot_id") or "")
    # What the page says now; unchanged bytes (a 304, the same body) teach nothing new: not re-read.
    current = r.snapshot if r.snapshot is not None and r.snapshot.get("norm_text") is not None else None
    if current is not None:
        new_baseline = baseline is None
        if baseline is None:
            r.baseline = {"snapshot_id": current["snapshot_id"], "source": "live", "at": as_of}
            baseline = current
        not_cited = content.read_content(r, current, baseline, drift_settings)
        if new_baseline or _flagged_not_cited(state):  # no baseline of the cited work to compare with
            r.not_cited = not_cited
        content.score_support(r, current["text"] or "", baseline, new_baseline, as_of, prev_support)
    # the same title and text behind a permanent redirect: the work moved (byte-identical to the
    # last page read is the same title and text, without reading it again)
    if r.drift is not None or unchanged_body:
        same_title = unchanged_body or (r.drift is not None and r.drift.title_changed is False)
        same_text = unchanged_body or (r.drift is not None and r.drift.band == "unchanged")
        outcome = r.outcome = classify.moved_by_content(outcome, result, same_title=same_title, same_text=same_text)
    drifted = r.drift is not None and r.drift.band == "off_topic"
    if r.drift is None and (result.not_modified or unchanged_body) and state.get("drift_band") == "off_topic":
        drifted = True  # unchanged since we found it drifted
    check = CheckRecord(checked_at=as_of, outcome=outcome.outcome, http_status=result.status)
    _verdict(r, _previous_verdict(target), check, settings, drifted=drifted, unchanged=unchanged_body)
    return r


def _verdict(r: UrlResult, previous: Verdict | None, check: CheckRecord, settings: verdict.HealthSettings,
             *, drifted: bool, unchanged: bool) -> None:
    """The new verdict; a page that is clearly another work (this check, or unchanged since one
    found it) is drifted, with the verification evidence as its reason."""
    if (r.fetch.not_modified or unchanged) and _flagged_not_cited(r.target.state):
        r.not_cited = r.target.state["reason"]  # unchanged since we found it was another work
    outcome = r.outcome
    r.verdict = verdict.next_verdict(previous, check, settings, moved=outcome.moved_to is not None,
                                     drifted=drifted or bool(r.not_cited))
    if r.not_cited and r.verdict.state == "drifted" and not drifted:
        r.verdict = dataclasses.replace(r.verdict, reason=r.not_cited)
        r.outcome = CheckOutcome(outcome.outcome, f"{outcome.evidence}; {r.not_cited}", outcome.moved_to)


def _flagged_not_cited(state: dict) -> bool:
    return state.get("state") == "drifted" and (state.get("reason") or "").startswith("not the cited work")
