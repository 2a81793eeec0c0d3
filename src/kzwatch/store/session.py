"""Sessions on the warehouse: short read-write sessions, read-only ones, the cycle lock and the
analyst copy.

On a DuckDB file (one writer) kzwatch:

* serialises whole cycles with an OS file lock beside the warehouse (``cycle_lock``): a second
  cycle waits up to ``lock_wait_s`` and then stops with a clear message, losing nothing;
* opens the database only for short transactions (``open_warehouse``), retrying while another
  process holds it; a file with pending migrations is copied to a backup first;
* after each cycle publishes a read-only analyst copy next to it (``publish_analyst_copy``):
  written to a temporary file and moved into place with ``os.replace``, so a reader with the old
  copy open keeps reading the old inode and is never broken, and never blocks a cycle.

On a DuckLake none of that is needed: writers commit concurrently (conflicts are retried),
analysts read the lake at a snapshot, and every earlier snapshot stays readable (the "backup").
Every function takes a ``Config``, a ``WarehouseSettings`` or (the file backend) a path.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Union

from kzwatch.store.backends import (
    connect_file,
    connect_lake,
    retry_conflicts,
    writer_lock,
)
from kzwatch.store.errors import WarehouseBusy, WarehouseError
from kzwatch.store.migrations import (
    latest_version,
    migrate,
    pending_versions,
    schema_version,
)
from kzwatch.store.settings import WarehouseSettings

Target = Union[Path, str, WarehouseSettings, Any]  # Any: a kzwatch.config.Config


def settings_of(target: Target) -> WarehouseSettings:
    """The warehouse settings a Config, a settings object or a bare file path stands for."""
    if isinstance(target, WarehouseSettings):
        return target
    if isinstance(target, (str, os.PathLike)):
        return WarehouseSettings(path=Path(target))
    return WarehouseSettings.from_config(target)


@contextlib.contextmanager
def open_warehouse(target: Target, *, wait_s: float | None = None, migrate_schema: bool = True,
                   backup: bool = True) -> Iterator[Any]:
    """A short read-write session on the warehouse, migrated to the latest schema."""
    settings = settings_of(target)
    wait = settings.lock_wait_s if wait_s is None else wait_s
    if settings.is_lake:
        con = connect_lake(settings)
        try:
            if migrate_schema and (pending_versions(con) or schema_version(con) > latest_version()):
                with writer_lock(settings, "migrations"):  # one migrator at a time
                    retry_conflicts(lambda: migrate(con), settings)
            yield con
        finally:
            con.close()
        return
    with _open_file(settings.path, wait, migrate_schema, backup and settings.backup_before_migrate) as con:
        yield con


@contextlib.contextmanager
def _open_file(path: Path, wait_s: float, migrate_schema: bool, backup: bool) -> Iterator[Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists()
    con = connect_file(path, read_only=False, wait_s=wait_s)
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
                con = connect_file(path, read_only=False, wait_s=wait_s)
            migrate(con)
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def open_readonly(target: Target, *, wait_s: float = 30.0,
                  at: int | str | None = None) -> Iterator[Any]:
    """A read-only session; on a lake, ``at`` (snapshot id or timestamp) reads the past."""
    settings = settings_of(target)
    con: Any
    if settings.is_lake:
        con = connect_lake(settings, read_only=True, snapshot=at)
    else:
        if at is not None:
            raise WarehouseError("time travel (--at) needs [warehouse] backend = \"ducklake\"")
        if not Path(settings.path).exists():
            raise WarehouseError(f"{settings.path}: no such warehouse (run a kzwatch cycle first)")
        con = connect_file(Path(settings.path), read_only=True, wait_s=wait_s)
    try:
        yield con
    finally:
        con.close()


def lake_snapshots(target: Target) -> list[dict[str, Any]]:
    """Every snapshot of a lake: id, time, schema version, what changed (oldest first)."""
    settings = settings_of(target)
    if not settings.is_lake:
        raise WarehouseError("snapshots exist only with [warehouse] backend = \"ducklake\"")
    with open_readonly(settings) as con:
        cur = con.execute(f"SELECT snapshot_id, snapshot_time, schema_version, changes "
                          f"FROM {settings.lake_alias}.snapshots() ORDER BY snapshot_id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


# --- Cycle lock ---------------------------------------------------------------------------------


@contextlib.contextmanager
def cycle_lock(target: Target, *, wait_s: float = 120.0, poll_s: float = 0.25) -> Iterator[None]:
    """Hold the per-warehouse cycle lock; wait up to ``wait_s`` for another cycle to finish.

    An OS advisory lock (flock) dies with its process, so a cycle killed with ``kill -9`` never
    leaves a stale lock behind.  A lake takes no lock: its writers commit concurrently.
    """
    settings = settings_of(target)
    if settings.is_lake:
        yield
        return
    path = Path(settings.path)
    lock_path = path.with_name(path.name + ".cycle.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, wait_s, poll_s)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _acquire(fd: int, path: Path, wait_s: float, poll_s: float) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
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


# --- Analyst copy -------------------------------------------------------------------------------


def publish_analyst_copy(con_path: Target, analyst_path: Path | None = None) -> Path | None:
    """Copy the (closed, checkpointed) warehouse file to the analyst path atomically.

    A lake needs no copy (analysts read it directly): returns None.
    """
    settings = settings_of(con_path)
    if settings.is_lake:
        return None
    analyst_path = Path(analyst_path or settings.analyst_copy or
                        settings.path.with_name(settings.path.stem + "-analyst.duckdb"))
    analyst_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = analyst_path.with_name(f".{analyst_path.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(settings.path, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, analyst_path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return analyst_path
