"""The ``[check]`` section: how the check cycle batches its commits and decides it was us.

Kept apart from the cycle (no heavy imports) because the config loader builds it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckSettings:
    # URLs per committed batch at most.  Memory grows with it (measured ~1 MB per row at the
    # peak: bodies and texts in flight and the insert); 50 keeps a 2,000-URL cycle near 250 MB.
    batch_rows: int = 50
    batch_seconds: float = 10.0  # a batch older than this is committed, also while slow hosts are awaited
    # Batches are committed through one connection held this long, then closed (DuckDB
    # checkpoints on close).  A checkpoint per batch cost ~12 KB of file per check in small
    # segments; one per session keeps an unchanged check's growth small.  Other openers of the
    # warehouse wait at most this long (they retry up to their lock_wait_s).
    session_seconds: float = 30.0
    canary_recheck_s: float = 30.0  # canaries asked again at most this often when failures appear
    mass_failure_min_hosts: int = 5  # without canaries: hosts tried before "it was us" can be said
    mass_failure_share: float = 0.8  # ... and the share of them failing on every check
    # Part of our egress down: some canary (not all) failed at the transport level, and at least
    # this share of the hosts tried (mass_failure_min_hosts or more) failed on every check.  A
    # canary down alone (the canary's own trouble) excuses nothing; with the hosts it is us.
    partial_outage_share: float = 0.3

    def __post_init__(self) -> None:
        if self.batch_rows < 1:
            raise ValueError(f"'batch_rows' must be ≥ 1, not {self.batch_rows!r}")
        for name in ("mass_failure_share", "partial_outage_share"):
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(f"'{name}' must be in (0, 1], not {getattr(self, name)!r}")
