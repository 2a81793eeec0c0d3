"""Does fanning page fetches out over workers pay, and when?  (README "Scale-out")

Fetches N URLs spread over H hosts of a loopback simulated web, with a per-host delay, three
ways: ``local`` (one Fetcher, today's default: up to ``max_parallel_hosts`` = 8 hosts at a time,
and once more with as many hosts at a time as the fan-out has in flight, workers x 8),
``threads`` (host-partitioned shards, one Fetcher each, on a thread pool in this process) and
``dask`` (the same shards on a ``distributed.LocalCluster`` of worker processes).  Each number
is the wall time of one ``fetch_pages(jobs)`` call, best of ``--repeat``; the Dask cluster's
start-up and the first (cold) call are printed apart, because a flow run pays them once.

The simulated web runs in its own process, so its request handling does not share this
process's interpreter lock with the ``local`` fetcher's threads.  It is still on the same
machine: on two cores the servers and the fetchers compete for CPU, which a real crawl (remote
servers) would not.

    python bench/bench_fanout.py [--workers 2] [--repeat 3] [--cli]

``--cli`` also times ``kzwatch check`` end to end (Prefect ephemeral mode, a fresh
PREFECT_HOME each time) with ``[scale] runner`` = local, threads and dask on the first scenario.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kzwatch.config import load_config
from kzwatch.cycles.common import build_fetcher
from kzwatch.fanout import fan_out, fetch_shard
from kzwatch.fetch import FetchJob

PARAGRAPH = ("Центральная избирательная комиссия сообщила, что явка на выборах в Мажилис "
             "составила 63,3 процента; наблюдатели оспорили эти данные. ")


@dataclass(frozen=True)
class Scenario:
    name: str
    hosts: dict[str, int]  # host -> number of URLs
    delay_s: float
    page_kb: int

    @property
    def urls(self) -> int:
        return sum(self.hosts.values())


SCENARIOS = [
    Scenario("politeness-bound: 32 hosts x 5 URLs, delay 0.2 s, 5 KB pages",
             {f"h{i:02d}.bench.test": 5 for i in range(32)}, 0.2, 5),
    Scenario("one big host: 1 x 30 URLs + 30 hosts x 1 URL, delay 0.2 s, 5 KB pages",
             {"big.bench.test": 30, **{f"s{i:02d}.bench.test": 1 for i in range(30)}}, 0.2, 5),
    Scenario("CPU-bound: 16 hosts x 25 URLs, no delay, 60 KB pages",
             {f"c{i:02d}.bench.test": 25 for i in range(16)}, 0.0, 60),
]


# --- the simulated web, in its own process ------------------------------------------------------


def serve(conn, hosts: list[str], pages: int, page_kb: int) -> None:
    from kzwatch.sim.simweb import Page, SimWeb

    body = "<html><head><title>{t}</title></head><body><article>" + PARAGRAPH * (page_kb * 1024 // len(PARAGRAPH.encode()))
    with SimWeb() as web:
        for host in hosts:
            for i in range(pages):
                web.add(host, f"/a/{i}.html", Page(body=body.format(t=f"{host} {i}") + "</article></body></html>"))
        conn.send((web.https_port, web.ca_path))
        conn.recv()  # until told to stop


class WebProcess:
    def __init__(self, scenario: Scenario):
        parent, child = multiprocessing.Pipe()
        self._conn = parent
        pages = max(scenario.hosts.values())
        self._process = multiprocessing.Process(target=serve, args=(child, list(scenario.hosts), pages,
                                                                    scenario.page_kb), daemon=True)
        self._process.start()
        self.port, self.ca_path = parent.recv()

    def url(self, host: str, i: int) -> str:
        return f"https://{host}:{self.port}/a/{i}.html"

    def stop(self) -> None:
        self._conn.send("stop")
        self._process.join(timeout=10)


def write_config(directory: Path, scenario: Scenario, runner: str = "local", workers: int = 2,
                 citations: str | None = None, parallel_hosts: int = 8) -> Path:
    hosts = list(scenario.hosts)
    resolve = ", ".join(f'"{h}" = "127.0.0.1"' for h in hosts)
    article = f'[[article]]\nid = "bench"\ncitations = "{citations}"\n' if citations else ""
    path = directory / "kzwatch.toml"
    path.write_text(f"""
[warehouse]
path = "w.duckdb"
{article}
[fetch]
per_host_delay_s = {scenario.delay_s}
max_parallel_hosts = {parallel_hosts}
timeout_s = 20
canary_urls = []
allow_private_hosts = {json.dumps(hosts)}
resolve = {{ {resolve} }}
[archive]
enabled = false
[health]
soft404_probe = false
[scale]
runner = "{runner}"
workers = {workers}
""", encoding="utf-8")
    return path


def jobs_for(scenario: Scenario, web: WebProcess) -> list[FetchJob]:
    """Interleaved across hosts, as a citation list would be."""
    jobs = []
    for i in range(max(scenario.hosts.values())):
        jobs += [FetchJob(web.url(h, i)) for h, n in scenario.hosts.items() if i < n]
    return jobs


def timed(fetch_pages, jobs) -> float:
    started = time.perf_counter()
    results = fetch_pages(jobs)
    elapsed = time.perf_counter() - started
    bad = [r for r in results if r.error or r.status != 200]
    if len(results) != len(jobs) or bad:
        raise SystemExit(f"fetch failed: {len(bad)} bad results, e.g. {bad[0].error} {bad[0].error_detail}")
    return elapsed


def quiet() -> None:
    """The fetcher warns once per Fetcher that it may reach the loopback hosts: true, and noise here."""
    logging.getLogger("kzwatch.fetch").setLevel(logging.ERROR)
    logging.getLogger("distributed").setLevel(logging.WARNING)


def local_fetch(config, jobs):
    fetcher = build_fetcher(config)
    try:
        return fetcher.fetch_many(jobs)
    finally:
        fetcher.close()


def bench_scenario(scenario: Scenario, workers: int, repeat: int) -> dict[str, float]:
    import distributed

    web = WebProcess(scenario)
    os.environ["REQUESTS_CA_BUNDLE"] = web.ca_path  # inherited by the Dask workers started below
    out: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = load_config(write_config(Path(tmp), scenario, workers=workers))
            jobs = jobs_for(scenario, web)
            out["local"] = min(timed(functools.partial(local_fetch, config), jobs) for _ in range(repeat))
            # the same number of hosts in flight as the fan-out has (workers x 8), in one fetcher
            wide = load_config(write_config(Path(tmp), scenario, workers=workers, parallel_hosts=8 * workers))
            out[f"local, {8 * workers} hosts at once"] = min(
                timed(functools.partial(local_fetch, wide), jobs) for _ in range(repeat))
            with ThreadPoolExecutor(max_workers=workers) as pool:
                threads = fan_out(config, functools.partial(pool.submit, fetch_shard), workers)
                out["threads"] = min(timed(threads, jobs) for _ in range(repeat))
            started = time.perf_counter()
            with distributed.LocalCluster(n_workers=workers, processes=True, threads_per_worker=1,
                                          dashboard_address=None) as cluster, distributed.Client(cluster) as client:
                out["dask cluster start"] = time.perf_counter() - started
                client.run(quiet)
                dask = fan_out(config, functools.partial(client.submit, fetch_shard, pure=False), workers)
                out["dask cold (first call)"] = timed(dask, jobs)
                out["dask"] = min(timed(dask, jobs) for _ in range(repeat))
    finally:
        web.stop()
    return out


def bench_cli(workers: int) -> dict[str, float]:
    """``kzwatch check`` end to end, per runner, on the first scenario (fresh warehouse each)."""
    scenario = SCENARIOS[0]
    web = WebProcess(scenario)
    out = {}
    try:
        for runner in ("local", "threads", "dask"):
            with tempfile.TemporaryDirectory() as tmp:
                directory = Path(tmp)
                rows = ["footnote,url,title,outlet,author,published,accessed"]
                rows += [f"{n},{job.url},,Outlet,,,2021-01-28"
                         for n, job in enumerate(jobs_for(scenario, web), start=1)]
                (directory / "cites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
                config = write_config(directory, scenario, runner, workers, citations="cites.csv")
                env = {**os.environ, "REQUESTS_CA_BUNDLE": web.ca_path, "PREFECT_HOME": str(directory / "prefect"),
                       "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
                started = time.perf_counter()
                done = subprocess.run([sys.executable, "-m", "kzwatch.cli", "check", "--config", str(config),
                                       "--as-of", "2026-11-22T06:00:00Z"], env=env, capture_output=True, text=True)
                out[f"kzwatch check, runner={runner}"] = time.perf_counter() - started
                if done.returncode != 0 or f'"ok": {scenario.urls}' not in done.stdout:
                    raise SystemExit(f"kzwatch check failed ({runner}): {done.stdout[-500:]} {done.stderr[-2000:]}")
    finally:
        web.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cli", action="store_true", help="also time kzwatch check end to end per runner")
    args = parser.parse_args()
    quiet()
    print(f"cores: {os.cpu_count()}, workers/shards: {args.workers}, best of {args.repeat}")
    for scenario in SCENARIOS:
        print(f"\n{scenario.name} ({scenario.urls} URLs)")
        for name, seconds in bench_scenario(scenario, args.workers, args.repeat).items():
            print(f"  {name:<24} {seconds:6.2f} s")
    if args.cli:
        print(f"\nend to end, {SCENARIOS[0].name}")
        for name, seconds in bench_cli(args.workers).items():
            print(f"  {name:<36} {seconds:6.1f} s")


if __name__ == "__main__":
    main()
