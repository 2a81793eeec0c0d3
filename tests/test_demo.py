"""``kzwatch demo`` end to end (without Prefect: the flow path is covered in test_flows.py), and
every example query in warehouse/queries/ run against the warehouse the demo built."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from kzwatch.config import load_config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    import os

    from kzwatch.sim.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    saved = {k: os.environ.get(k) for k in ("KZWATCH_PREFECT", "REQUESTS_CA_BUNDLE")}
    os.environ["KZWATCH_PREFECT"] = "0"
    try:
        assert run_demo(days=8, out=str(out)) == 0
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    config = load_config(out / "kzwatch-demo.toml")
    con = duckdb.connect(str(config.analyst_copy_path), read_only=True)
    yield out, con
    con.close()


def test_demo_world_reaches_the_expected_states(demo):
    _, con = demo
    state = dict(con.execute("SELECT footnote, state FROM link_health WHERE seq = 1").fetchall())
    assert state[17] == "dead"       # deleted: three spaced strikes, the outage day not counted
    assert state[3] == "moved"       # same RFE/RL article id under a new slug
    assert state[4] == "drifted"     # replaced by an unrelated article
    assert state[11] == "blocked" and state[19] == "blocked"  # WAF 403, 451: never dead
    assert state[23] == "alive"      # a 503 day, then recovered
    assert state[1] == "alive"
    outcomes = [o for (o,) in con.execute(
        "SELECT DISTINCT outcome FROM check_history WHERE checked_at = TIMESTAMPTZ '2026-03-07 06:00:00+00'").fetchall()]
    assert outcomes == ["local_outage"]
    assert con.execute("SELECT count(*) FROM link_health WHERE state = 'dead' AND archive_url IS NULL "
                       "AND footnote = 17").fetchone()[0] == 0  # the fake archive's capture was found
    support = con.execute("SELECT status FROM claim_support WHERE claim_id = 'C10' AND url LIKE '%protestnaya%'").fetchone()
    assert support == ("missing",)


def test_demo_baseline_from_the_archive_catches_an_edit_made_before_the_first_check(demo):
    _, con = demo
    sources = dict(con.execute("SELECT url, baseline_source FROM url_state").fetchall())
    archived = {u for u, s in sources.items() if s == "archive"}
    assert {u.split("/")[-1] for u in archived} == {"31040725.html", "30651844.html",  # fn 17, 31
                                                    "43334-vse-pat-partij-dolzhny-byli-projti-v-parlament-"
                                                    "svidetelstvuit-protokoly-sobrannye-nabliudatelami.html"}  # fn 4
    assert set(sources.values()) <= {"archive", "live", None}
    early = con.execute("SELECT status, baseline_status FROM claim_support WHERE claim_id = 'C11' "
                        "AND url LIKE '%30651844%'").fetchone()
    assert early == ("missing", "present")
    first_day = con.execute("SELECT count(*) FROM events WHERE kind = 'support_missing' AND claim_id = 'C11' "
                            "AND created_at = TIMESTAMPTZ '2026-03-02 06:00:00+00'").fetchone()[0]
    assert first_day == 1


def test_demo_discovery_flags_the_relevant_items_only(demo):
    _, con = demo
    flagged = {(c, t) for c, t in con.execute("SELECT claim_id, title FROM related_reporting").fetchall()}
    titles = {t for _, t in flagged}
    assert any(c == "C5" and "против всех" in t for c, t in flagged)
    assert any(c == "C2" and "Аманат" in t for c, t in flagged)
    assert not any("Кыргызстан" in t or "фестиваль" in t for t in titles)


def test_demo_wrote_digests(demo):
    out, _ = demo
    digests = sorted((out / "digests").iterdir())
    assert digests
    text = "\n".join(p.read_text(encoding="utf-8") for p in digests)
    assert "против всех" in text and "Dead" in text


@pytest.mark.parametrize("query", sorted((REPO / "warehouse" / "queries").glob("*.sql")), ids=lambda p: p.stem)
def test_example_query_runs_on_the_demo_warehouse(demo, query):
    _, con = demo
    rows = con.execute(query.read_text(encoding="utf-8")).fetchall()
    # the demo's world makes each of these questions have an answer (failing_feeds: none fail)
    if query.stem != "failing_feeds":
        assert rows, f"{query.name} found nothing in a demo warehouse that has an answer for it"
