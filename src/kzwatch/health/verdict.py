"""The verdict over time: one citation's state (SPEC §4) from the outcomes of its checks.

A single check only says what one fetch saw (``kzwatch.health.classify``).  Whether a citation is
*dead* is a judgement over several checks, made here with the rule InternetArchiveBot uses
(research/reliability.md §6): ``dead_after_strikes`` failing checks spaced at least
``strike_spacing_hours`` apart, with no success in between.  Everything here is pure: the
caller passes the checks (with their times) and gets a ``model.Verdict`` back.

Outcome classes
---------------

* **success** — ``ok``, ``redirected`` (a 304 to a conditional GET is recorded as ``ok``).
* **strike** — ``not_found``, ``soft_404``, ``dns_error``, ``connect_error``, ``timeout``
  (``STRIKE_OUTCOMES``).  ``soft_404`` is a strike because it means the cited work is gone as
  surely as a 404 does; the classifier only reports it on explicit evidence.  Transport
  failures are strikes because a site that stays unreachable for days is gone to readers; the
  spacing rule (not the single check) is what keeps a transient failure from killing a link,
  and ``kzwatch.health.classify.apply_local_outage`` removes failures caused by our own network.
* **neutral** — ``local_outage``, ``robots_denied``, ``unsafe``, ``rate_limited``: they say
  nothing about the source and change nothing (``model.NEUTRAL_OUTCOMES``).
* **soft failure** — ``server_error`` and ``blocked``: the source answered, but not with the
  work.  Never strikes (a 5xx can last for days during a migration; a 403 is about *us*).
* ``invalid_url`` — the cited URL cannot be fetched as written; nothing to judge.

Transition table (``prev`` = previous verdict, ``S`` = strikes, ``k`` = dead_after_strikes)
-----------------------------------------------------------------------------------------

=================  ===========================================================================
outcome            new verdict
=================  ===========================================================================
success            S = 0, first_failure_at = None; state ``drifted`` if the caller says the
                   content drifted, else ``moved`` if it says the work moved, else ``alive``.
strike             S += 1 when this is the first strike since the last success or comes
                   ≥ spacing after the last counted strike, else S unchanged (a closer failure
                   keeps the citation ``dying`` but adds nothing).  State ``dead`` when S ≥ k,
                   else ``dying``.
server_error       S unchanged; state ``dead`` if S ≥ k (a dead link stays dead), ``dying`` if
                   S > 0, else the previous state (``unknown`` when there is none).
blocked            S unchanged (a wall tells nothing about whether the work still exists, so
                   it neither resets nor adds); state ``blocked`` — never ``dead``.
neutral            nothing changes (``unknown`` when there is no previous verdict).
invalid_url        state ``unknown``, S = 0.
=================  ===========================================================================

``first_failure_at`` is the time of the first failing check (strike, server_error, blocked)
since the last success; ``last_strike_at`` the time of the latest counted strike.

Spacing is strict: strikes 71.9 h apart do not count as two with the default 72 h.  Callers
should stamp checks with the cycle's scheduled time (``--as-of``) so that daily runs are exactly
24 h apart; with the defaults a URL that 404s on every daily run is ``dying`` from day 0 and
``dead`` at day 6 (strikes on days 0, 3 and 6).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kzwatch.model import (
    NEUTRAL_OUTCOMES,
    OUTCOMES,
    STATES,
    SUCCESS_OUTCOMES,
    CheckRecord,
    Verdict,
)

__all__ = [
    "STRIKE_OUTCOMES",
    "SOFT_FAILURE_OUTCOMES",
    "DEFAULT_RECHECK_HOURS",
    "HealthSettings",
    "next_verdict",
    "verdict_from_history",
    "is_due",
]

#: Failing outcomes that count towards ``dead`` (subject to the spacing rule).
STRIKE_OUTCOMES = frozenset({"not_found", "soft_404", "dns_error", "connect_error", "timeout"})

#: Failing outcomes that never count towards ``dead``.
SOFT_FAILURE_OUTCOMES = frozenset({"server_error", "blocked"})

#: Re-check cadence per state, in hours (0 = every cycle).  Every cited URL is re-checked every
#: cycle by default: the schedule sets the cadence, and strikes are spaced by time
#: (``strike_spacing_hours``), not by how often we look.  An archive with millions of links can
#: slow a state down in the config (``[health] recheck_hours = {dead = 168}``: weekly for dead
#: links, IABot's cadence); a partial table changes only the states it names.
DEFAULT_RECHECK_HOURS: Mapping[str, float] = {state: 0.0 for state in STATES}


def _default_recheck_hours() -> dict[str, float]:
    return dict(DEFAULT_RECHECK_HOURS)


@dataclass(frozen=True)
class HealthSettings:
    """The ``[health]`` section of the config: the strike rule and the re-check cadence.

    ``due_slack_hours`` lets a check come slightly early: a daily cycle that starts a few
    seconds before the previous day's check time is still due (otherwise it would skip a day).
    """

    dead_after_strikes: int = 3
    strike_spacing_hours: float = 72.0
    recheck_hours: dict[str, float] = field(default_factory=_default_recheck_hours)
    due_slack_hours: float = 2.0
    #: Probe each host with a random path to recognise soft-404 pages (kzwatch.health.classify).
    soft404_probe: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.dead_after_strikes, int) or self.dead_after_strikes < 1:
            raise ValueError(f"dead_after_strikes must be an integer ≥ 1, got {self.dead_after_strikes!r}")
        for name in ("strike_spacing_hours", "due_slack_hours"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")
        unknown_states = set(self.recheck_hours) - set(STATES)
        if unknown_states:
            raise ValueError(f"recheck_hours has unknown states: {sorted(unknown_states)}")
        for state, hours in self.recheck_hours.items():
            if not isinstance(hours, (int, float)) or not math.isfinite(hours) or hours < 0:
                raise ValueError(f"recheck_hours[{state!r}] must be a number ≥ 0, got {hours!r}")

    @property
    def spacing(self) -> timedelta:
        return timedelta(hours=self.strike_spacing_hours)

    def recheck_for(self, state: str) -> float:
        return float(self.recheck_hours.get(state, DEFAULT_RECHECK_HOURS.get(state, 0.0)))


# --- transitions -------------------------------------------------------------------------------


def _on_success(check: CheckRecord, *, moved: bool, drifted: bool) -> Verdict:
    if drifted:
        state, reason = "drifted", "answers, but no longer carries the cited content"
    elif moved:
        state, reason = "moved", "the cited work lives on at another URL"
    else:
        state, reason = "alive", f"{check.outcome} at {check.checked_at.isoformat()}"
    return Verdict(state=state, strikes=0, first_failure_at=None, reason=reason, last_strike_at=None)


def _on_strike(prev: Verdict | None, check: CheckRecord, settings: HealthSettings) -> Verdict:
    strikes = prev.strikes if prev else 0
    last_strike_at = prev.last_strike_at if prev else None
    first_failure_at = (prev.first_failure_at if prev else None) or check.checked_at
    if strikes == 0 or last_strike_at is None:
        strikes, last_strike_at = 1, check.checked_at
        counted = "strike 1"
    elif check.checked_at - last_strike_at >= settings.spacing:
        strikes, last_strike_at = strikes + 1, check.checked_at
        counted = f"strike {strikes}"
    else:
        gap_h = (check.checked_at - last_strike_at).total_seconds() / 3600
        counted = (
            f"not counted: {gap_h:.1f} h after the last strike "
            f"(spacing {settings.strike_spacing_hours:g} h); still {strikes}"
        )
    state = "dead" if strikes >= settings.dead_after_strikes else "dying"
    reason = (
        f"{check.outcome}{_status_suffix(check)} at {check.checked_at.isoformat()}: {counted} "
        f"of {settings.dead_after_strikes}"
    )
    return Verdict(
        state=state,
        strikes=strikes,
        first_failure_at=first_failure_at,
        reason=reason,
        last_strike_at=last_strike_at,
    )


def _on_soft_failure(prev: Verdict | None, check: CheckRecord, settings: HealthSettings) -> Verdict:
    strikes = prev.strikes if prev else 0
    first_failure_at = (prev.first_failure_at if prev else None) or check.checked_at
    last_strike_at = prev.last_strike_at if prev else None
    what = f"{check.outcome}{_status_suffix(check)} at {check.checked_at.isoformat()}"
    if check.outcome == "blocked":
        state = "blocked"
        reason = f"{what}: access refused, not counted towards dead"
    elif strikes >= settings.dead_after_strikes:
        state, reason = "dead", f"{what}; still dead ({strikes} strikes)"
    elif strikes > 0:
        state, reason = "dying", f"{what}: not a strike; {strikes} strikes so far"
    else:
        state = prev.state if prev is not None else "unknown"
        reason = f"{what}: not a strike"
    return Verdict(
        state=state,
        strikes=strikes,
        first_failure_at=first_failure_at,
        reason=reason,
        last_strike_at=last_strike_at,
    )


def _status_suffix(check: CheckRecord) -> str:
    return f" (HTTP {check.http_status})" if check.http_status is not None else ""


def next_verdict(
    prev: Verdict | None,
    check: CheckRecord,
    settings: HealthSettings,
    *,
    moved: bool = False,
    drifted: bool = False,
) -> Verdict:
    """The verdict after *check*, given the verdict before it (None = never checked).

    ``moved``/``drifted`` are the caller's findings about this check's content and only matter
    when the check succeeded.  Raises ValueError on an outcome outside SPEC §4.
    """
    outcome = check.outcome
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; expected one of {OUTCOMES}")
    if outcome in SUCCESS_OUTCOMES:
        return _on_success(check, moved=moved, drifted=drifted)
    if outcome in STRIKE_OUTCOMES:
        return _on_strike(prev, check, settings)
    if outcome in SOFT_FAILURE_OUTCOMES:
        return _on_soft_failure(prev, check, settings)
    if outcome == "invalid_url":
        return Verdict(state="unknown", strikes=0, reason="the cited URL is not a fetchable http(s) URL")
    # Neutral: the check tells nothing about the source.
    assert outcome in NEUTRAL_OUTCOMES, outcome
    if prev is None:
        return Verdict(state="unknown", reason=f"{outcome} at {check.checked_at.isoformat()}: not judged")
    return prev


def verdict_from_history(
    history: Iterable[CheckRecord],
    settings: HealthSettings,
    *,
    moved: bool = False,
    drifted: bool = False,
) -> Verdict:
    """Replay *history* (any order; sorted by time here, ties kept in given order).

    ``moved``/``drifted`` describe the latest content and are applied to the last check only,
    exactly as a cycle applying ``next_verdict`` to each new check would.  No history → unknown.
    """
    checks = sorted(history, key=lambda c: c.checked_at)
    verdict: Verdict | None = None
    for index, check in enumerate(checks):
        last = index == len(checks) - 1
        verdict = next_verdict(
            verdict, check, settings, moved=moved and last, drifted=drifted and last
        )
    return verdict if verdict is not None else Verdict(state="unknown", reason="never checked")


def is_due(
    verdict: Verdict | None,
    last_checked_at: datetime | None,
    now: datetime,
    settings: HealthSettings,
) -> bool:
    """Whether a citation with *verdict*, last checked at *last_checked_at*, should be checked at
    *now* (per-state cadence ``settings.recheck_hours``, minus ``due_slack_hours``)."""
    if last_checked_at is None or verdict is None:
        return True
    cadence = settings.recheck_for(verdict.state)
    if cadence <= 0:
        return True
    elapsed_h = (now - last_checked_at).total_seconds() / 3600
    return elapsed_h >= max(0.0, cadence - settings.due_slack_hours)
