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

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from kzwatch.store.errors import WarehouseBusy, WarehouseConflict, WarehouseError
from kzwatch.store.settings import WarehouseSettings

T = TypeVar("T")

_NO_AUTOLOAD = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
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
    return str(Path(next(iter(duckdb_ext.__path__))) / "extensions")


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
    config = dict(_NO_AUTOLOAD, extension_directory=extension_directory())
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
