"""What one fetch of a cited URL saw: the SPEC §4 *outcome* of a check, with evidence.

``classify_fetch`` turns a ``model.FetchResult`` (from ``kzwatch.fetch``) into a
``model.CheckOutcome``.  It is pure — no network, no clock, no files beyond the packaged phrase
list — so every rule can be tested with hand-built results.  The verdict over several checks
(``dying``/``dead``...) is ``kzwatch.verdict``'s job, not this module's.

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

The outage helpers at the end rewrite transport failures to ``local_outage`` when our own
network was down (SPEC §4: such a check counts for nothing).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree
from lxml import html as lxml_html
from rapidfuzz import fuzz

from kzwatch.model import CheckOutcome, FetchResult
from kzwatch.textnorm import latin_key, normalize

__all__ = [
    "NotFoundPhrases",
    "ClassifySettings",
    "load_phrases",
    "default_phrases",
    "classify_fetch",
    "probe_url",
    "work_identity",
    "is_same_work",
    "equivalent_urls",
    "is_root_or_section",
    "is_root_url",
    "text_similarity",
    "network_down",
    "apply_local_outage",
    "mass_failure",
    "TRANSPORT_ERRORS",
    "TRANSPORT_OUTCOMES",
    "TLS_EVIDENCE_PREFIX",
]

# --- data: phrases and thresholds ---------------------------------------------------------------


@dataclass(frozen=True)
class NotFoundPhrases:
    """The phrase lists of ``data/notfound_phrases.toml``, normalised for matching."""

    notfound: tuple[str, ...]
    exact_titles: frozenset[str]
    title_404_max_words: int
    redirect_path_markers: frozenset[str]
    bot_wall_titles: tuple[str, ...]
    bot_wall_markers: tuple[str, ...]
    login_path_markers: frozenset[str]
    spa_markers: tuple[str, ...]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> NotFoundPhrases:
        """Build from parsed TOML.  Raises ValueError naming a missing or malformed key."""
        try:
            notfound = data["notfound"]
            phrases = [p for lang in ("ru", "kk", "en") for p in notfound.get(lang, [])]
            return cls(
                notfound=tuple(normalize(p) for p in phrases),
                exact_titles=frozenset(normalize(p).strip(" .!") for p in notfound["exact_titles"]),
                title_404_max_words=int(notfound.get("title_404_max_words", 8)),
                redirect_path_markers=frozenset(p.lower() for p in notfound["redirect_path_markers"]),
                bot_wall_titles=tuple(normalize(p) for p in data["bot_wall"]["titles"]),
                bot_wall_markers=tuple(p.lower() for p in data["bot_wall"]["markers"]),
                login_path_markers=frozenset(p.lower() for p in data["login"]["path_markers"]),
                spa_markers=tuple(p.lower() for p in data["spa"]["markers"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed not-found phrase data: {exc!r}") from exc

    @classmethod
    def from_toml(cls, text: str) -> NotFoundPhrases:
        return cls.from_mapping(tomllib.loads(text))


def load_phrases(path: str | None = None) -> NotFoundPhrases:
    """Read a phrase file (default: the packaged ``data/notfound_phrases.toml``)."""
    if path is None:
        text = resources.files("kzwatch.data").joinpath("notfound_phrases.toml").read_text("utf-8")
    else:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    return NotFoundPhrases.from_toml(text)


@functools.lru_cache(maxsize=1)
def default_phrases() -> NotFoundPhrases:
    """The packaged phrase list, read once."""
    return load_phrases()


@dataclass(frozen=True)
class ClassifySettings:
    """Thresholds of the soft-404 and bot-wall rules (documented defaults).

    * ``probe_similarity`` — token similarity (0..1) between the page and the random-path probe
      at or above which they are "the same page"; 0.95 as in ``benhoyt/soft404``.
    * ``thin_words`` — a page with fewer visible words than this is "thin" (soft-404) unless it
      is a JavaScript shell or shows the cited title.
    * ``phrase_body_max_words`` — "not found" phrases count in the main text only on pages
      with at most this many words (long articles may quote such phrases).
    * ``bot_wall_max_words`` — bot-wall titles and markers (captcha widgets, challenge scripts)
      count only on pages this short that do not show the cited title: challenge pages carry a
      few dozen words, while an article may be *about* a "security check" or embed a captcha
      in its comment form.  The ``cf-mitigated: challenge`` header counts on any page.
    * ``title_match`` — similarity (0..1) of cited and page titles that proves the same work.
    * ``similarity_max_tokens`` — texts are compared on at most this many leading tokens.
    """

    probe_similarity: float = 0.95
    thin_words: int = 20
    phrase_body_max_words: int = 400
    bot_wall_max_words: int = 300
    title_match: float = 0.85
    similarity_max_tokens: int = 4000


DEFAULT_SETTINGS = ClassifySettings()

# --- URLs ----------------------------------------------------------------------------------------

_INDEX_RE = re.compile(r"^(index|default|home)\.(html?|php|aspx?|jsp)$", re.IGNORECASE)
#: A lone language segment is a site front page: /ru/, /rus/, /kaz/, /kk/, /en/, /eng/.
_LANG_SEGMENT_RE = re.compile(r"^(ru|rus|kz|kaz|kk|qaz|en|eng|de)$", re.IGNORECASE)
_TRACKING_PARAM_RE = re.compile(r"^(utm_\w+|fbclid|gclid|yclid|_ga|ref)$", re.IGNORECASE)
_SECOND_LEVEL = {"com", "org", "net", "gov", "edu", "co", "ac", "mil", "nic", "or", "ne"}


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _domain(host: str) -> str:
    """A rough registrable domain: ``online.zakon.kz`` → ``zakon.kz``, ``election.gov.kz`` kept."""
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _segments(path: str) -> list[str]:
    """Non-empty path segments with a trailing index file dropped (``/a/index.html`` → ``[a]``)."""
    parts = [p for p in path.split("/") if p]
    if parts and _INDEX_RE.match(parts[-1]):
        parts.pop()
    return parts


def _comparable(url: str) -> tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]:
    """URL key ignoring scheme, ``www.``, default port, trailing slash, index file, fragment,
    tracking parameters and query order."""
    parts = urlsplit(url.strip())
    query = tuple(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAM_RE.match(k))
    )
    return (_host(url), tuple(_segments(parts.path)), query)


def equivalent_urls(a: str, b: str) -> bool:
    """True when *a* and *b* differ only trivially (http/https, www, trailing slash...)."""
    return _comparable(a) == _comparable(b)


def _is_front(segments: list[str]) -> bool:
    return not segments or (len(segments) == 1 and bool(_LANG_SEGMENT_RE.match(segments[0])))


def is_root_url(url: str) -> bool:
    """True for a site's front page: ``/``, ``/index.html``, a lone language segment (``/ru/``)."""
    return _is_front(_segments(urlsplit(url).path)) and not urlsplit(url).query


def is_root_or_section(requested: str, final: str) -> str | None:
    """Why *final* is the site root or a section front relative to *requested*, else None.

    A root is ``/`` (or a lone language segment such as ``/ru/``).  A section front is a proper
    prefix of the requested path (``/news/2021/slug`` → ``/news/``) or any single-segment page
    reached from a deeper one (``/a/slug/123.html`` → ``/news/``).  A requested URL that is
    itself a root cannot collapse.
    """
    req = _segments(urlsplit(requested).path)
    fin = _segments(urlsplit(final).path)
    if _is_front(req):
        return None
    if _is_front(fin):
        if urlsplit(final).query and not urlsplit(requested).query:
            return None  # "/?p=123" is an address of one post, not the front page
        return "the site's front page"
    if len(fin) < len(req) and req[: len(fin)] == fin:
        return f"a section front (/{'/'.join(fin)}/)"
    if len(fin) == 1 and len(req) >= 2:
        return f"a shallow page (/{fin[0]}) reached from a deeper path"
    return None


def probe_url(url: str, token: str) -> str:
    """A URL in the same directory as *url* that should not exist: its last path segment is
    replaced by *token* (keeping a trailing slash or file extension, so the same handler is
    exercised).  When the last segment is empty and the identity is in the query
    (``/document/?doc_id=1004029``, ``/?p=123``), the query values are replaced by *token*.

    >>> probe_url("https://rus.azattyq.org/a/some-slug/30971975.html", "qzxv")
    'https://rus.azattyq.org/a/some-slug/qzxv.html'
    """
    if not token or not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        raise ValueError(f"probe token must be a non-empty [A-Za-z0-9_-] string, got {token!r}")
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    if path.endswith("/") and parts.query:
        query = urlencode([(k, token) for k, _ in parse_qsl(parts.query, keep_blank_values=True)])
        return urlunsplit((parts.scheme, parts.netloc, path, query, ""))
    trailing = path.endswith("/") and path != "/"
    segments = [s for s in path.split("/") if s]
    last = segments.pop() if segments else ""
    ext_match = re.search(r"\.[A-Za-z0-9]{1,5}$", last)
    new_last = token + (ext_match.group(0) if ext_match else "")
    new_path = "/" + "/".join([*segments, new_last]) + ("/" if trailing else "")
    return urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))


# --- moved: is it the same work? ----------------------------------------------------------------

#: Hosts of RFE/RL's Pangea CMS, whose article ids are shared across services and mirrors.
RFERL_DOMAINS = frozenset(
    {
        "azattyq.org", "rferl.org", "azattyk.org", "svoboda.org", "radiosvoboda.org",
        "svaboda.org", "currenttime.tv", "ozodi.org", "ozodlik.org", "azathabar.com",
        "azatutyun.am", "radiofarda.com", "rferl.mobi", "azadliq.org", "idelreal.org",
    }
)  # fmt: skip
_PANGEA_PATH_RE = re.compile(r"^/(?:[a-z]{2}/)?a/(?:[^/]+/)?(\d{5,})\.html$", re.IGNORECASE)
_ID_QUERY_PARAMS = ("doc_id", "news_id", "article_id", "nid", "id")
_WP_QUERY_PARAMS = ("p", "page_id")
_LEADING_ID_RE = re.compile(r"^(\d{4,})(?=$|[-_.])")


def work_identity(url: str) -> str | None:
    """A key naming the work behind *url* independently of slug and mirror host, or None.

    * RFE/RL (Pangea CMS): ``/a/<slug>/30971975.html`` and ``/a/30971975.html`` on any RFE/RL
      host → ``"rferl:30971975"``;
    * WordPress ``?p=123`` / ``?page_id=123`` → ``"wp:<domain>:123"``;
    * a numeric id query parameter (``doc_id``, ``news_id``, ``id``...) → ``"<domain>:doc_id=..."``;
    * a leading numeric id in the last path segment (``/novosti/43334-slug.html``,
      ``/news/315435``; five digits or more, or four followed by a slug and not a year) →
      ``"<domain>:43334"``.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = _host(url)
    if not host:
        return None
    domain = _domain(host)
    if domain in RFERL_DOMAINS:
        match = _PANGEA_PATH_RE.match(parts.path)
        if match:
            return f"rferl:{match.group(1)}"
    query = dict(parse_qsl(parts.query))
    for name in _WP_QUERY_PARAMS:
        if query.get(name, "").isdigit():
            return f"wp:{domain}:{query[name]}"
    for name in _ID_QUERY_PARAMS:
        if query.get(name, "").isdigit():
            return f"{domain}:{name}={query[name]}"
    segments = _segments(parts.path)
    if segments:
        match = _LEADING_ID_RE.match(segments[-1])
        if match:
            digits = match.group(1)
            year_like = len(digits) == 4 and 1900 <= int(digits) <= 2099
            if len(digits) >= 5 or (not year_like and len(segments[-1]) > len(digits)):
                return f"{domain}:{digits}"
    return None


_TITLE_SPLIT_RE = re.compile(r"\s[|–—:·»/-]\s|\s[|–—·»]|[|–—·»]\s")


def _title_parts(title: str) -> list[str]:
    parts = [p.strip() for p in _TITLE_SPLIT_RE.split(title) if p and p.strip()]
    return [title.strip(), *parts] if len(parts) > 1 else [title.strip()]


def title_similarity(cited_title: str, page_title: str) -> float:
    """0..1: how alike a cited title and a page title are, script- and romanisation-blind.

    The page title is also compared part by part (site names are split off at ``|``, ``—``...).
    """
    cited = latin_key(cited_title).strip()
    if not cited:
        return 0.0
    return max((fuzz.ratio(cited, latin_key(part).strip()) / 100 for part in _title_parts(page_title)), default=0.0)


def _slug(url: str) -> str | None:
    segments = _segments(urlsplit(url).path)
    if not segments:
        return None
    slug = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", segments[-1]).lower()
    # Only a descriptive slug identifies a work: "kazakhstan-party-to-boycott" yes, "news" no.
    return slug if len(slug) >= 12 and re.search(r"[-_]", slug) else None


def is_same_work(
    cited_url: str,
    final_url: str,
    cited_title: str | None = None,
    page_title: str | None = None,
    *,
    title_match: float = DEFAULT_SETTINGS.title_match,
) -> tuple[bool, str]:
    """Whether *final_url* (with *page_title*) is the work cited as *cited_url*/*cited_title*,
    and why.  Evidence, strongest first: equivalent URL, shared work id, matching title,
    identical descriptive slug."""
    if equivalent_urls(cited_url, final_url):
        return True, "same URL up to http/https, www, trailing slash or tracking parameters"
    cited_id, final_id = work_identity(cited_url), work_identity(final_url)
    if cited_id and final_id:
        if cited_id == final_id:
            return True, f"same article id ({cited_id})"
        return False, f"different article ids ({cited_id} vs {final_id})"
    if cited_title and page_title:
        similarity = title_similarity(cited_title, page_title)
        if similarity >= title_match:
            return True, f"page title matches the cited title ({similarity:.0%})"
    cited_slug = _slug(cited_url)
    if cited_slug and cited_slug == _slug(final_url):
        return True, f"same slug ({cited_slug})"
    return False, "no shared article id, title or slug"


# --- reading a fetched page ----------------------------------------------------------------------

_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_STRIP_TAGS = ("script", "style", "noscript", "template", "svg")
_CHROME_TAGS = ("nav", "header", "footer", "aside")


@dataclass(frozen=True)
class PageView:
    """The parts of a page the rules look at (all plain text, not normalised)."""

    is_html: bool
    title: str = ""
    h1s: tuple[str, ...] = ()
    text: str = ""  # all visible text
    main_text: str = ""  # visible text without navigation/header/footer/aside
    raw_lower: str = ""  # the raw markup, lower-cased, for marker search

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    @property
    def main_word_count(self) -> int:
        return len(self.main_text.split())


def _looks_html(result: FetchResult) -> bool:
    content_type = (result.content_type or result.headers.get("content-type") or "").lower()
    if "html" in content_type:
        return True
    if content_type:
        return False
    head = (result.text or "")[:2000].lower()
    return "<html" in head or "<body" in head or "<!doctype html" in head


def _squash(text: str) -> str:
    return " ".join(text.split())


# huge_tree lifts libxml2's nesting limit of 256 (to 2048): past it the parser silently drops
# the rest of the page, and a real page nested 300 deep would then look empty (a soft-404).
_HTML_PARSER = lxml_html.HTMLParser(huge_tree=True)


def read_page(result: FetchResult) -> PageView:
    """Parse *result*'s text into a ``PageView``; never raises on bad markup."""
    text = result.text or ""
    if not _looks_html(result):
        return PageView(is_html=False, text=_squash(text), main_text=_squash(text), raw_lower=text[:200_000].lower())
    raw_lower = text[:200_000].lower()
    try:
        doc = lxml_html.document_fromstring(_XML_DECL_RE.sub("", text, count=1) or "<html></html>", parser=_HTML_PARSER)
    except (etree.ParserError, ValueError):
        return PageView(is_html=True, raw_lower=raw_lower)
    etree.strip_elements(doc, *_STRIP_TAGS, with_tail=False)
    etree.strip_elements(doc, etree.Comment, with_tail=False)
    title = _squash(doc.findtext(".//title") or "")
    h1s = tuple(_squash(h.text_content()) for h in doc.iter("h1"))[:5]
    body = doc.find("body")
    root = body if body is not None else doc
    all_text = _squash(" ".join(root.itertext()))
    etree.strip_elements(root, *_CHROME_TAGS, with_tail=False)
    main_text = _squash(" ".join(root.itertext()))
    return PageView(is_html=True, title=title, h1s=h1s, text=all_text, main_text=main_text, raw_lower=raw_lower)


def text_similarity(a: str, b: str, *, max_tokens: int = DEFAULT_SETTINGS.similarity_max_tokens) -> float:
    """0..1 similarity of two texts as sequences of normalised whitespace tokens (the
    ``SequenceMatcher``-on-tokens measure of ``benhoyt/soft404``, computed with rapidfuzz)."""
    tokens_a = normalize(a).split()[:max_tokens]
    tokens_b = normalize(b).split()[:max_tokens]
    if not tokens_a and not tokens_b:
        return 1.0
    return fuzz.ratio(tokens_a, tokens_b) / 100


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
    for part in _title_parts(page.title):
        norm_part = normalize(part)
        for phrase in phrases.bot_wall_titles:
            if phrase and norm_part.startswith(phrase):
                return f"bot wall: title {page.title[:80]!r} ({page.word_count} words)"
    for marker in phrases.bot_wall_markers:
        if marker in page.raw_lower:
            return f"bot wall: short page ({page.word_count} words) with marker {marker!r}"
    return None


def _path_marker(final_url: str, markers: frozenset[str]) -> str | None:
    for segment in _segments(urlsplit(final_url).path):
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
        for part in _title_parts(value):
            if normalize(part).strip(" .!") in phrases.exact_titles:
                return f"{label} {value[:80]!r} is a not-found title"
        for part in _title_parts(value):
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
    """
    phrases = phrases or default_phrases()
    cited_url = cited_url or result.url
    if result.not_modified:
        return CheckOutcome("ok", "304 Not Modified: unchanged since the last fetch")
    status = result.status
    if status is None or (result.error is not None and result.error not in ("body_too_large", "decode_error")):
        if result.error is None:
            return CheckOutcome("server_error", "no HTTP status and no error recorded")
        return _classify_error(result)
    where = _hop_note(result)
    if status == 304:
        return CheckOutcome("ok", f"HTTP 304{where}")
    if status in (404, 410):
        return CheckOutcome("not_found", f"HTTP {status}{where}")
    if status == 429:
        retry = result.headers.get("retry-after")
        return CheckOutcome("rate_limited", f"HTTP 429{where}" + (f", Retry-After {retry}" if retry else ""))
    if status in BLOCKED_STATUSES:
        return CheckOutcome("blocked", f"HTTP {status}{where}")
    if status >= 500:
        wall = _bot_wall(result, read_page(result), phrases, settings) if status in (503, 520, 521, 522, 523) else None
        if wall:
            return CheckOutcome("blocked", f"HTTP {status}{where}; {wall}")
        return CheckOutcome("server_error", f"HTTP {status}{where}")
    if 300 <= status < 400:
        return CheckOutcome("server_error", f"HTTP {status}{where} without a usable Location")
    if not 200 <= status < 300:
        return CheckOutcome("server_error", f"HTTP {status}{where}: unexpected status (not counted as dead)")
    return _classify_success(result, probe, cited_url, cited_title, phrases, settings)


def _classify_success(
    result: FetchResult,
    probe: FetchResult | None,
    cited_url: str,
    cited_title: str | None,
    phrases: NotFoundPhrases,
    settings: ClassifySettings,
) -> CheckOutcome:
    status = result.status
    final = result.final_url or result.url
    where = _hop_note(result)
    page = read_page(result)
    if result.error in ("body_too_large", "decode_error"):
        return CheckOutcome("ok", f"HTTP {status}{where}; content not inspected ({_describe_error(result)})")

    shows_title = _shows_cited_title(page, cited_title, settings.title_match)
    wall = _bot_wall(result, page, phrases, settings, shows_title=shows_title)
    if wall:
        return CheckOutcome("blocked", f"HTTP {status}{where}; {wall}")

    any_redirect = result.redirected or final != result.url
    redirected = not equivalent_urls(result.url, final)  # a material redirect, not http→https
    same_work, same_reason = (True, "no redirect")
    if redirected:
        if _path_marker(final, phrases.login_path_markers):
            return CheckOutcome("blocked", f"redirected to a login or paywall page{where}")
        marker = _path_marker(final, phrases.redirect_path_markers)
        if marker:
            return CheckOutcome("soft_404", f"redirected to an error page ({marker}){where}")
        same_work, same_reason = is_same_work(cited_url, final, cited_title, page.title, title_match=settings.title_match)
        collapse = None if same_work else is_root_or_section(cited_url, final)
        if collapse:
            return CheckOutcome("soft_404", f"redirected to {collapse}{where}; {same_reason}")

    probe_note = ""
    if probe is not None and not shows_title and not is_root_url(cited_url):
        evidence, probe_note = _probe_verdict(result, probe, page, settings)
        if evidence:
            return CheckOutcome("soft_404", f"HTTP {status}{where}; {evidence}")
    if page.is_html and not shows_title:
        phrase = _notfound_phrase(page, phrases, settings)
        if phrase:
            return CheckOutcome("soft_404", f"HTTP {status}{where}; {phrase}")
    if not result.body and not result.text and result.method != "HEAD" and not result.truncated:
        return CheckOutcome("soft_404", f"HTTP {status}{where} with an empty body")
    spa = page.is_html and _is_spa_shell(page, phrases)
    if page.is_html and not shows_title and not spa and page.word_count < settings.thin_words:
        return CheckOutcome("soft_404", f"HTTP {status}{where}; thin page: {page.word_count} visible words")

    notes = [n for n in (probe_note, "content rendered by JavaScript, not verified" if spa and page.word_count < settings.thin_words else "") if n]
    if not page.is_html:
        notes.append(f"non-HTML content ({result.content_type or 'unknown type'})")
    suffix = ("; " + "; ".join(notes)) if notes else ""
    if not redirected:
        if not equivalent_urls(cited_url, final) and not is_same_work(cited_url, final)[0]:
            suffix += f"; note: fetched {result.url}, not the cited {cited_url}"
        if any_redirect:
            return CheckOutcome("redirected", f"HTTP {status}{where}: equivalent URL (scheme, www or slash){suffix}")
        return CheckOutcome("ok", f"HTTP {status}{where}{suffix}")
    if same_work:
        return CheckOutcome("redirected", f"HTTP {status}{where}: moved, {same_reason}{suffix}", moved_to=final)
    return CheckOutcome(
        "redirected",
        f"HTTP {status}{where}: a different page; same work not confirmed ({same_reason}){suffix}",
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
