"""Running cycles safely: one at a time per warehouse, then publishing the analyst copy.

Both the Prefect flows (``flows/``) and the no-Prefect fallback (``KZWATCH_PREFECT=0``) go
through ``guarded``: it takes the per-warehouse cycle lock (a second cycle waits, bounded, or
stops with a clear message), runs the cycle body, and afterwards replaces the analyst copy
atomically.  Every write inside a cycle is its own short transaction, so ``kill -9`` at any
moment loses nothing committed and the next cycle completes the work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime

from kzwatch.config import Config
from kzwatch.store import cycle_lock, insert_rows, open_warehouse, publish_analyst_copy


@contextlib.contextmanager
def guarded(config: Config, kind: str, as_of: datetime, *, publish: bool = True) -> Iterator[dict]:
    """Hold the cycle lock around a cycle; record it in ``cycles``; publish the analyst copy."""
    from kzwatch.cycles.common import stable_id

    wait_s = config.warehouse.lock_wait_s
    record: dict = {"cycle_id": stable_id("cycle", kind, as_of.isoformat()), "kind": kind,
                    "as_of": as_of, "started_at": datetime.now(as_of.tzinfo), "status": "running"}
    with cycle_lock(config.warehouse_path, wait_s=wait_s):
        try:
            yield record
            record["status"] = "ok"
        except BaseException:
            record["status"] = "failed"
            raise
        finally:
            record["finished_at"] = datetime.now(as_of.tzinfo)
            _record_cycle(config, record)
            if publish:
                publish_analyst_copy(config.warehouse_path, config.analyst_copy_path)


def _record_cycle(config: Config, record: dict) -> None:
    import json

    row = {k: v for k, v in record.items() if k != "summary"}
    row["summary"] = json.dumps(record.get("summary", {}), default=str)
    with contextlib.suppress(Exception):  # bookkeeping must never mask the cycle's own error
        with open_warehouse(config.warehouse_path, wait_s=config.warehouse.lock_wait_s) as con:
            insert_rows(con, "cycles", [row], on_conflict="replace")
            con.execute("CHECKPOINT")
