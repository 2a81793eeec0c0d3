"""Where the warehouse lives and how it is written: ``[warehouse]`` in the config.

Two backends, the same tables, views and commands:

* ``duckdb`` (default) — one DuckDB file (``path``).  One writer at a time: cycles take a file
  lock and analysts read a copy published after each cycle.  Needs no server.
* ``ducklake`` — a DuckLake: a catalog in a SQL database (``catalog``: a PostgreSQL DSN for many
  writers on many machines, or a local DuckDB catalog file for one process at a time) and data
  as Parquet files under ``data_path``.  Many writers commit concurrently (conflicting commits
  are retried, bounded); analysts read the lake itself at a consistent snapshot, and
  ``kzwatch query --at`` reads an older one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BACKENDS = ("duckdb", "ducklake")

# Catalog strings that name a PostgreSQL database rather than a file.
_PG_PREFIXES = ("postgres:", "postgresql://", "postgres://")


@dataclass(frozen=True)
class WarehouseSettings:
    backend: str = "duckdb"
    path: Path = Path("warehouse/kzwatch.duckdb")
    analyst_copy: Path | None = None  # default: <path stem>-analyst.duckdb beside the file
    catalog: str | None = None       # ducklake: PostgreSQL DSN or catalog file; default beside path
    data_path: Path | None = None    # ducklake: Parquet directory; default <path stem>-lake/
    lock_wait_s: float = 120.0       # how long a second cycle (or a lake writer) waits for a lock
    backup_before_migrate: bool = True
    # DuckLake commits are optimistic: a commit that conflicts with another writer's is retried
    # with jittered exponential backoff, at most this many times, then reported.
    conflict_retries: int = 10
    conflict_backoff_s: float = 0.05
    conflict_backoff_max_s: float = 2.0
    lake_alias: str = field(default="lake", metadata={"config": False})  # the lake's name in DuckDB

    def __post_init__(self) -> None:
        # accept plain strings for the paths (TOML, command lines, worker arguments)
        object.__setattr__(self, "path", Path(self.path))
        if self.data_path is not None:
            object.__setattr__(self, "data_path", Path(self.data_path))
        if self.backend not in BACKENDS:
            raise ValueError(f"'backend' must be one of {', '.join(BACKENDS)}, not {self.backend!r}")

    @property
    def is_lake(self) -> bool:
        return self.backend == "ducklake"

    @property
    def catalog_is_postgres(self) -> bool:
        return bool(self.catalog) and is_postgres_dsn(str(self.catalog))

    def lake_catalog(self) -> str:
        """The catalog string as ``ATTACH 'ducklake:…'`` wants it."""
        if self.catalog and is_postgres_dsn(self.catalog):
            return "postgres:" + postgres_dsn(self.catalog)
        return str(self.catalog or self.path.with_suffix(".ducklake"))

    def lake_data_path(self) -> Path:
        return self.data_path or self.path.with_name(self.path.stem + "-lake")

    def describe(self) -> str:
        """Where the warehouse is, for messages (never the catalog password)."""
        if not self.is_lake:
            return str(self.path)
        where = "PostgreSQL catalog" if self.catalog_is_postgres else f"catalog {self.lake_catalog()}"
        return f"DuckLake ({where}, data {self.lake_data_path()})"

    @classmethod
    def from_config(cls, config: Any) -> WarehouseSettings:
        """From a loaded ``kzwatch.config.Config``: its resolved warehouse and analyst-copy paths,
        the rest from ``[warehouse]`` (relative lake paths: against the config's folder)."""
        given: WarehouseSettings = config.warehouse
        base = Path(getattr(config, "base_dir", Path(".")))
        catalog = given.catalog
        if catalog and not is_postgres_dsn(catalog):
            catalog = str(_resolve(catalog, base))
        return dataclasses.replace(
            given, path=Path(config.warehouse_path), analyst_copy=Path(config.analyst_copy_path),
            catalog=catalog, data_path=_resolve(str(given.data_path), base) if given.data_path else None)


def is_postgres_dsn(catalog: str) -> bool:
    text = catalog.strip()
    return text.startswith(_PG_PREFIXES) or ("=" in text and ("dbname=" in text or "host=" in text))


def postgres_dsn(catalog: str) -> str:
    """The libpq connection string without a ``postgres:`` prefix."""
    text = catalog.strip()
    return text[len("postgres:"):] if text.startswith("postgres:") and not text.startswith("postgres://") else text


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path).resolve()
