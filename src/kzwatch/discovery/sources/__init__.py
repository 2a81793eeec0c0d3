"""Reading what a watched source returned: one reader per source kind, registered by kind.

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

Each reader is a function ``(body, source, url, content_type, max_items) -> ParsedFeed``
registered with ``@source_reader(kind, ...)`` in its module (``feeds``, ``sitemap``,
``listing``); :func:`parse_source` picks the reader by the configured ``kind`` and passes it the
whole source, so every option the config holds reaches it.  Adding a kind is one module and one
import at the bottom of this file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from kzwatch.discovery.sources.common import (
    FEED_ERROR_KINDS,
    FeedError,
    ParsedFeed,
    parse_date,
)


class SourceSpec(Protocol):
    """What a reader needs of a configured source (``kzwatch.config.FeedConfig`` is one)."""

    kind: str
    outlet: str
    selector: str | None
    date_selector: str | None
    lang: str | None


#: One reader per source kind: (body, source, final URL, Content-Type, item cap) -> ParsedFeed.
SourceReader = Callable[[bytes, SourceSpec, str, "str | None", "int | None"], ParsedFeed]
SOURCE_READERS: dict[str, SourceReader] = {}


def source_reader(*kinds: str) -> Callable[[SourceReader], SourceReader]:
    """Register a reader for one or more source kinds; adding a kind is one function here."""
    def register(reader: SourceReader) -> SourceReader:
        for kind in kinds:
            SOURCE_READERS[kind] = reader
        return reader
    return register




def parse_source(body: bytes, source: SourceSpec, *, url: str, content_type: str | None = None,
                 max_items: int | None = None) -> ParsedFeed:
    """Read a configured source's body with the reader registered for its ``kind``.

    The reader gets the whole source, so every option the config holds (selector, date selector,
    language...) reaches it.  A wrong ``kind`` or a listing without a ``selector`` is a
    configuration error (ValueError), not a source failure.
    """
    reader = SOURCE_READERS.get(source.kind)
    if reader is None:
        raise ValueError(f"unknown source kind {source.kind!r}; expected one of {', '.join(SOURCE_KINDS)}")
    return reader(body, source, url, content_type, max_items)


# The kinds: importing a module registers its readers.
from kzwatch.discovery.sources.feeds import parse_feed  # noqa: E402
from kzwatch.discovery.sources.listing import discover_feeds, parse_listing  # noqa: E402
from kzwatch.discovery.sources.sitemap import parse_sitemap  # noqa: E402

#: Source kinds ``parse_source`` understands, in registration order.
SOURCE_KINDS = tuple(SOURCE_READERS)

__all__ = ["SOURCE_KINDS", "SOURCE_READERS", "FEED_ERROR_KINDS", "FeedError", "ParsedFeed", "SourceSpec",
           "source_reader", "parse_source", "parse_feed", "parse_sitemap", "parse_listing", "discover_feeds",
           "parse_date"]
