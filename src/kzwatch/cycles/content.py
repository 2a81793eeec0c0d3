"""What a fetched page's text says against its baseline: drift, verification, notices, and
whether it still carries the figures each claim cites.  Fills a
:class:`kzwatch.cycles.check.UrlResult`; pure apart from that."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from kzwatch import extract, textdiff, textnorm
from kzwatch.health import drift, support, verify

if TYPE_CHECKING:
    from kzwatch.cycles.check import UrlResult

DIFF_CHARS = 3000  # a diff in an alert is for reading, not for archiving: the warehouse keeps both texts


def read_content(r: UrlResult, current: dict, baseline: dict, drift_settings: drift.DriftSettings) -> str:
    """Drift from the baseline, verification against the citation, notices (fills ``r``).

    Returns the evidence that the page is clearly another work than the one cited ("" when it
    may be the cited work; kzwatch.health.verify.not_the_cited_work)."""
    current_text = current["text"] or ""
    if baseline is current:
        r.drift = drift.same_text(current_text, current.get("title"))  # the first check: no compare
    elif (baseline.get("text") or "").strip():
        r.drift = drift.compare(baseline["text"], current_text, drift_settings,
                                baseline_title=baseline.get("title"), current_title=current.get("title"))
    target = r.target
    r.verification, not_cited = _verify_page(r, current)
    if r.drift is not None and r.drift.band != "unchanged":
        r.diff = textdiff.readable_diff(baseline.get("text") or "", current_text, max_chars=DIFF_CHARS,
                                        before_label="baseline", after_label="now")
    r.notices = notices_of(current)
    seen = set(notices_of(baseline)) | set(json.loads(target.state.get("notices") or "[]"))
    r.new_notices = tuple(n for n in r.notices if n not in seen)
    return not_cited


def _verify_page(r: UrlResult, current: dict) -> tuple[float | None, str]:
    """How well the page matches the citation (None without a cited title), and the evidence
    when it is clearly another work ("" otherwise)."""
    cit = next((c for c in r.target.citations if c.title), None)
    if cit is None or cit.title is None:
        return None, ""
    page = extract.PageInfo(title=current.get("title"), text=current.get("text") or "",
                            published=current.get("published"), modified=current.get("modified"),
                            lang=current.get("lang"), canonical_url=current.get("canonical_url"), notices=())
    found = verify.verify_citation(cit.title, cit.author, cit.published, page)
    outlet = verify.outlet_found(cit.outlet, page, r.fetch.final_url or r.fetch.url) if cit.outlet else None
    return found.score, verify.not_the_cited_work(found, outlet)


def score_support(r: UrlResult, current_text: str, baseline: dict | None, new_baseline: bool,
                   as_of: datetime, prev_support: dict) -> None:
    """Does the page (still) carry the figures each claim cites?  Against the baseline too."""
    target = r.target
    for article_id, claim in target.claims:
        prev = prev_support.get((article_id, claim.id, target.url), {})
        now_s = support.claim_support(claim, current_text)
        base_status = None if new_baseline else prev.get("baseline_status")
        if base_status is None:
            base_text = (baseline or {}).get("text") or ""
            same = baseline is None or base_text == current_text
            base_status = now_s.status if same else support.claim_support(claim, base_text).status
        r.support.append({"article_id": article_id, "claim_id": claim.id, "url": target.url,
                          "status": now_s.status, "baseline_status": base_status,
                          "found": list(now_s.found), "missing": list(now_s.missing),
                          "checked_at": as_of, "previous_status": prev.get("status"),
                          "previous_baseline_status": prev.get("baseline_status")})


def notices_of(snapshot: dict) -> list[str]:
    """A snapshot's correction/update notices, normalised (stored as a JSON list)."""
    try:
        raw = json.loads(snapshot.get("notices") or "[]")
    except ValueError:
        return []
    return [textnorm.normalize(n) for n in raw if isinstance(n, str) and n.strip()]
