"""What every source reader shares: limits, errors, the result type, and careful decoding.

Pure: bytes and strings in, values out.
"""

from __future__ import annotations

import calendar
import email.utils
import html as html_lib
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as defused_et

from kzwatch.model import FeedItem

FEED_ERROR_KINDS = ("became_html", "malformed", "entities_refused", "too_large", "empty_body", "unsupported")


# --- Budgets (defaults; every one is also a keyword parameter) --------------------------------

DEFAULT_MAX_BYTES = 20_000_000  # a feed body larger than this is refused before parsing
DEFAULT_MAX_ITEMS = 5000  # items kept per feed; the rest are counted and reported
#: feedparser's lenient parser is ~1 s per MB here; broken XML larger than this is not salvaged.
DEFAULT_MAX_LENIENT_BYTES = 5_000_000
#: The sitemap protocol's own limits: 50 000 URLs and 50 MiB uncompressed per file.
SITEMAP_MAX_ITEMS = 50_000
SITEMAP_MAX_DECOMPRESSED = 50 * 1024 * 1024
SUMMARY_MAX_CHARS = 4000  # summaries are for scoring and display; full text is fetched separately
#: Listing pages carry local dates without a zone; Kazakhstan has been on UTC+5 since 2024-03-01.
DEFAULT_LISTING_TZ = timezone(timedelta(hours=5))


class FeedError(Exception):
    """A source body that could not be read as what it claimed to be.

    ``kind`` is one of :data:`FEED_ERROR_KINDS`; ``detail`` a one-line reason; ``alternates`` the
    feed URLs advertised by an HTML page that replaced a feed (so the caller can say where the
    feed probably moved).
    """

    def __init__(self, kind: str, detail: str = "", *, alternates: list[str] | None = None):
        assert kind in FEED_ERROR_KINDS, kind
        self.kind = kind
        self.detail = detail
        self.alternates = list(alternates or [])
        super().__init__(f"{kind}: {detail}" if detail else kind)


@dataclass
class ParsedFeed:
    """What one source body yielded."""

    kind: str  # "rss" | "atom" | "rdf" | "jsonfeed" | "wp-json" | "sitemap" | "sitemap-index" | "listing"
    items: list[FeedItem] = field(default_factory=list)
    title: str = ""
    warnings: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # child sitemaps of a sitemap index
    lang: str | None = None


# --- Small text helpers -----------------------------------------------------------------------

TAG_RE = re.compile(r"<[^>]*>")
SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
WS_RE = re.compile(r"\s+")
SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([.,;:!?…»)\]])")


def clean_text(text: str | None, *, max_chars: int | None = None) -> str:
    """Markup-free, whitespace-collapsed text.

    Feed titles and summaries often carry escaped HTML; a cheap tag strip is enough because the
    result is only compared and displayed (every renderer escapes it again).
    """
    if not text:
        return ""
    if "<" in text:
        text = TAG_RE.sub(" ", SCRIPT_RE.sub(" ", text))
        # "<b>54</b>." became "54 ." — a tag is no word boundary before punctuation
        text = SPACE_BEFORE_PUNCT_RE.sub(r"\1", text)
    if "&" in text:
        text = html_lib.unescape(text)
    text = WS_RE.sub(" ", text).strip()
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars].rstrip() + "…"
    return text


def norm_lang(value: str | None) -> str | None:
    """"ru-RU" → "ru"; the frequent mislabel "kz" → "kk"."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    if not primary.isalpha() or not 2 <= len(primary) <= 3:
        return None
    return "kk" if primary == "kz" else primary


def http_url(candidate: str | None, base: str) -> str | None:
    """An absolute http(s) URL, resolved against ``base``; None for anything else."""
    if not candidate:
        return None
    candidate = candidate.strip()
    if not candidate or candidate.startswith("#"):
        return None
    try:
        absolute = urljoin(base, candidate) if base else candidate
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return absolute


# --- Dates ------------------------------------------------------------------------------------


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def parse_date(text: str | None) -> datetime | None:
    """A feed/sitemap date (RFC 822, ISO 8601/W3C-DTF and feedparser's many variants) in UTC.

    A date without a zone is taken as UTC (what RSS and sitemaps mean when they omit it).
    Returns None when the text is not a date.
    """
    if not text:
        return None
    text = text.strip()
    if not text or len(text) > 100:
        return None
    try:
        return as_utc(email.utils.parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    try:
        return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError:
        pass
    return feedparser_date(text)


def feedparser_date(text: str) -> datetime | None:
    import feedparser.datetimes  # imported lazily: only odd date formats need it

    try:
        parsed = feedparser.datetimes._parse_date(text)
    except Exception:  # feedparser's date handlers are a zoo; a bad date is just no date
        return None
    return struct_to_utc(parsed)


def struct_to_utc(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


# --- Sniffing and decoding --------------------------------------------------------------------

XML_DECL_RE = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.IGNORECASE)
HTML_START_RE = re.compile(
    r"^(?:\s|<\?xml[^>]*>|<!--.*?-->)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.IGNORECASE | re.DOTALL,
)
FEED_ROOT_RE = re.compile(r"<(?:[\w-]+:)?(?:rss|feed|RDF|urlset|sitemapindex)[\s>]")
BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", content_type, re.IGNORECASE)
    return match.group(1).lower() if match else None


def mime(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def codec_ok(name: str | None) -> str | None:
    import codecs

    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(body: bytes, content_type: str | None) -> tuple[str, str, list[str]]:
    """Decode XML bytes: BOM → HTTP charset → XML declaration → UTF-8 → cp1251 fallback.

    The HTTP charset wins over the XML declaration (RFC 7303), but only if the bytes really decode
    with it: servers often send a default ``charset=utf-8`` for cp1251 feeds.
    """
    warnings: list[str] = []
    for bom, codec in BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, errors="replace"), codec, warnings
    declared = XML_DECL_RE.match(body[:1024])
    candidates = [codec_ok(header_charset(content_type)), codec_ok(declared.group(1).decode() if declared else None)]
    candidates.append("utf-8")
    for codec in candidates:
        if not codec:
            continue
        try:
            return body.decode(codec), codec, warnings
        except (UnicodeDecodeError, LookupError):
            continue
    # Cyrillic sites that declare nothing are overwhelmingly cp1251.
    warnings.append("body is not valid in its declared charset; decoded as cp1251 with replacement")
    return body.decode("cp1251", errors="replace"), "cp1251", warnings


def utf8_xml(text: str) -> bytes:
    """The decoded document as UTF-8 bytes with its XML declaration saying so."""
    text = re.sub(
        r"^(\s*<\?xml[^>]*?encoding\s*=\s*)[\"'][^\"']*[\"']",
        r'\1"utf-8"',
        text[:1024],
        count=1,
        flags=re.IGNORECASE,
    ) + text[1024:]
    return text.encode("utf-8")


def looks_like_html(head: str) -> bool:
    return bool(HTML_START_RE.match(head))


def entity_declarations_present(body: bytes) -> bool:
    """A byte scan for ``<!ENTITY`` in any ASCII-compatible or UTF-16/32 encoding."""
    needle = "<!ENTITY"
    lowered = body.upper()
    if needle.encode("ascii") in lowered:
        return True
    return any(needle.encode(codec) in lowered for codec in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"))


def check_body(body: bytes, max_bytes: int) -> None:
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("feeds are parsed from bytes only (never a URL, path or str)")
    if len(body) > max_bytes:
        raise FeedError("too_large", f"{len(body)} bytes exceeds the {max_bytes}-byte budget")
    if not bytes(body[:4096]).strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise FeedError("empty_body", "the body is empty")


def became_html(text: str, base_url: str) -> FeedError:
    """A feed URL that now answers HTML: say so, with the feeds the page advertises."""
    from kzwatch.discovery.sources.listing import (
        discover_feeds,  # the HTML reader; imports this module
    )

    alternates = discover_feeds(text[:500_000], base_url)
    where = f"; it advertises {', '.join(alternates[:3])}" if alternates else ""
    return FeedError("became_html", f"the feed URL now answers an HTML page{where}", alternates=alternates)


# --- XML feeds: the fast, well-formed path ------------------------------------------------------

NS_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NS_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
NS_ATOM = "http://www.w3.org/2005/Atom"


def split_tag(tag: Any) -> tuple[str, str]:
    """``{ns}local`` → (ns, local); comments/PIs come back with an empty local name."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def text_of(elem: Element) -> str:
    """All text inside an element (Atom type="xhtml" content nests a <div>)."""
    if len(elem):
        return "".join(elem.itertext())
    return elem.text or ""


def iter_xml(data: bytes) -> Iterator[tuple[str, Element]]:
    """defusedxml iterparse: refuses entity declarations and external references outright."""
    return defused_et.iterparse(
        io.BytesIO(data), events=("start", "end"), forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
