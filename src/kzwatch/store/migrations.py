"""Forward-only schema migrations, the same files on both backends.

The migrations are the numbered ``warehouse/migrations/NNNN_name.sql`` files (package
``kzwatch_warehouse``), applied in order, each in one transaction, recorded in
``schema_migrations``.  A warehouse whose version is newer than this kzwatch knows is refused.

DuckLake has no indexes and no PRIMARY KEY/UNIQUE constraints.  The files keep declaring keys
(they are what the DuckDB file enforces, and what ``insert_rows`` upserts on), and
``lake_sql`` strips them when the target is a lake; ``table_keys`` reads them back from the
files so a lake's upserts use the same keys.  Everything else — tables, views, ALTERs — runs
unchanged, so both backends have the same views with the same columns.  A migration that truly
needs a different statement on a lake may ship ``NNNN_name.ducklake.sql`` beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from typing import Any

from kzwatch.store.errors import WarehouseError, WarehouseTooNew

SCHEMA_MIGRATIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)"
)

LAKE_VARIANT_SUFFIX = ".ducklake.sql"


def migration_files(*, lake: bool = False) -> list[tuple[int, str, str]]:
    """(version, name, sql) for every packaged migration, in order (lake variants if asked)."""
    folder = resources.files("kzwatch_warehouse").joinpath("migrations")
    found, variants = [], {}
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(LAKE_VARIANT_SUFFIX):
            variants[name[: -len(LAKE_VARIANT_SUFFIX)]] = entry.read_text(encoding="utf-8")
        elif name.endswith(".sql") and name[:4].isdigit() and name[4] == "_":
            found.append((int(name[:4]), name[:-4], entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    # Numbers are handed out to parallel branches, so a gap may exist for a while; a number used
    # twice is always a mistake.
    if len(set(versions)) != len(versions) or (versions and versions[0] < 1):
        raise WarehouseError(f"migrations must have distinct numbers from 1 up: {versions}")
    if lake:
        found = [(v, n, variants.get(n, sql)) for v, n, sql in found]
    return found


def latest_version() -> int:
    return migration_files()[-1][0]


def schema_version(con: Any) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations' "
        "AND table_catalog = current_database()"
    ).fetchall()[0][0]  # fetchall: a half-read result blocks the next con.register()
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]


def pending_versions(con: Any) -> list[int]:
    """Packaged migrations not yet recorded in the warehouse (a gap filled later included)."""
    if schema_version(con) == 0:
        return [v for v, _, _ in migration_files()]
    done = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    return [v for v, _, _ in migration_files() if v not in done]


def migrate(con: Any, *, upto: int | None = None,
            files: Callable[..., list[tuple[int, str, str]]] | None = None) -> list[int]:
    """Apply pending migrations (up to ``upto``, for tests of old versions); return versions."""
    from kzwatch.store.backends import is_lake

    lake = is_lake(con)
    files = files or migration_files
    ddl = lake_sql(SCHEMA_MIGRATIONS_DDL) if lake else SCHEMA_MIGRATIONS_DDL
    con.execute(ddl)
    current = schema_version(con)
    known = files()[-1][0]
    if current > known:
        raise WarehouseTooNew(
            f"warehouse schema version {current} is newer than this kzwatch understands ({known}); "
            "upgrade kzwatch or use another --warehouse"
        )
    done = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, sql in files(lake=lake):
        # by set, not by "above the highest": a number filled in later (a gap) still runs
        if version in done or (upto is not None and version > upto):
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(lake_sql(sql) if lake else sql)
            con.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, now())",
                        [version, name])
        except Exception:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")  # on a lake this is where a concurrent migrator conflicts
        applied.append(version)
    return applied


# --- Keys, and SQL for a lake (pure) ------------------------------------------------------------

_CREATE_TABLE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\((.*?)\)\s*;",
                           re.IGNORECASE | re.DOTALL)
_TABLE_KEY = re.compile(r"^\s*(?:PRIMARY\s+KEY|UNIQUE)\s*\(([^)]*)\)\s*,?\s*(?:--[^\n]*)?$",
                        re.IGNORECASE | re.MULTILINE)
_INLINE_KEY = re.compile(r"^\s*(\w+)\s+[^,\n]*?\bPRIMARY\s+KEY\b", re.IGNORECASE | re.MULTILINE)
_INDEX = re.compile(r"CREATE\s+(?:UNIQUE\s+)?INDEX\b[^;]*;", re.IGNORECASE)
_INLINE_CONSTRAINT = re.compile(r"\s+(?:PRIMARY\s+KEY|UNIQUE)\b(?!\s*\()", re.IGNORECASE)
_DANGLING_COMMA = re.compile(r",((?:[ \t]*--[^\n]*)?\s*)\)\s*;")


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def table_keys(files: list[tuple[int, str, str]] | None = None) -> dict[str, tuple[str, ...]]:
    """The primary key of every table the migrations create, by table name."""
    keys: dict[str, tuple[str, ...]] = {}
    for _, _, sql in files or migration_files():
        for table, body in _CREATE_TABLE.findall(_strip_comments(sql)):
            table_level = _TABLE_KEY.search(body)
            if table_level:
                keys[table] = tuple(c.strip() for c in table_level.group(1).split(","))
                continue
            inline = _INLINE_KEY.search(body)
            if inline:
                keys[table] = (inline.group(1),)
    keys.setdefault("schema_migrations", ("version",))
    return keys


def lake_sql(sql: str) -> str:
    """The migration as DuckLake accepts it: no indexes, no PRIMARY KEY/UNIQUE constraints."""
    out = _INDEX.sub("", sql)
    out = _TABLE_KEY.sub("", out)
    out = _INLINE_CONSTRAINT.sub("", out)
    return _DANGLING_COMMA.sub(lambda m: m.group(1) + ");", out)
