"""Hostile and broken source bodies (feeds, sitemaps, listings) and what each must become.

``expected`` is either ``"ok"`` (a ParsedFeed, maybe with warnings) or the ``FeedError.kind``
the documented error type must carry.  Anything else escaping ``parse_source`` is a defect.
"""

from __future__ import annotations

import gzip
import json

RU = "Явка на выборах составила шестьдесят три процента"


def rss(items: str, encoding: str = "utf-8", decl: str | None = None) -> str:
    declared = decl or encoding
    return (f'<?xml version="1.0" encoding="{declared}"?><rss version="2.0"><channel><title>Лента</title>'
            f"<link>https://feeds.test/</link>{items}</channel></rss>")


def item(i: int, title: str = RU, link: str | None = None) -> str:
    return (f"<item><title>{title} {i}</title><link>{link or f'https://feeds.test/a/{i}'}</link>"
            f"<pubDate>Mon, 0{1 + i % 9} Feb 2021 10:00:00 +0600</pubDate></item>")


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + ']><rss><channel><title>&lol9;</title></channel></rss>')
XXE = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       "<rss><channel><title>&x;</title>" + item(1) + "</channel></rss>")
XXE_PARAM = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>'
             "<rss><channel>" + item(1) + "</channel></rss>")
SITEMAP = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           + "".join(f"<url><loc>https://feeds.test/s/{i}</loc><lastmod>2021-02-0{1 + i % 9}</lastmod></url>"
                     for i in range(5)) + "</urlset>")
LISTING = ("<html><body>" + "".join(f'<div class="n"><a href="/a/{i}">{RU} {i}</a></div>' for i in range(5))
           + '<div class="n"><a href="javascript:alert(1)">x</a></div><div class="n"><a href="file:///etc/passwd">y</a>'
           + "</div></body></html>")

# (kind, body, source kind, content type, expected)
SOURCE_FAULTS: list[tuple[str, bytes, str, str | None, str]] = [
    ("well_formed_rss", rss(item(1) + item(2)).encode(), "rss", "application/rss+xml", "ok"),
    ("billion_laughs", LAUGHS.encode(), "rss", "application/rss+xml", "entities_refused"),
    ("external_entity_file", XXE.encode(), "rss", "application/rss+xml", "entities_refused"),
    ("external_parameter_entity", XXE_PARAM.encode(), "rss", "application/rss+xml", "entities_refused"),
    ("truncated_mid_item", rss(item(1) + item(2)).encode()[:-60], "rss", "application/rss+xml", "ok"),
    ("binary_garbage", bytes(range(256)) * 8, "rss", "application/rss+xml", "malformed"),
    ("empty_body", b"", "rss", "application/rss+xml", "empty_body"),
    ("whitespace_body", b"  \r\n\t ", "rss", "application/rss+xml", "empty_body"),
    ("html_instead_of_feed", b"<!doctype html><html><head><title>Moved</title></head><body>x</body></html>",
     "rss", "text/html", "became_html"),
    ("unknown_xml_root", b'<?xml version="1.0"?><catalog><book/></catalog>', "rss", "application/xml", "unsupported"),
    ("json_not_a_feed", json.dumps({"items": 5, "version": 7}).encode(), "rss", "application/json", "unsupported"),
    ("json_truncated", b'{"version": "https://jsonfeed.org/version/1", "items": [{"url": ', "rss",
     "application/feed+json", "malformed"),
    ("cp1251_declared_utf8", rss(item(1)).encode("cp1251"), "rss", "application/rss+xml; charset=utf-8", "ok"),
    ("koi8r_declared", rss(item(1), "koi8-r").encode("koi8_r"), "rss", "application/rss+xml", "ok"),
    ("kz1048_undeclared", rss(item(1, "Мәжіліс сайлауы"), decl="utf-8").encode("kz1048"), "rss",
     "application/rss+xml", "ok"),
    ("links_to_other_schemes", rss(item(1, link="javascript:alert(1)") + item(2, link="file:///etc/passwd")
                                   + item(3)).encode(), "rss", "application/rss+xml", "ok"),
    ("ten_thousand_items", rss("".join(item(i) for i in range(10_000))).encode(), "rss", "application/rss+xml", "ok"),
    # A channel without items is a legitimate (empty) feed, however deep its other elements go.
    ("deeply_nested_xml", ('<?xml version="1.0"?><rss><channel>' + "<x>" * 100_000 + "</x>" * 100_000
                           + "</channel></rss>").encode(), "rss", "application/rss+xml", "ok"),
    ("nul_bytes_in_titles", rss(item(1, "a\x00b\x01c")).encode(), "rss", "application/rss+xml", "ok"),
    ("sitemap", SITEMAP.encode(), "sitemap", "application/xml", "ok"),
    ("sitemap_gzip_bomb", gzip.compress(b"<urlset>" + b" " * (300 << 20)), "sitemap", "application/x-gzip",
     "too_large"),
    ("sitemap_with_laughs", LAUGHS.replace("<rss><channel><title>&lol9;</title></channel></rss>",
                                           "<urlset><url><loc>&lol9;</loc></url></urlset>").encode(),
     "sitemap", "application/xml", "entities_refused"),
    ("listing_with_hostile_links", LISTING.encode(), "listing", "text/html", "ok"),
]
