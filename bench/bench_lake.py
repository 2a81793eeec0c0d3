"""Benchmark: DuckLake on a PostgreSQL catalog — check-row writers, and the analysts' views.

1. **Writers.**  1, 2 and 4 writer *processes* each commit ``--batches`` batches of ``--rows``
   check rows to one lake whose catalog is in PostgreSQL:

   * ``append_checks`` — what a fan-out worker does: open the lake, take the "checks" writer
     lock, insert the rows whose ``check_id`` is absent, commit, close (one call per batch);
   * ``check_writer`` — the same, keeping one connection for all of a worker's batches;
   * ``plain insert`` — a writer keeping its connection and appending without the key check or
     the lock (the lake's raw concurrent-append rate, for comparison).

   Reported: rows/s and commits/s over the wall time of the whole group.

2. **Views at 1M checks.**  The warehouse of ``bench_views.py`` (1,000,000 checks over 10,000
   URLs, same generator) is filled into a DuckDB file, copied into the lake in one commit, and
   every view (full and typical query) plus every example query is timed on both, best of 3, on
   read-only connections as analysts have them.

PostgreSQL: ``--dsn`` (an empty database you own), or else a throwaway cluster is started the
way the tests do (``tests/pg_cluster.py``; needs the server binaries).

    python bench/bench_lake.py [--rows 100] [--batches 20] [--checks 1000000] [--skip-views]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from kzwatch.store import (  # noqa: E402
    WarehouseSettings,
    append_checks,
    check_writer,
    insert_rows,
    open_readonly,
    open_warehouse,
    transaction,
)

AT = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)
TABLES = ("citations", "url_state", "checks", "snapshots", "claims", "claim_citations", "claim_support",
          "feed_state", "items", "item_matches", "events")


def rows_for(writer: int, number: int, size: int) -> list[dict]:
    return [{"check_id": f"w{writer}/{number}/{i}", "cycle_id": "bench", "checked_at": AT + timedelta(seconds=number),
             "url": f"https://host{writer}.example.kz/{number}/{i}", "outcome": "ok", "http_status": 200,
             "elapsed_ms": 120, "bytes": 20000} for i in range(size)]


def writer(args: tuple[dict, str, int, int, int]) -> None:
    fields, mode, number, batches, size = args
    settings = WarehouseSettings(**fields)
    if mode == "append_checks":
        for b in range(batches):
            append_checks(settings, rows_for(number, b, size))
        return
    if mode == "check_writer":
        with check_writer(settings) as append:
            for b in range(batches):
                append(rows_for(number, b, size))
        return
    with open_warehouse(settings, migrate_schema=False) as con:
        for b in range(batches):  # raw BEGIN/COMMIT: no writer lock (store.transaction takes it)
            con.execute("BEGIN TRANSACTION")
            insert_rows(con, "checks", rows_for(number, b, size))
            con.execute("COMMIT")


def time_writers(settings: WarehouseSettings, mode: str, writers: int, batches: int, size: int) -> float:
    fields = {"backend": "ducklake", "path": settings.path, "catalog": settings.catalog,
              "data_path": settings.data_path}
    jobs = [(fields, mode, w, batches, size) for w in range(writers)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(writers) as pool:
        pool.map(lambda_free_noop, range(writers))  # start the processes before the clock
        start = time.perf_counter()
        pool.map(writer, jobs)
        return time.perf_counter() - start


def lambda_free_noop(_: int) -> None:
    import kzwatch.store  # noqa: F401 - warm the import in every worker


def bench_writers(dsn: str, folder: Path, batches: int, size: int) -> list[tuple]:
    import pg_cluster

    out = []
    for mode in ("append_checks", "check_writer", "plain insert"):
        for n in (1, 2, 4):
            name = f"w{mode.replace(' ', '')[:8]}{n}"
            lake = WarehouseSettings(backend="ducklake", path=folder / f"{name}.duckdb",
                                     catalog=pg_cluster.create_database(dsn, name), data_path=folder / name)
            with open_warehouse(lake):
                pass
            seconds = time_writers(lake, mode, n, batches, size)
            with open_readonly(lake) as con:
                total, distinct = con.execute("SELECT count(*), count(DISTINCT check_id) FROM checks").fetchall()[0]
            assert total == distinct == n * batches * size, (total, distinct)
            out.append((mode, n, total, seconds, total / seconds, n * batches / seconds))
            print(f"{mode} x{n}: {total} rows in {seconds:.2f} s", file=sys.stderr)
    return out


def bench_views(dsn: str, folder: Path, n_checks: int) -> list[tuple]:
    import bench_views as bv
    import duckdb
    import pg_cluster

    file_path = folder / "views.duckdb"
    with open_warehouse(file_path, wait_s=5) as con:
        bv.fill(con, n_checks=n_checks, n_citations=max(100, n_checks // 100))
        con.execute("CHECKPOINT")
    lake = WarehouseSettings(backend="ducklake", path=folder / "views-lake.duckdb",
                             catalog=pg_cluster.create_database(dsn, "views"), data_path=folder / "views-lake")
    start = time.perf_counter()
    with open_warehouse(lake) as con:
        con.execute(f"ATTACH '{file_path}' AS src (READ_ONLY)")
        with transaction(con):
            for table in TABLES:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM src.{table}")
        con.execute("DETACH src")
    print(f"copied into the lake in {time.perf_counter() - start:.1f} s", file=sys.stderr)

    queries = []
    for view, typical in bv.TYPICAL.items():
        queries += [(view, "full", f"SELECT * FROM {view}"), (view, "typical", typical)]
    for query in sorted(bv.QUERIES_DIR.glob("*.sql")):
        queries.append((f"queries/{query.name}", "example", query.read_text(encoding="utf-8")))
    results = []
    file_con = duckdb.connect(str(file_path), read_only=True)
    try:
        with open_readonly(lake) as lake_con:
            for name, kind, sql in queries:
                f_s, f_rows = bv.best_of(file_con, sql)
                l_s, l_rows = bv.best_of(lake_con, sql)
                results.append((name, kind, f_s, l_s, f_rows, l_rows))
    finally:
        file_con.close()
    return results


@contextlib.contextmanager
def postgres(dsn: str | None):
    if dsn:
        yield dsn
        return
    import pg_cluster

    with pg_cluster.throwaway_cluster() as started:
        yield started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dsn", help="PostgreSQL DSN of a server to use (default: start a throwaway one)")
    parser.add_argument("--rows", type=int, default=100, help="check rows per batch (commit)")
    parser.add_argument("--batches", type=int, default=20, help="batches per writer")
    parser.add_argument("--checks", type=int, default=1_000_000)
    parser.add_argument("--skip-views", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kzwatch-bench-lake-"))
    try:
        with postgres(args.dsn) as dsn:
            writers = bench_writers(dsn, folder, args.batches, args.rows)
            views = [] if args.skip_views else bench_views(dsn, folder, args.checks)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"| writer | processes | rows | wall (s) | rows/s | commits/s |  (batches of {args.rows} rows)")
    print("|---|---:|---:|---:|---:|---:|")
    for mode, n, total, seconds, rps, cps in writers:
        print(f"| {mode} | {n} | {total:,} | {seconds:.2f} | {rps:,.0f} | {cps:.1f} |")
    if views:
        print("\n| query | kind | DuckDB file (s) | DuckLake (s) | rows |")
        print("|---|---|---:|---:|---:|")
        for name, kind, f_s, l_s, f_rows, l_rows in views:
            rows = f"{f_rows:,}" if f_rows == l_rows else f"{f_rows:,} ≠ {l_rows:,}"
            print(f"| {name} | {kind} | {f_s:.3f} | {l_s:.3f} | {rows} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
