"""Maintainers' corrections to discovery matches: recorded in the warehouse (migration 0005),
kept out of digests, and exported as labelled data in the format of
``tests/data/labelled_items.toml``.

The pure part (``labelled_rows``, ``to_toml``) turns correction rows into labelled items; the
warehouse part (``record``, ``corrected_event_ids``, ``corrections``) is a thin edge.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from kzwatch.model import STANCES

LABELS = ("right", "wrong")


def feedback_id(article_id: str, claim_id: str, url: str, recorded_at: datetime) -> str:
    raw = "\x1f".join([article_id, claim_id, url, recorded_at.isoformat()])
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def check(label: str, stance: str | None) -> None:
    """A one-line ValueError for a label or stance the warehouse must not hold."""
    if label not in LABELS:
        raise ValueError(f"feedback: --label must be one of {', '.join(LABELS)}, not {label!r}")
    if stance is not None and stance not in STANCES:
        raise ValueError(f"feedback: --stance must be one of {', '.join(STANCES)}, not {stance!r}")
    if stance is not None and label == "wrong":
        raise ValueError("feedback: --stance goes with --label right (a wrong match has none)")


# --- warehouse edge ----------------------------------------------------------------------------


def record(con: Any, row: Mapping[str, Any]) -> None:
    """Insert one correction; a "wrong" one also resolves the open new_reporting events for
    that item and claim, so no digest carries them again."""
    from kzwatch.store import insert_rows

    insert_rows(con, "relevance_feedback", [dict(row)], on_conflict="replace")
    if row["label"] == "wrong":
        con.execute(
            "UPDATE events SET status = 'resolved', resolved_at = ? WHERE kind = 'new_reporting'"
            " AND claim_id = ? AND url = ? AND coalesce(article_id, '') = ?"
            " AND status <> 'resolved'",
            [row["recorded_at"], row["claim_id"], row["url"], row["article_id"]])


def corrected_event_ids(con: Any) -> set[str]:
    """Events a maintainer marked wrong (the digest leaves them out, even ones created after
    the correction, e.g. when feedback came from ``kzwatch explain`` before discovery)."""
    return {r[0] for r in con.execute("SELECT event_id FROM corrected_reporting_events").fetchall()}


def corrections(con: Any) -> list[dict[str, Any]]:
    from kzwatch.store import fetch_dicts

    return fetch_dicts(con, "SELECT * FROM relevance_corrections ORDER BY url, claim_id")


# --- export as labelled data (pure) ------------------------------------------------------------


def labelled_rows(rows: Iterable[Mapping[str, Any]], *, with_text: bool) -> list[dict[str, Any]]:
    """One labelled item per URL: the claims marked right (with their stance, when given);
    an item whose every correction says wrong becomes a near-miss (``claims = []``)."""
    by_url: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_url.setdefault(str(row["url"]), []).append(row)
    items = []
    for url, group in sorted(by_url.items()):
        first = group[0]
        right = sorted({str(r["claim_id"]) for r in group if r["label"] == "right"})
        stance = {str(r["claim_id"]): str(r["stance"]) for r in group
                  if r["label"] == "right" and r.get("stance")}
        recorded = max(r["recorded_at"] for r in group)
        item: dict[str, Any] = {
            "id": "fb-" + hashlib.sha256(url.encode()).hexdigest()[:10],
            "lang": first.get("lang") or "?",
            "source": first.get("outlet") or urlsplit(url).hostname or "?",
            "date": recorded.date().isoformat() if hasattr(recorded, "date") else str(recorded),
            "url": url,
            "title": first.get("title") or "",
        }
        if with_text:
            item["text"] = first.get("text") or ""
        item["claims"] = right
        if stance:
            item["stance"] = stance
        item["note"] = "; ".join(
            f"{r['claim_id']} {r['label']}" + (f": {r['note']}" if r.get("note") else "")
            for r in group)
        items.append(item)
    return items


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


EXPORT_HEADER = """\
# Labelled items exported from maintainers' corrections (kzwatch feedback --export), in the
# format of tests/data/labelled_items.toml.  `claims` holds the claims marked right; an item
# marked wrong for every claim it was flagged for is a near-miss (claims = []), although it may
# bear on claims nobody reviewed.  Items with `text` carry third-party prose: evaluate with
# them locally, never commit them (commit URL, title and labels only).
"""


def to_toml(items: Sequence[Mapping[str, Any]]) -> str:
    blocks = [EXPORT_HEADER]
    for item in items:
        blocks.append("[[item]]\n" + "".join(f"{k} = {_toml_value(v)}\n"
                                             for k, v in item.items()))
    return "\n".join(blocks)
