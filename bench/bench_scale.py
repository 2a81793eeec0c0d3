"""Check-cycle scale benchmarks (issue 13, benchmarks 1–5) on a loopback web.

    python bench/bench_scale.py --all        # 1–5 in turn (≈ 40 min on 2 shared cores)
    python bench/bench_scale.py --quick      # 1, 3, 4 on 500 URLs / 50 hosts
    python bench/bench_scale.py --bench 1 3 4 [--urls 2000 --hosts 100]
    python bench/bench_scale.py --bench 2    # 20,000 URLs / 1,000 hosts, biggest host 1 %
    python bench/bench_scale.py --bench 5 [--kills 20]   # kill -9 test (≈ 5 min)

LinkChecker (benchmark 3) is stopped after ``KZ_BENCH_LINKCHECKER_CAP_S`` (600 s) and its
progress by then reported.

Every kzwatch cycle runs as ``KZWATCH_PREFECT=0 kzwatch check`` in its own process, measured
with ``wait4`` (wall, user+sys CPU, peak RSS); the web (``bench/scale_web.py``) runs in another
process so its CPU is not counted.  Settings: ``per_host_delay_s`` 0.2, 50 ms latency, ~30 KB
pages, 3 % 404s, one dead host (20 URLs, accepts and never answers), ``timeout_s`` 10,
``max_parallel_hosts`` 32, archive off (its phase is benchmarked by bench_archive*.py).

The politeness floor is max over live hosts of (URLs × delay); the target wall is
1.3 × floor + the dead host's timeouts (``host_failure_limit`` × ``timeout_s`` at most; with
robots.txt on, one timeout: the failed robots.txt fetch is remembered).  Figures go to stdout
as a table and as JSON lines (``--json FILE``) for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import scale_web  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
KZWATCH = [PY, "-m", "kzwatch.cli"]
AS_OF = datetime(2026, 6, 1, 6, 0, tzinfo=timezone.utc)
DELAY, LATENCY, TIMEOUT, PARALLEL, DEAD_URLS = 0.2, 0.05, 10.0, 32, 20
# LinkChecker is stopped here: on this shared machine it was far slower than in issue 13's run
LINKCHECKER_CAP_S = float(os.environ.get("KZ_BENCH_LINKCHECKER_CAP_S", "600"))
BATCH_ROWS = int(os.environ.get("KZ_BENCH_BATCH_ROWS", "50"))
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# --- the web ------------------------------------------------------------------------------------


class Web:
    def __init__(self, hosts: int, urls: int, workdir: Path, biggest: float = 0.10):
        self.hosts, self.n = hosts, urls
        port_file = workdir / f"port-{hosts}-{urls}"
        self.proc = subprocess.Popen([PY, str(Path(__file__).parent / "scale_web.py"), "--hosts", str(hosts),
                                      "--urls", str(urls), "--latency", str(LATENCY), "--port-file", str(port_file),
                                      "--biggest", str(biggest)])
        for _ in range(300):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.1)
        self.port = int(port_file.read_text())
        self.urls = [u.replace("{port}", str(self.port))
                     for u in scale_web.layout(hosts, urls, dead_urls=DEAD_URLS, biggest_share=biggest)]

    def stats(self) -> dict:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/__stats")
        with _NO_PROXY.open(req, timeout=30) as resp:
            return json.loads(resp.read())

    def floor(self) -> float:
        dead = scale_web.host_ip(self.hosts - 1)
        per_host: dict[str, int] = {}
        for u in self.urls:
            host = u.split("/")[2].split(":")[0]
            if host != dead:
                per_host[host] = per_host.get(host, 0) + 1
        return max(per_host.values()) * DELAY

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def key(url: str) -> str:
    """The server's path key of a URL: host (no port) + path."""
    rest = url.split("://", 1)[1]
    host, path = rest.split("/", 1)
    return host.split(":")[0] + "/" + path


# --- kzwatch ------------------------------------------------------------------------------------


def write_world(web: Web, workdir: Path) -> Path:
    rows = ["footnote,url,title,outlet,author,published,accessed"]
    for n, url in enumerate(web.urls, start=1):
        host = url.split("/")[2].split(":")[0]
        title = scale_web.page(host, "/" + url.split("/", 3)[3]).split(b"<title>")[1].split(b"</title>")[0].decode() \
            if web.n <= 5000 else f"story {n}"
        rows.append(f"{n},{url},{title},Bench Outlet,,,2026-01-28")
    (workdir / "cites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    hosts = sorted({u.split("/")[2].split(":")[0] for u in web.urls})
    (workdir / "kzwatch.toml").write_text(f"""
[warehouse]
path = "w.duckdb"
[[article]]
id = "bench"
citations = "cites.csv"
[fetch]
per_host_delay_s = {DELAY}
timeout_s = {TIMEOUT}
connect_timeout_s = {TIMEOUT}
max_parallel_hosts = {PARALLEL}
canary_urls = []
allow_private_hosts = {json.dumps(hosts)}
[archive]
enabled = false
[check]
batch_rows = {BATCH_ROWS}
""", encoding="utf-8")
    return workdir / "kzwatch.toml"


def run_cycle(config: Path, as_of: datetime, *, kill_after: float | None = None) -> dict:
    env = {**os.environ, "KZWATCH_PREFECT": "0", "NO_PROXY": "*", "no_proxy": "*"}
    started = time.monotonic()
    log_path = config.with_name(f"check-{as_of:%Y%m%d}.log")  # a file: a full pipe would stall the cycle
    with open(log_path, "ab") as log_file:
        proc = subprocess.Popen([*KZWATCH, "check", "--config", str(config), "--as-of", as_of.isoformat()],
                                env=env, stdout=subprocess.DEVNULL, stderr=log_file)
        status, usage = _wait(proc, started + kill_after if kill_after is not None else None)
    wall = time.monotonic() - started
    err = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
    rc = os.waitstatus_to_exitcode(status)
    if kill_after is None and rc != 0:
        raise SystemExit(f"kzwatch check failed ({rc}):\n{err[-2000:]}")
    return {"wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),  # type: ignore[attr-defined]
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "rc": rc}  # type: ignore[attr-defined]


def _wait(proc: subprocess.Popen, kill_at: float | None) -> tuple[int, object]:
    """Reap ``proc`` with its rusage (never through Popen.wait, which would reap it first);
    kill -9 it at ``kill_at`` (monotonic) if it is still running then."""
    while kill_at is not None:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return status, usage
        if time.monotonic() >= kill_at:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return status, usage


def warehouse_query(workdir: Path, sql: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(workdir / "w.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def used_bytes(workdir: Path) -> int:
    """Bytes in used blocks (the file also keeps free blocks DuckDB reuses later)."""
    (block_size, used), = warehouse_query(workdir, "SELECT block_size, used_blocks FROM pragma_database_size()")
    return int(block_size) * int(used)


def fetched_pages(workdir: Path, as_of: datetime) -> int:
    return warehouse_query(workdir, f"SELECT count(*) FROM checks WHERE http_status IS NOT NULL "
                                    f"AND checked_at = '{as_of.isoformat()}'")[0][0]


def request_span(stats: dict, since: float, until: float) -> dict:
    """When the first and the last request of a run reached the web, seconds after its start:
    startup before the first, judging and writing after the last."""
    times = [t for ts in stats["times"].values() for t in ts if since <= t <= until]
    if not times:
        return {}
    return {"first_request_s": round(min(times) - since, 1), "last_request_s": round(max(times) - since, 1)}


def host_gaps(stats: dict, host: str, since: float, until: float) -> dict:
    times = sorted(t for t in stats["times"].get(host, []) if since <= t <= until)
    gaps = [b - a for a, b in zip(times, times[1:])]
    if not gaps:
        return {}
    return {"min_gap_s": round(min(gaps), 3), "median_gap_s": round(statistics.median(gaps), 3), "requests": len(times)}


# --- benchmarks ---------------------------------------------------------------------------------


def bench_first_and_second_cycle(hosts: int, urls: int, workdir: Path, *, linkchecker: bool,
                                 second: bool, biggest: float = 0.10, emit=lambda row: None) -> list[dict]:
    """Benchmarks 1 (first cycle), 3 (LinkChecker on the same web) and 4 (unchanged second cycle)."""
    out = []
    web = Web(hosts, urls, workdir, biggest)
    try:
        config = write_world(web, workdir)
        floor = web.floor()
        dead_cost = TIMEOUT  # robots.txt on: the dead host's first timeout is remembered
        s0, t0 = web.stats(), time.time()
        first = run_cycle(config, AS_OF)
        s1, t1 = web.stats(), time.time()
        pages = fetched_pages(workdir, AS_OF)
        size1 = (workdir / "w.duckdb").stat().st_size
        used_bytes_after = [used_bytes(workdir)]
        big = scale_web.host_ip(0)
        out.append({"bench": 1, "urls": urls, "hosts": hosts, "floor_s": floor, **first,
                    "target_wall_s": round(1.3 * floor + dead_cost, 1),
                    "wall_over_floor": round(first["wall_s"] / floor, 2),
                    "fetched_pages": pages, "cpu_ms_per_page": round(1000 * first["cpu_s"] / max(pages, 1), 1),
                    "body_bytes": s1["body_bytes"] - s0["body_bytes"], "requests": s1["requests"] - s0["requests"],
                    "biggest_host": host_gaps(s1, big, t0, t1), **request_span(s1, t0, t1)})
        emit(out[-1])
        if second:
            s2, t2 = web.stats(), time.time()
            again = run_cycle(config, AS_OF + timedelta(days=1))
            s3 = web.stats()
            size2 = (workdir / "w.duckdb").stat().st_size
            used1, used2 = used_bytes_after[0], used_bytes(workdir)
            run_cycle(config, AS_OF + timedelta(days=2))  # a third cycle: is the growth steady?
            size3, used3 = (workdir / "w.duckdb").stat().st_size, used_bytes(workdir)
            unchanged = warehouse_query(workdir, "SELECT count(*) FROM checks WHERE checked_at = "
                                                 f"'{(AS_OF + timedelta(days=1)).isoformat()}' AND not_modified")[0][0]
            bytes1, bytes2 = s1["body_bytes"] - s0["body_bytes"], s3["body_bytes"] - s2["body_bytes"]
            out.append({"bench": 4, "urls": urls, "hosts": hosts, "floor_s": floor, **again,
                        "wall_over_floor": round(again["wall_s"] / floor, 2),
                        "bytes_first": bytes1, "bytes_second": bytes2,
                        "bytes_ratio": round(bytes2 / max(bytes1, 1), 4), "unchanged_checks": unchanged,
                        "warehouse_growth_bytes": size2 - size1,
                        "growth_per_unchanged_check_b": round((size2 - size1) / max(unchanged, 1), 1),
                        "used_growth_per_unchanged_check_b": round((used2 - used1) / max(unchanged, 1), 1),
                        "third_cycle_file_growth_per_check_b": round((size3 - size2) / max(unchanged, 1), 1),
                        "third_cycle_used_growth_per_check_b": round((used3 - used2) / max(unchanged, 1), 1),
                        "biggest_host": host_gaps(s3, big, t2, time.time())})
            emit(out[-1])
        if linkchecker:
            out.append(bench_linkchecker(web, workdir, floor))
            emit(out[-1])
    finally:
        web.stop()
    return out


def bench_linkchecker(web: Web, workdir: Path, floor: float, threads: int = 32) -> dict:
    """Benchmark 3: LinkChecker 10.6 on the same URL list and web, 5 requests/s per host."""
    exe = shutil.which("linkchecker")
    if exe is None:
        return {"bench": 3, "skipped": "linkchecker not installed"}
    rc_dir = workdir / "lc"
    rc_dir.mkdir(exist_ok=True)
    (rc_dir / "linkcheckerrc").write_text(f"[checking]\nthreads={threads}\ntimeout={int(TIMEOUT)}\n"
                                          f"maxrequestspersecond={1 / DELAY:g}\nrecursionlevel=0\n", encoding="utf-8")
    os.chmod(rc_dir, 0o755)
    os.chmod(rc_dir / "linkcheckerrc", 0o644)
    s0, t0 = web.stats(), time.time()
    started = time.monotonic()
    proc = subprocess.Popen([exe, "-f", str(rc_dir / "linkcheckerrc"), "--stdin", "--check-extern", "-o", "none",
                             "--no-status"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "NO_PROXY": "*", "no_proxy": "*"})
    assert proc.stdin is not None
    proc.stdin.write("\n".join(web.urls).encode())
    proc.stdin.close()
    status, usage = _wait(proc, started + LINKCHECKER_CAP_S)
    wall = time.monotonic() - started
    finished = os.waitstatus_to_exitcode(status) >= 0  # killed at the cap: a negative signal number
    s1 = web.stats()
    return {"bench": 3, "tool": f"linkchecker ({threads} threads, {1 / DELAY:g} req/s per host)",
            "finished": finished, "cap_s": LINKCHECKER_CAP_S,
            "urls": len(web.urls), "floor_s": floor, "wall_s": round(wall, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),  # type: ignore[attr-defined]
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # type: ignore[attr-defined]
            "requests": s1["requests"] - s0["requests"], "body_bytes": s1["body_bytes"] - s0["body_bytes"],
            "biggest_host": host_gaps(s1, scale_web.host_ip(0), t0, time.time()), **request_span(s1, t0, time.time())}


def bench_kill(hosts: int, urls: int, workdir: Path, kills: int, seed: int = 5) -> dict:
    """Benchmark 5: kill -9 at random moments (1–12 s into a run) until ``kills`` runs were
    killed mid-cycle, each next run in the same slot (a new slot once one completes); then run
    to completion.  Nothing committed may be lost or written twice, and no URL committed in the
    slot may be requested again by a later run of that slot."""
    rng = random.Random(seed)
    web = Web(hosts, urls, workdir)
    try:
        config = write_world(web, workdir)
        lost = duplicated = redone = killed = 0
        trace: list[dict] = []
        slot = AS_OF
        while True:
            done_before = _committed(workdir, slot)
            if len(done_before) == len(web.urls):
                if killed >= kills:
                    break
                slot += timedelta(days=1)  # this slot is complete: keep killing in the next one
                done_before = set()
            paths_before = web.stats()["paths"]
            result = run_cycle(config, slot, kill_after=rng.uniform(1.0, 12.0) if killed < kills else None)
            done_after = _committed(workdir, slot)
            paths_after = web.stats()["paths"]
            lost += len(done_before - done_after)
            rows, distinct = warehouse_query(workdir, "SELECT count(*), count(DISTINCT check_id) FROM checks")[0]
            duplicated += rows - distinct
            redone += sum(1 for u in done_before if paths_after.get(key(u), 0) > paths_before.get(key(u), 0))
            killed += result["rc"] != 0
            trace.append({"slot": slot.date().isoformat(), "killed": result["rc"] != 0,
                          "committed_before": len(done_before), "committed_after": len(done_after),
                          "wall_s": result["wall_s"]})
        per_slot = warehouse_query(workdir, "SELECT checked_at, count(*), count(DISTINCT url) FROM checks GROUP BY 1")
        return {"bench": 5, "urls": urls, "kills": killed, "runs": len(trace), "slots": len(per_slot),
                "every_slot_complete": all(n == d == len(web.urls) for _, n, d in per_slot),
                "lost": lost, "duplicated": duplicated, "redone": redone, "trace": trace}
    finally:
        web.stop()


def _committed(workdir: Path, slot: datetime) -> set[str]:
    if not (workdir / "w.duckdb").exists():
        return set()
    return {u for (u,) in warehouse_query(workdir, f"SELECT url FROM checks WHERE checked_at = '{slot.isoformat()}'")}


# --- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--all", action="store_true", help="benchmarks 1-6 at full size (6: bench/bench_archive.py)")
    ap.add_argument("--quick", action="store_true", help="benchmarks 1, 3, 4 on 500 URLs / 50 hosts")
    ap.add_argument("--bench", type=int, nargs="*", default=[])
    ap.add_argument("--urls", type=int, default=2000)
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--json", help="append one JSON line per result to this file")
    args = ap.parse_args(argv)
    wanted = set(args.bench) or ({1, 2, 3, 4, 5, 6} if args.all else {1, 3, 4})
    urls, hosts = (500, 50) if args.quick else (args.urls, args.hosts)
    print(f"# bench_scale {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          f"python {sys.version.split()[0]}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="kz-bench-") as tmp:
        work = Path(tmp)
        if wanted & {1, 3, 4}:
            (work / "a").mkdir()
            results += bench_first_and_second_cycle(hosts, urls, work / "a", linkchecker=3 in wanted, second=4 in wanted,
                                                    emit=lambda row: _emit([row], args.json))
        if 2 in wanted:
            (work / "b").mkdir()
            # biggest host 1 % (200 URLs): the same 40 s floor as benchmark 1, ten times the URLs
            big = bench_first_and_second_cycle(1000, 20000, work / "b", linkchecker=False, second=False,
                                               biggest=0.01, emit=lambda row: _emit([{**row, "bench": 2}], args.json))
            results += big
        if 5 in wanted:
            (work / "c").mkdir()
            results.append(bench_kill(hosts, urls, work / "c", args.kills))
            _emit(results[-1:], args.json)
    if 6 in wanted:  # first cycle with default archive settings against a rate-limited fake archive
        import bench_archive

        bench_archive.main([])
    return 0


def _emit(rows: list[dict], path: str | None) -> None:
    for row in rows:
        print(json.dumps(row, ensure_ascii=False), flush=True)
        if path:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
