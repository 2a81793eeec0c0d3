"""The check-row repository: fan-out workers append their own rows to a lake.

With ``backend = "ducklake"`` a worker (a thread, a process, a Dask worker on another machine)
opens the lake itself and commits the checks it made, together with the page snapshots they
point to; the coordinator later commits the verdicts (``url_state``, events) in its own
transaction.  Appends never conflict with each other in DuckLake (each commit adds new Parquet
files); a commit that does conflict (with a compaction, say) is retried
(``backends.retry_conflicts``).

Rows are keyed: ``check_id`` is deterministic per URL and cycle slot and ``snapshot_id`` is the
body's sha256, and both are inserted "if absent" under the lake's "checks" writer lock
(``backends.writer_lock``), so a worker that is killed and re-run — or a batch sent twice, or two
workers with the same URL — adds nothing twice.  The lock covers only the short commit; fetching
stays fully parallel.  A commit is atomic: a worker killed mid-commit leaves
either all of its batch or none of it.

In the check cycle (``kzwatch.cycles.check.commit_worker_checks``) a worker's row holds what
the fetch saw and the page's own outcome, with ``state_after`` NULL: not yet judged.  The
coordinator then fills the verdict columns (``check_cycle.write_check_batch``).  A cycle killed
between the two leaves unjudged rows; its re-run in the same slot fetches those URLs again and
``replace_unjudged`` swaps the stale row for the new one — a judged row is never replaced.

Each worker commit is signed with the worker's name (``set_commit_message``: the ``author`` of
the lake snapshot), so the lake's history says who wrote what.

The file backend has one writer by design: there, workers return results to the coordinator
and this module refuses, rather than silently serialising them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from kzwatch.store.backends import is_lake
from kzwatch.store.errors import WarehouseError
from kzwatch.store.rows import fetch_dicts, insert_rows, write_transaction
from kzwatch.store.session import Target, open_warehouse, settings_of


def append_checks(target: Target, checks: Sequence[dict[str, Any]],
                  snapshots: Sequence[dict[str, Any]] = ()) -> int:
    """Commit one batch of check rows (and their snapshots) to the lake; return rows sent.

    Opens and closes the lake around the batch: right for a task that writes once.  A worker
    writing many batches keeps one connection with ``check_writer``.
    """
    if not checks and not snapshots:
        settings_of(target)  # still refuse a file backend
        return 0
    with check_writer(target) as append:
        return append(checks, snapshots)


@contextlib.contextmanager
def check_writer(target: Target, *, author: str | None = None) -> Iterator[Callable[..., int]]:
    """A worker's open lake: ``append(checks, snapshots=(), replace_unjudged=False)`` commits
    one batch per call (signed ``author`` when given)."""
    settings = settings_of(target)
    if not settings.is_lake:
        raise WarehouseError(
            "workers write check rows directly only with [warehouse] backend = \"ducklake\"; "
            "a DuckDB file has one writer (the cycle's process)"
        )
    with open_warehouse(settings) as con:
        def append(checks: Sequence[dict[str, Any]], snapshots: Sequence[dict[str, Any]] = (), *,
                   replace_unjudged: bool = False) -> int:
            def write(c: Any) -> int:
                sign_commit(c, author, "checks")
                if replace_unjudged:
                    _drop_unjudged(c, [row["check_id"] for row in checks])
                insert_rows(c, "snapshots", list(snapshots), on_conflict="ignore")
                return insert_rows(c, "checks", list(checks), on_conflict="ignore")

            return write_transaction(con, write, settings, group="checks")

        yield append


def _drop_unjudged(con: Any, check_ids: Sequence[str]) -> None:
    """Delete the rows of these ids that no verdict was committed for (a killed cycle's)."""
    ids = sorted(set(check_ids))
    where = "check_id IN (SELECT unnest(?::VARCHAR[])) AND state_after IS NULL"
    # only DELETE when there is something to delete: a lake records every delete, and
    # concurrent deletes from one table conflict
    if ids and con.execute(f"SELECT count(*) FROM checks WHERE {where}", [ids]).fetchall()[0][0]:
        con.execute(f"DELETE FROM checks WHERE {where}", [ids])


def sign_commit(con: Any, author: str | None, message: str) -> None:
    """Name the author of the lake snapshot this transaction commits (no-op on a file)."""
    if author and is_lake(con):
        con.execute(f"CALL {con.settings.lake_alias}.set_commit_message(?, ?)", [author, message])


def checks_of_cycle(con: Any, cycle_id: str) -> list[dict[str, Any]]:
    """The check rows one cycle's workers committed (what the coordinator judges)."""
    return fetch_dicts(con, "SELECT * FROM checks WHERE cycle_id = ? ORDER BY url, checked_at", [cycle_id])
