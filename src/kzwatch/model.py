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
    # only if it comes at least ``strike_spacing_hours`` after this (see kzwatch.verdict).
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


@dataclass(frozen=True)
class ClaimMatch:
    """Why one item bears on one claim."""

    claim_id: str
    score: float
    stance: str  # one of STANCES
    reason: str = ""
    matched: tuple[str, ...] = ()  # terms and figures that matched
    sentence: str = ""  # the best matching sentence, as evidence
    lang: str | None = None


# --- Alerts ------------------------------------------------------------------------------------

#: Event kinds.  Content alerts first, then operational notices (kept apart in digests).
CONTENT_EVENT_KINDS = (
    "citation_dead",
    "citation_dying",
    "citation_moved",
    "citation_drifted",
    "citation_blocked",
    "citation_recovered",
    "citation_changed",  # still the cited work, but retitled or carrying a new correction notice
    "support_missing",
    "new_reporting",
    "citation_reminder",  # weekly reminder for a still-broken citation
)
OPERATIONAL_EVENT_KINDS = ("own_outage", "feed_broken", "host_blocks_us", "delivery_failed")

SEVERITIES = ("high", "medium", "low", "info")


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
    kind: str  # CONTENT_EVENT_KINDS or OPERATIONAL_EVENT_KINDS
    severity: str  # SEVERITIES
    created_at: datetime
    subject: str
    footnote: int | None = None
    claim_id: str | None = None
    url: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def operational(self) -> bool:
        return self.kind in OPERATIONAL_EVENT_KINDS
