"""Pieces every cycle shares: building the fetcher from config, deterministic ids, the clock."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

from kzwatch.config import Config
from kzwatch.model import Event, make_event

if TYPE_CHECKING:
    from kzwatch.fetch import Fetcher

Resolver = Callable[[str, int], list[str]]

log = logging.getLogger("kzwatch")


def utc(ts: datetime) -> datetime:
    """Aware UTC; a naive timestamp is taken to be UTC already."""
    return ts.replace(tzinfo=timezone.utc) if ts.tzinfo is None else ts.astimezone(timezone.utc)


def parse_as_of(value: str | datetime | None) -> datetime:
    """``--as-of`` (ISO 8601) or now, as aware UTC."""
    if value is None:
        return datetime.now(timezone.utc)
    if isinstance(value, datetime):
        return utc(value)
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return utc(datetime.fromisoformat(text))
    except ValueError:
        raise ValueError(f"--as-of: not an ISO 8601 timestamp: {value!r}") from None


def process_name() -> str:
    """"hostname:pid" of this process: who made a commit or fetched a shard (logs, lake history)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def stable_id(*parts: object) -> str:
    """A short deterministic id of what happened (never of when the process ran)."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def static_resolver(table: dict[str, str]) -> Resolver:
    """Resolve names in ``table`` to their fixed address, everything else through the system."""
    fixed = {k.lower().rstrip("."): v for k, v in table.items()}

    def resolve(host: str, port: int) -> list[str]:
        name = host.lower().rstrip(".")
        if name in fixed:
            return [fixed[name]]
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    return resolve


def env_resolve_table(env: dict[str, str] | None = None) -> dict[str, str]:
    """``KZWATCH_RESOLVE="host=addr,host2=addr"``: the environment form of ``[fetch] resolve``."""
    raw = (env if env is not None else os.environ).get("KZWATCH_RESOLVE", "")
    table = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        if "=" not in part:
            raise ValueError(f"KZWATCH_RESOLVE: expected host=address, got {part!r}")
        host, addr = part.split("=", 1)
        table[host.strip()] = addr.strip()
    return table


def build_fetcher(config: Config, *, resolver: Resolver | None = None) -> "Fetcher":
    from kzwatch.fetch import Fetcher

    if resolver is None:
        table = {**config.fetch.resolve, **env_resolve_table()}
        resolver = static_resolver(table) if table else None
    return Fetcher(config.fetch, resolver=resolver)


def event_row(e: Event) -> dict:
    """An event as a row of the ``events`` table (status open, not yet sent)."""
    return {"event_id": e.event_id, "article_id": e.article_id, "kind": e.kind, "severity": e.severity,
            "created_at": e.created_at, "subject": e.subject, "footnote": e.footnote,
            "claim_id": e.claim_id, "url": e.url,
            "details": json.dumps(e.details, ensure_ascii=False, default=str), "status": "open"}


def own_outage_event(as_of: datetime, canaries: tuple[str, ...] | list[str]) -> Event:
    """One notice per day that our own network was down and nothing was counted."""
    return make_event("own_outage", event_id=stable_id("own_outage", as_of.date().isoformat()), article_id="",
                      created_at=as_of, subject="our own network was down: failures were not counted",
                      details={"canaries": list(canaries)})
