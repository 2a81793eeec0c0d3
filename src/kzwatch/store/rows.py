"""Writing and reading rows, the same calls on both backends.

``insert_rows`` is the one bulk write path (Arrow, never row by row).  On a DuckDB file the
table's PRIMARY KEY does the conflict handling (``INSERT OR IGNORE``/``OR REPLACE``).  A lake
has no keys, so the same semantics are spelled out with the keys the migrations declare
(``migrations.table_keys``): "ignore" inserts only rows whose key is not there yet, "replace" is
a ``MERGE`` that updates the given columns of existing keys and inserts the rest — exactly what
``INSERT OR REPLACE … BY NAME`` does on the file.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from kzwatch.store.backends import is_lake, retry_conflicts, writer_lock
from kzwatch.store.errors import WarehouseError
from kzwatch.store.settings import WarehouseSettings

T = TypeVar("T")

_VERBS = {"error": "INSERT", "ignore": "INSERT OR IGNORE", "replace": "INSERT OR REPLACE"}


def insert_rows(con: Any, table: str, rows: Sequence[dict[str, Any]], *,
                on_conflict: str = "error") -> int:
    """Bulk insert dicts by column name through Arrow (never row-by-row).

    ``on_conflict``: "error" (plain INSERT), "ignore" (keep the existing row) or "replace".
    """
    if not rows:
        return 0
    if on_conflict not in _VERBS:
        raise ValueError(f"on_conflict must be one of {sorted(_VERBS)}, not {on_conflict!r}")
    columns = list(dict.fromkeys(key for row in rows for key in row))  # every key of every row
    with registered_rows(con, f"_kz_rows_{table}", rows, columns) as name:
        if is_lake(con) and on_conflict != "error":
            con.execute(_lake_upsert_sql(table, name, columns, on_conflict))
        else:
            con.execute(f"{_VERBS[on_conflict]} INTO {table} BY NAME SELECT * FROM {name}")
    return len(rows)


@contextlib.contextmanager
def registered_rows(con: Any, name: str, rows: Sequence[dict[str, Any]],
                    columns: Sequence[str]) -> Iterator[str]:
    """``rows`` (these ``columns``) as an Arrow view ``name`` on ``con`` for the block's SQL."""
    import pyarrow as pa

    con.register(name, pa.Table.from_pydict({c: [r.get(c) for r in rows] for c in columns}))
    try:
        yield name
    finally:
        con.unregister(name)


@functools.cache
def _keys() -> dict[str, tuple[str, ...]]:
    from kzwatch.store.migrations import table_keys

    return table_keys()


def _lake_upsert_sql(table: str, source: str, columns: list[str], on_conflict: str) -> str:
    keys = _keys().get(table)
    if not keys:
        raise WarehouseError(f"insert into {table} on_conflict={on_conflict}: the table declares no key")
    missing = [k for k in keys if k not in columns]
    if missing:
        raise WarehouseError(f"insert into {table}: rows lack key column(s) {', '.join(missing)}")
    part = ", ".join(keys)
    # One row per key from the batch: the first for "ignore", the last for "replace", as the
    # file's INSERT OR IGNORE / OR REPLACE would leave it.
    order = "DESC" if on_conflict == "replace" else "ASC"
    deduped = (f"(SELECT * EXCLUDE (_kz_n) FROM (SELECT *, row_number() OVER () AS _kz_n FROM {source}) "
               f"QUALIFY row_number() OVER (PARTITION BY {part} ORDER BY _kz_n {order}) = 1)")
    match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM s.{k}" for k in keys)
    if on_conflict == "ignore":
        return (f"INSERT INTO {table} BY NAME SELECT * FROM {deduped} s "
                f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {match})")
    updates = ", ".join(f"{c} = s.{c}" for c in columns if c not in keys) or f"{keys[0]} = s.{keys[0]}"
    return (f"MERGE INTO {table} t USING {deduped} s ON {match} "
            f"WHEN MATCHED THEN UPDATE SET {updates} WHEN NOT MATCHED THEN INSERT BY NAME")


def fetch_dicts(con: Any, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


@contextlib.contextmanager
def transaction(con: Any, *, group: str = "verdicts") -> Iterator[Any]:
    """One transaction.  On a lake it runs under the ``group`` writer lock (taken before BEGIN,
    so the transaction's snapshot includes every earlier locked commit): keyed writes then never
    race, and two transactions of one group never conflict.

    A failing COMMIT (a lake conflict) propagates: DuckDB has already ended the transaction, so
    there is nothing to roll back.
    """
    settings = getattr(con, "settings", None)
    lock = writer_lock(settings, group) if is_lake(con) and settings else contextlib.nullcontext()
    with lock:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


def write_transaction(con: Any, body: Callable[[Any], T],
                      settings: WarehouseSettings | None = None, *, group: str = "verdicts") -> T:
    """Run ``body(con)`` in a ``transaction``; on a lake, re-run it when the commit conflicts
    with another writer's (one outside the lock: an operator's compaction, an older kzwatch).

    ``body`` must be safe to run again (the cycles' writes are upserts keyed by stable ids).
    On a DuckDB file there is one writer, so this is just ``transaction``.
    """
    def once() -> T:
        with transaction(con, group=group):
            return body(con)

    if not is_lake(con):
        return once()
    return retry_conflicts(once, settings or getattr(con, "settings", None) or WarehouseSettings())
