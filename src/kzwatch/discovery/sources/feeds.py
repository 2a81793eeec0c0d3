"""RSS 0.9x/2.0, RSS 1.0 (RDF), Atom, JSON Feed and the WordPress REST API's post list.

A feed is untrusted input: the body size is checked first; well-formed XML is read by
defusedxml, which refuses any entity declaration (billion laughs, quadratic blow-up, XXE) before
anything is expanded, item by item (``iterparse``, items cleared as read: a 19.8 MB feed in 2.6 s
where feedparser takes 13.3 s, bench/RESULTS.md); feedparser only ever sees
``io.BytesIO(bytes)``, only for bodies that are *not* well-formed XML, after a byte scan has made
sure no entity declaration is present, and only up to ``max_lenient_bytes``.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException

from kzwatch.discovery.sources import SourceSpec, source_reader
from kzwatch.discovery.sources.common import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ITEMS,
    DEFAULT_MAX_LENIENT_BYTES,
    FEED_ROOT_RE,
    NS_ATOM,
    NS_XML_BASE,
    NS_XML_LANG,
    SUMMARY_MAX_CHARS,
    XML_DECL_RE,
    FeedError,
    ParsedFeed,
    became_html,
    check_body,
    clean_text,
    codec_ok,
    decode,
    entity_declarations_present,
    http_url,
    iter_xml,
    looks_like_html,
    mime,
    norm_lang,
    parse_date,
    split_tag,
    struct_to_utc,
    text_of,
    utf8_xml,
)
from kzwatch.discovery.sources.sitemap import (
    parse_sitemap,
)
from kzwatch.model import FeedItem


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


#: Child elements whose text fills a field of the item; the first non-empty one wins.
_TEXT_FIELDS = {"title": "title", "description": "summary", "summary": "summary", "abstract": "summary",
                "encoded": "content", "content": "content"}
_DATE_FIELDS = {"pubDate": "published", "published": "published", "issued": "published", "created": "published",
                "date": "published", "updated": "updated", "modified": "updated"}  # "date": Dublin Core only


def _item_from_element(elem: Element, ctx: _FeedContext) -> FeedItem | None:
    """One RSS ``<item>`` (any RSS version, RDF included) or Atom ``<entry>`` as a FeedItem."""
    base = ctx.base or ctx.url
    if elem.get(NS_XML_BASE):
        base = urljoin(base, elem.get(NS_XML_BASE))
    found: dict[str, Any] = {"lang": norm_lang(elem.get(NS_XML_LANG))}
    for child in elem:
        _read_child(child, base, found)
    about = elem.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    link = found.get("link") or http_url(found.get("permalink_guid"), base) or http_url(about, base)
    if link is None:
        return None
    return FeedItem(
        url=link,
        title=clean_text(found.get("title", "")),
        summary=clean_text(found.get("summary") or found.get("content", ""), max_chars=SUMMARY_MAX_CHARS),
        published_at=found.get("published") or found.get("updated"),
        updated_at=found.get("updated"),
        guid=found.get("guid") or None,
        source_url=ctx.url,
        outlet=ctx.outlet,
        lang=found.get("lang"),  # the feed's language is filled in once the whole channel is known
    )


def _read_child(child: Element, base: str, found: dict[str, Any]) -> None:
    """What one child element of an item says, into ``found`` (first non-empty value wins)."""
    ns, name = split_tag(child.tag)
    if name in _TEXT_FIELDS:
        if not found.get(_TEXT_FIELDS[name]):
            found[_TEXT_FIELDS[name]] = text_of(child)
    elif name in _DATE_FIELDS and (name != "date" or ns.startswith("http://purl.org/dc/")):
        if not found.get(_DATE_FIELDS[name]):
            found[_DATE_FIELDS[name]] = parse_date(child.text)
    elif name == "link" and found.get("link") is None:
        if child.get("href") is not None:  # Atom (also atom:link inside RSS items)
            if child.get("rel", "alternate") == "alternate":
                found["link"] = http_url(child.get("href"), base)
        else:
            found["link"] = http_url(child.text, base)
    elif name in ("guid", "id"):
        found["guid"] = (child.text or "").strip()
        if child.get("isPermaLink", "true").lower() != "false" or ns == NS_ATOM:
            found["permalink_guid"] = found["guid"]
    elif name == "language" and not found.get("lang"):
        found["lang"] = norm_lang(child.text)


def _feed_kind(root: Element) -> str:
    ns, name = split_tag(root.tag)
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
    holders = [root] + [child for child in root if split_tag(child.tag)[1] == "channel"]
    title, lang = "", norm_lang(root.get(NS_XML_LANG))
    for holder in holders:
        lang = lang or norm_lang(holder.get(NS_XML_LANG))
        for child in holder:
            _, name = split_tag(child.tag)
            if name == "title" and not title:
                title = clean_text(text_of(child))
            elif name == "language" and not lang:
                lang = norm_lang(child.text)
    return title, lang


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
        for event, elem in iter_xml(data):
            if event == "start":
                depth += 1
                if root is None:
                    root = elem
                    kind = _feed_kind(root)
                    if root.get(NS_XML_BASE):
                        ctx.base = urljoin(ctx.url, root.get(NS_XML_BASE))
                    if kind not in ("rss", "rdf", "atom"):
                        return kind, root, items, 0, 0
                continue
            depth -= 1
            _, name = split_tag(elem.tag)
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
    feed_lang = norm_lang(parsed.feed.get("language")) or ctx.lang
    warnings: list[str] = []
    items: list[FeedItem] = []
    for entry in parsed.entries[:max_items]:
        link = http_url(entry.get("link"), ctx.url) or http_url(entry.get("id"), ctx.url)
        if link is None:
            continue
        title_detail = entry.get("title_detail") or {}
        items.append(
            FeedItem(
                url=link,
                title=clean_text(entry.get("title")),
                summary=clean_text(entry.get("summary"), max_chars=SUMMARY_MAX_CHARS),
                # dict.get: FeedParserDict.get would alias updated_parsed to published_parsed
                published_at=struct_to_utc(dict.get(entry, "published_parsed")) or struct_to_utc(dict.get(entry, "updated_parsed")),
                updated_at=struct_to_utc(dict.get(entry, "updated_parsed")),
                guid=entry.get("id") or None,
                source_url=ctx.url,
                outlet=ctx.outlet,
                lang=norm_lang(title_detail.get("language")) or feed_lang,
            )
        )
    if len(parsed.entries) > max_items:
        warnings.append(f"kept the first {max_items} of {len(parsed.entries)} items (max_items)")
    title = clean_text(parsed.feed.get("title"))
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
    text, _, warnings = decode(body, "application/json; charset=utf-8")
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
        link = http_url(post.get("link"), ctx.url) if isinstance(post, dict) else None
        if link is None:
            skipped += 1
            continue
        post_id = post.get("id")
        items.append(
            FeedItem(
                url=link,
                title=clean_text(_rendered(post.get("title"))),
                summary=clean_text(_rendered(post.get("excerpt")), max_chars=SUMMARY_MAX_CHARS),
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
    lang = norm_lang(data.get("language") if isinstance(data.get("language"), str) else None) or ctx.lang
    items: list[FeedItem] = []
    for entry in data["items"][:max_items]:
        if not isinstance(entry, dict):
            continue
        link = http_url(entry.get("url") if isinstance(entry.get("url"), str) else None, ctx.url)
        if link is None:
            continue
        text_of = lambda key: entry.get(key) if isinstance(entry.get(key), str) else ""  # noqa: E731
        items.append(
            FeedItem(
                url=link,
                title=clean_text(text_of("title")),
                summary=clean_text(text_of("summary") or text_of("content_text") or text_of("content_html"), max_chars=SUMMARY_MAX_CHARS),
                published_at=parse_date(text_of("date_published")) or parse_date(text_of("date_modified")),
                updated_at=parse_date(text_of("date_modified")),
                guid=str(entry["id"]) if entry.get("id") not in (None, "") else None,
                source_url=ctx.url,
                outlet=ctx.outlet,
                lang=norm_lang(text_of("language")) or lang,
            )
        )
    if len(data["items"]) > max_items:
        warnings.append(f"kept the first {max_items} of {len(data['items'])} items (max_items)")
    title = clean_text(data.get("title")) if isinstance(data.get("title"), str) else ""
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
    check_body(body, max_bytes)
    body = bytes(body)
    ctx = _FeedContext(url=url, outlet=outlet, lang=norm_lang(default_lang))
    stripped = body.lstrip(b" \t\r\n\xef\xbb\xbf")
    if stripped[:1] in (b"[", b"{") or mime(content_type) in ("application/json", "application/feed+json"):
        return _parse_json_body(body, ctx, max_items)

    text, _codec, warnings = decode(body, content_type)
    head = text[:4096]
    if looks_like_html(head) or (mime(content_type) in ("text/html", "application/xhtml+xml") and not FEED_ROOT_RE.search(head)):
        raise became_html(text, url)
    if mime(content_type) == "text/html":
        warnings.append("served as text/html but the body is a feed")
    declared = XML_DECL_RE.match(body[:1024])
    declared_utf8 = declared is None or codec_ok(declared.group(1).decode()) == "utf-8"
    # Re-encoding is only needed when expat would otherwise read the bytes in another charset.
    data = body if _codec == "utf-8" and declared_utf8 and not body.startswith(b"\xef\xbb\xbf") else utf8_xml(text)

    try:
        kind, root, items, over_cap, no_link = _parse_wellformed_feed(data, ctx, max_items)
    except _Malformed as broken:
        return _salvage(body, broken, ctx, content_type, max_items, max_lenient_bytes, warnings)
    if kind == "sitemap":
        return parse_sitemap(body, url=url, outlet=outlet, max_bytes=max_bytes)
    if kind == "html":
        raise became_html(text, url)
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
    if entity_declarations_present(body):
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


@source_reader("rss", "atom", "wp-json")
def _read_feed(body: bytes, source: SourceSpec, url: str, content_type: str | None,
               max_items: int | None) -> ParsedFeed:
    """RSS, RDF, Atom and JSON feeds alike: the body says which."""
    result = parse_feed(body, url=url, content_type=content_type, outlet=source.outlet,
                        default_lang=source.lang, max_items=max_items or DEFAULT_MAX_ITEMS)
    if source.kind == "wp-json" and result.kind != "wp-json":
        result.warnings.append(f"configured as wp-json but the body is {result.kind}")
    return result
