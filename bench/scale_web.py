"""A loopback web for the scale benchmarks: H hosts × U URLs, latency, ~30 KB pages, 404s, a
dead host that never answers.  Run as its own process (``bench_scale.py`` starts it) so that
its CPU never counts as kzwatch's.

Hosts are distinct loopback addresses (``127.0.X.Y``), so any client — kzwatch and LinkChecker
alike — sees H different hosts through the ordinary resolver and keeps its politeness per host.
The layout is a pure function of (hosts, urls, seed): the benchmark driver computes the same
URL list without asking the server.

Pages are generated here from a small word list (our own text, Russian-like and English-like
sentences) and carry an ETag, so a second cycle can answer 304.  ``GET /__stats`` on the
control host (127.0.0.1) returns JSON: requests and body bytes sent, per host request times
(for politeness gaps) and per path request counts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONTROL = "127.0.0.1"
WORDS_RU = ("комиссия выборы депутат избиратель явка процент район область город закон бюджет доклад "
            "министерство совет решение реформа школа больница дорога вода тариф суд прокурор "
            "журналист редакция источник заявление партия кандидат голос участок наблюдатель").split()
WORDS_EN = ("commission election deputy voter turnout percent district region city law budget report "
            "ministry council decision reform school hospital road water tariff court prosecutor "
            "journalist newsroom source statement party candidate vote precinct observer").split()


def host_ip(i: int) -> str:
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


def layout(hosts: int, urls: int, *, biggest_share: float = 0.10, dead_urls: int = 20,
           not_found_share: float = 0.03, seed: int = 13) -> list[str]:
    """The URL list: host 0 holds ``biggest_share`` of the URLs, the last host is dead (it never
    answers) with ``dead_urls`` URLs, the others share the rest evenly; ~3 % are 404s."""
    rng = random.Random(seed)
    live_hosts = hosts - 1
    biggest = int(urls * biggest_share)
    rest = urls - biggest - dead_urls
    per_host = [biggest] + [rest // (live_hosts - 1) + (1 if i < rest % (live_hosts - 1) else 0)
                            for i in range(live_hosts - 1)]
    out = []
    for h, count in enumerate(per_host):
        for j in range(count):
            section = ("news", "politics", "economy")[j % 3]
            kind = "gone" if rng.random() < not_found_share else section
            out.append(f"http://{host_ip(h)}:{{port}}/{kind}/story-{h}-{j}.html")
    dead = host_ip(hosts - 1)
    out += [f"http://{dead}:{{port}}/news/story-dead-{j}.html" for j in range(dead_urls)]
    return out


def page(host: str, path: str, size: int = 30_000) -> bytes:
    rng = random.Random(hashlib.sha256(f"{host}{path}".encode()).digest())
    title = " ".join(rng.choice(WORDS_RU) for _ in range(6)).capitalize()
    nav = "".join(f'<li><a href="/{w}/">{w}</a></li>' for w in WORDS_EN[:12])
    parts = [f"<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\"><title>{title}</title>"
             f"<meta property=\"article:published_time\" content=\"2021-0{1 + rng.randrange(9)}-1{rng.randrange(9)}\">"
             f"</head><body><header><nav><ul>{nav}</ul></nav></header><main><article><h1>{title}</h1>"]
    length = sum(len(p.encode()) for p in parts)
    while length < size - 400:
        words = WORDS_RU if rng.random() < 0.8 else WORDS_EN
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 18)))
        para = f"<p>{sentence.capitalize()} {rng.randint(1, 99)},{rng.randint(0, 9)} %.</p>"
        parts.append(para)
        length += len(para.encode())
    parts.append("</article></main><footer><p>© bench web</p></footer></body></html>")
    return "".join(parts).encode()


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.body_bytes = 0
        self.times: dict[str, list[float]] = defaultdict(list)
        self.paths: dict[str, int] = defaultdict(int)

    def record(self, host: str, path: str, sent: int) -> None:
        with self.lock:
            self.requests += 1
            self.body_bytes += sent
            self.times[host].append(time.time())
            self.paths[f"{host}{path}"] += 1

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"requests": self.requests, "body_bytes": self.body_bytes,
                               "times": self.times, "paths": self.paths}).encode()


def make_handler(stats: Stats, known: set[str], dead: str, latency_s: float):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            if host == CONTROL and self.path == "/__stats":
                return self._send(200, stats.as_json(), "application/json", record=False)
            if host == dead:
                time.sleep(3600)  # accepted, never answered: the client's timeout decides
                return None
            time.sleep(latency_s)
            if self.path == "/robots.txt":
                return self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
            if f"{host}{self.path}" not in known:
                return self._send(404, b"<html><title>Not found</title><p>No such page.</p></html>")
            etag = '"' + hashlib.sha1(f"{host}{self.path}".encode()).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", etag=etag)
            return self._send(200, page(host, self.path), etag=etag)

        def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", *,
                  etag: str | None = None, record: bool = True) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            if body:
                self.wfile.write(body)
            if record:
                stats.record((self.headers.get("Host") or "").rsplit(":", 1)[0], self.path, len(body))

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):  # type: ignore[no-untyped-def]
        pass  # clients closing kept-alive connections (LinkChecker does) are not news


def serve(hosts: int, urls: int, latency_s: float, port_file: str, biggest_share: float) -> None:
    listed = layout(hosts, urls, biggest_share=biggest_share)
    known = {u.split("://", 1)[1].replace(":{port}", "") for u in listed if "/gone/" not in u}
    server = _Server(("0.0.0.0", 0), make_handler(Stats(), known, host_ip(hosts - 1), latency_s))
    with open(port_file, "w") as fh:
        fh.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, required=True)
    ap.add_argument("--urls", type=int, required=True)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--biggest", type=float, default=0.10)
    a = ap.parse_args()
    serve(a.hosts, a.urls, a.latency, a.port_file, a.biggest)
