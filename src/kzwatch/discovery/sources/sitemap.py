"""XML sitemaps, sitemap indexes, gzipped and plain-text sitemaps."""

from __future__ import annotations

import zlib
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException

from kzwatch.discovery.sources import SourceSpec, source_reader
from kzwatch.discovery.sources.common import (
    SITEMAP_MAX_DECOMPRESSED,
    SITEMAP_MAX_ITEMS,
    FeedError,
    ParsedFeed,
    became_html,
    check_body,
    clean_text,
    decode,
    http_url,
    iter_xml,
    looks_like_html,
    norm_lang,
    parse_date,
    split_tag,
    utf8_xml,
)
from kzwatch.model import FeedItem


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
    urls = [http_url(line, "") for line in lines]
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
    text, warnings = _sitemap_text(body, url, max_bytes=max_bytes, max_decompressed=max_decompressed)
    if not text.lstrip().startswith("<"):
        plain = _text_sitemap(text, url, outlet, max_items)
        if plain is None:
            raise FeedError("malformed", "neither XML nor a one-URL-per-line text sitemap")
        return plain
    read = _SitemapRead(url, outlet, max_items)
    try:
        for event, elem in iter_xml(utf8_xml(text)):
            read.element(event, elem)
    except DefusedXmlException as exc:
        raise FeedError("entities_refused",
                        f"the sitemap declares entities or external references ({type(exc).__name__})") from None
    except ParseError as exc:
        if not read.items and not read.children:
            raise FeedError("malformed", f"not well-formed XML ({exc})") from None
        warnings.append(f"not well-formed XML ({exc}); kept what came before the error")
    if read.over_cap:
        warnings.append(f"kept the first {max_items} of {max_items + read.over_cap} URLs (max_items)")
    return ParsedFeed(kind=read.kind, items=read.items, warnings=warnings, sitemaps=read.children)


def _sitemap_text(body: bytes, url: str, *, max_bytes: int, max_decompressed: int) -> tuple[str, list[str]]:
    """The sitemap's text, inflated (bounded) when gzipped; an HTML page is not a sitemap."""
    check_body(body, max_bytes)
    body = bytes(body)
    if body[:2] == b"\x1f\x8b":
        body = _gunzip_bounded(body, max_decompressed)
        check_body(body, max_decompressed)
    text, _, warnings = decode(body, None)
    if looks_like_html(text[:4096]):
        raise became_html(text, url)
    return text, warnings


class _SitemapRead:
    """The state of one streamed read: the root decides the kind; <url>s and <sitemap>s are
    taken as they close and cleared, so memory stays flat on a 50,000-URL sitemap."""

    def __init__(self, url: str, outlet: str, max_items: int):
        self.url, self.outlet, self.max_items = url, outlet, max_items
        self.items: list[FeedItem] = []
        self.children: list[str] = []
        self.kind = ""
        self.over_cap = 0

    def element(self, event: str, elem: Element) -> None:
        _, name = split_tag(elem.tag)
        if event == "start":
            if not self.kind:
                if name not in ("urlset", "sitemapindex"):
                    raise FeedError("unsupported", f"XML root <{name}> is not a sitemap")
                self.kind = "sitemap" if name == "urlset" else "sitemap-index"
            return
        if name == "url" and self.kind == "sitemap":
            if len(self.items) >= self.max_items:
                self.over_cap += 1
            elif (item := _sitemap_url(elem, self.url, self.outlet)) is not None:
                self.items.append(item)
            elem.clear()
        elif name == "sitemap" and self.kind == "sitemap-index":
            loc = http_url(_child_text(elem, "loc"), self.url)
            if loc and len(self.children) < self.max_items:
                self.children.append(loc)
            elem.clear()


def _child_text(elem: Element, local_name: str) -> str | None:
    for child in elem.iter():
        if child is not elem and split_tag(child.tag)[1] == local_name:
            return (child.text or "").strip()
    return None


def _sitemap_url(elem: Element, source_url: str, outlet: str) -> FeedItem | None:
    loc = http_url(_child_text(elem, "loc"), source_url)
    if loc is None:
        return None
    return FeedItem(
        url=loc,
        title=clean_text(_child_text(elem, "title")),  # news:news/news:title
        published_at=parse_date(_child_text(elem, "publication_date")),
        updated_at=parse_date(_child_text(elem, "lastmod")),
        source_url=source_url,
        outlet=outlet,
        lang=norm_lang(_child_text(elem, "language")),
    )


# --- HTML: listing pages and feed autodiscovery -----------------------------------------------


@source_reader("sitemap")
def _read_sitemap(body: bytes, source: SourceSpec, url: str, content_type: str | None,
                  max_items: int | None) -> ParsedFeed:
    result = parse_sitemap(body, url=url, outlet=source.outlet, max_items=max_items or SITEMAP_MAX_ITEMS)
    for item in result.items:
        item.lang = item.lang or norm_lang(source.lang)
    return result
