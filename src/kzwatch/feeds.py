"""Discovery ingest: turn the fetched bytes of feeds, listing pages and sitemaps into FeedItems.

The fetcher (``kzwatch.fetch``) brings the bytes; this module only reads them.  Every function
here is pure: bytes and headers in, :class:`~kzwatch.model.FeedItem` lists out, no network, no
files, no clock.

What it reads
    * RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom feeds, WordPress feeds included (``parse_feed``);
    * the WordPress REST API's post list (``/wp-json/wp/v2/posts``) and JSON Feed;
    * XML sitemaps, sitemap indexes and gzipped sitemaps (``parse_sitemap``);
    * HTML listing pages such as the Central Election Commission's news list, read with a CSS
      selector (``parse_listing``), and ``<link rel="alternate">`` feed autodiscovery.

Why the XML is handled with such care
    A feed is untrusted input.  feedparser's own entity handling stops billion-laughs but not
    quadratic blow-up through its lenient fallback parser, and it will happily fetch a URL if
    given a string.  So: the body size is checked first; the XML is parsed by defusedxml, which
    refuses any entity declaration (billion laughs, quadratic blow-up, XXE) before anything is
    expanded; feedparser only ever sees ``io.BytesIO(bytes)`` and only for bodies that are *not*
    well-formed XML (its lenient parser salvages real-world broken feeds), after a byte scan has
    made sure no entity declaration is present.

Why not feedparser for everything
    ``bench/bench_untrusted_input.py`` on this machine: feedparser takes 13.3 s for a 19.8 MB
    RSS feed (34,000 items), the defusedxml ``iterparse`` path below 2.6 s (items cleared as they
    are read; bench/RESULTS.md).  Well-formed feeds therefore take the fast path; feedparser is the fallback for broken
    XML, limited to ``max_lenient_bytes``.

Failures are :class:`FeedError` with a ``kind`` a caller can record ("became_html", "malformed",
"entities_refused", "too_large", "empty_body", "unsupported") — never an empty feed that silently
looks healthy.
"""

from __future__ import annotations

import calendar
import email.utils
import html as html_lib
import io
import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Iterable, Iterator
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as defused_et
from defusedxml import DefusedXmlException

from kzwatch.model import FeedItem
from kzwatch.textnorm import normalize

__all__ = [
    "FeedError",
    "ParsedFeed",
    "parse_feed",
    "parse_sitemap",
    "parse_listing",
    "parse_source",
    "discover_feeds",
    "canonical_url",
    "item_keys",
    "dedupe",
    "expand_url",
    "parse_date",
    "SOURCE_KINDS",
    "FEED_ERROR_KINDS",
]

FEED_ERROR_KINDS = ("became_html", "malformed", "entities_refused", "too_large", "empty_body", "unsupported")

#: Source kinds ``parse_source`` understands ("rss" also reads Atom, RDF and JSON feeds).
SOURCE_KINDS = ("rss", "listing", "sitemap", "wp-json")

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
#: A normalised title shorter than this is too generic ("Новости", "Press release") to dedupe on.
MIN_TITLE_KEY_CHARS = 16


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

_TAG_RE = re.compile(r"<[^>]*>")
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_WS_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([.,;:!?…»)\]])")


def _clean_text(text: str | None, *, max_chars: int | None = None) -> str:
    """Markup-free, whitespace-collapsed text.

    Feed titles and summaries often carry escaped HTML; a cheap tag strip is enough because the
    result is only compared and displayed (every renderer escapes it again).
    """
    if not text:
        return ""
    if "<" in text:
        text = _TAG_RE.sub(" ", _SCRIPT_RE.sub(" ", text))
        # "<b>54</b>." became "54 ." — a tag is no word boundary before punctuation
        text = _SPACE_BEFORE_PUNCT_RE.sub(r"\1", text)
    if "&" in text:
        text = html_lib.unescape(text)
    text = _CONTROL_RE.sub("", text)  # NUL and other C0 controls from broken feeds (or &#0;)
    text = _WS_RE.sub(" ", text).strip()
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars].rstrip() + "…"
    return text


def _norm_lang(value: str | None) -> str | None:
    """"ru-RU" → "ru"; the frequent mislabel "kz" → "kk"."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    if not primary.isalpha() or not 2 <= len(primary) <= 3:
        return None
    return "kk" if primary == "kz" else primary


def _http_url(candidate: str | None, base: str) -> str | None:
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


def _as_utc(value: datetime) -> datetime:
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
        return _as_utc(email.utils.parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    try:
        return _as_utc(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError:
        pass
    return _feedparser_date(text)


def _feedparser_date(text: str) -> datetime | None:
    import feedparser.datetimes  # imported lazily: only odd date formats need it

    try:
        parsed = feedparser.datetimes._parse_date(text)
    except Exception:  # feedparser's date handlers are a zoo; a bad date is just no date
        return None
    return _struct_to_utc(parsed)


def _struct_to_utc(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


# --- Sniffing and decoding --------------------------------------------------------------------

_XML_DECL_RE = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.IGNORECASE)
_HTML_START_RE = re.compile(
    r"^(?:\s|<\?xml[^>]*>|<!--.*?-->)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_FEED_ROOT_RE = re.compile(r"<(?:[\w-]+:)?(?:rss|feed|RDF|urlset|sitemapindex)[\s>]")
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", content_type, re.IGNORECASE)
    return match.group(1).lower() if match else None


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _codec_ok(name: str | None) -> str | None:
    import codecs

    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode(body: bytes, content_type: str | None) -> tuple[str, str, list[str]]:
    """Decode XML bytes: BOM → HTTP charset → XML declaration → UTF-8 → cp1251 fallback.

    The HTTP charset wins over the XML declaration (RFC 7303), but only if the bytes really decode
    with it: servers often send a default ``charset=utf-8`` for cp1251 feeds.
    """
    warnings: list[str] = []
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, errors="replace"), codec, warnings
    declared = _XML_DECL_RE.match(body[:1024])
    candidates = [_codec_ok(_header_charset(content_type)), _codec_ok(declared.group(1).decode() if declared else None)]
    candidates.append("utf-8")
    for codec in candidates:
        if not codec:
            continue
        try:
            return body.decode(codec), codec, warnings
        except (UnicodeDecodeError, LookupError):
            continue
    # Cyrillic sites that declare nothing are overwhelmingly cp1251, except Kazakh ones in
    # KZ-1048, which every detector calls cp1251: the same trap test as for pages tells them apart.
    from kzwatch.fetch import looks_like_kz1048

    codec = "kz1048" if looks_like_kz1048(body) else "cp1251"
    warnings.append(f"body is not valid in its declared charset; decoded as {codec} with replacement")
    return body.decode(codec, errors="replace"), codec, warnings


def _utf8_xml(text: str) -> bytes:
    """The decoded document as UTF-8 bytes with its XML declaration saying so."""
    text = re.sub(
        r"^(\s*<\?xml[^>]*?encoding\s*=\s*)[\"'][^\"']*[\"']",
        r'\1"utf-8"',
        text[:1024],
        count=1,
        flags=re.IGNORECASE,
    ) + text[1024:]
    return text.encode("utf-8")


def _looks_like_html(head: str) -> bool:
    return bool(_HTML_START_RE.match(head))


def _entity_declarations_present(body: bytes) -> bool:
    """A byte scan for ``<!ENTITY`` in any ASCII-compatible or UTF-16/32 encoding."""
    needle = "<!ENTITY"
    lowered = body.upper()
    if needle.encode("ascii") in lowered:
        return True
    return any(needle.encode(codec) in lowered for codec in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"))


def _check_body(body: bytes, max_bytes: int) -> None:
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("feeds are parsed from bytes only (never a URL, path or str)")
    if len(body) > max_bytes:
        raise FeedError("too_large", f"{len(body)} bytes exceeds the {max_bytes}-byte budget")
    if not bytes(body[:4096]).strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise FeedError("empty_body", "the body is empty")


def _became_html(text: str, base_url: str) -> FeedError:
    alternates = discover_feeds(text[:500_000], base_url)
    where = f"; it advertises {', '.join(alternates[:3])}" if alternates else ""
    return FeedError("became_html", f"the feed URL now answers an HTML page{where}", alternates=alternates)


# --- XML feeds: the fast, well-formed path ------------------------------------------------------

_NS_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NS_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_NS_ATOM = "http://www.w3.org/2005/Atom"


def _split_tag(tag: Any) -> tuple[str, str]:
    """``{ns}local`` → (ns, local); comments/PIs come back with an empty local name."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _text_of(elem: Element) -> str:
    """All text inside an element (Atom type="xhtml" content nests a <div>)."""
    if len(elem):
        return "".join(elem.itertext())
    return elem.text or ""


@dataclass
class _FeedContext:
    url: str
    outlet: str
    lang: str | None
    base: str = ""  # xml:base of the root element resolved against url, once known


class _Malformed(Exception):
    """Internal: the XML stopped being well-formed after ``items`` had been read."""

    def __init__(self, reason: str, items: list[FeedItem], skipped: int):
        super().__init__(reason)
        self.reason = reason
        self.items = items
        self.skipped = skipped


def _item_from_element(elem: Element, ctx: _FeedContext) -> FeedItem | None:
    """One RSS ``<item>`` (any RSS version, RDF included) or Atom ``<entry>`` as a FeedItem."""
    title = summary = content = guid = ""
    link: str | None = None
    permalink_guid: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    base = ctx.base or ctx.url
    if elem.get(_NS_XML_BASE):
        base = urljoin(base, elem.get(_NS_XML_BASE))
    lang = _norm_lang(elem.get(_NS_XML_LANG))
    for child in elem:
        ns, name = _split_tag(child.tag)
        if name == "title" and not title:
            title = _text_of(child)
        elif name == "link":
            if child.get("href") is not None:  # Atom (also atom:link inside RSS items)
                if child.get("rel", "alternate") == "alternate" and link is None:
                    link = _http_url(child.get("href"), base)
            elif link is None:
                link = _http_url(child.text, base)
        elif name in ("guid", "id"):
            guid = (child.text or "").strip()
            if child.get("isPermaLink", "true").lower() != "false" or ns == _NS_ATOM:
                permalink_guid = guid
        elif name in ("description", "summary", "abstract") and not summary:
            summary = _text_of(child)
        elif name in ("encoded", "content") and not content:
            content = _text_of(child)
        elif name in ("pubDate", "published", "issued", "created") or (name == "date" and ns.startswith("http://purl.org/dc/")):
            published = published or parse_date(child.text)
        elif name in ("updated", "modified"):
            updated = updated or parse_date(child.text)
        elif name == "language" and not lang:
            lang = _norm_lang(child.text)
    about = elem.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    link = link or _http_url(permalink_guid, base) or _http_url(about, base)
    if link is None:
        return None
    return FeedItem(
        url=link,
        title=_clean_text(title),
        summary=_clean_text(summary or content, max_chars=SUMMARY_MAX_CHARS),
        published_at=published or updated,
        updated_at=updated,
        guid=guid or None,
        source_url=ctx.url,
        outlet=ctx.outlet,
        lang=lang,  # the feed's language is filled in once the whole channel is known
    )


def _feed_kind(root: Element) -> str:
    ns, name = _split_tag(root.tag)
    if name == "rss":
        return "rss"
    if name == "feed":
        return "atom"
    if name == "RDF":
        return "rdf"
    if name in ("urlset", "sitemapindex"):
        return "sitemap"
    if name.lower() == "html":
        return "html"
    return "unknown:" + name


def _channel_metadata(root: Element) -> tuple[str, str | None]:
    """(title, language) of an RSS channel, RDF channel or Atom feed."""
    holders = [root] + [child for child in root if _split_tag(child.tag)[1] == "channel"]
    title, lang = "", _norm_lang(root.get(_NS_XML_LANG))
    for holder in holders:
        lang = lang or _norm_lang(holder.get(_NS_XML_LANG))
        for child in holder:
            _, name = _split_tag(child.tag)
            if name == "title" and not title:
                title = _clean_text(_text_of(child))
            elif name == "language" and not lang:
                lang = _norm_lang(child.text)
    return title, lang


def _iter_xml(data: bytes) -> Iterator[tuple[str, Element]]:
    """defusedxml iterparse: refuses entity declarations and external references outright."""
    return defused_et.iterparse(
        io.BytesIO(data), events=("start", "end"), forbid_dtd=False, forbid_entities=True, forbid_external=True
    )


def _parse_wellformed_feed(
    data: bytes, ctx: _FeedContext, max_items: int
) -> tuple[str, Element | None, list[FeedItem], int, int]:
    """Stream the XML, converting and discarding each item as it closes.

    Returns (kind, root, items, items_over_cap, items_without_link).  Raises _Malformed (with what
    was read so far) on a syntax error and FeedError("entities_refused") on any entity
    declaration or external reference.
    """
    items: list[FeedItem] = []
    over_cap = no_link = 0
    root: Element | None = None
    kind = ""
    depth = 0
    try:
        for event, elem in _iter_xml(data):
            if event == "start":
                depth += 1
                if root is None:
                    root = elem
                    kind = _feed_kind(root)
                    if root.get(_NS_XML_BASE):
                        ctx.base = urljoin(ctx.url, root.get(_NS_XML_BASE))
                    if kind not in ("rss", "rdf", "atom"):
                        return kind, root, items, 0, 0
                continue
            depth -= 1
            _, name = _split_tag(elem.tag)
            # Items sit at depth 2 (RDF <item>, Atom <entry>) or 3 (RSS channel/item).
            if name in ("item", "entry") and depth <= 2:
                if len(items) >= max_items:
                    over_cap += 1
                else:
                    item = _item_from_element(elem, ctx)
                    if item is None:
                        no_link += 1
                    else:
                        items.append(item)
                elem.clear()  # keeps memory flat on a 20 MB feed
    except DefusedXmlException as exc:
        raise FeedError("entities_refused", f"the XML declares entities or external references ({type(exc).__name__})") from None
    except ParseError as exc:
        raise _Malformed(f"not well-formed XML ({exc})", items, no_link) from None
    return kind, root, items, over_cap, no_link


# --- XML feeds: the lenient feedparser fallback -------------------------------------------------


def _parse_with_feedparser(body: bytes, ctx: _FeedContext, content_type: str | None, max_items: int) -> ParsedFeed:
    import feedparser  # imported lazily: only broken feeds need it

    headers = {"content-type": content_type or "application/xml", "content-location": ctx.url}
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    version = parsed.get("version") or ""
    kind = "atom" if version.startswith("atom") else "rdf" if version in ("rss090", "rss10") else "rss"
    feed_lang = _norm_lang(parsed.feed.get("language")) or ctx.lang
    warnings: list[str] = []
    items: list[FeedItem] = []
    for entry in parsed.entries[:max_items]:
        link = _http_url(entry.get("link"), ctx.url) or _http_url(entry.get("id"), ctx.url)
        if link is None:
            continue
        title_detail = entry.get("title_detail") or {}
        items.append(
            FeedItem(
                url=link,
                title=_clean_text(entry.get("title")),
                summary=_clean_text(entry.get("summary"), max_chars=SUMMARY_MAX_CHARS),
                # dict.get: FeedParserDict.get would alias updated_parsed to published_parsed
                published_at=_struct_to_utc(dict.get(entry, "published_parsed")) or _struct_to_utc(dict.get(entry, "updated_parsed")),
                updated_at=_struct_to_utc(dict.get(entry, "updated_parsed")),
                guid=entry.get("id") or None,
                source_url=ctx.url,
                outlet=ctx.outlet,
                lang=_norm_lang(title_detail.get("language")) or feed_lang,
            )
        )
    if len(parsed.entries) > max_items:
        warnings.append(f"kept the first {max_items} of {len(parsed.entries)} items (max_items)")
    title = _clean_text(parsed.feed.get("title"))
    return ParsedFeed(kind=kind, items=items, title=title, warnings=warnings, lang=feed_lang)


# --- JSON: WordPress REST API and JSON Feed ---------------------------------------------------


def _rendered(value: Any) -> str:
    """WordPress fields are {"rendered": "<html>"}; tolerate plain strings too."""
    if isinstance(value, dict):
        value = value.get("rendered", "")
    return value if isinstance(value, str) else ""


def _wp_gmt(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)  # *_gmt carries no offset
    except ValueError:
        return parse_date(value)


def _parse_json_body(body: bytes, ctx: _FeedContext, max_items: int) -> ParsedFeed:
    text, _, warnings = _decode(body, "application/json; charset=utf-8")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise FeedError("malformed", f"not valid JSON ({str(exc)[:120]})") from None
    if isinstance(data, dict) and isinstance(data.get("items"), list) and "jsonfeed.org" in str(data.get("version", "")):
        return _parse_json_feed(data, ctx, max_items, warnings)
    if isinstance(data, dict) and "code" in data and "message" in data:
        raise FeedError("unsupported", f"the WordPress API answered an error: {str(data.get('code'))[:80]}")
    if not isinstance(data, list):
        raise FeedError("unsupported", "JSON that is neither a WordPress post list nor a JSON Feed")
    items: list[FeedItem] = []
    skipped = 0
    for post in data[:max_items]:
        link = _http_url(post.get("link"), ctx.url) if isinstance(post, dict) else None
        if link is None:
            skipped += 1
            continue
        post_id = post.get("id")
        items.append(
            FeedItem(
                url=link,
                title=_clean_text(_rendered(post.get("title"))),
                summary=_clean_text(_rendered(post.get("excerpt")), max_chars=SUMMARY_MAX_CHARS),
                published_at=_wp_gmt(post.get("date_gmt")) or parse_date(post.get("date") if isinstance(post.get("date"), str) else None),
                updated_at=_wp_gmt(post.get("modified_gmt")),
                guid=f"wp:{post_id}" if isinstance(post_id, (int, str)) and str(post_id) else None,
                source_url=ctx.url,
                outlet=ctx.outlet,
                lang=ctx.lang,
            )
        )
    if skipped:
        warnings.append(f"{skipped} posts without a usable link skipped")
    if len(data) > max_items:
        warnings.append(f"kept the first {max_items} of {len(data)} posts (max_items)")
    return ParsedFeed(kind="wp-json", items=items, warnings=warnings, lang=ctx.lang)


def _parse_json_feed(data: dict, ctx: _FeedContext, max_items: int, warnings: list[str]) -> ParsedFeed:
    lang = _norm_lang(data.get("language") if isinstance(data.get("language"), str) else None) or ctx.lang
    items: list[FeedItem] = []
    for entry in data["items"][:max_items]:
        if not isinstance(entry, dict):
            continue
        link = _http_url(entry.get("url") if isinstance(entry.get("url"), str) else None, ctx.url)
        if link is None:
            continue
        text_of = lambda key: entry.get(key) if isinstance(entry.get(key), str) else ""  # noqa: E731
        items.append(
            FeedItem(
                url=link,
                title=_clean_text(text_of("title")),
                summary=_clean_text(text_of("summary") or text_of("content_text") or text_of("content_html"), max_chars=SUMMARY_MAX_CHARS),
                published_at=parse_date(text_of("date_published")) or parse_date(text_of("date_modified")),
                updated_at=parse_date(text_of("date_modified")),
                guid=str(entry["id"]) if entry.get("id") not in (None, "") else None,
                source_url=ctx.url,
                outlet=ctx.outlet,
                lang=_norm_lang(text_of("language")) or lang,
            )
        )
    if len(data["items"]) > max_items:
        warnings.append(f"kept the first {max_items} of {len(data['items'])} items (max_items)")
    title = _clean_text(data.get("title")) if isinstance(data.get("title"), str) else ""
    return ParsedFeed(kind="jsonfeed", items=items, title=title, warnings=warnings, lang=lang)


# --- parse_feed ---------------------------------------------------------------------------------


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    outlet: str = "",
    max_items: int = DEFAULT_MAX_ITEMS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_lenient_bytes: int = DEFAULT_MAX_LENIENT_BYTES,
    default_lang: str | None = None,
) -> ParsedFeed:
    """Read an RSS/RDF/Atom feed, a WordPress post-list JSON or a JSON Feed from its bytes.

    ``url`` is the feed's address (relative links resolve against it; it becomes each item's
    ``source_url``); ``content_type`` is the response's Content-Type header, charset included.
    A sitemap body is handed to :func:`parse_sitemap`.  Raises :class:`FeedError`.
    """
    _check_body(body, max_bytes)
    body = bytes(body)
    ctx = _FeedContext(url=url, outlet=outlet, lang=_norm_lang(default_lang))
    stripped = body.lstrip(b" \t\r\n\xef\xbb\xbf")
    if stripped[:1] in (b"[", b"{") or _mime(content_type) in ("application/json", "application/feed+json"):
        return _parse_json_body(body, ctx, max_items)

    text, _codec, warnings = _decode(body, content_type)
    head = text[:4096]
    if _looks_like_html(head) or (_mime(content_type) in ("text/html", "application/xhtml+xml") and not _FEED_ROOT_RE.search(head)):
        raise _became_html(text, url)
    if _mime(content_type) == "text/html":
        warnings.append("served as text/html but the body is a feed")
    declared = _XML_DECL_RE.match(body[:1024])
    declared_utf8 = declared is None or _codec_ok(declared.group(1).decode()) == "utf-8"
    # Re-encoding is only needed when expat would otherwise read the bytes in another charset.
    data = body if _codec == "utf-8" and declared_utf8 and not body.startswith(b"\xef\xbb\xbf") else _utf8_xml(text)

    try:
        kind, root, items, over_cap, no_link = _parse_wellformed_feed(data, ctx, max_items)
    except _Malformed as broken:
        return _salvage(body, broken, ctx, content_type, max_items, max_lenient_bytes, warnings)
    if kind == "sitemap":
        return parse_sitemap(body, url=url, outlet=outlet, max_bytes=max_bytes)
    if kind == "html":
        raise _became_html(text, url)
    if kind not in ("rss", "atom", "rdf") or root is None:
        raise FeedError("unsupported", f"XML root <{kind.partition(':')[2] or kind}> is not a feed")
    title, lang = _channel_metadata(root)
    if over_cap:
        warnings.append(f"kept the first {max_items} of {max_items + over_cap} items (max_items)")
    if no_link:
        warnings.append(f"{no_link} items without a link skipped")
    for item in items:
        item.lang = item.lang or lang or ctx.lang
    return ParsedFeed(kind=kind, items=items, title=title, warnings=warnings, lang=lang or ctx.lang)


def _salvage(
    body: bytes,
    broken: _Malformed,
    ctx: _FeedContext,
    content_type: str | None,
    max_items: int,
    max_lenient_bytes: int,
    warnings: list[str],
) -> ParsedFeed:
    """Broken XML: let feedparser's lenient parser try, once no entity declaration can hide in it."""
    if _entity_declarations_present(body):
        raise FeedError("entities_refused", "the body declares XML entities")
    if len(body) <= max_lenient_bytes:
        result = _parse_with_feedparser(body, ctx, content_type, max_items)
        if result.items:
            result.warnings[:0] = warnings + [f"{broken.reason}; read leniently"]
            return result
    elif broken.items:
        return ParsedFeed(
            kind="rss",
            items=broken.items,
            warnings=warnings + [f"{broken.reason}; kept the {len(broken.items)} items before the error"],
            lang=ctx.lang,
        )
    raise FeedError("malformed", broken.reason)


# --- Sitemaps -------------------------------------------------------------------------------------


def _gunzip_bounded(data: bytes, limit: int) -> bytes:
    """Gunzip at most ``limit`` bytes; a gzip bomb stops at the limit, not at the end of memory."""
    out = bytearray()
    while data:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = data
        try:
            while pending:
                out += decompressor.decompress(pending, limit + 1 - len(out))
                if len(out) > limit:
                    raise FeedError("too_large", f"gzipped sitemap inflates past {limit} bytes")
                pending = decompressor.unconsumed_tail
            out += decompressor.flush()
        except zlib.error as exc:
            raise FeedError("malformed", f"bad gzip data ({exc})") from None
        if len(out) > limit:
            raise FeedError("too_large", f"gzipped sitemap inflates past {limit} bytes")
        if not decompressor.eof:
            raise FeedError("malformed", "truncated gzip data")
        data = decompressor.unused_data  # concatenated gzip members
        if data and not data.startswith(b"\x1f\x8b"):
            break
    return bytes(out)


def _text_sitemap(text: str, url: str, outlet: str, max_items: int) -> ParsedFeed | None:
    """The sitemap protocol's plain-text form: one URL per line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    urls = [_http_url(line, "") for line in lines]
    if not lines or any(u is None for u in urls):
        return None
    items = [FeedItem(url=u, source_url=url, outlet=outlet) for u in urls[:max_items] if u]
    warnings = [f"kept the first {max_items} of {len(urls)} URLs (max_items)"] if len(urls) > max_items else []
    return ParsedFeed(kind="sitemap", items=items, warnings=warnings)


def parse_sitemap(
    body: bytes,
    *,
    url: str,
    outlet: str = "",
    max_items: int = SITEMAP_MAX_ITEMS,
    max_decompressed: int = SITEMAP_MAX_DECOMPRESSED,
    max_bytes: int = SITEMAP_MAX_DECOMPRESSED,
) -> ParsedFeed:
    """Read a ``<urlset>`` (with Google News ``news:`` fields) or a ``<sitemapindex>``.

    A gzip body (``.xml.gz`` files: HTTP content-encoding does not cover them) is inflated with a
    bounded decompressor.  Items carry ``lastmod`` as ``updated_at`` and the news publication
    date as ``published_at``; an index lists its child sitemaps in ``ParsedFeed.sitemaps``.
    """
    _check_body(body, max_bytes)
    body = bytes(body)
    if body[:2] == b"\x1f\x8b":
        body = _gunzip_bounded(body, max_decompressed)
        _check_body(body, max_decompressed)
    text, _, warnings = _decode(body, None)
    if _looks_like_html(text[:4096]):
        raise _became_html(text, url)
    if not text.lstrip().startswith("<"):
        plain = _text_sitemap(text, url, outlet, max_items)
        if plain is None:
            raise FeedError("malformed", "neither XML nor a one-URL-per-line text sitemap")
        return plain
    items: list[FeedItem] = []
    children: list[str] = []
    kind = ""
    over_cap = 0
    try:
        for event, elem in _iter_xml(_utf8_xml(text)):
            _, name = _split_tag(elem.tag)
            if event == "start":
                if not kind:
                    if name not in ("urlset", "sitemapindex"):
                        raise FeedError("unsupported", f"XML root <{name}> is not a sitemap")
                    kind = "sitemap" if name == "urlset" else "sitemap-index"
                continue
            if name == "url" and kind == "sitemap":
                if len(items) >= max_items:
                    over_cap += 1
                else:
                    item = _sitemap_url(elem, url, outlet)
                    if item is not None:
                        items.append(item)
                elem.clear()
            elif name == "sitemap" and kind == "sitemap-index":
                loc = _http_url(_child_text(elem, "loc"), url)
                if loc and len(children) < max_items:
                    children.append(loc)
                elem.clear()
    except DefusedXmlException as exc:
        raise FeedError("entities_refused", f"the sitemap declares entities or external references ({type(exc).__name__})") from None
    except ParseError as exc:
        if not items and not children:
            raise FeedError("malformed", f"not well-formed XML ({exc})") from None
        warnings.append(f"not well-formed XML ({exc}); kept what came before the error")
    if over_cap:
        warnings.append(f"kept the first {max_items} of {max_items + over_cap} URLs (max_items)")
    return ParsedFeed(kind=kind, items=items, warnings=warnings, sitemaps=children)


def _child_text(elem: Element, local_name: str) -> str | None:
    for child in elem.iter():
        if child is not elem and _split_tag(child.tag)[1] == local_name:
            return (child.text or "").strip()
    return None


def _sitemap_url(elem: Element, source_url: str, outlet: str) -> FeedItem | None:
    loc = _http_url(_child_text(elem, "loc"), source_url)
    if loc is None:
        return None
    return FeedItem(
        url=loc,
        title=_clean_text(_child_text(elem, "title")),  # news:news/news:title
        published_at=parse_date(_child_text(elem, "publication_date")),
        updated_at=parse_date(_child_text(elem, "lastmod")),
        source_url=source_url,
        outlet=outlet,
        lang=_norm_lang(_child_text(elem, "language")),
    )


# --- HTML: listing pages and feed autodiscovery -----------------------------------------------


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
        resolved = _http_url(base["href"], page_url)
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
        href = _http_url(link["href"], base)
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
    lang = _norm_lang(soup.html.get("lang") if soup.html else None) or _norm_lang(default_lang)
    items: list[FeedItem] = []
    seen: set[str] = set()
    offsite = 0
    for elem in matches:
        anchor = elem if elem.name == "a" and elem.get("href") else elem.find("a", href=True)
        if anchor is None:
            continue
        link = _http_url(anchor["href"], base)
        if link is None:
            continue
        if same_site_only and not _same_site(link, url):
            offsite += 1
            continue
        key = canonical_url(link)
        if key in seen:
            continue
        seen.add(key)
        title = _clean_text(anchor.get_text(" ", strip=True)) or _clean_text(anchor.get("title"))
        published = _date_near(elem, date_selector, local_tz) if date_selector else None
        items.append(FeedItem(url=link, title=title, published_at=published, source_url=url, outlet=outlet, lang=lang))
        if len(items) >= max_items:
            break
    if not items:
        raise FeedError("malformed", f"selector {selector!r} matched no item links on the page")
    warnings = [f"{offsite} links to other sites ignored"] if offsite else []
    title = _clean_text(soup.title.get_text()) if soup.title else ""
    return ParsedFeed(kind="listing", items=items, title=title, warnings=warnings, lang=lang)


# --- URL identity and de-duplication -----------------------------------------------------------

#: Query parameters that only say how a reader arrived; they never select different content.
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "yclid", "_openstat", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_PERCENT_RE = re.compile(r"%[0-9a-fA-F]{2}")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMS


def canonical_url(url: str) -> str:
    """One spelling per address, for identity and de-duplication (not for fetching).

    Lower-cases scheme and host (IDN hosts to punycode), drops the fragment, the default port and
    tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``yclid``, ``_openstat``…), sorts the
    remaining query, percent-encodes raw non-ASCII path characters, and drops a trailing slash
    (except the root).  Every other parameter stays: RFE/RL article ids live in the path and
    WordPress ``?p=123`` ids in the query.  Text that is not a URL comes back stripped.
    """
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if not scheme or not parts.netloc:
        return url
    host = (parts.hostname or "").rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    netloc = host
    if parts.username or parts.password:
        netloc = f"{parts.username or ''}{':' + parts.password if parts.password else ''}@{host}"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    path = quote(parts.path, safe=_PATH_SAFE)
    path = _PERCENT_RE.sub(lambda m: m.group(0).upper(), path)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    if not path:
        path = "/"
    query_pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query = urlencode(sorted(query_pairs), doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


def _title_key(title: str) -> str | None:
    cleaned = normalize(title)
    cleaned = re.sub(r"[\"'«»„“”‘’`]", "", cleaned)
    cleaned = _WS_RE.sub(" ", cleaned).strip(" .,:;!?-–—")
    return cleaned if len(cleaned) >= MIN_TITLE_KEY_CHARS else None


def item_keys(item: FeedItem) -> tuple[str, ...]:
    """The identities of an item: its canonical URL (scheme-insensitive), its GUID, and its
    normalised title (casefolded, quotes and whitespace normalised; omitted when too short to be
    specific).  Two items sharing any key are the same story."""
    keys: list[str] = []
    canonical = canonical_url(item.url)
    keys.append("url:" + canonical.split("://", 1)[-1])
    if item.guid and item.guid.strip():
        keys.append("guid:" + item.guid.strip())
    title = _title_key(item.title) if item.title else None
    if title:
        keys.append("title:" + title)
    return tuple(keys)


def dedupe(items: Iterable[FeedItem], seen_keys: Iterable[str] = ()) -> list[FeedItem]:
    """Items whose keys were not seen before, first occurrence winning.

    ``seen_keys`` (e.g. keys already in the warehouse) is read, not modified.
    """
    seen = set(seen_keys)
    kept: list[FeedItem] = []
    for item in items:
        keys = item_keys(item)
        if any(key in seen for key in keys):
            continue
        seen.update(keys)
        kept.append(item)
    return kept


# --- Source dispatch and URL templates ------------------------------------------------------


def parse_source(
    body: bytes,
    *,
    kind: str,
    url: str,
    content_type: str | None = None,
    outlet: str = "",
    selector: str | None = None,
    date_selector: str | None = None,
    lang: str | None = None,
    max_items: int | None = None,
) -> ParsedFeed:
    """Read a configured source's body according to its ``kind`` (see :data:`SOURCE_KINDS`).

    ``kind = "rss"`` reads RSS, RDF, Atom and JSON feeds alike.  A wrong ``kind`` or a listing
    without a ``selector`` is a configuration error (ValueError), not a source failure.
    """
    if kind in ("rss", "atom", "wp-json"):
        result = parse_feed(body, url=url, content_type=content_type, outlet=outlet, default_lang=lang,
                            max_items=max_items or DEFAULT_MAX_ITEMS)
        if kind == "wp-json" and result.kind != "wp-json":
            result.warnings.append(f"configured as wp-json but the body is {result.kind}")
        return result
    if kind == "sitemap":
        result = parse_sitemap(body, url=url, outlet=outlet, max_items=max_items or SITEMAP_MAX_ITEMS)
        for item in result.items:
            item.lang = item.lang or _norm_lang(lang)
        return result
    if kind == "listing":
        if not selector:
            raise ValueError(f"listing source {url} needs a CSS selector")
        charset = _header_charset(content_type)
        markup: bytes | str = body
        if charset and _codec_ok(charset):
            markup = bytes(body).decode(_codec_ok(charset) or "utf-8", errors="replace")
        return parse_listing(markup, url=url, selector=selector, outlet=outlet, date_selector=date_selector,
                             default_lang=lang, max_items=max_items or DEFAULT_MAX_ITEMS)
    raise ValueError(f"unknown source kind {kind!r}; expected one of {', '.join(SOURCE_KINDS)}")


def expand_url(template: str, since: datetime, *, overlap: timedelta = timedelta(days=1)) -> str:
    """Fill a source URL template: ``{modified_after}`` → ISO 8601 UTC time of ``since - overlap``.

    The overlap is there because WordPress compares ``modified_after`` with its site-local
    modification time; asking for a day more costs nothing since :func:`dedupe` drops repeats.
    A naive ``since`` is taken as UTC.
    """
    moment = _as_utc(since) - overlap
    return template.replace("{modified_after}", moment.strftime("%Y-%m-%dT%H:%M:%SZ")).replace(
        "{since_date}", moment.strftime("%Y-%m-%d")
    )
