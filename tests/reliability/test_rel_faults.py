"""Fault injection: every kind of broken or hostile server ends in a named SPEC outcome.

The table lives in faults.py.  Each fault is fetched on its own (with the SSRF guard on and the
simulated names allow-listed), classified, and must give exactly the outcome the table names,
without an exception escaping.  Then one check cycle runs over a web holding every fault at
once and must complete with one recorded check per URL.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest
from faults import FAULTS, Env, Fault

from kzwatch.health.classify import classify_fetch
from kzwatch.model import OUTCOMES
from kzwatch.sim.simweb import Page


@pytest.fixture
def env(web, raw, tmp_path):
    environment = Env(web=web, raw=raw, tmp=tmp_path)
    yield environment
    environment.close()


def test_the_table_has_at_least_25_distinct_kinds():
    kinds = [f.kind for f in FAULTS]
    assert len(kinds) == len(set(kinds)) >= 25
    assert {f.outcome for f in FAULTS} <= set(OUTCOMES)


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.kind)
def test_fault_ends_in_its_named_outcome(env, fetcher, fault: Fault):
    url = fault.arrange(env)
    instance = fetcher(resolver=env.resolver, **{**fault.settings, **env.overrides})
    result = instance.fetch(url)  # must not raise
    outcome = classify_fetch(result)
    assert outcome.outcome in OUTCOMES
    assert (outcome.outcome, result.error) == (fault.outcome, fault.error), (result.error_detail, outcome.evidence)
    assert outcome.evidence  # a person can read why
    if fault.check:
        fault.check(result)


def test_a_check_cycle_over_every_fault_completes(env, fetcher, tmp_path, monkeypatch):
    from kzwatch.config import load_config
    from kzwatch.cycles import direct
    from kzwatch.store import open_readonly

    # The expired-certificate fault needs its own trust store; in one cycle all share one.
    faults = [f for f in FAULTS if f.kind != "tls_expired_certificate"]
    urls = {f.kind: f.arrange(env) for f in faults}
    env.web.add("canary.test", "/", Page(body="ok", content_type="text/plain"))
    rows = ["footnote,url,title,outlet,author,published,accessed"]
    rows += [f"{i},{url},Story {i},Outlet,,2021-01-10,2021-01-28" for i, url in enumerate(urls.values(), start=1)]
    (tmp_path / "c.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "k.toml").write_text(f"""
[warehouse]
path = "w.duckdb"
[[article]]
id = "faults"
citations = "c.csv"
[fetch]
per_host_delay_s = 0
timeout_s = 1.5
retries = 1
max_body_bytes = 1000000
max_parallel_hosts = 8
canary_urls = ["{env.web.url('canary.test', '/')}"]
[archive]
enabled = false
""", encoding="utf-8")
    config = load_config(tmp_path / "k.toml")
    instance = fetcher(resolver=env.resolver, timeout_s=1.5, retries=1, max_body_bytes=1_000_000,
                       max_parallel_hosts=8)
    summary = direct.run("check", config, datetime(2026, 3, 1, 6, tzinfo=timezone.utc), fetcher=instance)
    assert summary.checked == len(urls)
    with open_readonly(config.warehouse_path) as con:
        seen = dict(con.execute("SELECT url, outcome FROM checks").fetchall())
    assert set(seen) == set(urls.values())
    assert set(seen.values()) <= set(OUTCOMES)
    counts = Counter(seen.values())
    assert counts["local_outage"] == 0  # the canary answered: nothing is excused as our outage

