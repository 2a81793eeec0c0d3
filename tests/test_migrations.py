"""Forward-only warehouse migrations: every earlier version upgrades to the latest, losing nothing.

For each version v below the latest, a warehouse is built migrated only up to v, given a few
rows that were valid at v, and then opened the way every cycle opens it
(``store.open_warehouse``): it must come out at the latest version with the rows intact, the
analysts' views answering, and a backup of the v-file beside it.  A warehouse written by a newer
kzwatch is refused untouched, and a migration that fails leaves the file at its old version.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pytest

from kzwatch import store
from kzwatch.store import WarehouseTooNew, insert_rows, migrate, open_warehouse

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


def version_of(con: duckdb.DuckDBPyConnection) -> int:
    """schema_version, read to the end (an unfinished result would block later Arrow inserts)."""
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]


def rows_valid_at(version: int) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for since, tables in ROWS_SINCE.items():
        if since <= version:
            for table, rows in tables.items():
                out.setdefault(table, []).extend(rows)
    return out


def build_at(path: Path, version: int) -> None:
    con = duckdb.connect(str(path))
    try:
        migrate(con, upto=version)
        assert version_of(con) == version
        for table, rows in rows_valid_at(version).items():
            insert_rows(con, table, rows)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def table_counts(con: duckdb.DuckDBPyConnection, tables) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}


def test_migration_files_are_numbered_uniquely_in_order():
    names = sorted(p.name for p in MIGRATIONS.glob("*.sql"))
    assert names, "no migration files found"
    for name in names:
        assert re.fullmatch(r"\d{4}_[a-z0-9_]+\.sql", name), f"badly named migration: {name}"
    numbers = [int(name[:4]) for name in names]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1  # numbers reserved per branch may leave a gap
    assert [v for v, _, _ in store.migration_files()] == numbers
    assert LATEST == numbers[-1]


@pytest.mark.parametrize("version", [0, *VERSIONS[:-1]])
def test_upgrade_from_every_earlier_version(tmp_path, version):
    path = tmp_path / "kzwatch.duckdb"
    build_at(path, version)
    expected = {t: len(r) for t, r in rows_valid_at(version).items()}

    with open_warehouse(path, wait_s=5) as con:
        assert version_of(con) == LATEST
        assert table_counts(con, expected) == expected
        recorded = [v for (v,) in con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()]
        assert recorded == VERSIONS
        # the analysts' interface answers on the upgraded file
        for view in ("link_health", "check_history", "related_reporting", "claim_exposure"):
            con.execute(f"SELECT * FROM {view}").fetchall()
        if version >= 1:
            state = con.execute("SELECT state, strikes FROM link_health WHERE url = ?", [URL]).fetchall()
            assert state == [("dying", 1)]
            exposure = con.execute("SELECT citations, new_reports FROM claim_exposure WHERE claim_id = 'C5'").fetchall()
            assert exposure == [(1, 1)]

    backup = tmp_path / f"kzwatch.duckdb.bak-v{version}"
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


def test_reopening_the_latest_version_changes_nothing(tmp_path):
    path = tmp_path / "kzwatch.duckdb"
    build_at(path, LATEST)
    with open_warehouse(path, wait_s=5) as con:
        assert version_of(con) == LATEST
    assert not list(tmp_path.glob("*.bak-v*"))


def test_warehouse_newer_than_kzwatch_is_refused_untouched(tmp_path):
    path = tmp_path / "kzwatch.duckdb"
    build_at(path, LATEST)
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [LATEST + 1, "from_the_future"])
    con.close()

    with pytest.raises(WarehouseTooNew) as info:
        with open_warehouse(path, wait_s=5):
            pytest.fail("a too-new warehouse must not be opened for writing")
    message = str(info.value)
    assert f"version {LATEST + 1}" in message and f"({LATEST})" in message
    assert "upgrade kzwatch" in message and "\n" not in message
    assert not list(tmp_path.glob("*.bak-v*"))
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert version_of(con) == LATEST + 1
        assert table_counts(con, ["citations"]) == {"citations": 1}
    finally:
        con.close()


def test_failed_migration_leaves_the_old_version(tmp_path, monkeypatch):
    path = tmp_path / "kzwatch.duckdb"
    build_at(path, LATEST)
    broken = (LATEST + 1, f"{LATEST + 1:04d}_broken",
              "CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;")
    real = store.migration_files()
    monkeypatch.setattr(store, "migration_files", lambda: real + [broken])

    con = duckdb.connect(str(path))
    try:
        with pytest.raises(duckdb.Error):
            migrate(con)
        assert version_of(con) == LATEST
        tables = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert "half_done" not in tables
    finally:
        con.close()
