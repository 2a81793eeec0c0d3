"""Alert digests: group what is new into one message, and render it safely in every dialect.

A digest is everything a maintainer has not yet heard about, grouped first by article and then
by severity (high → info).  Inside a severity, link-health alerts about citations come first,
then claims whose support went missing, then new reporting grouped per claim.  Operational
notices (our own outage, a broken feed, a host that blocks us, a failed delivery) are kept apart
from the content alerts, so that "the evidence changed" never drowns in "our plumbing hiccuped".

This module is pure: ``build_digest`` turns a list of :class:`~kzwatch.model.Event` into a
:class:`Digest`, and the ``render_*`` functions turn a digest into Markdown, plain text, HTML,
JSON, a Slack webhook payload or an e-mail message.  Nothing here touches the network, files or
the clock (``generated_at`` is a parameter).

Safety.  Most of what a digest shows came from fetched pages (titles, sentences, evidence,
URLs, diffs), and fetched pages are hostile.  Output is therefore built with plain string code,
never with a template engine fed page text, and every page-derived value is escaped for the
dialect it lands in:

* HTML — ``html.escape``; a URL becomes a link only when it is an http(s) URL without control
  characters, otherwise it is shown as text.  A Content-Security-Policy forbids scripts too.
* Markdown — backslash-escapes every character that could start markup (links, emphasis, code,
  HTML, entities), and newlines are folded so no text can open a new block.
* Slack mrkdwn — ``& < >`` become entities (this kills ``<!channel>``, ``<@U…>`` and
  ``<url|label>``), and ``@channel``/``@here``/``@everyone`` are defused.
* Plain text — control characters (terminal escape sequences) are stripped.
* E-mail headers — CR/LF and other control characters stripped, length capped; the e-mail
  module encodes non-ASCII.

Every renderer caps its output (``max_bytes``, 1 MiB by default) and ends a cut digest with a
note saying how many alerts were left out.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlsplit

from kzwatch.model import CONTENT_EVENT_KINDS, OPERATIONAL_EVENT_KINDS, SEVERITIES, Event

__all__ = [
    "Digest",
    "ArticleDigest",
    "SeveritySection",
    "EventGroup",
    "EntryField",
    "EntryView",
    "MAX_DIGEST_BYTES",
    "build_digest",
    "describe_event",
    "render_markdown",
    "render_text",
    "render_html",
    "render_json",
    "render_slack",
    "build_email",
    "safe_http_url",
    "escape_markdown",
    "escape_slack",
    "header_safe",
]

#: Default cap on one rendered digest.  A digest bigger than this is cut, with a note.
MAX_DIGEST_BYTES = 1024 * 1024
#: Caps on single values, so one enormous diff cannot crowd out every other alert.
MAX_FIELD_CHARS = 2_000
MAX_BLOCK_CHARS = 20_000
#: Slack refuses section texts above 3000 characters and messages above 50 blocks.
SLACK_MAX_SECTION_CHARS = 3_000
SLACK_MAX_BLOCKS = 50
#: E-mail subjects longer than this are cut (RFC 5322 recommends 78 per line; clients cope).
MAX_SUBJECT_CHARS = 200

#: What each event kind is called in a digest.
KIND_LABELS = {
    "citation_dead": "Dead",
    "citation_dying": "Failing",
    "citation_moved": "Moved",
    "citation_drifted": "Drifted",
    "citation_blocked": "Blocked",
    "citation_recovered": "Recovered",
    "citation_changed": "Changed",
    "citation_reminder": "Still broken",
    "support_missing": "Support missing",
    "new_reporting": "New reporting",
    "own_outage": "Our network was down",
    "feed_broken": "Feed broken",
    "host_blocks_us": "Host blocks us",
    "delivery_failed": "Delivery failed",
}

#: Known ``Event.details`` keys, in display order: (key, label, style).  Styles: "text" (one
#: line), "url" (a link when safe), "quote" (a sentence of evidence), "block" (multi-line,
#: e.g. a diff).  Keys not listed here are shown after these, as text, under their own name.
DETAIL_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("title", "Title", "text"),
    ("outlet", "Outlet", "text"),
    ("state", "State", "text"),
    ("previous_state", "Was", "text"),
    ("outcome", "Last outcome", "text"),
    ("http_status", "HTTP status", "text"),
    ("evidence", "Evidence", "text"),
    ("reason", "Reason", "text"),
    ("final_url", "Final URL", "url"),
    ("moved_to", "Moved to", "url"),
    ("archive_url", "Archived copy", "url"),
    ("similarity", "Similarity", "text"),
    ("title_now", "Title now", "text"),
    ("notices", "Notices", "text"),
    ("stance", "Stance", "text"),
    ("score", "Score", "text"),
    ("matched", "Matched", "text"),
    ("published_at", "Published", "text"),
    ("lang", "Language", "text"),
    ("sentence", "Matching sentence", "quote"),
    ("channel", "Channel", "text"),
    ("attempts", "Attempts", "text"),
    ("error", "Error", "text"),
    ("since", "Broken since", "text"),
    ("diff", "Changes", "block"),
)
_KNOWN_DETAIL_KEYS = frozenset(key for key, _, _ in DETAIL_FIELDS)

_CITATION_KINDS = frozenset(k for k in CONTENT_EVENT_KINDS if k.startswith("citation_"))
_KIND_ORDER = {kind: i for i, kind in enumerate(CONTENT_EVENT_KINDS + OPERATIONAL_EVENT_KINDS)}


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
    citations = [ev for ev in events if ev.kind in _CITATION_KINDS]
    support = [ev for ev in events if ev.kind == "support_missing"]
    reporting = [ev for ev in events if ev.kind == "new_reporting"]
    other = [
        ev
        for ev in events
        if ev.kind not in _CITATION_KINDS and ev.kind not in ("support_missing", "new_reporting")
    ]
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


def _clean(text: str, *, keep_newlines: bool = False) -> str:
    """Strip control characters (terminal escapes, NULs); fold or normalise line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_EXCEPT_NL_TAB.sub("", text)
    # Bidi overrides can make a displayed URL lie about where it points.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf" or ch in "\u200d")
    if not keep_newlines:
        text = " ".join(text.split())
    return text


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f" … [cut: {len(text) - limit} more characters]"


def _format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(_format_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def describe_event(ev: Event) -> EntryView:
    """Reduce an event to cleaned, capped, labelled strings (not yet escaped)."""
    fields: list[EntryField] = []
    details = ev.details if isinstance(ev.details, dict) else {}
    for key, label, style in DETAIL_FIELDS:
        if key not in details:
            continue
        raw = _format_value(details[key])
        if style == "block":
            value = _cap(_clean(raw, keep_newlines=True), MAX_BLOCK_CHARS)
        else:
            value = _cap(_clean(raw), MAX_FIELD_CHARS)
        if value:
            fields.append(EntryField(label, value, style))
    for key in sorted(k for k in details if k not in _KNOWN_DETAIL_KEYS):
        value = _cap(_clean(_format_value(details[key])), MAX_FIELD_CHARS)
        if value:
            fields.append(EntryField(_cap(_clean(str(key)), 80), value, "text"))
    return EntryView(
        event_id=_clean(ev.event_id),
        kind=ev.kind,
        kind_label=KIND_LABELS.get(ev.kind, _clean(ev.kind)),
        severity=_clean(ev.severity),
        headline=_cap(_clean(ev.subject), MAX_FIELD_CHARS),
        footnote=ev.footnote,
        claim_id=_clean(ev.claim_id) if ev.claim_id else None,
        url=_cap(_clean(ev.url), MAX_FIELD_CHARS) if ev.url else None,
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


def _summary(d: Digest) -> str:
    counts = d.counts
    total = counts["total"]
    noun = "alert" if total == 1 else "alerts"
    parts = [f"{n} {sev}" for sev, n in counts["by_severity"].items()]
    summary = f"{total} {noun}"
    if parts:
        summary += " (" + ", ".join(parts) + ")"
    return summary


def _iso(ts: datetime | None) -> str:
    return ts.isoformat() if ts is not None else ""


# --- Walking a digest as a flat list of balanced blocks -----------------------------------------
#
# Every renderer turns the digest into a flat sequence of self-contained blocks (an article
# heading, a severity heading, a group heading, one entry...).  Because no block is left open
# across others, a digest can be cut between any two blocks and stay well-formed.


def _walk(d: Digest) -> Iterator[tuple[str, Any]]:
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


def _assemble(
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
    for kind, obj in _walk(d):
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


def _truncation_sentence(omitted: int) -> str:
    return (
        f"Digest cut to fit its size limit: {omitted} more alert(s) not shown. "
        "Run `kzwatch digest --format json` or query the warehouse for all of them."
    )


# --- Markdown ----------------------------------------------------------------------------------

# Everything CommonMark/GFM could read as markup: links and images ([]()!), emphasis (*_~),
# code (`), raw HTML and autolinks (<> → entities), entities (&), headings (#), tables (|), escapes (\).
# List and setext markers (- + = "1.") only matter at the start of a line: see _md_entry.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()<>#!|~&])")
_MD_LINE_START = re.compile(r"^([-+=])")
_MD_ORDERED_ITEM = re.compile(r"^(\d+)\.")


def _md_escape_char(match: re.Match[str]) -> str:
    char = match.group(1)
    return {"<": "&lt;", ">": "&gt;"}.get(char, "\\" + char)


def escape_markdown(text: str) -> str:
    """Escape page text so Markdown shows it literally, on one line.

    ``<`` and ``>`` become entities rather than backslash escapes, so that the Markdown source
    itself holds no tag-like text either (for tools that paste it into HTML unrendered).
    """
    return _MD_SPECIAL.sub(_md_escape_char, _clean(text))


def _md_url(url: str | None) -> str:
    if not url:
        return ""
    safe = safe_http_url(url)
    if safe is None:
        return escape_markdown(url) + " (not a web link)"
    # Percent-encode what could end the link destination early.
    dest = "".join(f"%{ord(c):02X}" if c in "()<> " else c for c in safe)
    return f"[{escape_markdown(url)}]({dest})"


def _md_entry(view: EntryView) -> str:
    head = f"- **{escape_markdown(view.kind_label)}**"
    if view.footnote is not None:
        head += f" · footnote {view.footnote}"
    head += f" · {escape_markdown(view.headline)}\n"
    lines = [head]
    if view.url:
        lines.append(f"  - URL: {_md_url(view.url)}\n")
    for fld in view.fields:
        label = escape_markdown(fld.label)
        if fld.style == "url":
            lines.append(f"  - {label}: {_md_url(fld.value)}\n")
        elif fld.style == "quote":
            lines.append(f"  - {label}: “{escape_markdown(fld.value)}”\n")
        elif fld.style == "block":
            lines.append(f"  - {label}:\n")
            for raw_line in fld.value.split("\n"):
                line = escape_markdown(raw_line) if raw_line.strip() else ""
                # A diff line must not start a list or a setext heading.
                line = _MD_ORDERED_ITEM.sub(r"\1\\.", _MD_LINE_START.sub(r"\\\1", line))
                lines.append(f"    > {line}  \n" if line else "    >\n")
        else:
            lines.append(f"  - {label}: {escape_markdown(fld.value)}\n")
    return "".join(lines)


def _md_block(kind: str, obj: Any) -> str:
    if kind == "article":
        return f"\n## Article {escape_markdown(obj.article_id)}\n"
    if kind == "severity":
        return f"\n### {escape_markdown(obj.severity.capitalize())}\n"
    if kind == "group":
        return f"\n#### {escape_markdown(obj.label)}\n\n"
    if kind == "operational":
        return "\n## Operational notices\n\n"
    return _md_entry(obj)


def render_markdown(d: Digest, *, max_bytes: int = MAX_DIGEST_BYTES) -> str:
    head = f"# {escape_markdown(d.title)}\n\nGenerated {escape_markdown(_iso(d.generated_at))}"
    if d.since is not None:
        head += f", new since {escape_markdown(_iso(d.since))}"
    head += f". {escape_markdown(_summary(d))}.\n"
    if d.is_empty:
        head += "\nNothing new.\n"
    note = lambda n: f"\n---\n\n*{escape_markdown(_truncation_sentence(n))}*\n"  # noqa: E731
    return _assemble(d, head, _md_block, "", note, max_bytes)


# --- Plain text --------------------------------------------------------------------------------


def _text_entry(view: EntryView) -> str:
    head = f"* [{view.kind_label}]"
    if view.footnote is not None:
        head += f" footnote {view.footnote}:"
    lines = [f"{head} {view.headline}\n"]
    if view.url:
        lines.append(f"    URL: {view.url}\n")
    for fld in view.fields:
        if fld.style == "block":
            lines.append(f"    {fld.label}:\n")
            lines.extend(f"      | {line}\n" for line in fld.value.split("\n"))
        elif fld.style == "quote":
            lines.append(f"    {fld.label}: “{fld.value}”\n")
        else:
            lines.append(f"    {fld.label}: {fld.value}\n")
    return "".join(lines)


def _text_block(kind: str, obj: Any) -> str:
    if kind == "article":
        heading = f"Article {_clean(obj.article_id)}"
        return f"\n{heading}\n{'=' * len(heading)}\n"
    if kind == "severity":
        return f"\n{_clean(obj.severity).upper()}\n"
    if kind == "group":
        return f"\n  {_clean(obj.label)}\n\n"
    if kind == "operational":
        return "\nOperational notices\n===================\n\n"
    return _text_entry(obj)


def render_text(d: Digest, *, max_bytes: int = MAX_DIGEST_BYTES) -> str:
    head = f"{_clean(d.title)}\nGenerated {_iso(d.generated_at)}"
    if d.since is not None:
        head += f", new since {_iso(d.since)}"
    head += f". {_summary(d)}.\n"
    if d.is_empty:
        head += "\nNothing new.\n"
    note = lambda n: f"\n-- {_truncation_sentence(n)}\n"  # noqa: E731
    return _assemble(d, head, _text_block, "", note, max_bytes)


# --- HTML --------------------------------------------------------------------------------------

# Inline styles (not a <style> sheet) because many mail clients drop <head> styles.
_SEVERITY_COLOURS = {"high": "#b00020", "medium": "#c25e00", "low": "#6b6b00", "info": "#3c5a8a"}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _html_url(url: str) -> str:
    safe = safe_http_url(url)
    if safe is None:
        return f'<span style="color:#555">{_h(url)}</span> <em>(not a web link)</em>'
    return f'<a href="{_h(safe)}" rel="noopener noreferrer nofollow">{_h(url)}</a>'


def _html_entry(view: EntryView) -> str:
    colour = _SEVERITY_COLOURS.get(view.severity, "#444")
    badge = (
        f'<span style="display:inline-block;padding:1px 6px;border-radius:3px;'
        f'background:{colour};color:#fff;font-size:12px">{_h(view.kind_label)}</span>'
    )
    where = f" footnote {view.footnote} —" if view.footnote is not None else ""
    parts = [
        '<div style="margin:0 0 12px 0;padding:8px 10px;border-left:3px solid '
        f'{colour};background:#fafafa">',
        f'<p style="margin:0 0 4px 0">{badge}{_h(where)} <strong>{_h(view.headline)}</strong></p>',
        '<ul style="margin:0;padding-left:18px">',
    ]
    if view.url:
        parts.append(f"<li>URL: {_html_url(view.url)}</li>")
    for fld in view.fields:
        label = _h(fld.label)
        if fld.style == "url":
            parts.append(f"<li>{label}: {_html_url(fld.value)}</li>")
        elif fld.style == "quote":
            parts.append(f"<li>{label}: <q>{_h(fld.value)}</q></li>")
        elif fld.style == "block":
            parts.append(
                f'<li>{label}:<pre style="white-space:pre-wrap;font-size:12px;background:#f0f0f0;'
                f'padding:6px;margin:4px 0">{_h(fld.value)}</pre></li>'
            )
        else:
            parts.append(f"<li>{label}: {_h(fld.value)}</li>")
    parts.append("</ul></div>\n")
    return "".join(parts)


def _html_block(kind: str, obj: Any) -> str:
    if kind == "article":
        return f'<h2 style="margin:20px 0 6px 0;font-size:18px">Article {_h(obj.article_id)}</h2>\n'
    if kind == "severity":
        colour = _SEVERITY_COLOURS.get(obj.severity, "#444")
        return (
            f'<h3 style="margin:14px 0 6px 0;font-size:15px;color:{colour}">'
            f"{_h(obj.severity.capitalize())}</h3>\n"
        )
    if kind == "group":
        return f'<h4 style="margin:10px 0 6px 0;font-size:14px">{_h(obj.label)}</h4>\n'
    if kind == "operational":
        return '<h2 style="margin:20px 0 6px 0;font-size:18px">Operational notices</h2>\n'
    return _html_entry(obj)


def render_html(d: Digest, *, max_bytes: int = MAX_DIGEST_BYTES) -> str:
    """A self-contained HTML document: inline styles, no scripts, no external resources."""
    since = f", new since {_h(_iso(d.since))}" if d.since is not None else ""
    head = (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{_h(d.title)}</title></head>\n"
        '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;'
        'font-size:14px;color:#222;max-width:900px;margin:0 auto;padding:12px">\n'
        f'<h1 style="font-size:22px;margin:0 0 4px 0">{_h(d.title)}</h1>\n'
        f'<p style="color:#555;margin:0 0 12px 0">Generated {_h(_iso(d.generated_at))}{since}. '
        f"{_h(_summary(d))}.</p>\n"
    )
    if d.is_empty:
        head += "<p>Nothing new.</p>\n"
    note = lambda n: f'<p style="color:#b00020"><em>{_h(_truncation_sentence(n))}</em></p>\n'  # noqa: E731
    return _assemble(d, head, _html_block, "</body></html>\n", note, max_bytes)


# --- JSON --------------------------------------------------------------------------------------


def _event_json(ev: Event) -> dict[str, Any]:
    return {
        "event_id": ev.event_id,
        "article_id": ev.article_id,
        "kind": ev.kind,
        "severity": ev.severity,
        "created_at": _iso(ev.created_at),
        "subject": ev.subject,
        "footnote": ev.footnote,
        "claim_id": ev.claim_id,
        "url": ev.url,
        "details": ev.details,
    }


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
        "generated_at": _iso(d.generated_at),
        "since": _iso(d.since) if d.since is not None else None,
        "articles": articles,
        "operational": operational,
        "counts": d.counts,
        "truncated": {"omitted_events": omitted} if omitted else None,
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2, default=str) + "\n"


# --- Slack -------------------------------------------------------------------------------------

_SLACK_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def escape_slack(text: str) -> str:
    """Escape text for Slack mrkdwn: entities for ``& < >``, broadcast mentions defused."""
    return _slack_entities(_clean(text))


def _slack_entities(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A zero-width space after "@" keeps the word readable but stops it notifying everyone.
    return _SLACK_BROADCAST.sub("@\u200b\\1", text)


def _slack_url(url: str) -> str:
    safe = safe_http_url(url)
    if safe is None:
        return escape_slack(url) + " (not a web link)"
    dest = "".join(f"%{ord(c):02X}" if c in "|<> " else c for c in safe).replace("&", "&amp;")
    return f"<{dest}|{escape_slack(url)}>"


def _slack_entry(view: EntryView) -> str:
    where = f" footnote {view.footnote}:" if view.footnote is not None else ""
    lines = [f"*{escape_slack(view.kind_label)}*{where} {escape_slack(view.headline)}"]
    if view.url:
        lines.append(f"• URL: {_slack_url(view.url)}")
    for fld in view.fields:
        label = escape_slack(fld.label)
        if fld.style == "url":
            lines.append(f"• {label}: {_slack_url(fld.value)}")
        elif fld.style == "block":
            body = fld.value.replace("```", "'''")
            body = _slack_entities(body)
            lines.append(f"• {label}:\n```{_cap(body, 1500)}```")
        elif fld.style == "quote":
            lines.append(f"• {label}: “{escape_slack(fld.value)}”")
        else:
            lines.append(f"• {label}: {escape_slack(fld.value)}")
    text = "\n".join(lines)
    if len(text) > SLACK_MAX_SECTION_CHARS:
        text = text[: SLACK_MAX_SECTION_CHARS - 20]
        amp = text.rfind("&", len(text) - 6)
        if amp != -1 and ";" not in text[amp:]:
            text = text[:amp]  # never leave half an entity
        text += " … [cut]"
    return text


def _mrkdwn_section(text: str) -> dict[str, Any]:
    # verbatim: Slack must not turn bare URLs or #names in page text into links.
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def render_slack(d: Digest) -> dict[str, Any]:
    """A Slack incoming-webhook payload: fallback ``text`` plus mrkdwn ``blocks`` (≤ 50)."""
    fallback = escape_slack(f"{d.title}: {_summary(d)}")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header_safe(d.title, limit=150)}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": escape_slack(
                        f"Generated {_iso(d.generated_at)}"
                        + (f", new since {_iso(d.since)}" if d.since else "")
                        + f". {_summary(d)}."
                    ),
                    "verbatim": True,
                }
            ],
        },
    ]
    total = len(d.events)
    shown = 0
    for kind, obj in _walk(d):
        if len(blocks) >= SLACK_MAX_BLOCKS - 1:
            blocks.append(_mrkdwn_section(f"_{escape_slack(_truncation_sentence(total - shown))}_"))
            break
        if kind == "article":
            blocks.append(_mrkdwn_section(f"*Article {escape_slack(obj.article_id)}*"))
        elif kind == "severity":
            blocks.append({"type": "divider"})
            blocks.append(_mrkdwn_section(f"*{escape_slack(obj.severity.capitalize())}*"))
        elif kind == "group":
            blocks.append(_mrkdwn_section(f"_{escape_slack(obj.label)}_"))
        elif kind == "operational":
            blocks.append({"type": "divider"})
            blocks.append(_mrkdwn_section("*Operational notices*"))
        else:
            blocks.append(_mrkdwn_section(_slack_entry(obj)))
            shown += 1
    return {"text": fallback, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


# --- E-mail ------------------------------------------------------------------------------------


def header_safe(text: str, *, limit: int = MAX_SUBJECT_CHARS) -> str:
    """One header line: no CR/LF or other control characters, whitespace folded, capped."""
    text = " ".join(_clean(text).split())
    # The email package decodes RFC 2047 encoded-words in a value it is given and would write a
    # decoded CR/LF out as a new header line ("=?utf-8?q?=0D=0ABcc:...?="): break every "=?".
    text = text.replace("=?", "= ?")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_address(addr: str) -> str:
    if not addr or any(ch in addr for ch in "\r\n\x00") or "@" not in addr:
        raise ValueError(f"invalid e-mail address in configuration: {addr!r}")
    return addr.strip()


def build_email(
    d: Digest,
    *,
    sender: str,
    recipients: list[str],
    subject_prefix: str = "[kzwatch]",
    max_bytes: int = MAX_DIGEST_BYTES,
) -> EmailMessage:
    """A multipart/alternative message: text/plain first, then text/html.

    The Subject carries the digest title and counts only (no page text), and is sanitised all
    the same.  ``Message-ID`` is derived from the digest's event ids, so a retried send of the
    same digest carries the same id and mail clients can collapse duplicates.
    """
    if not recipients:
        raise ValueError("an e-mail digest needs at least one recipient")
    msg = EmailMessage()
    msg["Subject"] = header_safe(f"{subject_prefix} {d.title}: {_summary(d)}")
    msg["From"] = _check_address(sender)
    msg["To"] = ", ".join(_check_address(r) for r in recipients)
    msg["Date"] = format_datetime(d.generated_at)
    digest_hash = hashlib.sha256("\n".join(sorted(d.event_ids)).encode()).hexdigest()[:24]
    msg["Message-ID"] = f"<digest-{digest_hash}@kzwatch.invalid>"
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders must not reply
    msg.set_content(render_text(d, max_bytes=max_bytes))
    msg.add_alternative(render_html(d, max_bytes=max_bytes), subtype="html")
    return msg
