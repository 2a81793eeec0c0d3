"""Alert digests: group what is new into one message, dialect-neutral (rendering is in
``kzwatch.alerts.render``).

A digest is everything a maintainer has not yet heard about, grouped first by article and then
by severity (high → info).  Inside a severity, link-health alerts about citations come first,
then claims whose support went missing, then new reporting grouped per claim (the groups are
``EventKind.group`` in ``kzwatch.model.EVENT_KINDS``).  Operational notices (our own outage, a
broken feed, a host that blocks us, a failed delivery) are kept apart from the content alerts,
so that "the evidence changed" never drowns in "our plumbing hiccuped".

This module is pure: ``build_digest`` turns a list of :class:`~kzwatch.model.Event` into a
:class:`Digest`; ``describe_event`` reduces one event to the cleaned, capped, labelled strings a
person reads; ``walk`` and ``assemble`` give every renderer the same flat list of balanced
blocks, so a digest can be cut to its size limit between any two blocks.  Nothing here touches
the network, files or the clock (``generated_at`` is a parameter).

Safety: most of what a digest shows came from fetched pages, and fetched pages are hostile.
Values are cleaned here (control characters, bidi overrides stripped; lengths capped) and
escaped by each renderer for its dialect (see ``kzwatch.alerts.render``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlsplit

from kzwatch.model import EVENT_KINDS, OPERATIONAL_EVENT_KINDS, SEVERITIES, Event

#: Default cap on one rendered digest.  A digest bigger than this is cut, with a note.
MAX_DIGEST_BYTES = 1024 * 1024
#: Caps on single values, so one enormous diff cannot crowd out every other alert.
MAX_FIELD_CHARS = 2_000
MAX_BLOCK_CHARS = 20_000

@dataclass(frozen=True)
class DigestSettings:
    """The ``[digest]`` section: the title, how often a still-broken citation is re-announced,
    and the size cap of one rendered digest."""

    title: str = "kzwatch digest"
    reminder_days: float = 7.0
    max_bytes: int = MAX_DIGEST_BYTES


#: The ``Event.details`` keys a person reads, in display order: (key, label, style).  Styles:
#: "text" (one line), "url" (a link when safe), "quote" (a sentence of evidence), "block"
#: (multi-line, e.g. a diff).  Other keys (internal ids, raw outcome codes) stay out of the
#: human formats; ``render_json`` carries every key.
DETAIL_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("outlet", "Outlet", "text"),
    ("previous_state", "Was", "text"),
    ("evidence", "Evidence", "text"),
    ("reason", "Reason", "text"),
    ("final_url", "Now at", "url"),
    ("moved_to", "Moved to", "url"),
    ("archive_url", "Archived copy", "url"),
    ("similarity", "Similarity to the cited version", "text"),
    ("title_now", "Title now", "text"),
    ("notices", "Notices", "text"),
    ("missing", "Figures gone", "text"),
    ("found", "Figures still there", "text"),
    ("stance", "Stance", "text"),
    ("score", "Score", "text"),
    ("matched", "Matched", "text"),
    ("published_at", "Published", "text"),
    ("lang", "Language", "text"),
    ("sentence", "Matching sentence", "quote"),
    ("detail", "Detail", "text"),
    ("canaries", "Canaries", "text"),
    ("channel", "Channel", "text"),
    ("attempts", "Attempts", "text"),
    ("error", "Error", "text"),
    ("events_pending", "Alerts waiting", "text"),
    ("since", "Broken since", "date"),
    ("weeks_broken", "Broken for", "weeks"),
    ("diff", "Changes", "block"),
)

_KIND_ORDER = {kind: i for i, kind in enumerate(EVENT_KINDS)}


# --- Digest structure --------------------------------------------------------------------------


@dataclass(frozen=True)
class EventGroup:
    """Events of one article and severity that belong together (citations, one claim...)."""

    label: str
    events: tuple[Event, ...]
    claim_id: str | None = None


@dataclass(frozen=True)
class SeveritySection:
    severity: str
    groups: tuple[EventGroup, ...]


@dataclass(frozen=True)
class ArticleDigest:
    article_id: str
    sections: tuple[SeveritySection, ...]


@dataclass(frozen=True)
class Digest:
    """What is new for maintainers, grouped and ready to render.  Build with ``build_digest``."""

    title: str
    generated_at: datetime
    since: datetime | None
    articles: tuple[ArticleDigest, ...]
    operational: tuple[Event, ...]

    @property
    def events(self) -> list[Event]:
        """Every event in the digest, in display order."""
        out = [
            ev
            for art in self.articles
            for sec in art.sections
            for grp in sec.groups
            for ev in grp.events
        ]
        out.extend(self.operational)
        return out

    @property
    def event_ids(self) -> list[str]:
        return [ev.event_id for ev in self.events]

    def for_article(self, article_id: str) -> Digest:
        """The part of this digest about one article (no operational notices)."""
        part = tuple(a for a in self.articles if a.article_id == article_id)
        return Digest(title=f"{self.title}: {article_id}", generated_at=self.generated_at, since=self.since,
                      articles=part, operational=())

    @property
    def is_empty(self) -> bool:
        """An empty digest is never sent."""
        return not self.articles and not self.operational

    @property
    def counts(self) -> dict[str, Any]:
        events = self.events
        by_severity = Counter(ev.severity for ev in events)
        by_kind = Counter(ev.kind for ev in events)
        return {
            "total": len(events),
            "content": len(events) - len(self.operational),
            "operational": len(self.operational),
            "by_severity": {sev: by_severity[sev] for sev in _severity_order(by_severity)},
            "by_kind": dict(sorted(by_kind.items())),
        }


def _severity_rank(severity: str) -> int:
    # Unknown severities sort after "info" rather than being dropped or crashing.
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def _severity_order(severities: Iterable[str]) -> list[str]:
    return sorted(set(severities), key=lambda s: (_severity_rank(s), s))


def _event_sort_key(ev: Event) -> tuple:
    return (
        ev.footnote is None,
        ev.footnote or 0,
        _KIND_ORDER.get(ev.kind, len(_KIND_ORDER)),
        ev.url or "",
        ev.created_at,
        ev.event_id,
    )


def build_digest(
    events: list[Event],
    *,
    generated_at: datetime,
    since: datetime | None,
    title: str = "kzwatch digest",
) -> Digest:
    """Group ``events`` into a digest.

    ``events`` are the events due for this digest (the caller decides which: never-sent ones,
    snoozes that ended, reminders — see ``kzwatch.alerts.due_for_digest``).  They are *not*
    filtered by ``since``, which is shown in the header only: an alert whose snooze ended is
    older than the previous digest and must still appear.  Duplicate event ids are shown once.
    Unknown kinds are treated as content alerts; unknown severities sort after "info".
    """
    seen: set[str] = set()
    unique: list[Event] = []
    for ev in events:
        if ev.event_id not in seen:
            seen.add(ev.event_id)
            unique.append(ev)

    content = [ev for ev in unique if ev.kind not in OPERATIONAL_EVENT_KINDS]
    operational = sorted(
        (ev for ev in unique if ev.kind in OPERATIONAL_EVENT_KINDS),
        key=lambda ev: (_severity_rank(ev.severity), ev.article_id, *_event_sort_key(ev)),
    )

    by_article: dict[str, list[Event]] = {}
    for ev in content:
        by_article.setdefault(ev.article_id, []).append(ev)

    articles = tuple(
        ArticleDigest(article_id=article_id, sections=_severity_sections(by_article[article_id]))
        for article_id in sorted(by_article)
    )
    return Digest(
        title=title,
        generated_at=generated_at,
        since=since,
        articles=articles,
        operational=tuple(operational),
    )


def _severity_sections(events: list[Event]) -> tuple[SeveritySection, ...]:
    sections = []
    for severity in _severity_order(ev.severity for ev in events):
        in_severity = [ev for ev in events if ev.severity == severity]
        sections.append(SeveritySection(severity=severity, groups=_groups(in_severity)))
    return tuple(sections)


def _groups(events: list[Event]) -> tuple[EventGroup, ...]:
    """Citations first, then missing support, then new reporting one group per claim."""
    by_group: dict[str, list[Event]] = {}
    for ev in events:
        known = EVENT_KINDS.get(ev.kind)
        by_group.setdefault(known.group if known else "other", []).append(ev)
    citations = by_group.get("citations", [])
    support = by_group.get("support", [])
    reporting = by_group.get("reporting", [])
    other = by_group.get("other", []) + by_group.get("operational", [])
    groups: list[EventGroup] = []
    if citations:
        groups.append(EventGroup("Citations", tuple(sorted(citations, key=_event_sort_key))))
    if support:
        groups.append(
            EventGroup(
                "Claims whose support went missing",
                tuple(sorted(support, key=lambda ev: (ev.claim_id or "", *_event_sort_key(ev)))),
            )
        )
    by_claim: dict[str, list[Event]] = {}
    for ev in reporting:
        by_claim.setdefault(ev.claim_id or "", []).append(ev)
    for claim_id in sorted(by_claim):
        # Strongest match first inside a claim.
        items = sorted(by_claim[claim_id], key=lambda ev: (-_score(ev), *_event_sort_key(ev)))
        label = f"New reporting on claim {claim_id}" if claim_id else "New reporting"
        groups.append(EventGroup(label, tuple(items), claim_id=claim_id or None))
    if other:
        groups.append(EventGroup("Other", tuple(sorted(other, key=_event_sort_key))))
    return tuple(groups)


def _score(ev: Event) -> float:
    try:
        return float(ev.details.get("score", 0.0))
    except (TypeError, ValueError):
        return 0.0


# --- One event, dialect-neutral ----------------------------------------------------------------


@dataclass(frozen=True)
class EntryField:
    label: str
    value: str
    style: str  # "text" | "url" | "quote" | "block"


@dataclass(frozen=True)
class EntryView:
    """One event reduced to labelled strings; every renderer escapes these for its dialect."""

    event_id: str
    kind: str
    kind_label: str
    severity: str
    headline: str
    footnote: int | None
    claim_id: str | None
    url: str | None
    fields: tuple[EntryField, ...]


_CONTROL_EXCEPT_NL_TAB = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def clean(text: str, *, keep_newlines: bool = False) -> str:
    """Strip control characters (terminal escapes, NULs); fold or normalise line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_EXCEPT_NL_TAB.sub("", text)
    # Bidi overrides can make a displayed URL lie about where it points.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf" or ch in "\u200d")
    if not keep_newlines:
        text = " ".join(text.split())
    return text


def cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f" … [cut: {len(text) - limit} more characters]"


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _weeks(value: Any) -> str:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return ""
    return "less than a week" if n < 1 else f"{n} week" + ("" if n == 1 else "s")


def _styled(value: Any, style: str) -> str:
    if style == "weeks":
        return _weeks(value)
    raw = format_value(value)
    if style == "date":
        return raw[:10]  # an ISO timestamp read as its day
    if style == "block":
        return cap(clean(raw, keep_newlines=True), MAX_BLOCK_CHARS)
    return cap(clean(raw), MAX_FIELD_CHARS)


def describe_event(ev: Event) -> EntryView:
    """Reduce an event to cleaned, capped, labelled strings (not yet escaped), for people.

    The line says each thing once: the footnote and URL stand beside the headline, so fields
    repeating them (a final URL equal to the cited one, the state a label already names) are
    left out, and so are internal keys.  The headline is the cited work's or the item's title,
    else the kind's sentence, else the event's subject.
    """
    details = ev.details if isinstance(ev.details, dict) else {}
    known = EVENT_KINDS.get(ev.kind)
    label = known.label if known else clean(ev.kind)
    if ev.kind == "citation_reminder" and details.get("state"):
        label = f"Still {clean(str(details['state']))}"
    headline = format_value(details.get("title")) or (known.headline if known else "") or ev.subject
    fields: list[EntryField] = []
    for key, field_label, style in DETAIL_FIELDS:
        if key not in details or (key == "final_url" and details[key] == ev.url):
            continue
        value = _styled(details[key], style)
        if value:
            fields.append(EntryField(field_label, value, "block" if style == "block" else
                                     style if style in ("url", "quote") else "text"))
    return EntryView(
        event_id=clean(ev.event_id),
        kind=ev.kind,
        kind_label=label,
        severity=clean(ev.severity),
        headline=cap(clean(headline), MAX_FIELD_CHARS),
        footnote=ev.footnote,
        claim_id=clean(ev.claim_id) if ev.claim_id else None,
        url=cap(clean(ev.url), MAX_FIELD_CHARS) if ev.url else None,
        fields=tuple(fields),
    )


def safe_http_url(url: str | None) -> str | None:
    """Return ``url`` if it may become a clickable link (absolute http/https), else None."""
    if not url or len(url) > 4096:
        return None
    if any(ord(ch) < 0x21 or ch in "\x7f\\\"'<>`" or unicodedata.category(ch) == "Cf" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def summary_line(d: Digest) -> str:
    counts = d.counts
    total = counts["total"]
    noun = "alert" if total == 1 else "alerts"
    parts = [f"{n} {sev}" for sev, n in counts["by_severity"].items()]
    summary = f"{total} {noun}"
    if parts:
        summary += " (" + ", ".join(parts) + ")"
    return summary


def generated_line(d: Digest) -> str:
    """The line under every digest's title: "Generated T[, new since T]. N alerts (…)." """
    since = f", new since {iso(d.since)}" if d.since is not None else ""
    return f"Generated {iso(d.generated_at)}{since}. {summary_line(d)}."


def iso(ts: datetime | None) -> str:
    return ts.isoformat() if ts is not None else ""


# --- Walking a digest as a flat list of balanced blocks -----------------------------------------
#
# Every renderer turns the digest into a flat sequence of self-contained blocks (an article
# heading, a severity heading, a group heading, one entry...).  Because no block is left open
# across others, a digest can be cut between any two blocks and stay well-formed.


def walk(d: Digest) -> Iterator[tuple[str, Any]]:
    for art in d.articles:
        yield "article", art
        for sec in art.sections:
            yield "severity", sec
            for grp in sec.groups:
                yield "group", grp
                for ev in grp.events:
                    yield "entry", describe_event(ev)
    if d.operational:
        yield "operational", None
        for ev in d.operational:
            yield "entry", describe_event(ev)


def assemble(
    d: Digest,
    head: str,
    block: Callable[[str, Any], str],
    tail: str,
    note: Callable[[int], str],
    max_bytes: int,
) -> str:
    """Join ``head``, the blocks and ``tail``, cutting blocks (with a note) to fit ``max_bytes``."""
    reserve = len(note(10**9).encode()) + len(tail.encode())
    budget = max_bytes - len(head.encode()) - reserve
    out = [head]
    used = 0
    total_entries = len(d.events)
    shown = 0
    cut = False
    for kind, obj in walk(d):
        text = block(kind, obj)
        size = len(text.encode())
        if used + size > budget:
            cut = True
            break
        out.append(text)
        used += size
        if kind == "entry":
            shown += 1
    if cut:
        out.append(note(total_entries - shown))
    out.append(tail)
    return "".join(out)


def truncation_sentence(omitted: int) -> str:
    return (
        f"Digest cut to fit its size limit: {omitted} more alert(s) not shown. "
        "Run `kzwatch digest --format json` or query the warehouse for all of them."
    )
