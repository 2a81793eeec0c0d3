"""Archived baselines: is a memento usable, and what does taking it change?  (pure core)

A citation's baseline is the page as the author read it: the archived capture closest to the
accessed date, fetched in its ``id_`` form.  The archive phase finds it after the check cycle has
already judged the live page (verdicts never wait for the archive), so taking it re-reads what
the check stored: the last live snapshot is compared with the memento (drift) and each claim's
``baseline_status`` is re-computed from the memento's text.  The outcome is a ``BaselineUpdate``:
the url_state fields to set, the claim_support rows to replace and the events to raise —
``support_missing`` when a figure the author saw is gone now, ``citation_drifted`` when the live
page is another work than the one archived.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kzwatch import textdiff
from kzwatch.health import classify, drift, support
from kzwatch.model import Claim, Event, FetchResult

__all__ = ["BaselineUpdate", "memento_rejection", "baseline_update"]

DIFF_CHARS = 3000  # a diff in an alert is for reading; the warehouse keeps both texts


def memento_rejection(memento: FetchResult, snapshot: dict | None, cited_title: str | None) -> str:
    """Why a fetched memento cannot be a baseline ("" when it can): an error page, a bot wall,
    a soft 404, or no main text."""
    outcome = classify.classify_fetch(memento, cited_title=cited_title).outcome
    if outcome not in ("ok", "redirected"):
        return f"memento not usable as a baseline ({outcome})"
    if snapshot is None or not (snapshot.get("norm_text") or "").strip():
        return "memento not usable as a baseline (no main text)"
    return ""


@dataclass
class BaselineUpdate:
    state: dict  # url_state columns to set
    support: list[dict] = field(default_factory=list)  # claim_support rows (replace)
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class Cited:
    """What the baseline needs to know about one cited URL (plain data from the check's target)."""

    url: str
    state: dict  # its url_state row
    citations: list  # model.Citation
    claims: list[tuple[str, Claim]]  # (article_id, claim)


def baseline_update(cited: Cited, memento: dict, captured_at: datetime, current: dict | None,
                    previous_support: dict, as_of: datetime, settings: drift.DriftSettings,
                    stable_id) -> BaselineUpdate:
    """Take *memento* (a snapshot row) as the baseline of *cited*.  *current*: the last live
    snapshot row (None when the page has no text now); *previous_support*: claim_support rows by
    (article_id, claim_id, url); *stable_id*: the cycles' id function (event ids match the
    check cycle's, so the same event raised by both in one slot is stored once)."""
    fields: dict = {"baseline_snapshot_id": memento["snapshot_id"], "baseline_source": "archive",
                    "baseline_at": captured_at}
    update = BaselineUpdate(fields)
    base_text = memento.get("text") or ""
    now_text = (current or {}).get("text")
    diff = None
    if now_text is not None and base_text.strip():
        result = drift.compare(base_text, now_text, settings, baseline_title=memento.get("title"),
                               current_title=(current or {}).get("title"))
        fields.update(drift=result.similarity, drift_band=result.band, title_changed=result.title_changed)
        if result.band != "unchanged":
            diff = textdiff.readable_diff(base_text, now_text, max_chars=DIFF_CHARS,
                                          before_label="archived capture", after_label="now")
        if result.band == "off_topic" and cited.state.get("state") in ("alive", "moved"):
            fields.update(state="drifted", reason=f"not the page archived on {captured_at.date()} "
                                                 f"(similarity {result.similarity:.2f})")
            update.events += _drifted_events(cited, result.similarity, diff, as_of, stable_id)
    for article_id, claim in cited.claims:
        update.support.append(_support_row(cited.url, article_id, claim, base_text, now_text,
                                       previous_support.get((article_id, claim.id, cited.url), {}), as_of))
    update.events += _support_events(update.support, previous_support, diff, as_of, stable_id)
    return update


def _support_row(url: str, article_id: str, claim: Claim, base_text: str, now_text: str | None,
                 previous: dict, as_of: datetime) -> dict:
    baseline_status = support.claim_support(claim, base_text).status
    if previous and previous.get("status") is not None:  # the check's reading of the live page stands
        now = {"status": previous["status"], "found": list(previous.get("found") or []),
               "missing": list(previous.get("missing") or []), "checked_at": previous.get("checked_at")}
    else:
        result = support.claim_support(claim, now_text)
        now = {"status": result.status, "found": list(result.found), "missing": list(result.missing),
               "checked_at": as_of}
    return {"article_id": article_id, "claim_id": claim.id, "url": url, "baseline_status": baseline_status, **now}


def _support_events(rows: list[dict], previous_support: dict, diff: str | None, as_of: datetime,
                    stable_id) -> list[Event]:
    events = []
    for row in rows:
        before = previous_support.get((row["article_id"], row["claim_id"], row["url"]), {})
        already = before.get("status") == "missing" and before.get("baseline_status") == "present"
        if row["status"] == "missing" and row["baseline_status"] == "present" and not already:
            events.append(Event(
                event_id=stable_id("support_missing", row["article_id"], row["claim_id"], row["url"],
                                   as_of.isoformat()),
                article_id=row["article_id"], kind="support_missing", severity="high", created_at=as_of,
                subject=f"{row['claim_id']}: support missing at {row['url']} (present in the archived capture)",
                claim_id=row["claim_id"], url=row["url"],
                details={"missing": row["missing"], "found": row["found"], **({"diff": diff} if diff else {})}))
    return events


def _drifted_events(cited: Cited, similarity: float, diff: str | None, as_of: datetime, stable_id) -> list[Event]:
    details = {"previous_state": cited.state.get("state"), "evidence": "live page differs from the archived capture",
               "similarity": round(similarity, 3), "archive_url": cited.state.get("archive_url"),
               **({"diff": diff} if diff else {})}
    return [Event(event_id=stable_id("citation_drifted", c.article_id, c.footnote, c.seq, cited.url, as_of.isoformat()),
                  article_id=c.article_id, kind="citation_drifted", severity="high", created_at=as_of,
                  subject=f"fn {c.footnote}: drifted — {cited.url}", footnote=c.footnote, url=cited.url,
                  details={**details, "title": c.title})
            for c in cited.citations]
