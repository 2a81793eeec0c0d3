"""Opening connections: a DuckDB file (one writer) or a DuckLake (many writers).

DuckDB allows one read-write process on a file and then refuses every other opener, read-only
ones included, so ``connect_file`` retries while another process holds the file.

A DuckLake is attached inside an in-memory DuckDB: ``ATTACH 'ducklake:<catalog>' AS lake``.  The
``ducklake`` and ``postgres_scanner`` extensions come from the ``duckdb-ext-*`` Python packages
(never downloaded at run time: kzwatch runs offline).  Commits are optimistic: a commit that
conflicts with another writer's raises ``TransactionException`` ("Transaction conflict") and
``retry_conflicts`` runs the whole unit of work again after a jittered backoff.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from kzwatch.store.errors import WarehouseBusy, WarehouseConflict, WarehouseError
from kzwatch.store.settings import WarehouseSettings, postgres_dsn

T = TypeVar("T")

_NO_AUTOLOAD: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False, "autoload_known_extensions": False}
LAKE_EXTENSIONS = ("ducklake", "postgres_scanner")


# --- DuckDB file --------------------------------------------------------------------------------


def _is_lock_error(exc: Exception) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def connect_file(path: Path, *, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=dict(_NO_AUTOLOAD))
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


# --- DuckLake -----------------------------------------------------------------------------------


def extension_directory() -> str:
    """Where the ``duckdb-ext-ducklake``/``duckdb-ext-postgres`` packages put the extensions."""
    try:
        import duckdb_ext  # type: ignore[import-not-found]  # namespace package, no code
    except ImportError:
        raise WarehouseError(
            "backend = 'ducklake' needs the duckdb-ext-ducklake and duckdb-ext-postgres packages "
            "(pip install 'kzwatch') — they ship the DuckDB extensions for offline use"
        ) from None
    folder = Path(next(iter(duckdb_ext.__path__))) / "extensions"
    if not (folder / f"v{duckdb.__version__}").is_dir():
        shipped = ", ".join(sorted(p.name for p in folder.iterdir())) if folder.is_dir() else "none"
        raise WarehouseError(
            f"DuckDB {duckdb.__version__} has no matching DuckLake extension (installed for: {shipped}); "
            f"install duckdb-ext-ducklake and duckdb-ext-postgres =={duckdb.__version__}.*"
        )
    return str(folder)


class LakeConnection:
    """A DuckDB connection with a DuckLake attached and selected (``USE lake``).

    Behaves like ``DuckDBPyConnection`` (everything is delegated) except that a bare
    ``CHECKPOINT`` — which the single-file code issues after each write to fold the WAL — is
    skipped: on a lake it would run file compaction and cleanup, which belongs to an operator's
    quiet hour (warehouse/README.md), not to every writer's commit.
    """

    backend = "ducklake"

    def __init__(self, con: duckdb.DuckDBPyConnection, settings: WarehouseSettings) -> None:
        self._con = con
        self.settings = settings

    def execute(self, query: Any, parameters: Any = None) -> Any:
        if isinstance(query, str) and query.strip().rstrip(";").strip().upper() == "CHECKPOINT":
            return self._con
        if parameters is None:
            return self._con.execute(query)
        return self._con.execute(query, parameters)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def close(self) -> None:
        self._con.close()


def is_lake(con: Any) -> bool:
    return getattr(con, "backend", None) == "ducklake"


def connect_lake(settings: WarehouseSettings, *, read_only: bool = False,
                 snapshot: int | str | None = None) -> LakeConnection:
    """Attach the lake; ``snapshot`` (an int version or a timestamp) reads it as it was then."""
    config: dict[str, str | bool | int | float | list[str]] = dict(_NO_AUTOLOAD)
    config["extension_directory"] = extension_directory()
    con = duckdb.connect(config=config)
    try:
        for name in LAKE_EXTENSIONS:
            con.execute(f"LOAD {name}")
        con.execute("SET TimeZone = 'UTC'")
        data_path = settings.lake_data_path()
        if not read_only:
            data_path.mkdir(parents=True, exist_ok=True)
        options = [f"DATA_PATH {_literal(str(data_path) + '/')}"]
        if read_only:
            options.append("READ_ONLY")
        if isinstance(snapshot, int):
            options.append(f"SNAPSHOT_VERSION {snapshot}")
        elif snapshot is not None:
            options.append(f"SNAPSHOT_TIME {_literal(str(snapshot))}")
        alias = settings.lake_alias
        _attach(con, f"ATTACH {_literal('ducklake:' + settings.lake_catalog())} AS {alias} "
                     f"({', '.join(options)})", settings)
        con.execute(f"USE {alias}")
    except BaseException:
        con.close()
        raise
    return LakeConnection(con, settings)


def _attach(con: duckdb.DuckDBPyConnection, sql: str, settings: WarehouseSettings) -> None:
    """ATTACH; two processes creating the same new lake at once conflict, so retry that too."""
    try:
        retry_conflicts(lambda: con.execute(sql), settings)
    except duckdb.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise WarehouseError(f"cannot open the lake {settings.describe()}: {first}") from None


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- Conflicts ----------------------------------------------------------------------------------


def is_conflict(exc: BaseException) -> bool:
    """A DuckLake (or DuckDB) write-write conflict that a retry can resolve."""
    if not isinstance(exc, (duckdb.TransactionException, duckdb.Error)):
        return False
    text = str(exc).lower()
    return "conflict" in text and ("transaction" in text or "ducklake" in text)


def retry_conflicts(work: Callable[[], T], settings: WarehouseSettings,
                    *, sleep: Callable[[float], None] = time.sleep) -> T:
    """Run ``work``; on a commit conflict run it again (bounded, jittered exponential backoff)."""
    delay = settings.conflict_backoff_s
    for attempt in range(settings.conflict_retries + 1):
        try:
            return work()
        except duckdb.Error as exc:
            if not is_conflict(exc):
                raise
            if attempt == settings.conflict_retries:
                raise WarehouseConflict(
                    f"the lake kept conflicting with other writers: gave up after "
                    f"{attempt + 1} attempts ({str(exc).strip().splitlines()[-1]})"
                ) from exc
            sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, settings.conflict_backoff_max_s)
    raise AssertionError("unreachable")


# --- Keyed writes -------------------------------------------------------------------------------
# A lake enforces no keys, and two transactions inserting the same key never conflict (each adds
# its own Parquet file).  So write transactions (``rows.transaction``) take a lake-wide writer
# lock for their length, and begin only once they hold it (a snapshot taken earlier could miss
# the other writer's rows).  One lock per group of tables:
# workers appending checks serialise among themselves, not with the coordinators' verdicts.
# On PostgreSQL it is an advisory lock, which dies with the session, so a writer killed with
# kill -9 never leaves it held; for a catalog file it is a flock beside the file.


@contextlib.contextmanager
def writer_lock(settings: WarehouseSettings, group: str) -> Iterator[None]:
    if not settings.is_lake:
        yield
        return
    if settings.catalog_is_postgres:
        with _pg_advisory_lock(settings, group):
            yield
        return
    lock_path = Path(settings.lake_catalog() + f".{group}.lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _wait_for(lambda: _try_flock(fd), settings, group)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@contextlib.contextmanager
def _pg_advisory_lock(settings: WarehouseSettings, group: str) -> Iterator[None]:
    import psycopg

    key = int.from_bytes(hashlib.sha256(f"kzwatch:{group}".encode()).digest()[:8], "big", signed=True)
    with psycopg.connect(postgres_dsn(str(settings.catalog)), autocommit=True) as pg:
        def attempt() -> bool:
            row = pg.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()
            return bool(row and row[0])

        _wait_for(attempt, settings, group)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                pg.execute("SELECT pg_advisory_unlock(%s)", [key])


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        return False


def _wait_for(attempt: Callable[[], bool], settings: WarehouseSettings, group: str) -> None:
    deadline = time.monotonic() + settings.lock_wait_s
    delay = 0.005
    while not attempt():
        if time.monotonic() >= deadline:
            raise WarehouseBusy(f"the lake's {group} writer lock stayed held for {settings.lock_wait_s:.0f} s")
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 0.2)
