"""Is it the same work?  URLs compared up to trivia, and the site quirks that name a work.

A redirect can lead to the cited work at a new address (a moved story keeps its RFE/RL article
id, its WordPress post id, its title or its slug) or to something else (the front page, a
section, a different story).  Everything here is pure: URLs and titles in, answers out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rapidfuzz import fuzz

from kzwatch.health.pages import DEFAULT_SETTINGS
from kzwatch.textnorm import latin_key

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


def path_segments(path: str) -> list[str]:
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
    return (_host(url), tuple(path_segments(parts.path)), query)


def equivalent_urls(a: str, b: str) -> bool:
    """True when *a* and *b* differ only trivially (http/https, www, trailing slash...)."""
    return _comparable(a) == _comparable(b)


def _is_front(segments: list[str]) -> bool:
    return not segments or (len(segments) == 1 and bool(_LANG_SEGMENT_RE.match(segments[0])))


def is_root_url(url: str) -> bool:
    """True for a site's front page: ``/``, ``/index.html``, a lone language segment (``/ru/``)."""
    return _is_front(path_segments(urlsplit(url).path)) and not urlsplit(url).query


def is_root_or_section(requested: str, final: str) -> str | None:
    """Why *final* is the site root or a section front relative to *requested*, else None.

    A root is ``/`` (or a lone language segment such as ``/ru/``).  A section front is a proper
    prefix of the requested path (``/news/2021/slug`` → ``/news/``) or any single-segment page
    reached from a deeper one (``/a/slug/123.html`` → ``/news/``).  A requested URL that is
    itself a root cannot collapse.
    """
    req = path_segments(urlsplit(requested).path)
    fin = path_segments(urlsplit(final).path)
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

    The site quirks of :data:`IDENTITY_RULES` are tried in order: RFE/RL article ids
    (``/a/<slug>/30971975.html`` on any RFE/RL host → ``"rferl:30971975"``), WordPress post ids
    (``?p=123`` → ``"wp:<domain>:123"``), numeric id parameters (``doc_id``, ``news_id``,
    ``id``... → ``"<domain>:doc_id=..."``), and a leading numeric id in the last path segment
    (``/novosti/43334-slug.html``, ``/news/315435``; five digits or more, or four followed by a
    slug and not a year → ``"<domain>:43334"``).
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = _host(url)
    if not host:
        return None
    domain = _domain(host)
    query = dict(parse_qsl(parts.query))
    for _name, find in IDENTITY_RULES:
        key = find(domain, parts.path, query)
        if key:
            return key
    return None


def _rferl_article(domain: str, path: str, query: dict[str, str]) -> str | None:
    match = _PANGEA_PATH_RE.match(path) if domain in RFERL_DOMAINS else None
    return f"rferl:{match.group(1)}" if match else None


def _wordpress_post(domain: str, path: str, query: dict[str, str]) -> str | None:
    name = next((n for n in _WP_QUERY_PARAMS if query.get(n, "").isdigit()), None)
    return f"wp:{domain}:{query[name]}" if name else None


def _id_parameter(domain: str, path: str, query: dict[str, str]) -> str | None:
    name = next((n for n in _ID_QUERY_PARAMS if query.get(n, "").isdigit()), None)
    return f"{domain}:{name}={query[name]}" if name else None


def _leading_id(domain: str, path: str, query: dict[str, str]) -> str | None:
    segments = path_segments(path)
    match = _LEADING_ID_RE.match(segments[-1]) if segments else None
    if not match:
        return None
    digits = match.group(1)
    year_like = len(digits) == 4 and 1900 <= int(digits) <= 2099
    return f"{domain}:{digits}" if len(digits) >= 5 or (not year_like and len(segments[-1]) > len(digits)) else None


#: How a site names a work in its URLs, in order: (name, finder(domain, path, query) -> key).
#: A new site quirk is one finder and one row.
IDENTITY_RULES: tuple[tuple[str, Callable[[str, str, dict[str, str]], str | None]], ...] = (
    ("RFE/RL (Pangea CMS) article id", _rferl_article),
    ("WordPress post id", _wordpress_post),
    ("numeric id parameter", _id_parameter),
    ("leading numeric id in the last path segment", _leading_id),
)


_TITLE_SPLIT_RE = re.compile(r"\s[|–—:·»/-]\s|\s[|–—·»]|[|–—·»]\s")


def title_parts(title: str) -> list[str]:
    parts = [p.strip() for p in _TITLE_SPLIT_RE.split(title) if p and p.strip()]
    return [title.strip(), *parts] if len(parts) > 1 else [title.strip()]


def title_similarity(cited_title: str, page_title: str) -> float:
    """0..1: how alike a cited title and a page title are, script- and romanisation-blind.

    The page title is also compared part by part (site names are split off at ``|``, ``—``...).
    """
    cited = latin_key(cited_title).strip()
    if not cited:
        return 0.0
    return max((fuzz.ratio(cited, latin_key(part).strip()) / 100 for part in title_parts(page_title)), default=0.0)


def _slug(url: str) -> str | None:
    segments = path_segments(urlsplit(url).path)
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
