"""Crash durability harness: ``kill -9`` the check, discover and digest cycles at random moments.

Each step runs one cycle of a simulated day as a real ``kzwatch`` process (``KZWATCH_PREFECT=0``),
kills it with SIGKILL after a random delay (uniform over the last measured duration of that
cycle), checks the invariants, then runs the same cycle again to completion and checks that it
finished the work:

* the warehouse opens (WAL replay succeeds) after every kill;
* no duplicate rows: one check per (url, as_of slot), no check without its url_state or snapshot;
* nothing committed is lost: the number of checks and items never goes down;
* no alert sent twice: every event id is in at most one delivered digest, and there is exactly one
  digest file per delivered digest (a re-run after a kill rewrites the same file);
* the next cycle completes (exit 0) and leaves nothing of its slot undone.

Run it from the repository (the long form, a separate command; see docs/RELIABILITY.md)::

    .venv/bin/python tests/reliability/crashharness.py --kills 200 --seed 1

The pytest suite runs a handful of kills (test_rel_crash.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kzwatch.sim.simweb import Drip, Page, SimWeb
from kzwatch.store import open_warehouse

T0 = datetime(2026, 2, 2, 6, tzinfo=timezone.utc)
HOSTS = [f"h{i}.test" for i in range(4)] + ["feeds.test", "canary.test"]
KINDS = ("check", "discover", "digest")


@dataclass
class Stats:
    kills: int = 0
    kills_by_kind: dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS})
    finished_before_kill: int = 0  # the random moment fell after the cycle ended
    reruns_ok: int = 0
    opened_after_kill: int = 0
    checks: int = 0
    items: int = 0
    delivered_digests: int = 0
    leftover_tmp_files: int = 0
    failures: list[str] = field(default_factory=list)


def build_world(web: SimWeb, folder: Path) -> Path:
    """Four hosts of cited pages (one slow page each, one that flips to 404), a feed, a canary."""
    rows = ["footnote,url,title,outlet,author,published,accessed"]
    n = 0
    for i, host in enumerate(HOSTS[:4]):
        for j in range(3):
            path = f"/a/{j}.html"
            if j == 0:
                route = Drip(interval_s=0.05, max_seconds=0.4)  # keeps the cycle busy for a moment
            elif j == 1 and i % 2:
                route = Page(status=404, body="<h1>Not found</h1>")
            else:
                route = Page(body=f"<title>Явка {i}{j}</title><article><p>{'явка выборы мажилис ' * 30}</p></article>")
            web.add(host, path, route)
            n += 1
            rows.append(f"{n},{web.url(host, path, tls=False)},Явка {i}{j},Outlet,,2021-01-10,2021-01-28")
    items = "".join(f"<item><title>Явка на выборах в Мажилис {k}</title><link>{web.url('feeds.test', f'/n/{k}', tls=False)}"
                    f"</link><pubDate>Mon, 02 Feb 2026 0{k % 9}:00:00 +0000</pubDate></item>" for k in range(12))
    web.add("feeds.test", "/rss", Page(body=f"<?xml version='1.0'?><rss><channel><title>f</title>{items}</channel></rss>",
                                       content_type="application/rss+xml"))
    web.set_default("feeds.test", Page(body="<title>Новость</title><article><p>" + "явка на выборах " * 40 + "</p></article>"))
    web.add("canary.test", "/", Page(body="ok", content_type="text/plain"))
    (folder / "c.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "claims.toml").write_text('[[claim]]\nid = "C1"\ntext = "Turnout of 63% is contested"\nfootnotes = [1]\n'
                                        'figures = ["63%"]\n[claim.terms]\nru = ["явка"]\n', encoding="utf-8")
    resolve = ", ".join(f'"{h}" = "127.0.0.1"' for h in HOSTS)
    config = folder / "k.toml"
    config.write_text(f"""
[warehouse]
path = "w.duckdb"
lock_wait_s = 30
[[article]]
id = "crash"
citations = "c.csv"
claims = "claims.toml"
[[feed]]
url = "{web.url('feeds.test', '/rss', tls=False)}"
outlet = "Feeds"
[fetch]
per_host_delay_s = 0.05
timeout_s = 2
retries = 0
max_parallel_hosts = 2
canary_urls = ["{web.url('canary.test', '/', tls=False)}"]
allow_private_hosts = {json.dumps(HOSTS)}
resolve = {{ {resolve} }}
[archive]
enabled = false
[delivery.file]
dir = "digests"
""", encoding="utf-8")
    return config


def command(kind: str, config: Path, as_of: datetime) -> list[str]:
    cmd = [sys.executable, "-m", "kzwatch.cli", kind, "--config", str(config), "--as-of", as_of.isoformat()]
    return cmd + (["--deliver"] if kind == "digest" else [])


def _env() -> dict[str, str]:
    return {**os.environ, "KZWATCH_PREFECT": "0", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


def run_to_completion(kind: str, config: Path, as_of: datetime) -> float:
    started = time.monotonic()
    done = subprocess.run(command(kind, config, as_of), env=_env(), capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"{kind} at {as_of} after a kill exited {done.returncode}: {done.stderr[-2000:]}")
    return time.monotonic() - started


def kill_during(kind: str, config: Path, as_of: datetime, delay: float) -> int | None:
    proc = subprocess.Popen(command(kind, config, as_of), env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=delay)
        return proc.returncode  # finished before the kill: still a valid sample (kill "after")
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        return None


def invariants(config: Path, previous: dict[str, int], *, after_kill: bool = False) -> dict[str, int]:
    """Check everything that must hold after any kill; return the counts for the next call.

    ``after_kill``: a kill between writing the digest file and recording it leaves one file
    more than recorded digests (at-least-once delivery); the re-run rewrites that same file."""
    folder = config.parent
    with open_warehouse(folder / "w.duckdb", wait_s=30) as con:
        one = lambda sql: con.execute(sql).fetchall()[0][0]  # noqa: E731
        counts = {
            "checks": one("SELECT count(*) FROM checks"),
            "items": one("SELECT count(*) FROM items"),
            "events": one("SELECT count(*) FROM events"),
            "delivered": one("SELECT count(*) FROM digests WHERE delivered"),
        }
        dup_checks = one("SELECT count(*) FROM (SELECT url, checked_at FROM checks GROUP BY 1, 2 HAVING count(*) > 1)")
        orphans = one("SELECT count(*) FROM checks k LEFT JOIN url_state u USING (url) WHERE u.url IS NULL")
        missing = one("SELECT count(*) FROM checks WHERE snapshot_id IS NOT NULL AND snapshot_id NOT IN "
                      "(SELECT snapshot_id FROM snapshots)")
        twice = one("SELECT count(*) FROM (SELECT e FROM (SELECT unnest(event_ids) AS e FROM digests WHERE delivered) "
                    "GROUP BY e HAVING count(*) > 1)")
    assert dup_checks == 0, f"{dup_checks} duplicate checks"
    assert orphans == 0 and missing == 0, f"orphan checks {orphans}, missing snapshots {missing}"
    assert twice == 0, f"{twice} alerts in more than one delivered digest"
    for key in ("checks", "items", "events", "delivered"):
        assert counts[key] >= previous.get(key, 0), f"{key} went down: {previous.get(key)} -> {counts[key]}"
    files = [p for p in (folder / "digests").glob("kzwatch-digest-*")] if (folder / "digests").exists() else []
    extra = len(files) - counts["delivered"]
    assert extra in ((0, 1) if after_kill else (0,)), f"{len(files)} digest files for {counts['delivered']} delivered digests"
    return counts


def slot_done(kind: str, config: Path, as_of: datetime, urls: int) -> None:
    with open_warehouse(config.parent / "w.duckdb", wait_s=30) as con:
        if kind == "check":
            n = con.execute("SELECT count(*) FROM checks WHERE checked_at = ?", [as_of]).fetchall()[0][0]
            assert n == urls, f"check at {as_of}: {n} of {urls} URLs checked"
        if kind == "digest":
            left = con.execute("SELECT count(*) FROM events WHERE sent_at IS NULL AND status = 'open' "
                               "AND created_at <= ?", [as_of]).fetchall()[0][0]
            assert left == 0, f"digest at {as_of}: {left} due alerts left unsent"


def run_harness(folder: Path, kills: int, seed: int, *, log=print) -> Stats:
    rng = random.Random(seed)
    stats = Stats()
    durations = {"check": 3.0, "discover": 3.0, "digest": 2.0}
    with SimWeb(tls=False) as web:
        for host in HOSTS:
            web.add_name(host)
        config = build_world(web, folder)
        urls = 12
        counts: dict[str, int] = {}
        day = 0
        while stats.kills < kills:
            as_of = T0 + timedelta(days=day)
            for kind in KINDS:
                if stats.kills >= kills:
                    break
                delay = rng.uniform(0.0, durations[kind] * 1.1)
                if kill_during(kind, config, as_of, delay) is not None:
                    stats.finished_before_kill += 1
                stats.kills += 1
                stats.kills_by_kind[kind] += 1
                try:
                    counts = invariants(config, counts, after_kill=True)
                    stats.opened_after_kill += 1
                    durations[kind] = run_to_completion(kind, config, as_of)
                    stats.reruns_ok += 1
                    counts = invariants(config, counts)
                    slot_done(kind, config, as_of, urls)
                except Exception as exc:  # noqa: BLE001 - the harness reports every broken invariant
                    stats.failures.append(f"kill {stats.kills} ({kind} at {as_of:%Y-%m-%d}, {delay:.2f}s): {exc}")
                    log(stats.failures[-1])
                    return stats
            day += 1
            if stats.kills % 30 < 3:
                log(f"{stats.kills} kills, {len(stats.failures)} failures, counts {counts}")
        stats.checks, stats.items, stats.delivered_digests = counts["checks"], counts["items"], counts["delivered"]
        # a kill inside the atomic file write leaves its hidden temporary file behind (litter, not state)
        stats.leftover_tmp_files = len(list((folder / "digests").glob(".*.tmp"))) if (folder / "digests").exists() else 0
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", help="work folder (default: a temporary one)")
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="kzwatch-crash-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    stats = run_harness(folder, args.kills, args.seed)
    print(json.dumps({**stats.__dict__, "seconds": round(time.monotonic() - started), "folder": str(folder)}, indent=1))
    return 1 if stats.failures else 0


if __name__ == "__main__":
    sys.exit(main())
