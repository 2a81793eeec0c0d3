"""Benchmark 6 (issue 13): a first cycle with the default archive settings on 75 citations.

A loopback web of 15 outlets x 5 cited pages (~30 KB each, two of them 404) and a fake
Internet Archive that enforces the published limits and answers HTTP 429 (Retry-After 60) when
they are exceeded: Availability API and CDX at most 30 requests in any 60 s (the CDX hard limit
since June 2026, edgi-govdata-archiving/wayback#206; the Availability API has no published
figure and is held to the same), replay (``id_`` mementos, TimeGates) at most 600 in any 60 s.
Every page is archived; the Availability API is "blind" to every third URL (as the real one
often is), so those need a CDX query.

Default ``[fetch]`` and ``[archive]`` settings (per_host_delay_s 3 s; CDX and Availability 24 a
minute, replay 480 a minute, budget 300 s per phase).  Cycle 1 = the check (verdicts, timed on
their own) and then the archive phase; the following cycles (one simulated day apart, run back
to back) repeat check + archive until every citation's archive work is finished.

    python bench/bench_archive.py [--urls-per-host 5] [--hosts 15] [--budget-s 300] [--max-cycles 6]
                                  [--parallel-hosts N]

``--parallel-hosts`` sets ``[fetch] max_parallel_hosts`` (default 8: with 15 hosts the check
fetches them in two waves, which the floor below does not count); ``--max-cycles 0`` times the
verdicts only.

Prints: verdict wall time against the politeness floor (max over hosts of URLs x delay), then
per cycle the archive phase's wall time, requests per endpoint and progress, and the fake
archive's own count of requests, its busiest 60 s window per endpoint and any 429s it sent.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import tempfile
import time
from collections import deque
from datetime import datetime, timedelta, timezone
from pathlib import Path

PARAGRAPH = ("Наблюдатели сообщили, что явка на выборах в Мажилис на участке номер {n} была ниже "
             "официальной, а протоколы участковых комиссий расходятся с данными ЦИК. ")
ARCHIVE_HOST = "archive.bench.test"
WAYBACK_HOST = "wayback.bench.test"
STAMP = "20210127120000"
LIMITS = {"availability": 30, "cdx": 30, "memento": 600}  # requests in any 60 s before a 429


def page(host: str, i: int, kb: int = 30) -> str:
    title = f"Явка на участке {host.split('.')[0]} {i}"
    body = "".join(PARAGRAPH.format(n=f"{i}-{k}") for k in range(kb * 1024 // 260))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<article><h1>{title}</h1><p>{body}</p></article></body></html>")


def serve(conn, hosts: list[str], per_host: int) -> None:
    """The loopback web and the fake archive, in their own process."""
    import json as _json
    from urllib.parse import parse_qs, urlsplit

    from kzwatch.sim.simweb import Handler, Page, SimWeb

    seen: dict[str, deque] = {e: deque() for e in LIMITS}
    stats = {"requests": dict.fromkeys(LIMITS, 0), "busiest_60s": dict.fromkeys(LIMITS, 0), "sent_429": 0}

    def limited(endpoint: str, answer):
        def handle(req):
            now = time.monotonic()
            window = seen[endpoint]
            while window and window[0] <= now - 60:
                window.popleft()
            stats["requests"][endpoint] += 1
            if len(window) >= LIMITS[endpoint]:
                stats["sent_429"] += 1
                return Page(status=429, body="Too Many Requests", headers={"Retry-After": "60"})
            window.append(now)
            stats["busiest_60s"][endpoint] = max(stats["busiest_60s"][endpoint], len(window))
            return answer(req)
        return Handler(handle)

    with SimWeb() as web:
        urls = {}
        for h in hosts:
            for i in range(per_host):
                path = f"/news/{i}.html"
                urls[web.url(h, path)] = page(h, i)
                web.add(h, path, Page(status=404, body="<h1>Not found</h1>") if (h == hosts[0] and i < 2)
                        else Page(body=urls[web.url(h, path)], etag=f'"{h}-{i}"'))
        blind = set(list(urls)[::3])

        def availability(req):
            url = (parse_qs(urlsplit(req.path).query).get("url") or [""])[0]
            snap = {} if url in blind or url not in urls else {"closest": {
                "available": True, "status": "200", "timestamp": STAMP,
                "url": web.url(WAYBACK_HOST, f"/web/{STAMP}/{url}")}}
            return Page(body=_json.dumps({"url": url, "archived_snapshots": snap}), content_type="application/json")

        def cdx(req):
            url = (parse_qs(urlsplit(req.path).query).get("url") or [""])[0]
            rows = [["timestamp", "original", "statuscode"], [STAMP, url, "200"]] if url in urls else []
            return Page(body=_json.dumps(rows), content_type="application/json")

        def replay(req):
            rest = req.path.split("/web/", 1)[1]
            head, _, original = rest.partition("/")
            if head == f"{STAMP}id_" and original in urls:
                return Page(body=urls[original])
            return Page(status=404, body="not archived")

        web.add(ARCHIVE_HOST, "/wayback/available", limited("availability", availability))
        web.add(WAYBACK_HOST, "/cdx/search/cdx", limited("cdx", cdx))
        web.set_default(WAYBACK_HOST, limited("memento", replay))
        conn.send((web.https_port, web.ca_path, list(urls)))
        while conn.recv() == "stats":
            conn.send(_json.loads(_json.dumps(stats)))


def write_config(directory: Path, hosts: list[str], urls: list[str], port: int, budget_s: float,
                 parallel_hosts: int | None) -> Path:
    rows = ["footnote,url,title,outlet,author,published,accessed"]
    for n, url in enumerate(urls, start=1):
        host = url.split("//")[1].split(":")[0]
        i = int(url.rsplit("/", 1)[1].split(".")[0])
        rows.append(f"{n},{url},Iavka na uchastke {host.split('.')[0]} {i},{host.split('.')[0]},,2021-01-10,2021-01-28")
    (directory / "cites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    every = hosts + [ARCHIVE_HOST, WAYBACK_HOST]
    resolve = ", ".join(f'"{h}" = "127.0.0.1"' for h in every)
    path = directory / "kzwatch.toml"
    path.write_text(f"""
[warehouse]
path = "w.duckdb"
[[article]]
id = "bench"
citations = "cites.csv"
[fetch]
{f"max_parallel_hosts = {parallel_hosts}" if parallel_hosts else ""}
allow_private_hosts = {json.dumps(every)}
resolve = {{ {resolve} }}
[archive]
availability_endpoint = "https://{ARCHIVE_HOST}:{port}/wayback/available"
cdx_endpoint = "https://{WAYBACK_HOST}:{port}/cdx/search/cdx"
timegate_endpoints = ["https://{WAYBACK_HOST}:{port}/web/"]
replay_prefix = "https://{WAYBACK_HOST}:{port}/web/"
budget_s = {budget_s}
""", encoding="utf-8")
    return path


def archive_progress(cfg) -> dict[str, int]:
    from kzwatch.store import open_warehouse

    with open_warehouse(cfg.warehouse_path) as con:
        return dict(con.execute("SELECT status, count(*) FROM archive_work GROUP BY status").fetchall())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hosts", type=int, default=15)
    ap.add_argument("--urls-per-host", type=int, default=5)
    ap.add_argument("--budget-s", type=float, default=300.0, help="[archive] budget_s (default: the default)")
    ap.add_argument("--max-cycles", type=int, default=6)
    ap.add_argument("--parallel-hosts", type=int, default=None, help="[fetch] max_parallel_hosts (default: 8)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("kzwatch.fetch").setLevel(logging.ERROR)  # loopback is allowlisted on purpose

    from kzwatch.config import load_config
    from kzwatch.cycles import direct

    hosts = [f"outlet{i:02d}.bench.test" for i in range(args.hosts)]
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(child, hosts, args.urls_per_host), daemon=True)
    server.start()
    port, ca_path, urls = parent.recv()
    os.environ["REQUESTS_CA_BUNDLE"] = ca_path
    work = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    cfg = load_config(write_config(work, hosts, urls, port, args.budget_s, args.parallel_hosts))
    delay = cfg.fetch.per_host_delay_s
    floor = args.urls_per_host * delay
    print(f"{len(urls)} citations on {args.hosts} hosts; per_host_delay_s {delay}; "
          f"politeness floor {floor:.0f} s; "
          f"max_parallel_hosts {cfg.fetch.max_parallel_hosts}; "
          f"archive defaults except budget_s={args.budget_s:.0f}; "
          f"fake archive limits per 60 s {LIMITS}")
    as_of = datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)
    began = time.monotonic()
    t = time.monotonic()
    check = direct.run("check-only", cfg, as_of)
    verdict_s = time.monotonic() - t
    print(f"cycle 1 check: verdicts for {check.checked} of {len(urls)} citations in {verdict_s:.1f} s "
          f"= {verdict_s / floor:.2f} x the floor (target <= 2.0); states {check.states}")
    cycle = 0
    for cycle in range(1, args.max_cycles + 1):
        if cycle > 1:
            t = time.monotonic()
            direct.run("check-only", cfg, as_of)
            print(f"cycle {cycle} check: {time.monotonic() - t:.1f} s")
        t = time.monotonic()
        phase = direct.run("archive", cfg, as_of)
        progress = archive_progress(cfg)
        print(f"cycle {cycle} archive phase: {time.monotonic() - t:.0f} s, requests {phase.requests}, "
              f"done {phase.done}, left {phase.remaining}; stopped: {phase.stopped or 'no, all done'}; "
              f"archive_work {progress}")
        if phase.remaining == 0:
            break
        as_of += timedelta(days=1)
    total = time.monotonic() - began
    parent.send("stats")
    stats = parent.recv()
    parent.send("stop")
    finished = sum(v for k, v in archive_progress(cfg).items() if k in ("baseline_done", "none"))
    print(f"baselines finished for {finished} of {len(urls)} URLs after {cycle} cycle(s), {total:.0f} s in all")
    print(f"fake archive saw {stats['requests']}, busiest 60 s {stats['busiest_60s']} "
          f"(limits {LIMITS}), 429s sent: {stats['sent_429']}")
    server.join(timeout=10)


if __name__ == "__main__":
    main()
