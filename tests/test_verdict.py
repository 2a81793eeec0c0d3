"""Tests of kzwatch.health.verdict: state transitions, the strike rule, and re-check cadence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzwatch.health.verdict import (
    STRIKE_OUTCOMES,
    HealthSettings,
    is_due,
    next_verdict,
    verdict_from_history,
)
from kzwatch.model import NEUTRAL_OUTCOMES, OUTCOMES, STATES, CheckRecord, Verdict
from kzwatch.settings import from_table

T0 = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)
DEFAULT = HealthSettings()


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def check(outcome: str, hours: float = 0, status: int | None = None) -> CheckRecord:
    return CheckRecord(checked_at=at(hours), outcome=outcome, http_status=status)


# --- table of single transitions -------------------------------------------------------------

ALIVE = Verdict("alive", reason="fixture")
DYING_1 = Verdict("dying", strikes=1, first_failure_at=at(0), last_strike_at=at(0), reason="fixture")
DYING_2 = Verdict("dying", strikes=2, first_failure_at=at(0), last_strike_at=at(72), reason="fixture")
DEAD = Verdict("dead", strikes=3, first_failure_at=at(0), last_strike_at=at(144), reason="fixture")
BLOCKED = Verdict("blocked", strikes=0, first_failure_at=at(0), reason="fixture")


@pytest.mark.parametrize(
    ("prev", "record", "expected_state", "expected_strikes"),
    [
        # first check ever
        (None, check("ok", 0), "alive", 0),
        (None, check("redirected", 0), "alive", 0),
        (None, check("not_found", 0, 404), "dying", 1),
        (None, check("soft_404", 0), "dying", 1),
        (None, check("dns_error", 0), "dying", 1),
        (None, check("connect_error", 0), "dying", 1),
        (None, check("timeout", 0), "dying", 1),
        (None, check("server_error", 0, 503), "unknown", 0),
        (None, check("blocked", 0, 403), "blocked", 0),
        (None, check("rate_limited", 0, 429), "unknown", 0),
        (None, check("local_outage", 0), "unknown", 0),
        (None, check("robots_denied", 0), "unknown", 0),
        (None, check("unsafe", 0), "unknown", 0),
        (None, check("invalid_url", 0), "unknown", 0),
        # from alive
        (ALIVE, check("not_found", 24, 404), "dying", 1),
        (ALIVE, check("server_error", 24, 500), "alive", 0),
        (ALIVE, check("blocked", 24, 403), "blocked", 0),
        (ALIVE, check("local_outage", 24), "alive", 0),
        (ALIVE, check("rate_limited", 24), "alive", 0),
        # from dying with one strike at hour 0
        (DYING_1, check("not_found", 24), "dying", 1),  # too close: not counted
        (DYING_1, check("timeout", 71.99), "dying", 1),
        (DYING_1, check("timeout", 72), "dying", 2),  # exactly the spacing counts
        (DYING_1, check("ok", 24), "alive", 0),
        (DYING_1, check("redirected", 24), "alive", 0),
        (DYING_1, check("server_error", 24), "dying", 1),
        (DYING_1, check("blocked", 24), "blocked", 1),
        (DYING_1, check("local_outage", 100), "dying", 1),
        # from dying with two strikes, last at hour 72
        (DYING_2, check("not_found", 143), "dying", 2),
        (DYING_2, check("not_found", 144), "dead", 3),
        (DYING_2, check("ok", 143), "alive", 0),
        # from dead
        (DEAD, check("not_found", 168), "dead", 3),
        (DEAD, check("server_error", 168), "dead", 3),
        (DEAD, check("ok", 168), "alive", 0),
        (DEAD, check("local_outage", 168), "dead", 3),
        # from blocked
        (BLOCKED, check("ok", 24), "alive", 0),
        (BLOCKED, check("not_found", 24), "dying", 1),
        (BLOCKED, check("server_error", 24), "blocked", 0),
    ],
)
def test_transition_table(prev, record, expected_state, expected_strikes) -> None:
    verdict = next_verdict(prev, record, DEFAULT)
    assert verdict.state == expected_state
    assert verdict.strikes == expected_strikes
    assert verdict.state in STATES
    assert verdict.reason  # every verdict says why


def test_success_with_moved_and_drifted_flags() -> None:
    assert next_verdict(DYING_1, check("redirected", 5), DEFAULT, moved=True).state == "moved"
    assert next_verdict(None, check("ok", 5), DEFAULT, drifted=True).state == "drifted"
    # drifted is the more serious finding for a citation and wins over moved
    assert next_verdict(None, check("ok", 5), DEFAULT, moved=True, drifted=True).state == "drifted"
    # the flags mean nothing on a failing check
    assert next_verdict(ALIVE, check("not_found", 5), DEFAULT, moved=True).state == "dying"


def test_success_clears_failure_bookkeeping() -> None:
    verdict = next_verdict(DYING_2, check("ok", 100), DEFAULT)
    assert (verdict.strikes, verdict.first_failure_at, verdict.last_strike_at) == (0, None, None)


def test_first_failure_at_is_first_failing_check_since_success() -> None:
    v = next_verdict(ALIVE, check("server_error", 10), DEFAULT)
    assert v.first_failure_at == at(10)
    v = next_verdict(v, check("not_found", 20), DEFAULT)
    assert v.first_failure_at == at(10)
    assert v.last_strike_at == at(20)
    v = next_verdict(v, check("ok", 30), DEFAULT)
    assert v.first_failure_at is None
    v = next_verdict(v, check("timeout", 40), DEFAULT)
    assert v.first_failure_at == at(40)


def test_neutral_outcome_returns_previous_verdict_unchanged() -> None:
    for outcome in NEUTRAL_OUTCOMES:
        assert next_verdict(DYING_2, check(outcome, 100), DEFAULT) == DYING_2


def test_unknown_outcome_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown outcome"):
        next_verdict(None, check("gone_fishing"), DEFAULT)


def test_daily_404_becomes_dead_exactly_on_day_six() -> None:
    history: list[CheckRecord] = []
    states = []
    for day in range(10):
        history.append(check("not_found", 24 * day, 404))
        states.append(verdict_from_history(history, DEFAULT).state)
    assert states[:6] == ["dying"] * 6
    assert states[6:] == ["dead"] * 4
    final = verdict_from_history(history, DEFAULT)
    assert final.first_failure_at == at(0)
    assert final.strikes == 4  # day 9 is 72 h after day 6: a fourth spaced strike


def test_settings_change_the_rule() -> None:
    quick = HealthSettings(dead_after_strikes=2, strike_spacing_hours=24)
    history = [check("not_found", 0), check("not_found", 23)]
    assert verdict_from_history(history, quick).state == "dying"
    assert verdict_from_history([*history, check("not_found", 24)], quick).state == "dead"


def test_verdict_from_history_sorts_by_time() -> None:
    history = [check("not_found", 144), check("not_found", 0), check("not_found", 72)]
    assert verdict_from_history(history, DEFAULT).state == "dead"
    assert verdict_from_history([], DEFAULT).state == "unknown"


def test_health_settings_validation_and_from_a_config_table() -> None:
    with pytest.raises(ValueError):
        HealthSettings(dead_after_strikes=0)
    with pytest.raises(ValueError):
        HealthSettings(strike_spacing_hours=-1)
    with pytest.raises(ValueError):
        HealthSettings(recheck_hours={"zombie": 1})
    with pytest.raises(ValueError, match="unknown key 'health.dead_after'"):
        from_table(HealthSettings, {"dead_after": 3}, "health")
    built = from_table(HealthSettings, {"dead_after_strikes": 4, "recheck_hours": {"alive": 12}}, "health")
    assert built.dead_after_strikes == 4
    assert built.recheck_for("alive") == 12
    assert built.recheck_for("dead") == HealthSettings().recheck_for("dead") == 0  # every cycle


# --- is_due ------------------------------------------------------------------------------------


def test_is_due_per_state_cadence() -> None:
    s = HealthSettings(recheck_hours={"alive": 24, "dead": 168, "unknown": 0}, due_slack_hours=1)
    assert is_due(Verdict("alive"), None, at(0), s)
    assert is_due(Verdict("unknown"), at(0), at(0), s)
    assert not is_due(Verdict("alive"), at(0), at(22), s)
    assert is_due(Verdict("alive"), at(0), at(23.5), s)  # a daily run a little early is due
    assert not is_due(Verdict("dead"), at(0), at(100), s)
    assert is_due(Verdict("dead"), at(0), at(168), s)


# --- properties --------------------------------------------------------------------------------


def reference_dead(history: list[CheckRecord], settings: HealthSettings) -> bool:
    """Brute force of SPEC §4: after the last success, is there a chain of
    ``dead_after_strikes`` strike checks each at least the spacing after the previous?"""
    ordered = sorted(history, key=lambda c: c.checked_at)
    last_success = max((i for i, c in enumerate(ordered) if c.outcome in ("ok", "redirected")), default=-1)
    last_invalid = max((i for i, c in enumerate(ordered) if c.outcome == "invalid_url"), default=-1)
    start = max(last_success, last_invalid) + 1
    times = [c.checked_at for c in ordered[start:] if c.outcome in STRIKE_OUTCOMES]
    spacing = timedelta(hours=settings.strike_spacing_hours)
    # longest chain with consecutive gaps ≥ spacing, by dynamic programming over all subsets' ends
    best = [1] * len(times)
    for j in range(len(times)):
        for i in range(j):
            if times[j] - times[i] >= spacing:
                best[j] = max(best[j], best[i] + 1)
    return max(best, default=0) >= settings.dead_after_strikes


TRANSIENT = ("timeout", "connect_error", "server_error", "rate_limited", "local_outage")

outcome_strategy = st.sampled_from(OUTCOMES)
gap_strategy = st.floats(min_value=0.5, max_value=120, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(gap_strategy, outcome_strategy), min_size=1, max_size=20),
    st.integers(min_value=1, max_value=4),
    st.sampled_from([0, 24, 72]),
)
def test_dead_iff_strike_rule_holds(steps, strikes_needed, spacing_h) -> None:
    s = HealthSettings(dead_after_strikes=strikes_needed, strike_spacing_hours=spacing_h)
    history, hours = [], 0.0
    for gap, outcome in steps:
        hours += gap
        history.append(check(outcome, hours))
        verdict = verdict_from_history(history, s)
        judged = [c.outcome for c in history if c.outcome not in NEUTRAL_OUTCOMES]
        last = judged[-1] if judged else None
        if last is None or last == "invalid_url":
            assert verdict.state == "unknown"
        elif last in ("ok", "redirected"):
            assert verdict.state == "alive"
        elif last == "blocked":
            assert verdict.state == "blocked"  # a wall is never reported as dead
        else:
            assert (verdict.state == "dead") == reference_dead(history, s), history
            assert verdict.state in ("dying", "dead") or verdict.strikes == 0


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(min_value=1, max_value=72), st.booleans(), st.sampled_from(TRANSIENT)),
        min_size=20,
        max_size=20,
    )
)
def test_isolated_transient_failures_never_kill(runs) -> None:
    """20 runs; each failure (timeout, connect error, 5xx, 429, outage) is followed by success
    within two runs — at most 2 consecutive failures, never dead."""
    history, hours, consecutive = [], 0.0, 0
    for gap, fails, failure in runs:
        hours += gap
        if fails and consecutive < 2:
            history.append(check(failure, hours))
            consecutive += 1
        else:
            history.append(check("ok", hours))
            consecutive = 0
        assert verdict_from_history(history, DEFAULT).state != "dead"


@settings(max_examples=100, deadline=None)
@given(st.randoms(use_true_random=False))
def test_thirty_percent_transient_daily_runs(rnd) -> None:
    """20 daily runs with ~30% random transient failures: dead only if the strike rule really
    holds (it needs ≥ 7 consecutive failing days), and the fold equals step-by-step replay."""
    history: list[CheckRecord] = []
    step: Verdict | None = None
    for day in range(20):
        failing = rnd.random() < 0.3
        record = check(rnd.choice(TRANSIENT) if failing else "ok", 24 * day + rnd.uniform(0, 2))
        history.append(record)
        step = next_verdict(step, record, DEFAULT)
        assert step == verdict_from_history(history, DEFAULT)
        assert (step.state == "dead") == reference_dead(history, DEFAULT)
