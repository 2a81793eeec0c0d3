"""HTML listing pages (a news list read with a CSS selector) and feed autodiscovery."""

from __future__ import annotations

import re
from datetime import datetime, timezone, tzinfo
from urllib.parse import urlsplit

from kzwatch.discovery.dedupe import (
    canonical_url,
)
from kzwatch.discovery.sources import SourceSpec, source_reader
from kzwatch.discovery.sources.common import (
    DEFAULT_LISTING_TZ,
    DEFAULT_MAX_ITEMS,
    FeedError,
    ParsedFeed,
    clean_text,
    codec_ok,
    header_charset,
    http_url,
    norm_lang,
    parse_date,
)
from kzwatch.model import FeedItem


def _soup(markup: bytes | str):
    import warnings

    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():
        # a short page that looks like a URL is still just a page (bs4 never fetches it), and a
        # feed URL that answers XML-ish HTML is exactly the case we are reading it for
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(markup, "lxml")  # bytes, so that bs4 honours <meta charset>


def _document_base(soup, page_url: str) -> str:
    base = soup.find("base", href=True)
    if base is not None:
        resolved = http_url(base["href"], page_url)
        if resolved:
            return resolved
    return page_url


def discover_feeds(html: str | bytes, base_url: str) -> list[str]:
    """Feed URLs a page advertises with ``<link rel="alternate" type="application/rss+xml">``
    (also Atom, RDF and JSON Feed types), absolute, in page order, without duplicates."""
    feed_types = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json", "application/json+feed"}
    try:
        soup = _soup(html)
    except Exception:  # bs4/lxml on hostile markup: no alternates rather than a crash
        return []
    base = _document_base(soup, base_url)
    found: list[str] = []
    for link in soup.find_all("link", href=True):
        rel = link.get("rel") or []
        rels = {r.lower() for r in (rel if isinstance(rel, list) else rel.split())}
        if "alternate" not in rels or (link.get("type") or "").strip().lower() not in feed_types:
            continue
        href = http_url(link["href"], base)
        if href and href not in found:
            found.append(href)
    return found


_MONTHS = {
    # Russian (genitive and nominative stems), Kazakh, English
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "мая": 5, "май": 5, "июн": 6, "июл": 7, "авг": 8,
    "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
    "қаң": 1, "ақп": 2, "нау": 3, "сәу": 4, "мам": 5, "мау": 6, "шіл": 7, "там": 8, "қыр": 9,
    "қаз": 10, "қар": 11, "жел": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_NUMERIC_DATE_RE = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})(?:[,\s]+(\d{1,2}):(\d{2}))?")
_ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T\s]+(\d{1,2}):(\d{2}))?")
_WORD_DATE_RE = re.compile(r"\b(\d{1,2})\s+([^\W\d_]{3,})\.?,?\s+(\d{4})(?:[,\s]+(\d{1,2}):(\d{2}))?")
_KK_WORD_DATE_RE = re.compile(r"\b(\d{4})\s*(?:ж\.|жылғы|жылы)?\s*(\d{1,2})\s+([^\W\d_]{3,})(?:[,\s]+(\d{1,2}):(\d{2}))?")


def _parse_listing_date(text: str, local_tz: tzinfo) -> datetime | None:
    """A listing page's human date ("27.03.2023 10:15", "27 марта 2023", "2023 жылғы 27 наурыз")."""
    text = text.strip()
    day = month = year = None
    hour = minute = "0"
    if m := _NUMERIC_DATE_RE.search(text):
        day, month, year, hour, minute = m.group(1), m.group(2), m.group(3), m.group(4) or "0", m.group(5) or "0"
    elif m := _ISO_DATE_RE.search(text):
        year, month, day, hour, minute = m.group(1), m.group(2), m.group(3), m.group(4) or "0", m.group(5) or "0"
    elif m := _WORD_DATE_RE.search(text):
        day, month, year, hour, minute = m.group(1), _MONTHS.get(m.group(2)[:3].lower()), m.group(3), m.group(4) or "0", m.group(5) or "0"
    elif m := _KK_WORD_DATE_RE.search(text):
        year, day, month, hour, minute = m.group(1), m.group(2), _MONTHS.get(m.group(3)[:3].lower()), m.group(4) or "0", m.group(5) or "0"
    if not (day and month and year):
        return parse_date(text)
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=local_tz)
    except ValueError:
        return None
    return local.astimezone(timezone.utc)


def _site_of(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _same_site(url: str, page_url: str) -> bool:
    host, page_host = urlsplit(url).hostname or "", urlsplit(page_url).hostname or ""
    site, page_site = _site_of(host), _site_of(page_host)
    return site == page_site or site.endswith("." + page_site) or page_site.endswith("." + site)


def _date_near(elem, date_selector: str, local_tz: tzinfo, levels: int = 3) -> datetime | None:
    """The first ``date_selector`` match inside the item element or its nearest containers."""
    node = elem
    for _ in range(levels + 1):
        if node is None:
            break
        found = node.select_one(date_selector) if hasattr(node, "select_one") else None
        if found is not None:
            stamp = found.get("datetime") or found.get("content") or found.get_text(" ", strip=True)
            return _parse_listing_date(stamp, local_tz)
        node = node.parent
    return None


def parse_listing(
    html: bytes | str,
    *,
    url: str,
    selector: str,
    outlet: str = "",
    date_selector: str | None = None,
    same_site_only: bool = True,
    local_tz: tzinfo = DEFAULT_LISTING_TZ,
    default_lang: str | None = None,
    max_items: int = DEFAULT_MAX_ITEMS,
) -> ParsedFeed:
    """Items of an HTML listing page: the links matched by a CSS ``selector``.

    A selector may match the ``<a>`` itself or a container holding one.  Links are made absolute
    (honouring ``<base href>``), the link text becomes the title, repeats are dropped (first
    wins), and links to other sites are dropped unless ``same_site_only`` is False.  With a
    ``date_selector``, the date is looked up inside the item and its nearest containers and read
    as local time in ``local_tz``.  A page where the selector matches nothing is a FeedError
    ("malformed"): a redesigned page must not look like a quiet news week.
    """
    if isinstance(html, (bytes, bytearray)) and not bytes(html).strip():
        raise FeedError("empty_body", "the listing page is empty")
    soup = _soup(html)
    base = _document_base(soup, url)
    try:
        matches = soup.select(selector)
    except Exception as exc:  # soupsieve raises its own SelectorSyntaxError
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from None
    lang = norm_lang(soup.html.get("lang") if soup.html else None) or norm_lang(default_lang)
    items: list[FeedItem] = []
    seen: set[str] = set()
    offsite = 0
    for elem in matches:
        anchor = elem if elem.name == "a" and elem.get("href") else elem.find("a", href=True)
        if anchor is None:
            continue
        link = http_url(anchor["href"], base)
        if link is None:
            continue
        if same_site_only and not _same_site(link, url):
            offsite += 1
            continue
        key = canonical_url(link)
        if key in seen:
            continue
        seen.add(key)
        title = clean_text(anchor.get_text(" ", strip=True)) or clean_text(anchor.get("title"))
        published = _date_near(elem, date_selector, local_tz) if date_selector else None
        items.append(FeedItem(url=link, title=title, published_at=published, source_url=url, outlet=outlet, lang=lang))
        if len(items) >= max_items:
            break
    if not items:
        raise FeedError("malformed", f"selector {selector!r} matched no item links on the page")
    warnings = [f"{offsite} links to other sites ignored"] if offsite else []
    title = clean_text(soup.title.get_text()) if soup.title else ""
    return ParsedFeed(kind="listing", items=items, title=title, warnings=warnings, lang=lang)


# --- URL identity and de-duplication -----------------------------------------------------------

#: Query parameters that only say how a reader arrived; they never select different content.


@source_reader("listing")
def _read_listing(body: bytes, source: SourceSpec, url: str, content_type: str | None,
                  max_items: int | None) -> ParsedFeed:
    if not source.selector:
        raise ValueError(f"listing source {url} needs a CSS selector")
    charset = header_charset(content_type)
    markup: bytes | str = body
    if charset and codec_ok(charset):
        markup = bytes(body).decode(codec_ok(charset) or "utf-8", errors="replace")
    return parse_listing(markup, url=url, selector=source.selector, outlet=source.outlet,
                         date_selector=source.date_selector, default_lang=source.lang,
                         max_items=max_items or DEFAULT_MAX_ITEMS)
