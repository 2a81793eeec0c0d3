"""Benchmark: how fast do the analysts' views answer on a large warehouse?

Fills a fresh warehouse (migrated to the latest schema, in a temporary directory) with
1,000,000 checks over 10,000 cited URLs — generated inside DuckDB with ``range()``, so filling
takes seconds — plus url_state for every URL, snapshots, claims and their support, discovered
items and matches, feeds and alerts, with skewed, realistic distributions (most links alive, a
long tail of outlets, failures concentrated on dying/dead URLs).  Then, on a read-only
connection as an analyst would have, it times for every view

* ``full``:  ``SELECT * FROM view`` fully materialised (fetched as an Arrow table), and
* ``typical``: a filtered or aggregated query an analyst would run on it,

best of 3, and finally every example query in ``warehouse/queries/``.  Target: ≤ 0.3 s each.

    python bench/bench_views.py [--checks 1000000] [--citations 10000] [--keep DIR]

Deterministic: all "random" values come from ``hash()`` of the row number.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kzwatch.store import open_warehouse  # noqa: E402

TARGET_S = 0.3
QUERIES_DIR = ROOT / "warehouse" / "queries"

# A uniform number in [0, 1) from a row number and a salt, deterministic across runs.
U = "((hash({x}, {salt}) % 1000003) / 1000003.0)"


def u(x: str, salt: int) -> str:
    return U.format(x=x, salt=salt)


def fill(con: duckdb.DuckDBPyConnection, *, n_checks: int, n_citations: int) -> None:
    """Generate the whole warehouse in SQL."""
    n_articles = max(1, n_citations // 200)
    checks_per_url = max(1, n_checks // n_citations)
    p = {"n": n_citations, "arts": n_articles}

    # 40 outlets, Zipf-like: outlet k gets weight 1/(k+1)
    con.execute(f"""
        CREATE TEMP TABLE outlet_pick AS
        SELECT i AS n, 'outlet' || lpad(CAST(CAST(floor(40 * pow({u('i', 1)}, 2.2)) AS INTEGER) AS VARCHAR), 2, '0') AS outlet
        FROM range({p['n']}) t(i)""")
    con.execute(f"""
        INSERT INTO citations (article_id, footnote, seq, url, url_display, url_original, title, outlet, published, accessed)
        SELECT 'art' || (i % {p['arts']}), CAST(i // {p['arts']} AS INTEGER) + 1, 1,
               'https://' || o.outlet || '.example.kz/news/' || i || '.html',
               'https://' || o.outlet || '.example.kz/news/' || i || '.html',
               'https://' || o.outlet || '.example.kz/news/' || i || '.html',
               'Title of cited work ' || i, o.outlet,
               DATE '2012-01-01' + CAST(3000 * {u('i', 2)} AS INTEGER),
               DATE '2015-01-01' + CAST(3300 * {u('i', 3)} AS INTEGER)
        FROM range({p['n']}) t(i) JOIN outlet_pick o ON o.n = i""")

    # current state per URL: alive 70%, moved 5%, dying 6%, dead 10%, drifted 4%, blocked 3%, unknown 2%
    con.execute(f"""
        CREATE TEMP TABLE url_pick AS
        SELECT url, row_number() OVER (ORDER BY url) - 1 AS n,
               CASE WHEN r < 0.70 THEN 'alive' WHEN r < 0.75 THEN 'moved' WHEN r < 0.81 THEN 'dying'
                    WHEN r < 0.91 THEN 'dead' WHEN r < 0.95 THEN 'drifted' WHEN r < 0.98 THEN 'blocked'
                    ELSE 'unknown' END AS state
        FROM (SELECT url, {u('hash(url)', 4)} AS r FROM citations)""")
    con.execute(f"""
        INSERT INTO snapshots (snapshot_id, first_seen_at, url, content_type, encoding, size_bytes,
                               stored_bytes, truncated, body, title, lang, text_sha256)
        SELECT 'snap' || n || '-' || k, TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_days(CAST(k * 150 AS INTEGER)),
               url, 'text/html', 'utf-8', 20000, 6000, false,
               CAST(repeat('x', 64) AS BLOB), 'Title ' || n,
               CASE WHEN {u('n', 5)} < 0.6 THEN 'ru' WHEN {u('n', 5)} < 0.8 THEN 'kk' ELSE 'en' END,
               md5(url || k)
        FROM url_pick, range(2) t(k)""")
    con.execute(f"""
        INSERT INTO url_state (url, state, strikes, first_failure_at, last_checked_at, last_outcome,
                               http_status, final_url, last_snapshot_id, baseline_snapshot_id,
                               baseline_source, drift, drift_band, archive_url, updated_at)
        SELECT url, state,
               CASE state WHEN 'dead' THEN 3 + CAST(5 * {u('n', 6)} AS INTEGER) WHEN 'dying' THEN 1 + CAST(2 * {u('n', 6)} AS INTEGER) ELSE 0 END,
               CASE WHEN state IN ('dying', 'dead') THEN TIMESTAMPTZ '2026-03-01 00:00:00+00' + to_days(CAST(250 * {u('n', 7)} AS INTEGER)) END,
               TIMESTAMPTZ '2026-11-20 06:00:00+00',
               CASE state WHEN 'dead' THEN 'not_found' WHEN 'dying' THEN 'timeout' WHEN 'blocked' THEN 'blocked'
                          WHEN 'moved' THEN 'redirected' ELSE 'ok' END,
               CASE state WHEN 'dead' THEN 404 WHEN 'dying' THEN NULL WHEN 'blocked' THEN 403 ELSE 200 END,
               url, 'snap' || n || '-1', 'snap' || n || '-0', 'live',
               CASE state WHEN 'drifted' THEN 0.2 ELSE 0.9 + 0.1 * {u('n', 8)} END,
               CASE state WHEN 'drifted' THEN 'off_topic' ELSE 'unchanged' END,
               CASE WHEN {u('n', 9)} < 0.5 THEN 'https://web.archive.org/web/2021/' || url END,
               TIMESTAMPTZ '2026-11-20 06:00:00+00'
        FROM url_pick""")

    # checks: every URL every ~3 days; failing URLs fail more, recent checks of dead URLs always fail
    con.execute(f"""
        INSERT INTO checks (check_id, cycle_id, checked_at, url, outcome, http_status, final_url,
                            elapsed_ms, bytes, snapshot_id, drift, drift_band)
        SELECT 'k' || n || '-' || j, 'cycle' || j,
               TIMESTAMPTZ '2026-11-20 06:00:00+00' - to_hours(CAST(72 * ({checks_per_url} - 1 - j) AS BIGINT)),
               url, outcome,
               CASE outcome WHEN 'ok' THEN 200 WHEN 'redirected' THEN 200 WHEN 'not_found' THEN 404
                            WHEN 'server_error' THEN 503 WHEN 'rate_limited' THEN 429 WHEN 'blocked' THEN 403
                            WHEN 'soft_404' THEN 200 END,
               url, CAST(100 + 3000 * r AS INTEGER), CAST(50000 * r AS BIGINT),
               CASE WHEN j % 50 = 0 AND outcome = 'ok' THEN 'snap' || n || '-' || (j // 50 % 2) END,
               drift, CASE WHEN drift IS NULL THEN NULL WHEN drift < 0.6 THEN 'off_topic' WHEN drift < 0.98 THEN 'edited'
                           ELSE 'unchanged' END
        FROM (
            SELECT n, url, state, j, r,
                   -- drift, compared at every 3rd successful check: unchanged pages are identical
                   -- (1.0); one page in ten gets small edits; drifted pages fall off over time
                   CASE WHEN outcome = 'ok' AND j % 3 = 0 THEN
                        CASE WHEN state = 'drifted' THEN greatest(0.15, 1.0 - j / {checks_per_url} - 0.1 * r)
                             WHEN n % 10 = 0 THEN 0.95 + 0.05 * r ELSE 1.0 END END AS drift,
                   outcome
            FROM (
            SELECT n, url, state, j, {u('n * 1000 + j', 10)} AS r,
                   CASE
                     WHEN {u('j', 11)} < 0.005 THEN 'local_outage'
                     WHEN state IN ('dead', 'dying') AND j > {checks_per_url} * 0.8 THEN
                          CASE WHEN {u('n * 1000 + j', 12)} < 0.6 THEN 'not_found' WHEN {u('n * 1000 + j', 12)} < 0.8 THEN 'timeout'
                               WHEN {u('n * 1000 + j', 12)} < 0.9 THEN 'dns_error' ELSE 'server_error' END
                     WHEN state = 'blocked' AND j > {checks_per_url} * 0.5 THEN 'blocked'
                     WHEN state = 'moved' AND j > {checks_per_url} * 0.5 THEN 'redirected'
                     ELSE CASE WHEN {u('n * 1000 + j', 13)} < 0.94 THEN 'ok' WHEN {u('n * 1000 + j', 13)} < 0.96 THEN 'timeout'
                               WHEN {u('n * 1000 + j', 13)} < 0.975 THEN 'server_error' WHEN {u('n * 1000 + j', 13)} < 0.985 THEN 'rate_limited'
                               WHEN {u('n * 1000 + j', 13)} < 0.993 THEN 'connect_error' ELSE 'soft_404' END
                   END AS outcome
            FROM url_pick, range({checks_per_url}) t(j)
            )
        )""")

    # claims: 16 per article, each resting on 3 footnotes; support rows for every (claim, url)
    con.execute(f"""
        INSERT INTO claims (article_id, claim_id, text, footnotes)
        SELECT 'art' || a, 'C' || (c + 1), 'claim ' || (c + 1), [c * 3 + 1, c * 3 + 2, c * 3 + 3]
        FROM range({n_articles}) x(a), range(16) y(c)""")
    con.execute("""
        INSERT INTO claim_citations (article_id, claim_id, footnote)
        SELECT article_id, claim_id, unnest(footnotes) FROM claims""")
    con.execute(f"""
        INSERT INTO claim_support (article_id, claim_id, url, status, baseline_status, found, missing, checked_at)
        SELECT x.article_id, x.claim_id, c.url,
               CASE WHEN {u('hash(c.url, x.claim_id)', 14)} < 0.1 THEN 'missing' ELSE 'present' END, 'present',
               ['2005'], [], TIMESTAMPTZ '2026-11-20 06:00:00+00'
        FROM claim_citations x JOIN citations c ON c.article_id = x.article_id AND c.footnote = x.footnote""")

    # discovery: 200 feeds, 50,000 items, 20,000 matches
    con.execute("""
        INSERT INTO feed_state (feed_url, kind, outlet, last_fetched_at, last_status, last_error, last_ok_at,
                                consecutive_failures, items_total)
        SELECT 'https://feeds.example.kz/' || i || '/rss', CASE WHEN i % 10 = 0 THEN 'listing' ELSE 'rss' END,
               'outlet' || lpad(CAST(i % 40 AS VARCHAR), 2, '0'), TIMESTAMPTZ '2026-11-20 07:00:00+00',
               CASE WHEN i % 17 = 0 THEN 404 ELSE 200 END, CASE WHEN i % 17 = 0 THEN 'http_error: HTTP 404' END,
               TIMESTAMPTZ '2026-11-20 07:00:00+00' - to_days(CASE WHEN i % 17 = 0 THEN 20 ELSE 0 END),
               CASE WHEN i % 17 = 0 THEN 6 ELSE 0 END, 250
        FROM range(200) t(i)""")
    con.execute("""
        INSERT INTO items (item_id, url, canonical_url, title, summary, outlet, source_url, lang, published_at, first_seen_at)
        SELECT 'item' || i, 'https://news.example.kz/' || i, 'https://news.example.kz/' || i, 'News ' || i,
               'Summary ' || i, 'outlet' || lpad(CAST(i % 40 AS VARCHAR), 2, '0'),
               'https://feeds.example.kz/' || (i % 200) || '/rss',
               CASE WHEN i % 5 = 0 THEN 'kk' WHEN i % 5 = 1 THEN 'en' ELSE 'ru' END,
               TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_hours(CAST(i // 7 AS BIGINT)),
               TIMESTAMPTZ '2026-01-01 01:00:00+00' + to_hours(CAST(i // 7 AS BIGINT))
        FROM range(50000) t(i)""")
    con.execute(f"""
        INSERT INTO item_matches (article_id, claim_id, item_id, score, stance, matched, lang, first_seen_at)
        SELECT 'art' || (i % {n_articles}), 'C' || (1 + i % 16), 'item' || (i * 2 + 1), 0.3 + 0.7 * {u('i', 15)},
               ['confirms', 'updates', 'contradicts', 'mentions', 'mentions'][1 + i % 5], ['против всех'], 'ru',
               TIMESTAMPTZ '2026-01-01 01:00:00+00' + to_hours(CAST((i * 2 + 1) // 7 AS BIGINT))
        FROM range(20000) t(i)""")
    con.execute(f"""
        INSERT INTO events (event_id, article_id, kind, severity, created_at, subject, footnote, claim_id, url, details, status)
        SELECT 'ev' || i, 'art' || (i % {n_articles}),
               ['citation_dying', 'citation_dead', 'citation_drifted', 'support_missing', 'new_reporting'][1 + i % 5],
               'medium', TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_minutes(CAST(i * 9 AS BIGINT)),
               'event ' || i, CAST(i // {n_articles} % 200 AS INTEGER) + 1, 'C' || (1 + i % 16),
               'https://outlet00.example.kz/news/' || i || '.html', '{{}}', 'open'
        FROM range(50000) t(i)""")


# --- what is timed ------------------------------------------------------------------------------

ONE_URL = "(SELECT min(url) FROM citations)"

TYPICAL = {
    "link_health": "SELECT * FROM link_health WHERE state IN ('dead', 'dying') ORDER BY first_failure_at",
    "check_history": f"SELECT * FROM check_history WHERE url = {ONE_URL} ORDER BY checked_at",
    "related_reporting": "SELECT * FROM related_reporting WHERE claim_id = 'C5' ORDER BY first_seen_at DESC",
    "claim_exposure": "SELECT * FROM claim_exposure ORDER BY dead + drifted DESC LIMIT 20",
    "rot_by_outlet": "SELECT day, sum(checks) FILTER (WHERE outcome NOT IN ('ok', 'redirected')) / sum(checks) AS fail_share "
                     "FROM rot_by_outlet WHERE outlet = 'outlet00' GROUP BY day ORDER BY day",
    "rot_by_age": "SELECT age_years, state, sum(citations) FROM rot_by_age GROUP BY ALL ORDER BY ALL",
    "drift_history": f"SELECT * FROM drift_history WHERE url = {ONE_URL} ORDER BY checked_at",
    "feed_health": "SELECT * FROM feed_health WHERE consecutive_failures > 0",
    "claim_support_detail": "SELECT * FROM claim_support_detail WHERE support = 'missing' AND state <> 'alive'",
    "alert_log": "SELECT kind, count(*) FROM alert_log WHERE created_at >= TIMESTAMPTZ '2026-10-01 00:00:00+00' GROUP BY kind",
}


# Earlier formulations replaced by a later migration, timed beside their replacement so
# bench/RESULTS.md can show before/after from one run.
BEFORE = {
    "rot_by_outlet (0002)": """
        SELECT CAST(date_trunc('day', k.checked_at) AS DATE) AS day, coalesce(c.outlet, '(unknown)') AS outlet,
               k.outcome, count(*) AS checks, count(DISTINCT k.url) AS urls
        FROM checks k
        JOIN (SELECT DISTINCT url, outlet FROM citations WHERE url IS NOT NULL) c ON c.url = k.url
        GROUP BY ALL""",
}


def best_of(con: duckdb.DuckDBPyConnection, sql: str, repeat: int = 3) -> tuple[float, int]:
    best, rows = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        table = con.sql(sql).to_arrow_table()
        best = min(best, time.perf_counter() - start)
        rows = table.num_rows
    return best, rows


def run(n_checks: int, n_citations: int, keep: Path | None) -> list[tuple[str, str, float, int]]:
    folder = Path(tempfile.mkdtemp(prefix="kzwatch-bench-"))
    path = folder / "bench.duckdb"
    try:
        start = time.perf_counter()
        with open_warehouse(path, wait_s=5) as con:
            fill(con, n_checks=n_checks, n_citations=n_citations)
            con.execute("CHECKPOINT")
            counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                      for t in ("citations", "url_state", "checks", "snapshots", "claims", "items", "item_matches", "events")}
        print(f"filled in {time.perf_counter() - start:.1f} s: {counts}", file=sys.stderr)
        print(f"file size: {path.stat().st_size / 1e6:.0f} MB", file=sys.stderr)

        results = []
        con = duckdb.connect(str(path), read_only=True)
        try:
            for view, typical in TYPICAL.items():
                results.append((view, "full", *best_of(con, f"SELECT * FROM {view}")))
                results.append((view, "typical", *best_of(con, typical)))
            for name, sql in BEFORE.items():
                results.append((name, "full, before", *best_of(con, sql)))
            for query in sorted(QUERIES_DIR.glob("*.sql")):
                results.append((f"queries/{query.name}", "example", *best_of(con, query.read_text(encoding="utf-8"))))
        finally:
            con.close()
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, keep / path.name)
        return results
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checks", type=int, default=1_000_000)
    parser.add_argument("--citations", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="copy the filled warehouse into this directory")
    args = parser.parse_args()
    results = run(args.checks, args.citations, args.keep)
    print("| query | kind | best of 3 (s) | rows | ≤ 0.3 s |")
    print("|---|---|---:|---:|:---:|")
    for name, kind, seconds, rows in results:
        print(f"| {name} | {kind} | {seconds:.3f} | {rows:,} | {'yes' if seconds <= TARGET_S else '**no**'} |")
    return 0 if all(r[2] <= TARGET_S for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
