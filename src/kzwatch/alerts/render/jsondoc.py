"""JSON with a stable schema; escaping is JSON's own (consumers that render the strings escape them)."""

from __future__ import annotations

import json
from typing import Any

from kzwatch.alerts.digest import MAX_DIGEST_BYTES, Digest, iso
from kzwatch.alerts.render import renderer
from kzwatch.model import Event

# --- JSON --------------------------------------------------------------------------------------


def _event_json(ev: Event) -> dict[str, Any]:
    return {
        "event_id": ev.event_id,
        "article_id": ev.article_id,
        "kind": ev.kind,
        "severity": ev.severity,
        "created_at": iso(ev.created_at),
        "subject": ev.subject,
        "footnote": ev.footnote,
        "claim_id": ev.claim_id,
        "url": ev.url,
        "details": ev.details,
    }


@renderer("json", "json")
def render_json(d: Digest, *, max_bytes: int = MAX_DIGEST_BYTES) -> str:
    """The digest as JSON with a stable schema.

    ``{"schema": 1, "title", "generated_at", "since", "articles": [{"article_id", "sections":
    [{"severity", "groups": [{"label", "claim_id", "events": [event...]}]}]}], "operational":
    [event...], "counts": {...}, "truncated": {"omitted_events": n} | null}``, where an event is
    ``{event_id, article_id, kind, severity, created_at, subject, footnote, claim_id, url,
    details}``.  Escaping is JSON's own; consumers that render these strings must escape them.
    When the whole would exceed ``max_bytes``, events are dropped from the end and counted in
    ``truncated``.
    """
    dump = lambda obj: json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str)  # noqa: E731
    budget = max_bytes - 200  # room for the envelope and the truncation record
    used = 0
    omitted = 0

    def take(ev: Event) -> dict[str, Any] | None:
        nonlocal used, omitted
        record = _event_json(ev)
        size = len(dump(record).encode()) + 2
        if omitted or used + size > budget:
            omitted += 1
            return None
        used += size
        return record

    articles = []
    for art in d.articles:
        sections = []
        for sec in art.sections:
            groups = []
            for grp in sec.groups:
                events = [rec for rec in (take(ev) for ev in grp.events) if rec is not None]
                if events:
                    groups.append({"label": grp.label, "claim_id": grp.claim_id, "events": events})
            if groups:
                sections.append({"severity": sec.severity, "groups": groups})
        if sections:
            articles.append({"article_id": art.article_id, "sections": sections})
    operational = [rec for rec in (take(ev) for ev in d.operational) if rec is not None]
    doc = {
        "schema": 1,
        "title": d.title,
        "generated_at": iso(d.generated_at),
        "since": iso(d.since) if d.since is not None else None,
        "articles": articles,
        "operational": operational,
        "counts": d.counts,
        "truncated": {"omitted_events": omitted} if omitted else None,
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2, default=str) + "\n"
