"""What one fetch of a cited URL saw: the SPEC §4 *outcome* of a check, with evidence.

``classify_fetch`` turns a ``model.FetchResult`` (from ``kzwatch.fetch``) into a
``model.CheckOutcome``.  It is pure — no network, no clock, no files beyond the packaged phrase
list — so every rule can be tested with hand-built results.  The verdict over several checks
(``dying``/``dead``...) is ``kzwatch.health.verdict``'s job, not this module's.

Mapping (fetch error or final HTTP status → outcome):

* errors: ``invalid_url``, ``unsafe``, ``dns_error``, ``connect_error``, ``timeout``,
  ``robots_denied``, ``local_outage`` map to the outcome of the same name.
  ``tls_error`` → ``blocked`` with evidence starting ``"tls: "``: a certificate or handshake
  failure may be *our* trust store's fault (Kazakh state sites have used the national root CA,
  which common bundles lack), so it must never become a strike; ``blocked`` surfaces it for a
  human and never turns into ``dead``.  ``too_many_redirects`` / ``redirect_loop`` →
  ``server_error`` (a misbehaving server, often a cookie wall; never a strike, never
  ``not_found``).  Any other or unknown error without a status → ``server_error``.
* 304 to a conditional GET → ``ok``.  404/410 → ``not_found``.  429 → ``rate_limited``.
  401/402/403/407/451/999 and bot walls (Cloudflare "Just a moment...", captchas, "Access
  denied" pages — even when served with 200 or 503) → ``blocked``.  5xx → ``server_error``.
  Other 4xx (400, 405, ...) → ``server_error``: the server refuses the request for reasons we
  cannot attribute to the work being gone, so it must not count as a strike.
* 2xx: soft-404 checks first, then redirect analysis:
  - redirect to a login/paywall page → ``blocked``;
  - redirect to an error URL (``/404``, ``/not-found``...) → ``soft_404``;
  - redirect that collapses to the site root or a section front (``/a/slug/123.html`` →
    ``/`` or ``/news/``), unless the target is recognisably the same work → ``soft_404``;
  - random-path probe (Bar-Yossef et al. 2004; ``benhoyt/soft404``): the caller fetches
    ``probe_url(url, token)``; if it lands on the same final URL, or its text is near-identical
    (``ClassifySettings.probe_similarity``), the cited URL is answered by a catch-all page →
    ``soft_404``;
  - "not found" phrases (RU/KK/EN, ``data/notfound_phrases.toml``) in the title, an ``<h1>``,
    or the main text of a short page → ``soft_404``;
  - an empty body or a near-empty page that is not a JavaScript shell → ``soft_404``;
  - a redirect to the same work elsewhere (same RFE/RL article id, WordPress post id, title or
    slug) → ``redirected`` with ``moved_to``; a trivial redirect (http→https, www, trailing
    slash) → ``redirected`` without ``moved_to``; any other redirect → ``redirected`` without
    ``moved_to`` and evidence saying the work was not confirmed (drift detection decides);
  - otherwise ``ok``.
  A page whose title or ``<h1>`` contains the cited title is never called a soft-404 by the
  phrase, thin-page or probe rules.

The rules are one ordered table, :data:`CLASSIFY_RULES` (name, rule); what a page says is read
by ``kzwatch.health.pages`` (with the phrase lists and thresholds), and whether a redirect leads to the
same work is ``kzwatch.health.identity``'s (site quirks as a table, ``IDENTITY_RULES``).

The outage helpers at the end rewrite transport failures to ``local_outage`` when our own
network was down (SPEC §4: such a check counts for nothing).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from kzwatch.health.identity import (
    equivalent_urls,
    is_root_or_section,
    is_root_url,
    is_same_work,
    path_segments,
    title_parts,
    title_similarity,
)
from kzwatch.health.pages import (
    DEFAULT_SETTINGS,
    ClassifySettings,
    NotFoundPhrases,
    PageView,
    default_phrases,
    read_page,
    text_similarity,
)
from kzwatch.model import CheckOutcome, FetchResult
from kzwatch.textnorm import normalize

__all__ = [
    "classify_fetch",
    "CLASSIFY_RULES",
    "network_down",
    "apply_local_outage",
    "mass_failure",
    "TRANSPORT_ERRORS",
    "TRANSPORT_OUTCOMES",
    "TLS_EVIDENCE_PREFIX",
]

# --- single rules ----------------------------------------------------------------------------------


def _shows_cited_title(page: PageView, cited_title: str | None, threshold: float) -> bool:
    if not cited_title:
        return False
    candidates = [page.title, *page.h1s]
    return any(c and title_similarity(cited_title, c) >= threshold for c in candidates)


def _bot_wall(
    result: FetchResult,
    page: PageView,
    phrases: NotFoundPhrases,
    settings: ClassifySettings,
    *,
    shows_title: bool = False,
) -> str | None:
    if result.headers.get("cf-mitigated", "").lower() == "challenge":
        return "Cloudflare challenge (cf-mitigated: challenge)"
    # Challenge and access-denied pages are short; on a long page (or one showing the cited
    # title) a wall phrase is the subject of an article, and a captcha is a comment form.
    if page.word_count > settings.bot_wall_max_words or shows_title:
        return None
    for part in title_parts(page.title):
        norm_part = normalize(part)
        for phrase in phrases.bot_wall_titles:
            if phrase and norm_part.startswith(phrase):
                return f"bot wall: title {page.title[:80]!r} ({page.word_count} words)"
    for marker in phrases.bot_wall_markers:
        if marker in page.raw_lower:
            return f"bot wall: short page ({page.word_count} words) with marker {marker!r}"
    return None


def _path_marker(final_url: str, markers: frozenset[str]) -> str | None:
    for segment in path_segments(urlsplit(final_url).path):
        bare = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", segment.lower())
        if segment.lower() in markers or bare in markers:
            return segment
    return None


def _notfound_phrase(page: PageView, phrases: NotFoundPhrases, settings: ClassifySettings) -> str | None:
    for label, value in [("title", page.title), *(("h1", h) for h in page.h1s)]:
        if not value:
            continue
        norm = normalize(value)
        for phrase in phrases.notfound:
            if phrase in norm:
                return f"{label} {value[:80]!r} contains {phrase!r}"
        for part in title_parts(value):
            if normalize(part).strip(" .!") in phrases.exact_titles:
                return f"{label} {value[:80]!r} is a not-found title"
        for part in title_parts(value):
            norm_part = normalize(part)
            if re.match(r"404(?!\d)", norm_part) and len(norm_part.split()) <= phrases.title_404_max_words:
                return f"{label} {value[:80]!r} starts with 404"
    if page.main_word_count <= settings.phrase_body_max_words:
        main = normalize(page.main_text)
        for phrase in phrases.notfound:
            if phrase in main:
                return f"short page ({page.main_word_count} words) says {phrase!r}"
    return None


def _probe_verdict(
    result: FetchResult, probe: FetchResult, page: PageView, settings: ClassifySettings
) -> tuple[str | None, str]:
    """(soft-404 evidence or None, note about the probe)."""
    if probe.error is not None:
        return None, f"probe failed ({probe.error})"
    if probe.status is None or not 200 <= probe.status < 300:
        return None, f"probe of a nonexistent URL got HTTP {probe.status}: the host reports real errors"
    final = result.final_url or result.url
    probe_final = probe.final_url or probe.url
    if not equivalent_urls(result.url, final) and equivalent_urls(final, probe_final):
        return f"the cited URL and a random nonexistent URL both end at {final}", ""
    probe_page = read_page(probe)
    if page.text or probe_page.text:
        similarity = text_similarity(page.text, probe_page.text, max_tokens=settings.similarity_max_tokens)
        if similarity >= settings.probe_similarity:
            return (
                f"page is {similarity:.0%} identical to the answer for a random nonexistent URL "
                f"in the same directory ({probe.url})"
            ), ""
        return None, f"probe answered 200 with different content ({similarity:.0%} similar)"
    return None, "probe answered 200"


def _is_spa_shell(page: PageView, phrases: NotFoundPhrases) -> bool:
    return any(marker in page.raw_lower for marker in phrases.spa_markers)


# --- classify_fetch --------------------------------------------------------------------------------

#: Fetch errors that mean the request never got an HTTP answer.
TRANSPORT_ERRORS = frozenset({"dns_error", "connect_error", "tls_error", "timeout"})
#: Outcomes that ``apply_local_outage`` rewrites when our network was down.
TRANSPORT_OUTCOMES = frozenset({"dns_error", "connect_error", "timeout"})
#: Evidence prefix of a ``blocked`` outcome caused by a TLS failure (see module docstring).
TLS_EVIDENCE_PREFIX = "tls: "

_ERROR_OUTCOMES = {
    "invalid_url": "invalid_url",
    "unsafe": "unsafe",
    "dns_error": "dns_error",
    "connect_error": "connect_error",
    "timeout": "timeout",
    "robots_denied": "robots_denied",
    "local_outage": "local_outage",
    "too_many_redirects": "server_error",
    "redirect_loop": "server_error",
}
#: Access refused: auth (401/407), payment (402), forbidden (403), legal (451), LinkedIn's 999.
BLOCKED_STATUSES = frozenset({401, 402, 403, 407, 451, 999})


def _describe_error(result: FetchResult) -> str:
    detail = f": {result.error_detail}" if result.error_detail else ""
    return f"{result.error}{detail}"


def _classify_error(result: FetchResult) -> CheckOutcome:
    error = result.error or ""
    if error == "tls_error":
        return CheckOutcome(
            "blocked",
            f"{TLS_EVIDENCE_PREFIX}{result.error_detail or 'TLS handshake or certificate failure'} "
            "(not counted as a strike: our trust store may be the cause)",
        )
    outcome = _ERROR_OUTCOMES.get(error)
    if outcome is None:
        return CheckOutcome("server_error", f"fetch failed without an HTTP status ({_describe_error(result)})")
    if error in ("too_many_redirects", "redirect_loop"):
        return CheckOutcome(outcome, f"{_describe_error(result)} after {len(result.hops)} hops (not counted as dead)")
    return CheckOutcome(outcome, _describe_error(result))


def _hop_note(result: FetchResult) -> str:
    redirects = max(0, len(result.hops) - 1)
    final = result.final_url or result.url
    if redirects:
        return f" at {final} after {redirects} redirect{'s' if redirects > 1 else ''}"
    return ""


def classify_fetch(
    result: FetchResult,
    *,
    probe: FetchResult | None = None,
    cited_url: str | None = None,
    cited_title: str | None = None,
    phrases: NotFoundPhrases | None = None,
    settings: ClassifySettings = DEFAULT_SETTINGS,
) -> CheckOutcome:
    """The SPEC §4 outcome of one fetch, with human-readable evidence (see module docstring).

    *probe* is the fetch of ``probe_url(url, token)`` when the caller made one; *cited_url*
    defaults to ``result.url``; *cited_title* (from the citation) protects a page that visibly
    carries the cited work from the soft-404 heuristics and helps recognise a moved work.
    The rules of :data:`CLASSIFY_RULES` are tried in order; the first that decides, decides.
    """
    seen = _Seen(result, probe, cited_url or result.url, cited_title, phrases or default_phrases(), settings)
    for _name, rule in CLASSIFY_RULES:
        outcome = rule(seen)
        if outcome is not None:
            return outcome
    raise AssertionError("the last rule always decides")


class _Seen:
    """One fetch as the rules see it; the page is parsed once, and only if a rule asks."""

    def __init__(self, result: FetchResult, probe: FetchResult | None, cited_url: str, cited_title: str | None,
                 phrases: NotFoundPhrases, settings: ClassifySettings):
        self.result, self.probe, self.cited_url, self.cited_title = result, probe, cited_url, cited_title
        self.phrases, self.settings = phrases, settings
        self.status = result.status
        self.final = result.final_url or result.url
        self.where = _hop_note(result)
        self.probe_note = ""

    @functools.cached_property
    def page(self) -> PageView:
        return read_page(self.result)

    @functools.cached_property
    def shows_title(self) -> bool:
        return _shows_cited_title(self.page, self.cited_title, self.settings.title_match)

    @functools.cached_property
    def redirected(self) -> bool:  # a material redirect, not http→https, www or a slash
        return not equivalent_urls(self.result.url, self.final)

    @functools.cached_property
    def same_work(self) -> tuple[bool, str]:
        if not self.redirected:
            return True, "no redirect"
        return is_same_work(self.cited_url, self.final, self.cited_title, self.page.title,
                            title_match=self.settings.title_match)

    def says(self, outcome: str, note: str = "", **extra: Any) -> CheckOutcome:
        return CheckOutcome(outcome, f"HTTP {self.status}{self.where}{note}", **extra)


Rule = Callable[[_Seen], "CheckOutcome | None"]


# Rules on the answer as a whole: no answer, or a status that says what happened.


def _not_modified(s: _Seen) -> CheckOutcome | None:
    return CheckOutcome("ok", "304 Not Modified: unchanged since the last fetch") if s.result.not_modified else None


def _no_http_answer(s: _Seen) -> CheckOutcome | None:
    if s.status is not None and (s.result.error is None or s.result.error in ("body_too_large", "decode_error")):
        return None
    if s.result.error is None:
        return CheckOutcome("server_error", "no HTTP status and no error recorded")
    return _classify_error(s.result)


def _status_says(s: _Seen) -> CheckOutcome | None:
    status = s.status or 0
    if status == 304:
        return s.says("ok")
    if status in (404, 410):
        return s.says("not_found")
    if status == 429:
        retry = s.result.headers.get("retry-after")
        return s.says("rate_limited", f", Retry-After {retry}" if retry else "")
    if status in BLOCKED_STATUSES:
        return s.says("blocked")
    if 300 <= status < 400:
        return s.says("server_error", " without a usable Location")
    if status < 500 and not 200 <= status < 300:
        return s.says("server_error", ": unexpected status (not counted as dead)")
    return None


def _server_error_or_wall(s: _Seen) -> CheckOutcome | None:
    if (s.status or 0) < 500:
        return None
    wall = _bot_wall(s.result, s.page, s.phrases, s.settings) if s.status in (503, 520, 521, 522, 523) else None
    return s.says("blocked", f"; {wall}") if wall else s.says("server_error")


# Rules on a 2xx page: is it the cited work, or an error, a wall or a front page in disguise?


def _not_inspected(s: _Seen) -> CheckOutcome | None:
    if s.result.error in ("body_too_large", "decode_error"):
        return s.says("ok", f"; content not inspected ({_describe_error(s.result)})")
    return None


def _bot_wall_page(s: _Seen) -> CheckOutcome | None:
    wall = _bot_wall(s.result, s.page, s.phrases, s.settings, shows_title=s.shows_title)
    return s.says("blocked", f"; {wall}") if wall else None


def _login_redirect(s: _Seen) -> CheckOutcome | None:
    if s.redirected and _path_marker(s.final, s.phrases.login_path_markers):
        return CheckOutcome("blocked", f"redirected to a login or paywall page{s.where}")
    return None


def _error_page_redirect(s: _Seen) -> CheckOutcome | None:
    marker = _path_marker(s.final, s.phrases.redirect_path_markers) if s.redirected else None
    return CheckOutcome("soft_404", f"redirected to an error page ({marker}){s.where}") if marker else None


def _front_page_redirect(s: _Seen) -> CheckOutcome | None:
    same_work, reason = s.same_work
    collapse = None if same_work else is_root_or_section(s.cited_url, s.final)
    return CheckOutcome("soft_404", f"redirected to {collapse}{s.where}; {reason}") if collapse else None


def _catch_all(s: _Seen) -> CheckOutcome | None:
    """The random-path probe: a nonexistent URL answered like the cited one."""
    if s.probe is None or s.shows_title or is_root_url(s.cited_url):
        return None
    evidence, s.probe_note = _probe_verdict(s.result, s.probe, s.page, s.settings)
    return s.says("soft_404", f"; {evidence}") if evidence else None


def _not_found_phrase(s: _Seen) -> CheckOutcome | None:
    phrase = _notfound_phrase(s.page, s.phrases, s.settings) if s.page.is_html and not s.shows_title else None
    return s.says("soft_404", f"; {phrase}") if phrase else None


def _empty_body(s: _Seen) -> CheckOutcome | None:
    r = s.result
    if not r.body and not r.text and r.method != "HEAD" and not r.truncated:
        return s.says("soft_404", " with an empty body")
    return None


def _thin_page(s: _Seen) -> CheckOutcome | None:
    page = s.page
    if page.is_html and not s.shows_title and not _is_spa_shell(page, s.phrases) and page.word_count < s.settings.thin_words:
        return s.says("soft_404", f"; thin page: {page.word_count} visible words")
    return None


def _answered(s: _Seen) -> CheckOutcome:
    """No rule objected: the page answers, here or (moved, or not confirmed) elsewhere."""
    page, result = s.page, s.result
    notes = [s.probe_note] if s.probe_note else []
    if page.is_html and _is_spa_shell(page, s.phrases) and page.word_count < s.settings.thin_words:
        notes.append("content rendered by JavaScript, not verified")
    if not page.is_html:
        notes.append(f"non-HTML content ({result.content_type or 'unknown type'})")
    suffix = ("; " + "; ".join(notes)) if notes else ""
    if not s.redirected:
        if not equivalent_urls(s.cited_url, s.final) and not is_same_work(s.cited_url, s.final)[0]:
            suffix += f"; note: fetched {result.url}, not the cited {s.cited_url}"
        if result.redirected or s.final != result.url:
            return s.says("redirected", f": equivalent URL (scheme, www or slash){suffix}")
        return s.says("ok", suffix)
    same_work, reason = s.same_work
    if same_work:
        return s.says("redirected", f": moved, {reason}{suffix}", moved_to=s.final)
    return s.says("redirected", f": a different page; same work not confirmed ({reason}){suffix}")


#: The classification, in order: (name, rule).  A rule returns an outcome to decide, or None to
#: pass; the last one always decides.  Adding a rule is one function and one row here.
CLASSIFY_RULES: tuple[tuple[str, Rule], ...] = (
    ("not modified since the last fetch", _not_modified),
    ("no HTTP answer (transport, TLS, redirects, policy)", _no_http_answer),
    ("a status that says what happened", _status_says),
    ("a server error, or a bot wall behind a 5xx", _server_error_or_wall),
    ("content not inspected (too large, undecodable)", _not_inspected),
    ("a bot wall", _bot_wall_page),
    ("redirected to a login or paywall page", _login_redirect),
    ("redirected to an error page", _error_page_redirect),
    ("redirected to the front page or a section", _front_page_redirect),
    ("a catch-all page (random-path probe)", _catch_all),
    ("a not-found phrase", _not_found_phrase),
    ("an empty body", _empty_body),
    ("a thin page", _thin_page),
    ("the page answers", _answered),
)


# --- our own network ------------------------------------------------------------------------------


def network_down(canary_results: Sequence[FetchResult]) -> bool:
    """True when there are canaries and every one failed at the transport level (no HTTP answer
    at all).  No canaries → False: without a control we cannot tell, so nothing is excused."""
    if not canary_results:
        return False
    return all(r.error in TRANSPORT_ERRORS for r in canary_results)


def apply_local_outage(outcome: CheckOutcome, network_down: bool) -> CheckOutcome:
    """Rewrite a transport failure (and a TLS-caused ``blocked``) to ``local_outage`` when our
    network was down; anything else, or any outcome when the network was up, is returned as is."""
    if not network_down:
        return outcome
    is_transport = outcome.outcome in TRANSPORT_OUTCOMES
    is_tls = outcome.outcome == "blocked" and outcome.evidence.startswith(TLS_EVIDENCE_PREFIX)
    if not (is_transport or is_tls):
        return outcome
    return replace(
        outcome,
        outcome="local_outage",
        evidence=f"our network was down (canaries failed); saw {outcome.outcome}: {outcome.evidence}",
    )


#: Outcomes that say nothing about the network (the URL was never requested).
_NOT_FETCHED = frozenset({"invalid_url", "unsafe", "robots_denied", "local_outage"})


def mass_failure(
    outcomes: Iterable[tuple[str, str | CheckOutcome]],
    min_hosts: int = 5,
    share: float = 0.8,
) -> bool:
    """Extra outage guard: True when at least *min_hosts* distinct hosts were tried and at least
    *share* of them failed at the transport level on every check this cycle (a broken resolver
    or egress filter while the canaries still pass).  *outcomes* are ``(host, outcome)`` pairs;
    a host with any HTTP answer is not failing; never-fetched outcomes are ignored."""
    per_host: dict[str, list[str]] = {}
    for host, outcome in outcomes:
        name = outcome.outcome if isinstance(outcome, CheckOutcome) else outcome
        if name in _NOT_FETCHED:
            continue
        per_host.setdefault((host or "").lower(), []).append(name)
    if len(per_host) < min_hosts:
        return False
    failing = sum(1 for names in per_host.values() if all(n in TRANSPORT_OUTCOMES for n in names))
    return failing / len(per_host) >= share


# --- moves recognised by content -------------------------------------------------------------------

PERMANENT_REDIRECTS = frozenset({301, 308})


def moved_by_content(outcome: CheckOutcome, result: FetchResult, *, same_title: bool, same_text: bool) -> CheckOutcome:
    """A permanent redirect to another URL whose page has the title and text we read before is
    the same work, moved — even when no id, slug or cited title says so (``is_same_work``)."""
    final = result.final_url or result.url
    if outcome.outcome != "redirected" or outcome.moved_to is not None or equivalent_urls(result.url, final):
        return outcome
    if not any(h.status in PERMANENT_REDIRECTS for h in result.hops) or not (same_title and same_text):
        return outcome
    return CheckOutcome("redirected", f"{outcome.evidence}; moved: {final} serves the same title and text "
                                      "as the page read before", moved_to=final)


def still_moved(outcome: CheckOutcome, result: FetchResult, previous_moved_to: str | None) -> CheckOutcome:
    """A 304 from the location the work already moved to: unchanged there, so still moved."""
    final = result.final_url or result.url
    if not result.not_modified or not previous_moved_to or not equivalent_urls(final, previous_moved_to):
        return outcome
    if equivalent_urls(result.url, final):
        return outcome  # we asked the new address directly: nothing redirected
    return CheckOutcome("redirected", f"304 Not Modified at {final}, where the work moved", moved_to=previous_moved_to)
