"""Forward-only warehouse migrations: every earlier version upgrades to the latest, losing nothing.

For each version v below the latest, a warehouse is built migrated only up to v, given a few
rows that were valid at v, and then opened the way every cycle opens it
(``store.open_warehouse``): it must come out at the latest version with the rows intact, the
analysts' views answering, and a backup of the v-file beside it.  A warehouse written by a newer
kzwatch is refused untouched, and a migration that fails leaves the file at its old version.

Every test runs on each backend (tests/lake_backends.py): the DuckDB file, a DuckLake with a
local catalog file, and a DuckLake on PostgreSQL.  A lake keeps no backup file: its earlier
snapshots stay readable (time travel), which the upgrade test checks instead.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pytest
from lake_backends import BACKENDS, settings_for

from kzwatch import store
from kzwatch.store import (
    WarehouseSettings,
    WarehouseTooNew,
    connect_lake,
    insert_rows,
    migrate,
    migrations,
    open_readonly,
    open_warehouse,
)

MIGRATIONS = Path(__file__).resolve().parents[1] / "warehouse" / "migrations"
LATEST = store.latest_version()
VERSIONS = [v for v, _, _ in store.migration_files()]  # numbers reserved per branch may leave gaps
AT = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)
URL = "https://vlast.kz/politika/against-all.html"

# Rows by the version whose schema first accepts them; a future migration that adds a table
# adds its rows here under its own number.
ROWS_SINCE: dict[int, dict[str, list[dict]]] = {
    1: {
        "articles": [{"article_id": "a1", "title": "An article"}],
        "citations": [{"article_id": "a1", "footnote": 18, "seq": 1, "url": URL, "outlet": "Vlast.kz",
                       "title": "No 'against all'", "accessed": date(2021, 1, 20)}],
        "claims": [{"article_id": "a1", "claim_id": "C5", "text": "no against-all line", "footnotes": [18]}],
        "claim_citations": [{"article_id": "a1", "claim_id": "C5", "footnote": 18}],
        "checks": [{"check_id": "k1", "checked_at": AT, "url": URL, "outcome": "not_found", "http_status": 404}],
        "url_state": [{"url": URL, "state": "dying", "strikes": 1, "first_failure_at": AT,
                       "last_checked_at": AT, "last_outcome": "not_found", "http_status": 404}],
        "items": [{"item_id": "i1", "url": "https://example.kz/news/1", "title": "Against all returns",
                   "first_seen_at": AT}],
        "item_matches": [{"article_id": "a1", "claim_id": "C5", "item_id": "i1", "score": 0.8,
                          "stance": "updates", "first_seen_at": AT}],
        "events": [{"event_id": "e1", "article_id": "a1", "kind": "citation_dying", "severity": "medium",
                    "created_at": AT, "footnote": 18, "url": URL}],
    },
    7: {
        "archive_work": [{"url": URL, "status": "looked_up", "capture_url": f"https://web.archive.org/web/2021/{URL}",
                          "attempts": 0}],
        "archive_backoff": [{"endpoint": "cdx", "until_at": AT, "strikes": 1}],
    },
}


@pytest.fixture(params=BACKENDS)
def wh(request, tmp_path) -> WarehouseSettings:
    return settings_for(request.param, tmp_path, request)


def connect(settings: WarehouseSettings):
    """A raw connection, no migrations run (what an old kzwatch would have left)."""
    if settings.is_lake:
        return connect_lake(settings)
    return duckdb.connect(str(settings.path))


def version_of(con) -> int:
    """schema_version, read to the end (an unfinished result would block later Arrow inserts)."""
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]


def rows_valid_at(version: int) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for since, tables in ROWS_SINCE.items():
        if since <= version:
            for table, rows in tables.items():
                out.setdefault(table, []).extend(rows)
    return out


def build_at(settings: WarehouseSettings, version: int) -> None:
    con = connect(settings)
    try:
        migrate(con, upto=version)
        assert version_of(con) == version
        for table, rows in rows_valid_at(version).items():
            insert_rows(con, table, rows)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def table_counts(con, tables) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}


def tables_of(con) -> set[str]:
    return {t for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()"
    ).fetchall()}


def test_migration_files_are_numbered_uniquely_in_order():
    names = sorted(p.name for p in MIGRATIONS.glob("*.sql") if not p.name.endswith(".ducklake.sql"))
    assert names, "no migration files found"
    for name in names:
        assert re.fullmatch(r"\d{4}_[a-z0-9_]+\.sql", name), f"badly named migration: {name}"
    numbers = [int(name[:4]) for name in names]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1  # numbers reserved per branch may leave a gap
    assert [v for v, _, _ in store.migration_files()] == numbers
    assert LATEST == numbers[-1]


def test_a_gap_filled_later_is_applied(wh):
    """Migrations apply by set: a version missing below the highest (a branch merged late) runs."""
    build_at(wh, LATEST)
    con = connect(wh)
    con.execute("DELETE FROM schema_migrations WHERE version = 2")  # 0002 only (re)creates views
    con.close()
    with open_warehouse(wh, wait_s=5) as con:
        recorded = [v for (v,) in con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()]
        assert recorded == VERSIONS
        con.execute("SELECT * FROM link_health").fetchall()


def test_declared_keys_are_the_keys_duckdb_enforces(tmp_path):
    """The lake upserts on the keys read from the migration text: they must be DuckDB's own."""
    con = duckdb.connect(str(tmp_path / "k.duckdb"))
    try:
        migrate(con)
        enforced = {table: tuple(cols) for table, cols in con.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE constraint_type = 'PRIMARY KEY'").fetchall()}
    finally:
        con.close()
    assert enforced == store.table_keys()


def test_lake_sql_drops_only_keys_and_indexes():
    sql = ("CREATE TABLE t (\n  a VARCHAR PRIMARY KEY,\n  b INTEGER NOT NULL, -- note\n"
           "  PRIMARY KEY (a, b)\n);\nCREATE UNIQUE INDEX t_b ON t (b);\nCREATE VIEW v AS SELECT a FROM t;")
    out = migrations.lake_sql(sql)
    assert "PRIMARY KEY" not in out and "INDEX" not in out
    assert "b INTEGER NOT NULL" in out and "CREATE VIEW v AS SELECT a FROM t;" in out
    con = duckdb.connect()
    con.execute(out)  # valid SQL once stripped
    assert con.execute("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'").fetchall() == [(0,)]


@pytest.mark.parametrize("version", [0, *VERSIONS[:-1]])
def test_upgrade_from_every_earlier_version(wh, version):
    build_at(wh, version)
    expected = {t: len(r) for t, r in rows_valid_at(version).items()}

    with open_warehouse(wh, wait_s=5) as con:
        assert version_of(con) == LATEST
        assert table_counts(con, expected) == expected
        recorded = [v for (v,) in con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()]
        assert recorded == VERSIONS
        # the analysts' interface answers on the upgraded warehouse
        for view in ("link_health", "check_history", "related_reporting", "claim_exposure"):
            con.execute(f"SELECT * FROM {view}").fetchall()
        if version >= 1:
            state = con.execute("SELECT state, strikes FROM link_health WHERE url = ?", [URL]).fetchall()
            assert state == [("dying", 1)]
            exposure = con.execute("SELECT citations, new_reports FROM claim_exposure WHERE claim_id = 'C5'").fetchall()
            assert exposure == [(1, 1)]

    if wh.is_lake:
        assert_lake_keeps_version(wh, version, expected)
        return
    backup = wh.path.with_name(f"kzwatch.duckdb.bak-v{version}")
    if version >= 1:
        assert backup.exists()
        old = duckdb.connect(str(backup), read_only=True)
        try:
            assert version_of(old) == version
            assert table_counts(old, expected) == expected
        finally:
            old.close()
    else:
        assert not backup.exists()  # nothing worth backing up in an empty file


def assert_lake_keeps_version(wh: WarehouseSettings, version: int, expected: dict) -> None:
    """On a lake the pre-upgrade state is a snapshot: reading it shows version v and its rows."""
    assert not list(wh.path.parent.glob("*.bak-v*"))
    if version == 0:
        return
    snapshots = store.lake_snapshots(wh)
    for snap in reversed(snapshots):
        with open_readonly(wh, at=snap["snapshot_id"]) as con:
            if "schema_migrations" in tables_of(con) and version_of(con) == version:
                assert table_counts(con, expected) == expected
                return
    pytest.fail(f"no snapshot of the lake shows schema version {version}")


def test_reopening_the_latest_version_changes_nothing(wh):
    build_at(wh, LATEST)
    with open_warehouse(wh, wait_s=5) as con:
        assert version_of(con) == LATEST
    assert not list(wh.path.parent.glob("*.bak-v*"))


def test_warehouse_newer_than_kzwatch_is_refused_untouched(wh):
    build_at(wh, LATEST)
    con = connect(wh)
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [LATEST + 1, "from_the_future"])
    con.close()

    with pytest.raises(WarehouseTooNew) as info:
        with open_warehouse(wh, wait_s=5):
            pytest.fail("a too-new warehouse must not be opened for writing")
    message = str(info.value)
    assert f"version {LATEST + 1}" in message and f"({LATEST})" in message
    assert "upgrade kzwatch" in message and "\n" not in message
    assert not list(wh.path.parent.glob("*.bak-v*"))
    with open_readonly(wh) as con:
        assert version_of(con) == LATEST + 1
        assert table_counts(con, ["citations"]) == {"citations": 1}


def test_failed_migration_leaves_the_old_version(wh, monkeypatch):
    build_at(wh, LATEST)
    broken = (LATEST + 1, f"{LATEST + 1:04d}_broken",
              "CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;")
    real = migrations.migration_files()
    monkeypatch.setattr(migrations, "migration_files", lambda lake=False: real + [broken])

    con = connect(wh)
    try:
        with pytest.raises(duckdb.Error):
            migrate(con)
        assert version_of(con) == LATEST
        assert "half_done" not in tables_of(con)
    finally:
        con.close()
