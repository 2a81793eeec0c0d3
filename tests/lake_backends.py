"""The warehouse backends the warehouse tests run on, as ``WarehouseSettings`` (test helper).

* ``duckdb``        — the default single file;
* ``ducklake-file`` — a DuckLake with a local DuckDB catalog file (one machine, no server);
* ``ducklake-pg``   — a DuckLake with its catalog in the session's throwaway PostgreSQL.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from kzwatch.store import WarehouseSettings

BACKENDS = ("duckdb", "ducklake-file", "ducklake-pg")
_db_numbers = itertools.count(1)


def settings_for(kind: str, folder: Path, request: pytest.FixtureRequest) -> WarehouseSettings:
    path = folder / "kzwatch.duckdb"
    if kind == "duckdb":
        return WarehouseSettings(path=path)
    if kind == "ducklake-file":
        return WarehouseSettings(backend="ducklake", path=path, catalog=str(folder / "catalog.ducklake"),
                                 data_path=folder / "lake-data")
    if kind == "ducklake-pg":
        import pg_cluster

        dsn = pg_cluster.create_database(request.getfixturevalue("pg_cluster_dsn"), f"kz{next(_db_numbers)}")
        return WarehouseSettings(backend="ducklake", path=path, catalog=dsn, data_path=folder / "lake-data")
    raise ValueError(kind)


def toml_for(settings: WarehouseSettings) -> str:
    """The ``[warehouse]`` section a user would write for these settings."""
    lines = ["[warehouse]", f'path = "{settings.path}"', f'backend = "{settings.backend}"']
    if settings.catalog:
        lines.append(f'catalog = "{settings.catalog}"')
    if settings.data_path:
        lines.append(f'data_path = "{settings.data_path}"')
    return "\n".join(lines) + "\n"
