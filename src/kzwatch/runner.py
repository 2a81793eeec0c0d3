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
from kzwatch.store import (
    cycle_lock,
    insert_rows,
    open_warehouse,
    publish_analyst_copy,
    write_transaction,
)


@contextlib.contextmanager
def guarded(config: Config, kind: str, as_of: datetime, *, publish: bool = True) -> Iterator[dict]:
    """Hold the cycle lock around a cycle; record it in ``cycles``; publish the analyst copy."""
    from kzwatch.cycles.common import stable_id

    wait_s = config.warehouse.lock_wait_s
    record: dict = {"cycle_id": stable_id("cycle", kind, as_of.isoformat()), "kind": kind,
                    "as_of": as_of, "status": "running"}
    with cycle_lock(config, wait_s=wait_s):
        # started once the lock is held: ``cycles`` is then the log of who held the warehouse
        # when, and the time spent waiting for another cycle is not counted as this one's
        record["started_at"] = datetime.now(as_of.tzinfo)
        try:
            yield record
            record["status"] = "ok"
        except BaseException:
            record["status"] = "failed"
            raise
        finally:
            record["finished_at"] = datetime.now(as_of.tzinfo)
            _record_cycle(config, record)
            # Only a cycle that finished publishes: a failed one may have failed because the
            # warehouse is damaged, and the analyst copy is then the last good backup.
            if publish and record["status"] == "ok":
                publish_analyst_copy(config, config.analyst_copy_path)


def _record_cycle(config: Config, record: dict) -> None:
    import json

    row = {k: v for k, v in record.items() if k != "summary"}
    row["summary"] = json.dumps(record.get("summary", {}), default=str)
    with contextlib.suppress(Exception):  # bookkeeping must never mask the cycle's own error
        with open_warehouse(config, wait_s=config.warehouse.lock_wait_s) as con:
            write_transaction(con, lambda c: insert_rows(c, "cycles", [row], on_conflict="replace"))
            con.execute("CHECKPOINT")
