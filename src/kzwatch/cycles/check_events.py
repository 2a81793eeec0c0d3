"""The events a check produces: state changes, content changes, lost support, our own outage.

Pure functions of one judged URL (:class:`kzwatch.cycles.check.UrlResult`) and the cycle's
clock; event ids are deterministic, so a slot run again (or resumed after a kill) writes the
same events, which the warehouse keeps once.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from kzwatch.cycles.common import stable_id
from kzwatch.model import EVENT_KIND_FOR_STATE, Event, make_event

if TYPE_CHECKING:
    from kzwatch.cycles.check import UrlResult

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
        base: dict[str, Any] = {"article_id": cit.article_id, "footnote": cit.footnote, "url": r.target.url,
                "created_at": as_of}
        if after in EVENT_KIND_FOR_STATE:
            kind = EVENT_KIND_FOR_STATE[after]
            event_id = stable_id(kind.name, cit.article_id, cit.footnote, cit.seq, r.target.url, as_of.isoformat())
            events.append(make_event(kind.name, event_id=event_id, subject=f"fn {cit.footnote}: {after} — {r.target.url}",
                                     details=details, **base))
        elif after == "alive" and before in ("dying", "dead", "blocked", "drifted"):
            event_id = stable_id("citation_recovered", cit.article_id, cit.footnote, cit.seq, r.target.url,
                                 as_of.isoformat())
            events.append(make_event("citation_recovered", event_id=event_id,
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
    return [make_event("citation_changed",
                       event_id=stable_id("citation_changed", cit.article_id, cit.footnote, cit.seq, r.target.url,
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
                "support_missing",
                event_id=stable_id("support_missing", row["article_id"], row["claim_id"], row["url"], as_of.isoformat()),
                article_id=row["article_id"],
                created_at=as_of, subject=f"{row['claim_id']}: support missing at {row['url']}",
                claim_id=row["claim_id"], url=row["url"],
                details={"missing": list(row["missing"]), "found": list(row["found"]),
                         **({"diff": r.diff} if r.diff else {})}))
    return events


def events_for(r: UrlResult, as_of: datetime) -> list[Event]:
    return state_events(r, as_of) + change_events(r, as_of) + support_events(r, as_of)
