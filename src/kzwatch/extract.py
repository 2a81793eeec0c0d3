"""Main text and metadata of one fetched HTML page.

Drift detection, citation verification and claim support all compare *the article*, not the page
around it: navigation, "most read" sidebars, related-link lists and comments change every day
and would drown any real change.  ``extract_page`` therefore strips that boilerplate with
trafilatura (falling back to a plain BeautifulSoup text dump when trafilatura finds nothing) and
reads the metadata a citation check needs: title, publication/modification dates, language,
canonical URL, author, and any correction/update notices the outlet printed.

Pure: takes the HTML as a string and never fetches anything (trafilatura is given the markup,
never a URL to download).  It never raises on bad markup; the worst case is an empty PageInfo.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime

from bs4 import BeautifulSoup

from kzwatch import textnorm

__all__ = ["PageInfo", "extract_page", "find_notices", "NOTICE_MARKERS"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageInfo:
    """What kzwatch needs to know about one page."""

    title: str | None
    text: str  # main text, boilerplate stripped, paragraphs separated by "\n"
    published: str | None = None  # ISO 8601 (date or date-time) as the page states it
    modified: str | None = None
    lang: str | None = None  # "ru", "kk", "en", ... (primary subtag, lower case)
    canonical_url: str | None = None
    notices: tuple[str, ...] = ()  # correction / update notices, as printed
    author: str | None = None


#: Words with which outlets open a correction or update notice (Russian, Kazakh, English).
#: A notice is a line that *starts* with one of them, so ordinary prose ("the law was
#: updated...") is not mistaken for one.
NOTICE_MARKERS: tuple[str, ...] = (
    "исправление",
    "исправлено",
    "поправка",
    "обновлено",
    "обновление",
    "примечание редакции",
    "от редакции",
    "түзету",
    "түзетілді",
    "жаңартылды",
    "жаңартылған",
    "редакциядан",
    "correction",
    "corrected",
    "clarification",
    "updated",
    "update",
    "editor's note",
    "editor’s note",
)
_NOTICE_RE = re.compile(
    r"^\s*[\(\[*_]*\s*(?:" + "|".join(re.escape(m) for m in NOTICE_MARKERS) + r")\b\s*(?:[:.\-—–]|\d|$)",
    re.IGNORECASE,
)
_MAX_NOTICE_CHARS = 300

# Characters lxml refuses (NUL and C0 controls other than tab/newline/CR).
_CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ISO_DATE_PREFIX_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_BOILERPLATE_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template")


def extract_page(html: str | bytes, url: str | None = None) -> PageInfo:
    """Extract the main text and metadata of *html* (see module docstring).

    *url* is only used as a hint (trafilatura resolves nothing over the network with it) and
    as the canonical URL when the page names none.
    """
    html = _as_text(html)
    if not html.strip():
        return PageInfo(title=None, text="", canonical_url=url)
    soup = _soup(html)
    traf = _trafilatura(html, url)

    text = (traf.get("text") or "").strip() if traf else ""
    if not text and soup is not None:
        text = _fallback_text(soup)
    meta = _html_metadata(soup) if soup is not None else {}

    title = meta.get("title") or (traf.get("title") if traf else None)
    # Dates only from explicit markup: trafilatura/htmldate would guess one from the text or a
    # stray year ("2020" → 2020-01-01), and a guessed date must never count as evidence.
    published = meta.get("published")
    lang = meta.get("lang") or textnorm.detect_lang(text[:5000])
    author = meta.get("author") or (traf.get("author") if traf else None)
    canonical = meta.get("canonical") or url
    notices = find_notices(_all_lines(soup) if soup is not None else text.splitlines())
    return PageInfo(
        title=_clean(title),
        text=text,
        published=published,
        modified=meta.get("modified"),
        lang=lang,
        canonical_url=canonical,
        notices=notices,
        author=_clean(author),
    )


def find_notices(lines: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Lines that open with a correction/update marker, whitespace-collapsed, deduplicated."""
    found: list[str] = []
    seen: set[str] = set()
    for line in lines:
        line = " ".join(line.split())
        if not line or not _NOTICE_RE.match(line):
            continue
        line = line[:_MAX_NOTICE_CHARS]
        key = textnorm.normalize(line)
        if key not in seen:
            seen.add(key)
            found.append(line)
    return tuple(found)


# --- parsing helpers ---------------------------------------------------------------------------


def _as_text(html: str | bytes | None) -> str:
    if html is None:
        return ""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    return _CONTROL_CHARS_RE.sub("", str(html))


def _soup(html: str) -> BeautifulSoup | None:
    try:
        return BeautifulSoup(html, "lxml")
    except Exception:  # noqa: BLE001 - any parser failure means "no DOM", never a crash
        log.debug("lxml could not parse the page; trying html.parser", exc_info=True)
    try:
        return BeautifulSoup(html, "html.parser")
    except Exception:  # noqa: BLE001
        return None


def _trafilatura(html: str, url: str | None) -> dict | None:
    """trafilatura's main text and metadata, or None when it finds nothing or fails."""
    try:
        import trafilatura  # imported lazily: heavy, and only this function needs it

        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,  # reader comments are not the cited work
            include_tables=True,
            favor_precision=True,  # boilerplate in the text would look like drift
            as_dict=True,
        )
    except Exception:  # noqa: BLE001 - trafilatura on hostile markup: fall back, don't crash
        log.debug("trafilatura failed", exc_info=True)
        return None
    if doc is None:
        return None
    return doc if isinstance(doc, dict) else getattr(doc, "__dict__", None)


def _fallback_text(soup: BeautifulSoup) -> str:
    """Visible text of <article>/<main>/<body> minus obvious boilerplate elements."""
    try:
        for tag in soup.find_all(_BOILERPLATE_TAGS):
            tag.decompose()
        root = soup.find("article") or soup.find("main") or soup.body or soup
        lines = [" ".join(line.split()) for line in root.get_text("\n").splitlines()]
        return "\n".join(line for line in lines if line)
    except Exception:  # noqa: BLE001
        return ""


def _all_lines(soup: BeautifulSoup) -> list[str]:
    """Visible text lines of the whole page: notices often sit outside the main text."""
    try:
        body = soup.body or soup
        texts = body.find_all(string=True)
        return [
            str(t)
            for t in texts
            if t.parent is not None and t.parent.name not in ("script", "style", "noscript", "template")
        ]
    except Exception:  # noqa: BLE001
        return []


def _meta_content(soup: BeautifulSoup, **attrs: str) -> str | None:
    tag = soup.find("meta", attrs=attrs)
    if tag is None:
        return None
    value = tag.get("content")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _html_metadata(soup: BeautifulSoup) -> dict[str, str | None]:
    try:
        return _html_metadata_unsafe(soup)
    except Exception:  # noqa: BLE001 - metadata is best effort
        log.debug("metadata extraction failed", exc_info=True)
        return {}


def _html_metadata_unsafe(soup: BeautifulSoup) -> dict[str, str | None]:
    ld = _json_ld(soup)
    title = _meta_content(soup, property="og:title")
    if not title and soup.title and soup.title.string:
        title = soup.title.string
    if not title:
        h1 = soup.find("h1")
        title = h1.get_text(" ", strip=True) if h1 else None

    published = _first_iso(
        _meta_content(soup, property="article:published_time"),
        _itemprop(soup, "datePublished"),
        ld.get("datePublished"),
        _first_time_datetime(soup),
    )
    modified = _first_iso(
        _meta_content(soup, property="article:modified_time"),
        _meta_content(soup, property="og:updated_time"),
        _itemprop(soup, "dateModified"),
        ld.get("dateModified"),
    )

    canonical = None
    for link in soup.find_all("link", href=True):
        rel = link.get("rel") or []
        rel = rel if isinstance(rel, list) else str(rel).split()
        if "canonical" in [r.lower() for r in rel]:
            canonical = str(link["href"]).strip() or None
            break
    canonical = canonical or _meta_content(soup, property="og:url")

    lang = None
    if soup.html is not None and soup.html.get("lang"):
        lang = str(soup.html.get("lang"))
    lang = lang or _meta_content(soup, property="og:locale")
    if lang:
        lang = re.split(r"[-_]", lang.strip().lower())[0] or None

    author = _meta_content(soup, name="author") or _itemprop(soup, "author") or ld.get("author")
    return {
        "title": title,
        "published": published,
        "modified": modified,
        "canonical": canonical,
        "lang": lang,
        "author": author,
    }


def _itemprop(soup: BeautifulSoup, prop: str) -> str | None:
    tag = soup.find(attrs={"itemprop": prop})
    if tag is None:
        return None
    for attr in ("content", "datetime"):
        value = tag.get(attr)
        if isinstance(value, str) and value.strip():
            return value.strip()
    text = tag.get_text(" ", strip=True)
    return text or None


def _first_time_datetime(soup: BeautifulSoup) -> str | None:
    tag = soup.find("time", attrs={"datetime": True})
    return str(tag["datetime"]).strip() if tag is not None else None


def _json_ld(soup: BeautifulSoup) -> dict[str, str]:
    """datePublished/dateModified/author of the first Article-like JSON-LD object."""
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(script.string or "")
        except (ValueError, TypeError):
            continue
        for obj in _walk_ld(data):
            if not any(k in obj for k in ("datePublished", "dateModified")):
                continue
            author = obj.get("author")
            if isinstance(author, list):
                author = author[0] if author else None
            if isinstance(author, dict):
                author = author.get("name")
            return {
                "datePublished": obj.get("datePublished") if isinstance(obj.get("datePublished"), str) else None,
                "dateModified": obj.get("dateModified") if isinstance(obj.get("dateModified"), str) else None,
                "author": author if isinstance(author, str) else None,
            }
    return {}


def _walk_ld(data: object, depth: int = 0):
    if depth > 5:
        return
    if isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _walk_ld(value, depth + 1)
    elif isinstance(data, list):
        for item in data:
            yield from _walk_ld(item, depth + 1)


def _first_iso(*candidates: str | None) -> str | None:
    for candidate in candidates:
        iso = _iso_or_none(candidate)
        if iso:
            return iso
    return None


def _iso_or_none(value: object) -> str | None:
    """*value* as an ISO 8601 string when it is one (date-time kept, else the date part)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) == 10:  # a bare date stays a date, not midnight of it
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    match = _ISO_DATE_PREFIX_RE.match(value)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return None
    return None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None
