"""The warehouse edge: opening the DuckDB file safely, migrating it, bulk writes, the analyst copy.

DuckDB allows one read-write process and then refuses every other opener, read-only ones
included.  kzwatch therefore:

* serialises whole cycles with an OS file lock beside the warehouse (``cycle_lock``): a second
  cycle waits up to ``lock_wait_s`` and then stops with a clear message, losing nothing;
* opens the database only for short transactions (``open_warehouse``), retrying while another
  process (``kzwatch status``, an older cycle finishing) holds it;
* after each cycle publishes a read-only analyst copy next to it (``publish_analyst_copy``):
  written to a temporary file and moved into place with ``os.replace``, so a reader with the old
  copy open keeps reading the old inode and is never broken, and never blocks a cycle.

Migrations are the numbered ``warehouse/migrations/NNNN_name.sql`` files (package
``kzwatch_warehouse``), applied forward-only, each in one transaction, recorded in
``schema_migrations``.  A warehouse with pending migrations is copied to a backup first; one
whose version is newer than this kzwatch knows is refused.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import random
import shutil
import time
from collections.abc import Iterator, Sequence
from importlib import resources
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb


@dataclass(frozen=True)
class WarehouseSettings:
    """The ``[warehouse]`` section.  ``analyst_copy`` defaults to ``<stem>-analyst.duckdb``
    beside the warehouse; ``lock_wait_s`` is how long a second cycle waits for the write lock."""

    path: str = "warehouse/kzwatch.duckdb"
    analyst_copy: str | None = None
    lock_wait_s: float = 120.0
    backup_before_migrate: bool = True


class WarehouseError(RuntimeError):
    """A warehouse problem phrased for a user."""


class WarehouseBusy(WarehouseError):
    """Another kzwatch process holds the warehouse longer than we were willing to wait."""


class WarehouseTooNew(WarehouseError):
    """The file was written by a newer kzwatch: refuse rather than damage it."""


# --- Migrations ---------------------------------------------------------------------------------


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every packaged migration, in order."""
    folder = resources.files("kzwatch_warehouse").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit() and name[4] == "_":
            found.append((int(name[:4]), name[:-4], entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise WarehouseError(f"migrations are not numbered 1..n without gaps: {versions}")
    return found


def latest_version() -> int:
    return migration_files()[-1][0]


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchall()[0][0]  # fetchall: a half-read result blocks the next con.register() on DuckDB 2
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]


def migrate(con: duckdb.DuckDBPyConnection, *, upto: int | None = None) -> list[int]:
    """Apply pending migrations (up to ``upto``, for tests of old versions); return versions."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ DEFAULT now())"
    )
    current = schema_version(con)
    known = latest_version()
    if current > known:
        raise WarehouseTooNew(
            f"warehouse schema version {current} is newer than this kzwatch understands ({known}); "
            "upgrade kzwatch or use another --warehouse"
        )
    applied = []
    for version, name, sql in migration_files():
        if version <= current or (upto is not None and version > upto):
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


# --- Opening ------------------------------------------------------------------------------------


def _is_lock_error(exc: Exception) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _connect(path: Path, *, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_s
    delay = 0.05
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise WarehouseError(f"{path}: cannot open warehouse: {exc}") from None
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{path}: the warehouse is held by another process ({_holder(exc)}); "
                    f"gave up after {wait_s:.0f} s"
                ) from None
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 1.0)


def _holder(exc: Exception) -> str:
    text = str(exc)
    marker = "PID"
    return "PID " + text.split(marker, 1)[1].strip(" )\n") if marker in text else "lock held"


@contextlib.contextmanager
def open_warehouse(path: Path, *, wait_s: float = 120.0, migrate_schema: bool = True,
                   backup: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short read-write session on the warehouse, migrated to the latest schema."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists()
    con = _connect(path, read_only=False, wait_s=wait_s)
    try:
        if migrate_schema:
            current = schema_version(con)
            if current > latest_version():
                migrate(con)  # raises WarehouseTooNew
            if existed and 0 < current < latest_version() and backup:
                con.execute("CHECKPOINT")
                con.close()
                backup_path = path.with_name(f"{path.name}.bak-v{current}")
                shutil.copy2(path, backup_path)
                con = _connect(path, read_only=False, wait_s=wait_s)
            migrate(con)
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def open_readonly(path: Path, *, wait_s: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
    if not Path(path).exists():
        raise WarehouseError(f"{path}: no such warehouse (run a kzwatch cycle first)")
    con = _connect(Path(path), read_only=True, wait_s=wait_s)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# --- Cycle lock ---------------------------------------------------------------------------------


@contextlib.contextmanager
def cycle_lock(path: Path, *, wait_s: float = 120.0, poll_s: float = 0.25) -> Iterator[None]:
    """Hold the per-warehouse cycle lock; wait up to ``wait_s`` for another cycle to finish.

    An OS advisory lock (flock) dies with its process, so a cycle killed with ``kill -9`` never
    leaves a stale lock behind.
    """
    lock_path = Path(path).with_name(Path(path).name + ".cycle.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
                    raise WarehouseBusy(
                        f"another kzwatch cycle is running on {path} (pid {holder}); "
                        f"waited {wait_s:.0f} s — try again later"
                    ) from None
                time.sleep(poll_s)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


# --- Analyst copy -------------------------------------------------------------------------------


def publish_analyst_copy(con_path: Path, analyst_path: Path) -> Path:
    """Copy the (closed, checkpointed) warehouse to the analyst path atomically."""
    analyst_path = Path(analyst_path)
    analyst_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = analyst_path.with_name(f".{analyst_path.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(con_path, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, analyst_path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return analyst_path


# --- Bulk writes --------------------------------------------------------------------------------


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[dict[str, Any]], *,
                on_conflict: str = "error") -> int:
    """Bulk insert dicts by column name through Arrow (never row-by-row).

    ``on_conflict``: "error" (plain INSERT), "ignore" (keep the existing row) or "replace".
    """
    if not rows:
        return 0
    import pyarrow as pa

    verb = {"error": "INSERT", "ignore": "INSERT OR IGNORE", "replace": "INSERT OR REPLACE"}[on_conflict]
    columns = list(dict.fromkeys(key for row in rows for key in row))  # every key of every row
    data = pa.Table.from_pydict({c: [r.get(c) for r in rows] for c in columns})
    name = f"_kz_rows_{table}"
    con.register(name, data)
    try:
        con.execute(f"{verb} INTO {table} BY NAME SELECT * FROM {name}")
    finally:
        con.unregister(name)
    return len(rows)


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


# --- Check-cycle batches (the only SQL the check cycle runs) ------------------------------------


def write_check_batch(con: duckdb.DuckDBPyConnection, *, snapshots: Sequence[dict[str, Any]],
                      checks: Sequence[dict[str, Any]], states: Sequence[dict[str, Any]],
                      supports: Sequence[dict[str, Any]], events: Sequence[dict[str, Any]]) -> None:
    """One committed batch of a check cycle, in one transaction.

    Written so that committing the same batch twice (a slot run again) changes nothing:
    snapshots, checks and events keep the first row (content-addressed / slot-keyed ids),
    url_state and claim_support are replaced by the same values."""
    with transaction(con):
        insert_rows(con, "snapshots", snapshots, on_conflict="ignore")
        insert_rows(con, "checks", checks, on_conflict="ignore")
        insert_rows(con, "url_state", states, on_conflict="replace")
        insert_rows(con, "claim_support", supports, on_conflict="replace")
        insert_rows(con, "events", events, on_conflict="ignore")


def snapshots_by_id(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The judged fields of the given snapshots (texts, no bodies), by id."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = fetch_dicts(con, """
        SELECT snapshot_id, norm_text, text, title, published, modified, lang, canonical_url, notices
        FROM snapshots WHERE snapshot_id IN (SELECT unnest(?::VARCHAR[]))""", [wanted])
    return {r["snapshot_id"]: r for r in rows}


def check_states(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every url_state row (no texts: small even for a large archive)."""
    return fetch_dicts(con, "SELECT * FROM url_state")


def claim_support_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return fetch_dicts(con, "SELECT * FROM claim_support")
