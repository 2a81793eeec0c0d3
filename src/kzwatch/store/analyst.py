"""The analysts' side of the warehouse: read-only SQL, Parquet export, WARC export.

Where analysts read depends on the backend (``[warehouse] backend``):

* ``duckdb`` — the *analyst copy* (``config.analyst_copy_path``), never the file a cycle writes:
  DuckDB lets one read-write process in and then refuses every other opener, so analysts get a
  copy that each cycle replaces atomically (``kzwatch.store.publish_analyst_copy``).
* ``ducklake`` — the lake itself, attached read-only: every query sees one committed snapshot
  (consistent while writers commit), and ``at`` (``kzwatch query --at``) picks an older one by
  snapshot id or timestamp — DuckLake's time travel.

On top of the read-only attachment ``run_query`` lets through only statements that read (SELECT
and friends), so a mistaken INSERT or COPY gets a clear one-line refusal instead of a DuckDB
stack of errors.

* ``run_query``     — ``kzwatch query SQL``: text table, CSV or JSON (no extra dependencies).
* ``export_parquet`` — ``kzwatch export --parquet DIR``: one Parquet file per view and table,
  plus ``manifest.json`` describing each (rows, columns, types).
* ``export_warc``   — ``kzwatch export --warc DIR``: every stored snapshot as a WARC response
  record, dated and addressed by the first check that fetched it.

This module is an edge (it reads the warehouse and writes files); formatting helpers are pure.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import logging
import zlib
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from kzwatch.config import Config
from kzwatch.store.errors import WarehouseError
from kzwatch.store.migrations import schema_version
from kzwatch.store.session import open_readonly, settings_of

log = logging.getLogger(__name__)

FORMATS = ("table", "csv", "json")

# Statement types that only read.  DESCRIBE, SHOW, SUMMARIZE, FROM-first and VALUES parse as
# SELECT.  Everything else (INSERT, CREATE, COPY ... TO, ATTACH, SET, INSTALL, ...) is refused
# before it reaches DuckDB, whose read-only mode would refuse most of it anyway, less clearly.
READ_ONLY_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA"})

# Table output: cells longer than this are cut (CSV and JSON always carry full values).
TABLE_CELL_MAX = 80

# WARC export: captures per file, so a large warehouse never sits in memory at once.
WARC_CAPTURES_PER_FILE = 500


# --- Opening the analyst copy -------------------------------------------------------------------


@contextlib.contextmanager
def analyst_connection(config: Config, *, at: int | str | None = None) -> Iterator[Any]:
    """A read-only connection for analysts, timestamps rendered in UTC.

    ``at``: a lake snapshot id or timestamp to read instead of the latest (ducklake only).
    """
    settings = settings_of(config)
    if settings.is_lake:
        with open_readonly(settings, at=at) as con:
            con.execute("SET TimeZone = 'UTC'")
            yield con
        return
    if at is not None:
        raise WarehouseError('--at (time travel) needs [warehouse] backend = "ducklake"; '
                             "a DuckDB file keeps only its latest state")
    path = Path(config.analyst_copy_path)
    if not path.exists():
        raise WarehouseError(
            f"no analyst copy at {path} yet: it is published after each cycle "
            "(run `kzwatch check` or `kzwatch run` first)"
        )
    with open_readonly(path, wait_s=10.0) as con:
        con.execute("SET TimeZone = 'UTC'")
        yield con


def parse_at(text: str | None) -> int | str | None:
    """``--at`` as given: a snapshot id (digits) or an ISO date/timestamp (kept as text)."""
    if text is None:
        return None
    text = text.strip()
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise WarehouseError(f"--at {text!r}: give a snapshot id (e.g. 42) or a date/time "
                             "(e.g. 2026-03-01 or 2026-03-01T12:00:00+00:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat()


# --- kzwatch query ------------------------------------------------------------------------------


def run_query(config: Config, sql: str, *, fmt: str = "table", at: int | str | None = None) -> str:
    """Run read-only SQL for an analyst; return the last statement's result as text."""
    if fmt not in FORMATS:
        raise WarehouseError(f"query: unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
    if not sql or not sql.strip():
        raise WarehouseError("query: no SQL given")
    with analyst_connection(config, at=at) as con:
        statements = _read_only_statements(con, sql)
        cursor: Any = None
        try:
            for statement in statements:
                cursor = con.execute(statement)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            rows = cursor.fetchall() if columns else []
        except duckdb.Error as exc:
            raise WarehouseError(f"query failed: {_first_line(exc)}") from None
    if fmt == "csv":
        return format_csv(columns, rows)
    if fmt == "json":
        return format_json(columns, rows)
    return format_table(columns, rows)


def _read_only_statements(con: Any, sql: str) -> list[Any]:
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise WarehouseError(f"query failed: {_first_line(exc)}") from None
    if not statements:
        raise WarehouseError("query: no SQL statement given")
    for statement in statements:
        kind = statement.type.name
        if kind not in READ_ONLY_STATEMENTS:
            raise WarehouseError(
                f"query refused: the analysts' connection is read-only and `kzwatch query` runs only "
                f"SELECT/WITH/DESCRIBE/SHOW/EXPLAIN statements, not {kind} "
                "(for files use `kzwatch export --parquet DIR`)"
            )
    return statements


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


# --- Output formats (pure) ----------------------------------------------------------------------


def json_value(value: Any) -> Any:
    """A value as JSON can carry it: dates ISO 8601, bytes base64, decimals as numbers."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return str(value)


def text_value(value: Any) -> str:
    """A value as one line of text (CSV cells and table cells)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(json_value(value), ensure_ascii=False)
    return str(json_value(value))


def format_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    objects = [{c: json_value(v) for c, v in zip(columns, row)} for row in rows]
    return json.dumps(objects, ensure_ascii=False, indent=1)


def format_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([text_value(v) for v in row])
    return out.getvalue().removesuffix("\n")  # the caller prints it: no blank last line


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned text table; numbers right-aligned, NULL shown as NULL, long cells cut."""
    if not columns:
        return "(no result)"
    cells = [[_table_cell(v) for v in row] for row in rows]
    numeric = [all(isinstance(row[i], (int, float, Decimal)) and not isinstance(row[i], bool)
                   for row in rows if row[i] is not None) for i in range(len(columns))]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if numeric[i] else v.ljust(w) for i, (v, w) in enumerate(zip(values, widths))]
        return " | ".join(parts).rstrip()

    out = [line(list(columns)), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _table_cell(value: Any) -> str:
    if value is None:
        return "NULL"
    text = text_value(value).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return text if len(text) <= TABLE_CELL_MAX else text[: TABLE_CELL_MAX - 1] + "…"


# --- kzwatch export --parquet -------------------------------------------------------------------


def export_parquet(config: Config, out_dir: Path, *, now: datetime | None = None) -> dict:
    """Every view and table of the analyst copy as ``<name>.parquet`` plus ``manifest.json``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    generated_at = now or datetime.now(timezone.utc)
    objects = []
    with analyst_connection(config) as con:
        listing = con.execute(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_schema = 'main' AND table_catalog = current_database() "
            "ORDER BY table_type = 'VIEW', table_name"
        ).fetchall()
        for name, table_type in listing:
            objects.append(_export_one(con, name, "view" if table_type == "VIEW" else "table", out_dir))
        version = schema_version(con)
    manifest = {
        "generated_at": generated_at.isoformat(),
        "schema_version": version,
        "source": _source(config),
        "objects": objects,
    }
    tmp = out_dir / ".manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(out_dir / "manifest.json")
    return manifest


def _source(config: Config) -> str:
    settings = settings_of(config)
    return settings.describe() if settings.is_lake else str(config.analyst_copy_path)


def _export_one(con: Any, name: str, kind: str, out_dir: Path) -> dict:
    quoted = '"' + name.replace('"', '""') + '"'
    target = out_dir / f"{name}.parquet"
    literal = "'" + str(target).replace("'", "''") + "'"
    try:
        con.execute(f"COPY (SELECT * FROM {quoted}) TO {literal} (FORMAT parquet, COMPRESSION zstd)")
    except duckdb.Error as exc:
        raise WarehouseError(f"export of {name} failed: {_first_line(exc)}") from None
    described = con.execute(f"DESCRIBE SELECT * FROM {quoted}").fetchall()
    rows = con.execute(f"SELECT count(*) FROM {quoted}").fetchall()[0][0]
    return {"name": name, "kind": kind, "rows": rows, "file": target.name,
            "columns": [{"name": col[0], "type": col[1]} for col in described]}


# --- kzwatch export --warc ----------------------------------------------------------------------

# Each snapshot once, with the first check that fetched it (where and when, which status, over
# which address).  A snapshot without any check (should not happen) falls back to its own record.
_SNAPSHOTS_FOR_WARC = """
WITH first_check AS (
    SELECT snapshot_id, url, final_url, checked_at, http_status, hops
    FROM checks
    WHERE snapshot_id IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY snapshot_id ORDER BY checked_at, check_id) = 1
)
SELECT s.snapshot_id,
       coalesce(k.final_url, s.url, k.url)     AS url,
       coalesce(k.checked_at, s.first_seen_at) AS fetched_at,
       coalesce(k.http_status, 200)            AS status,
       s.content_type,
       k.hops,
       s.body
FROM snapshots s
LEFT JOIN first_check k USING (snapshot_id)
WHERE s.body IS NOT NULL
ORDER BY fetched_at, s.snapshot_id
"""


def export_warc(config: Config, out_dir: Path) -> list[Path]:
    """Every stored snapshot as a WARC response record; returns the WARC files written.

    A snapshot whose stored body cannot be decompressed is skipped with a logged warning
    naming it, so one damaged row never costs the whole export.
    """
    from kzwatch.warc import write_warc

    paths: list[Path] = []
    with analyst_connection(config) as con:
        cursor = con.execute(_SNAPSHOTS_FOR_WARC)
        while True:
            batch = cursor.fetchmany(WARC_CAPTURES_PER_FILE)
            if not batch:
                break
            captures = [c for c in (capture_from_row(row) for row in batch) if c is not None]
            paths += write_warc(captures, Path(out_dir))
    return paths


def capture_from_row(row: Sequence[Any]):
    """A ``WarcCapture`` from one row of ``_SNAPSHOTS_FOR_WARC`` (None if the body is damaged)."""
    from kzwatch.warc import WarcCapture

    snapshot_id, url, fetched_at, status, content_type, hops, body = row
    try:
        raw = zlib.decompress(bytes(body))
    except zlib.error as exc:
        log.warning("WARC export: snapshot %s skipped, stored body is damaged: %s", snapshot_id, exc)
        return None
    headers = {"Content-Type": content_type} if content_type else {}
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=timezone.utc)
    return WarcCapture(url=url, fetched_at=fetched_at, status=int(status), headers=headers,
                       body=raw, ip=_last_address(hops))


def _last_address(hops: str | None) -> str | None:
    """The address the final response came from, as the fetcher recorded it in ``hops``."""
    if not hops:
        return None
    try:
        chain = json.loads(hops)
    except (TypeError, ValueError):
        return None
    if isinstance(chain, list) and chain and isinstance(chain[-1], dict):
        address = chain[-1].get("address")
        return str(address) if address else None
    return None
