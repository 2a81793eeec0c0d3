"""Plain data shared by every layer of kzwatch.

These are frozen-ish dataclasses with no behaviour beyond small conveniences: the pure core
takes and returns them, the edges (fetcher, warehouse, notifiers) produce and consume them, and
flows pass them between tasks. Keeping them here, in one file with no imports from the rest of
the package, means any module can use them without import cycles.

Timestamps are timezone-aware ``datetime`` objects in UTC unless a field says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# --- SPEC §4 vocabulary -----------------------------------------------------------------------

#: What one fetch saw.  Spelled exactly as SPEC §4.
OUTCOMES = (
    "ok",
    "redirected",
    "not_found",
    "soft_404",
    "dns_error",
    "connect_error",
    "timeout",
    "server_error",
    "rate_limited",
    "blocked",
    "unsafe",
    "robots_denied",
    "local_outage",
    "invalid_url",
)

#: Outcomes that show the cited URL still answers with content.
SUCCESS_OUTCOMES = frozenset({"ok", "redirected"})

#: Outcomes that say nothing about the source (never a strike, never a success).
NEUTRAL_OUTCOMES = frozenset({"local_outage", "robots_denied", "unsafe", "rate_limited"})

#: The verdict over time for one citation.  Spelled exactly as SPEC §4.
STATES = ("alive", "moved", "drifted", "dying", "dead", "blocked", "unknown")

#: Stances of related reporting (SPEC §5).
STANCES = ("confirms", "updates", "contradicts", "mentions")


# --- Corpus ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlRepair:
    """One OCR repair applied to a URL, kept so that nobody has to trust it blindly."""

    kind: str  # e.g. "cyrillic_lookalike", "trailing_punctuation", "line_break", "stray_char"
    before: str
    after: str
    detail: str = ""


@dataclass(frozen=True)
class Citation:
    """One cited work inside one footnote (a footnote may hold several)."""

    article_id: str
    footnote: int
    seq: int  # 1-based position of this citation inside its footnote
    url: str | None = None  # repaired and fetchable: fragment dropped
    url_display: str | None = None  # repaired, fragment kept (what a person should see)
    url_original: str | None = None  # exactly as the source text had it
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: str | None = None  # ISO date "YYYY-MM-DD" when known
    accessed: str | None = None  # ISO date "YYYY-MM-DD" when known
    raw: str = ""  # the citation's own text, as parsed
    repairs: tuple[UrlRepair, ...] = ()
    # A back-reference ("Bagdat, 'Sovet (ne)doveriia...'") points at the full citation it
    # abbreviates, as (footnote, seq).  Its url/title are copied from the target when linked.
    ref_of: tuple[int, int] | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.article_id, self.footnote, self.seq)


@dataclass(frozen=True)
class Claim:
    """One claim of an article and what would show it in a text.

    ``terms`` maps a language code ("ru", "kk", "en") to search terms; ``figures`` are the key
    figures ("63%", "35.10%"), ``footnotes`` the footnotes the claim rests on.  ``extra`` keeps
    any further keys of the claims file (anchors, exclusions, renames...) for the scorer.
    """

    article_id: str
    id: str
    text: str
    footnotes: tuple[int, ...] = ()
    figures: tuple[str, ...] = ()
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


# --- Fetching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hop:
    """One request in a redirect chain."""

    url: str
    status: int | None
    location: str | None = None
    address: str | None = None  # the IP address actually dialled


@dataclass
class FetchResult:
    """Everything one fetch of one URL saw; produced by ``kzwatch.fetch``, judged by the core.

    ``error`` is None when an HTTP response arrived (whatever its status).  Otherwise it is one
    of: "invalid_url", "unsafe", "dns_error", "connect_error", "tls_error", "timeout",
    "too_many_redirects", "redirect_loop", "robots_denied", "body_too_large", "decode_error",
    "local_outage" (set by the caller when the canaries say our own network is down).
    """

    url: str
    requested_at: datetime
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # final response, lower-case names
    body: bytes = b""  # decoded content-encoding (gzip...), capped at max_body_bytes
    text: str | None = None  # body decoded to str with the detected charset (HTML/XML/text)
    encoding: str | None = None
    content_type: str | None = None
    hops: list[Hop] = field(default_factory=list)
    error: str | None = None
    error_detail: str = ""
    elapsed_ms: int = 0
    bytes_read: int = 0
    truncated: bool = False  # body hit max_body_bytes
    not_modified: bool = False  # 304 to a conditional GET: success, no body
    method: str = "GET"
    probe: FetchResult | None = None  # the soft-404 probe of this URL's directory (FetchJob.probe_url)
    # Set by a fan-out worker that committed this check's row itself (DuckLake); the body, text
    # and probe are then dropped: the coordinator judges from this, never from the page again.
    worker_check: WorkerCheck | None = None

    @property
    def redirected(self) -> bool:
        return len(self.hops) > 1


@dataclass(frozen=True)
class CheckOutcome:
    """The classification of one fetch (SPEC §4 outcome) with the evidence for it."""

    outcome: str
    evidence: str = ""
    moved_to: str | None = None  # when the work was recognised at another URL


@dataclass(frozen=True)
class WorkerCheck:
    """What a fan-out worker committed for one fetched page (``kzwatch.cycles.check.commit_worker_checks``).

    ``outcome`` is the page's own classification (before the cycle's outage policy and content
    reading); ``snapshot`` the snapshot row without its ``body`` blob (``{"snapshot_id",
    "unchanged": True}`` for a body byte-identical to the last one; None without a body)."""

    outcome: CheckOutcome
    snapshot: dict[str, Any] | None
    worker: str  # "hostname:pid" of the process that committed the row


@dataclass(frozen=True)
class CheckRecord:
    """One past check of a URL, as the verdict rules see it."""

    checked_at: datetime
    outcome: str
    http_status: int | None = None


@dataclass(frozen=True)
class Verdict:
    """The state of one citation after its latest check."""

    state: str
    strikes: int = 0
    first_failure_at: datetime | None = None
    reason: str = ""
    # When the latest counted strike happened: the next failing check counts as a new strike
    # only if it comes at least ``strike_spacing_hours`` after this (see kzwatch.health.verdict).
    last_strike_at: datetime | None = None


# --- Discovery ---------------------------------------------------------------------------------


@dataclass
class FeedItem:
    """One item found in a feed, listing page or sitemap."""

    url: str
    title: str = ""
    summary: str = ""
    published_at: datetime | None = None
    guid: str | None = None
    source_url: str = ""  # the feed / listing / sitemap it came from
    outlet: str = ""
    lang: str | None = None
    text: str = ""  # main text of the item's page, when fetched
    updated_at: datetime | None = None  # last modification (Atom updated, WP modified_gmt, lastmod)


MATCHED_SHOWN = 16
SENTENCE_SHOWN_CHARS = 500


@dataclass(frozen=True)
class ClaimMatch:
    """Why one item bears on one claim.  ``matched`` keeps at most ``MATCHED_SHOWN`` terms and
    ``sentence`` at most ``SENTENCE_SHOWN_CHARS`` characters: enough for a maintainer to see
    why, without storing a page's text."""

    claim_id: str
    score: float
    stance: str  # one of STANCES
    reason: str = ""
    matched: tuple[str, ...] = ()  # terms and figures that matched
    sentence: str = ""  # the best matching sentence, as evidence
    lang: str | None = None


# --- Alerts ------------------------------------------------------------------------------------

SEVERITIES = ("high", "medium", "low", "info")


@dataclass(frozen=True)
class EventKind:
    """What one kind of event means, in one place for every layer (cycles raise events of a
    kind, the alert lifecycle reminds and resolves by it, digests label and order by it)."""

    name: str
    label: str  # what a person reads in a digest
    severity: str  # the default; new_reporting takes its severity from the stance
    breakage: bool = False  # says a cited URL is broken: reminded weekly, resolved on recovery
    operational: bool = False  # about our plumbing, not the evidence: kept apart in digests
    state: str | None = None  # the link-health state (SPEC §4) this kind announces
    group: str = "citations"  # digest group: citations | support | reporting | operational
    headline: str = ""  # what a digest line says when the event names no title


#: Every event kind, in digest order: content alerts first, then operational notices.
EVENT_KINDS: dict[str, EventKind] = {k.name: k for k in (
    EventKind("citation_dead", "Dead", "high", breakage=True, state="dead"),
    EventKind("citation_dying", "Dying", "medium", breakage=True, state="dying"),
    EventKind("citation_moved", "Moved", "low", breakage=True, state="moved"),
    EventKind("citation_drifted", "Drifted", "high", breakage=True, state="drifted"),
    EventKind("citation_blocked", "Blocked", "low", breakage=True, state="blocked"),
    EventKind("citation_recovered", "Recovered", "info", state="alive"),
    # still the cited work, but retitled or carrying a new correction notice
    EventKind("citation_changed", "Changed", "low"),
    EventKind("support_missing", "Support missing", "high", group="support",
              headline="The figures this claim rests on are no longer on the cited page"),
    EventKind("new_reporting", "New reporting", "info", group="reporting"),
    # weekly reminder for a still-broken citation; severity of the alert it repeats
    EventKind("citation_reminder", "Still broken", "medium"),
    EventKind("own_outage", "Our network was down", "medium", operational=True, group="operational"),
    EventKind("feed_broken", "Source broken", "medium", operational=True, group="operational"),
    EventKind("host_blocks_us", "Host blocks us", "low", operational=True, group="operational"),
    EventKind("delivery_failed", "Delivery failed", "medium", operational=True, group="operational"),
)}

#: New reporting is as urgent as what it says about the claim.
NEW_REPORTING_SEVERITY = {"contradicts": "high", "updates": "medium", "confirms": "low", "mentions": "info"}

CONTENT_EVENT_KINDS = tuple(k.name for k in EVENT_KINDS.values() if not k.operational)
OPERATIONAL_EVENT_KINDS = tuple(k.name for k in EVENT_KINDS.values() if k.operational)
BREAKAGE_EVENT_KINDS = frozenset(k.name for k in EVENT_KINDS.values() if k.breakage)
#: The event announcing each broken state (dying, dead, moved, drifted, blocked).
EVENT_KIND_FOR_STATE = {k.state: k for k in EVENT_KINDS.values() if k.breakage and k.state}


@dataclass(frozen=True)
class Event:
    """Something a maintainer should hear about once.

    ``event_id`` is deterministic (a hash of what happened, not of when the cycle ran), so the
    same slot run three times yields the same ids and nothing is alerted twice.  ``details``
    holds plain JSON-able values (title, evidence, archive_url, stance, sentence, diff...), all
    of which may come from fetched pages and must be escaped by every renderer.
    """

    event_id: str
    article_id: str
    kind: str  # a key of EVENT_KINDS
    severity: str  # SEVERITIES
    created_at: datetime
    subject: str
    footnote: int | None = None
    claim_id: str | None = None
    url: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def operational(self) -> bool:
        known = EVENT_KINDS.get(self.kind)
        return known is not None and known.operational


def make_event(kind: str, *, severity: str | None = None, **fields: Any) -> Event:
    """An event of a known kind, its severity the kind's default unless given."""
    known = EVENT_KINDS[kind]  # KeyError: an event kind that is not in the table
    return Event(kind=kind, severity=severity or known.severity, **fields)
