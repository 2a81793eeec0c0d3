"""The check cycle's batches: the SQL the check cycle runs, on either backend.

(Functions written for the check cycle's batch writes; on a lake ``write_check_batch`` runs
under the verdict writer lock and is retried when its commit conflicts.  With fan-out workers
on a lake it updates the verdict columns of the check rows the workers committed.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kzwatch.store.checks import sign_commit
from kzwatch.store.errors import WarehouseError
from kzwatch.store.rows import fetch_dicts, insert_rows, registered_rows, write_transaction


def write_check_batch(con: Any, *, snapshots: Sequence[dict[str, Any]],
                      checks: Sequence[dict[str, Any]], states: Sequence[dict[str, Any]],
                      supports: Sequence[dict[str, Any]], events: Sequence[dict[str, Any]],
                      verdicts: Sequence[dict[str, Any]] = (), author: str | None = None) -> None:
    """One committed batch of a check cycle, in one transaction.

    Written so that committing the same batch twice (a slot run again) changes nothing:
    snapshots, checks and events keep the first row (content-addressed / slot-keyed ids),
    url_state and claim_support are replaced by the same values.  ``verdicts`` fill the verdict
    columns of check rows fan-out workers already committed (a lake); a row missing is an error.
    ``author`` signs the commit on a lake."""
    def write(c: Any) -> None:
        sign_commit(c, author, "verdicts")
        insert_rows(c, "snapshots", snapshots, on_conflict="ignore")
        insert_rows(c, "checks", checks, on_conflict="ignore")
        update_verdicts(c, verdicts)
        insert_rows(c, "url_state", states, on_conflict="replace")
        insert_rows(c, "claim_support", supports, on_conflict="replace")
        insert_rows(c, "events", events, on_conflict="ignore")

    write_transaction(con, write)


VERDICT_COLUMNS = ("outcome", "evidence", "moved_to", "drift", "drift_band", "state_after")


def update_verdicts(con: Any, verdicts: Sequence[dict[str, Any]]) -> None:
    """Set the verdict columns of existing check rows, by ``check_id`` (inside a transaction)."""
    if not verdicts:
        return
    ids = [v["check_id"] for v in verdicts]
    found = {r[0] for r in con.execute("SELECT DISTINCT check_id FROM checks WHERE check_id IN "
                                       "(SELECT unnest(?::VARCHAR[]))", [ids]).fetchall()}
    missing = [i for i in ids if i not in found]
    if missing:
        raise WarehouseError(f"{len(missing)} check row(s) the fan-out workers should have committed are "
                             f"missing (check_id {missing[0]}): verdicts not written")
    sets = ", ".join(f"{c} = v.{c}" for c in VERDICT_COLUMNS)
    with registered_rows(con, "_kz_verdicts", verdicts, ("check_id", *VERDICT_COLUMNS)) as name:
        con.execute(f"UPDATE checks SET {sets} FROM {name} v WHERE checks.check_id = v.check_id")


def snapshots_by_id(con: Any, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The judged fields of the given snapshots (texts, no bodies), by id."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = fetch_dicts(con, """
        SELECT snapshot_id, norm_text, text, title, published, modified, lang, canonical_url, notices
        FROM snapshots WHERE snapshot_id IN (SELECT unnest(?::VARCHAR[]))""", [wanted])
    return {r["snapshot_id"]: r for r in rows}


def check_states(con: Any) -> list[dict[str, Any]]:
    """Every url_state row (no texts: small even for a large archive)."""
    return fetch_dicts(con, "SELECT * FROM url_state")


def claim_support_rows(con: Any) -> list[dict[str, Any]]:
    return fetch_dicts(con, "SELECT * FROM claim_support")
