"""Cycles without Prefect (``KZWATCH_PREFECT=0``): the same code the flows run, called directly.

For a cron fallback where no Prefect API is wanted, and for fast tests.  The flows in
``flows/`` are the primary path; keep the two in step by keeping both this thin.
"""

from __future__ import annotations

from datetime import datetime

from kzwatch.config import Config
from kzwatch.cycles.archive import run_archive_phase
from kzwatch.cycles.check import run_check_cycle
from kzwatch.cycles.digest import run_digest_cycle
from kzwatch.cycles.discover import run_discover_cycle
from kzwatch.runner import guarded


def run(kind: str, config: Config, as_of: datetime, *, fetcher=None, since=None, fmt: str = "md",
        deliver: bool | None = True):
    """``deliver``: for the digest, True sends, None sends when a channel is configured."""
    if kind == "run":
        return {"check": run("check", config, as_of, fetcher=fetcher).as_dict(),
                "discover": run("discover", config, as_of, fetcher=fetcher).as_dict(),
                "digest": run("digest", config, as_of, since=since, fmt=fmt, deliver=None)}
    if kind == "check":  # verdicts first, committed; then the archive phase beside them
        result = run("check-only", config, as_of, fetcher=fetcher)
        run("archive", config, as_of, fetcher=fetcher)
        return result
    with guarded(config, kind.removesuffix("-only"), as_of) as record:
        if kind == "check-only":
            result = run_check_cycle(config, as_of, fetcher=fetcher)
        elif kind == "archive":
            result = run_archive_phase(config, as_of, fetcher=fetcher)
        elif kind == "discover":
            result = run_discover_cycle(config, as_of, fetcher=fetcher)
        elif kind == "digest":
            result = run_digest_cycle(config, as_of, since=since, fmt=fmt, deliver=deliver)
        else:
            raise ValueError(f"unknown cycle kind {kind!r}")
        record["summary"] = result if isinstance(result, dict) else result.as_dict()
    return result
