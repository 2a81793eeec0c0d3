"""Main text and metadata of one fetched HTML page.

Drift detection, citation verification and claim support all compare *the article*, not the page
around it: navigation, "most read" sidebars, related-link lists and comments change every day
and would drown any real change.  ``extract_page`` therefore strips that boilerplate with
trafilatura (falling back to a plain lxml text dump when trafilatura finds nothing) and
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

import lxml.html
from lxml.html import HtmlElement

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


@dataclass(frozen=True)
class ExtractSettings:
    # trafilatura runs in its fast mode (no readability/jusText comparison: most of its cost);
    # a page whose fast main text is shorter than this is extracted again with the comparison.
    full_extraction_below_chars: int = 400


def extract_page(html: str | bytes, url: str | None = None, settings: ExtractSettings = ExtractSettings()) -> PageInfo:
    """Extract the main text and metadata of *html* (see module docstring).

    *url* is only used as a hint (trafilatura resolves nothing over the network with it) and
    as the canonical URL when the page names none.
    """
    html = _as_text(html)
    if not html.strip():
        return PageInfo(title=None, text="", canonical_url=url)
    tree = _tree(html)
    traf = _trafilatura(html, url, fast=True)
    text = (traf.get("text") or "").strip() if traf else ""
    if len(text) < settings.full_extraction_below_chars:
        full = _trafilatura(html, url, fast=False)
        full_text = (full.get("text") or "").strip() if full else ""
        if len(full_text) > len(text):
            traf, text = full, full_text
    meta = _html_metadata(tree) if tree is not None else {}
    lines = _all_lines(tree) if tree is not None else []
    if not text and tree is not None:
        text = _fallback_text(tree)

    title = meta.get("title") or (traf.get("title") if traf else None)
    # Dates only from explicit markup: trafilatura/htmldate would guess one from the text or a
    # stray year ("2020" → 2020-01-01), and a guessed date must never count as evidence.
    published = meta.get("published")
    lang = meta.get("lang") or textnorm.detect_lang(text[:5000])
    author = meta.get("author") or (traf.get("author") if traf else None)
    canonical = meta.get("canonical") or url
    notices = find_notices(lines if tree is not None else text.splitlines())
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
# One lxml parse serves metadata, notices and the fallback text (BeautifulSoup cost ~10 ms a
# 30 KB page here; lxml's own tree well under one).


def _as_text(html: str | bytes | None) -> str:
    if html is None:
        return ""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    return _CONTROL_CHARS_RE.sub("", str(html))


_PARSER = lxml.html.HTMLParser(encoding="utf-8")


def _tree(html: str) -> HtmlElement | None:
    try:
        # bytes: lxml refuses a str that carries its own XML encoding declaration
        return lxml.html.document_fromstring(html.encode("utf-8", errors="replace"), parser=_PARSER)
    except Exception:  # noqa: BLE001 - any parser failure means "no DOM", never a crash
        log.debug("lxml could not parse the page", exc_info=True)
        return None


def _trafilatura(html: str, url: str | None, *, fast: bool) -> dict | None:
    """trafilatura's main text (and title/author), or None when it finds nothing or fails."""
    try:
        import trafilatura  # imported lazily: heavy, and only this function needs it

        doc = trafilatura.bare_extraction(
            html,
            url=url,
            fast=fast,
            with_metadata=not fast,  # our own metadata comes from the markup (_html_metadata)
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


def _text_of(el: HtmlElement) -> str:
    """Like BeautifulSoup's ``get_text(" ", strip=True)``."""
    return " ".join(s.strip() for s in el.itertext() if s.strip())


def _fallback_text(tree: HtmlElement) -> str:
    """Visible text of <article>/<main>/<body> minus obvious boilerplate elements."""
    try:
        for el in tree.xpath("|".join(f"//{t}" for t in _BOILERPLATE_TAGS)):
            el.drop_tree()
        found = tree.xpath("//article") or tree.xpath("//main") or tree.xpath("//body") or [tree]
        lines = [" ".join(line.split()) for line in "\n".join(found[0].itertext()).splitlines()]
        return "\n".join(line for line in lines if line)
    except Exception:  # noqa: BLE001
        return ""


def _all_lines(tree: HtmlElement) -> list[str]:
    """Visible text lines of the whole page: notices often sit outside the main text."""
    try:
        body = tree.find("body")
        root = body if body is not None else tree
        return [str(s) for s in root.xpath(".//text()[not(parent::script or parent::style or "
                                           "parent::noscript or parent::template)]")]
    except Exception:  # noqa: BLE001
        return []


def _meta_content(tree: HtmlElement, **attrs: str) -> str | None:
    (name, value), = attrs.items()
    for tag in tree.iter("meta"):
        if tag.get(name) == value:
            content = tag.get("content")
            return content.strip() if isinstance(content, str) and content.strip() else None
    return None


def _html_metadata(tree: HtmlElement) -> dict[str, str | None]:
    try:
        return _html_metadata_unsafe(tree)
    except Exception:  # noqa: BLE001 - metadata is best effort
        log.debug("metadata extraction failed", exc_info=True)
        return {}


def _title(tree: HtmlElement) -> str | None:
    title = _meta_content(tree, property="og:title")
    if not title:
        tag = tree.find(".//title")
        if tag is not None and len(tag) == 0 and tag.text:  # one string, like soup.title.string
            title = tag.text
    if not title:
        h1 = tree.find(".//h1")
        title = _text_of(h1) if h1 is not None else None
    return title


def _html_metadata_unsafe(tree: HtmlElement) -> dict[str, str | None]:
    ld = _json_ld(tree)
    published = _first_iso(
        _meta_content(tree, property="article:published_time"),
        _itemprop(tree, "datePublished"),
        ld.get("datePublished"),
        _first_time_datetime(tree),
    )
    modified = _first_iso(
        _meta_content(tree, property="article:modified_time"),
        _meta_content(tree, property="og:updated_time"),
        _itemprop(tree, "dateModified"),
        ld.get("dateModified"),
    )
    canonical = None
    for link in tree.iter("link"):
        href = link.get("href")
        if href is not None and "canonical" in (link.get("rel") or "").lower().split():
            canonical = href.strip() or None
            break
    canonical = canonical or _meta_content(tree, property="og:url")

    root = tree.getroottree().getroot()
    lang = root.get("lang") if root.tag == "html" else None
    lang = lang or _meta_content(tree, property="og:locale")
    if lang:
        lang = re.split(r"[-_]", lang.strip().lower())[0] or None

    author = _meta_content(tree, name="author") or _itemprop(tree, "author") or ld.get("author")
    return {"title": _title(tree), "published": published, "modified": modified,
            "canonical": canonical, "lang": lang, "author": author}


def _itemprop(tree: HtmlElement, prop: str) -> str | None:
    found = tree.xpath("//*[@itemprop=$p]", p=prop)
    if not found:
        return None
    tag = found[0]
    for attr in ("content", "datetime"):
        value = tag.get(attr)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return _text_of(tag) or None


def _first_time_datetime(tree: HtmlElement) -> str | None:
    for tag in tree.iter("time"):
        if tag.get("datetime") is not None:
            return str(tag.get("datetime")).strip()
    return None


def _json_ld(tree: HtmlElement) -> dict[str, str | None]:
    """datePublished/dateModified/author of the first Article-like JSON-LD object."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
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
