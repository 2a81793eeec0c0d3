"""The check cycle's own-outage policy, batch by batch (kzwatch.cycles.outage)."""

from __future__ import annotations

from datetime import datetime, timezone

from kzwatch.cycles.check_settings import CheckSettings
from kzwatch.cycles.outage import OutageWatch
from kzwatch.model import CheckOutcome, FetchResult

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _outcome(name: str) -> CheckOutcome:
    return CheckOutcome(outcome=name, evidence=f"saw {name}")


class Canaries:
    def __init__(self, up: bool):
        self.up, self.asked = up, 0

    def __call__(self, jobs):
        self.asked += 1
        return [FetchResult(url=j.url, requested_at=NOW, status=200 if self.up else None,
                            error=None if self.up else "connect_error") for j in jobs]


def test_canaries_are_asked_again_when_failures_appear_but_not_every_batch():
    canaries, clock = Canaries(up=True), [0.0]
    watch = OutageWatch(canaries, ["https://canary.example/"], CheckSettings(canary_recheck_s=30),
                        monotonic=lambda: clock[0])
    assert watch.start() is False and canaries.asked == 1
    watch.judge([("a.example", _outcome("ok"))])
    assert canaries.asked == 1  # no failure: no question
    watch.judge([("b.example", _outcome("timeout"))])
    assert canaries.asked == 2  # the first failures: asked again before a strike counts
    clock[0] = 10.0
    watch.judge([("c.example", _outcome("timeout"))])
    assert canaries.asked == 2  # within canary_recheck_s: the last answer stands
    canaries.up, clock[0] = False, 45.0
    judged = watch.judge([("d.example", _outcome("timeout")), ("e.example", _outcome("ok"))])
    assert canaries.asked == 3 and watch.down
    assert [o.outcome for o in judged] == ["local_outage", "ok"]
    later = watch.judge([("f.example", _outcome("dns_error"))])
    assert later[0].outcome == "local_outage"  # down stays down for the rest of the cycle


def test_without_canaries_a_mass_failure_across_batches_means_it_was_us():
    watch = OutageWatch(Canaries(up=True), [], CheckSettings(mass_failure_min_hosts=3, mass_failure_share=0.8))
    assert watch.start() is False
    first = watch.judge([("a.example", _outcome("timeout")), ("b.example", _outcome("timeout"))])
    assert [o.outcome for o in first] == ["timeout", "timeout"]  # two hosts are not enough to say
    second = watch.judge([("c.example", _outcome("connect_error")), ("a.example", _outcome("timeout"))])
    assert watch.down and [o.outcome for o in second] == ["local_outage", "local_outage"]


def test_a_host_that_answered_once_is_not_failing():
    watch = OutageWatch(Canaries(up=True), [], CheckSettings(mass_failure_min_hosts=3, mass_failure_share=0.8))
    watch.judge([("a.example", _outcome("ok")), ("b.example", _outcome("timeout"))])
    watch.judge([("a.example", _outcome("timeout")), ("c.example", _outcome("timeout")),
                 ("d.example", _outcome("robots_denied"))])
    assert not watch.down  # 2 of 3 tried hosts failing everywhere: below 80 %
