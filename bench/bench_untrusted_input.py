"""What hostile or huge input costs: a compression bomb through the fetcher, a ~20 MB feed.

Why it matters: kzwatch reads bodies from servers it does not control.  The fetcher caps decoded
bytes (``max_body_bytes``) and the feed reader takes a streaming fast path for well-formed feeds,
falling back to feedparser only for broken ones.  This prints what those choices cost, so the
figures quoted in README.md and in module docstrings rest on a script anyone can re-run.

    python bench/bench_untrusted_input.py

1. A 1 GiB gzip / deflate / brotli bomb served by the loopback SimWeb, fetched with the default
   10 MB cap: wall time, bytes on the wire, decoded bytes kept, peak Python memory (tracemalloc).
2. An RSS feed of 34,000 items (~19.6 MB, under the 20 MB feed budget): kzwatch.discovery.sources.parse_source (all items) against
   feedparser.parse on the same bytes.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from types import SimpleNamespace

from kzwatch.discovery.sources import parse_source
from kzwatch.fetch import Fetcher, FetchSettings
from kzwatch.sim.simweb import GzipBomb, SimWeb


def bomb(web: SimWeb, encoding: str) -> None:
    web.add("bomb.test", f"/{encoding}", GzipBomb(size=1 << 30, encoding=encoding))
    fetcher = Fetcher(FetchSettings(per_host_delay_s=0, retries=0, timeout_s=60,
                                    allow_private_hosts=("bomb.test",), ca_bundle=web.ca_path),
                      resolver=web.resolver)
    try:
        tracemalloc.start()
        started = time.perf_counter()
        result = fetcher.fetch(web.url("bomb.test", f"/{encoding}"))
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        fetcher.close()
    print(f"  {encoding:<8} {elapsed:6.2f} s  wire {result.bytes_read / 1e6:6.2f} MB  kept {len(result.body) / 1e6:5.1f} MB"
          f"  truncated={result.truncated}  peak {peak / 2**20:5.1f} MiB")


def big_feed(n: int = 34_000) -> bytes:
    items = "".join(
        f"<item><title>Заметка номер {i} о выборах в Мажилис</title>"
        f"<link>https://news.example/a/{i}.html</link><guid>https://news.example/a/{i}.html</guid>"
        f"<pubDate>Mon, 02 Mar 2026 06:00:00 +0000</pubDate>"
        f"<description>{'Текст заметки о выборах и явке избирателей. ' * 4}</description></item>"
        for i in range(n))
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Big</title>"
            f"{items}</channel></rss>").encode()


def feeds() -> None:
    import feedparser

    body = big_feed()
    print(f"  feed size {len(body) / 1e6:.1f} MB, 34,000 items")
    started = time.perf_counter()
    ours = parse_source(body, SimpleNamespace(kind="rss", outlet="", selector=None, date_selector=None, lang=None),
                        url="https://news.example/rss", max_items=10**6)
    print(f"  kzwatch.discovery.sources.parse_source: {time.perf_counter() - started:6.2f} s, {len(ours.items)} items")
    started = time.perf_counter()
    theirs = feedparser.parse(body)
    print(f"  feedparser.parse:           {time.perf_counter() - started:6.2f} s, {len(theirs.entries)} items")


if __name__ == "__main__":
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY", "all_proxy"):
        os.environ.pop(name, None)  # loopback only
    print(f"machine: {os.cpu_count()} CPUs")
    print("1. a 1 GiB compression bomb, default 10 MB cap:")
    with SimWeb() as web:
        for encoding in ("gzip", "deflate", "br"):
            bomb(web, encoding)
    print("2. a ~20 MB RSS feed:")
    feeds()
