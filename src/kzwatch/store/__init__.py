"""The warehouse: where kzwatch keeps what it saw, on one of two backends.

* ``settings``   — ``WarehouseSettings`` (``[warehouse]``: backend, path, catalog, data_path).
* ``backends``   — connections: a DuckDB file (one writer) or a DuckLake (many writers), and
  the bounded retry of conflicting lake commits.
* ``migrations`` — the numbered forward-only SQL files, applied on both backends.
* ``rows``       — the bulk write path (``insert_rows``), ``fetch_dicts``, transactions.
* ``session``    — ``open_warehouse``/``open_readonly``, the cycle lock, the analyst copy.
* ``checks``     — the check-row repository fan-out workers append through (lake).
* ``check_cycle`` — the check cycle's batch writes and reads.
* ``analyst``    — ``kzwatch query``/``export``: read-only SQL, Parquet and WARC export.

Every name the single-module ``kzwatch.store`` had is importable from here unchanged.
"""

from __future__ import annotations

from kzwatch.store.backends import (
    LakeConnection,
    connect_lake,
    is_conflict,
    is_lake,
    retry_conflicts,
)
from kzwatch.store.check_cycle import (
    check_states,
    claim_support_rows,
    snapshots_by_id,
    write_check_batch,
)
from kzwatch.store.checks import append_checks, check_writer, checks_of_cycle
from kzwatch.store.errors import (
    WarehouseBusy,
    WarehouseConflict,
    WarehouseError,
    WarehouseTooNew,
)
from kzwatch.store.migrations import (
    latest_version,
    migrate,
    migration_files,
    pending_versions,
    schema_version,
    table_keys,
)
from kzwatch.store.rows import fetch_dicts, insert_rows, transaction, write_transaction
from kzwatch.store.session import (
    cycle_lock,
    lake_snapshots,
    open_readonly,
    open_warehouse,
    publish_analyst_copy,
    settings_of,
)
from kzwatch.store.settings import WarehouseSettings

__all__ = [
    "LakeConnection", "WarehouseBusy", "WarehouseConflict", "WarehouseError", "WarehouseSettings",
    "WarehouseTooNew", "append_checks", "check_states", "check_writer", "checks_of_cycle",
    "claim_support_rows", "connect_lake", "cycle_lock", "fetch_dicts", "insert_rows", "is_conflict",
    "is_lake", "lake_snapshots", "latest_version", "migrate", "migration_files", "open_readonly",
    "open_warehouse", "pending_versions", "publish_analyst_copy", "retry_conflicts",
    "schema_version", "settings_of", "snapshots_by_id", "table_keys", "transaction",
    "write_check_batch", "write_transaction",
]
