"""The analysts' side of the warehouse: example queries, `kzwatch query`, exports, the copy.

A small but realistic warehouse is built row by row through ``store.insert_rows`` (the same
path the cycles write through), published as the analyst copy, and every file in
``warehouse/queries/`` is run against it: each must answer with exactly the rows the fixture
implies.  The published-copy test holds a reader open in a separate process while two cycles
run, the way an analyst's DuckDB session would.

Everything but the analyst-copy tests runs on each backend (tests/lake_backends.py): the DuckDB
file (read through its analyst copy), and DuckLakes on a local catalog file and on PostgreSQL
(read directly).  Same rows, same columns, same command output.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import zlib
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest
from lake_backends import BACKENDS, settings_for

from kzwatch import store
from kzwatch.config import load_config
from kzwatch.store import (
    WarehouseError,
    WarehouseSettings,
    analyst,
    insert_rows,
    open_warehouse,
    publish_analyst_copy,
    settings_of,
)

QUERIES = Path(__file__).resolve().parents[1] / "warehouse" / "queries"
ART = "beimenbetov-2021"


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


# --- The fixture warehouse ----------------------------------------------------------------------
# Latest check 2026-11-20, so "this quarter" starts 2026-10-01.

INFORM = "https://www.inform.kz/ru/turnout-63"          # fn 4: alive all along
MISK = "https://misk.example.kz/report-2021"           # fn 16: dead since 2026-10-10, no archive
VLAST = "https://vlast.kz/politika/against-all.html"   # fn 18: drifted 2026-11-02, archived
AZATTYQ = "https://rus.azattyq.org/a/court-2016.html"  # fn 19: dying since 2026-11-15, no archive
ZAKON = "https://www.zakon.kz/osdp-boycott"            # fn 3: alive, but C3's figures vanished
OLD = "https://old.example.org/party-registration"     # fn 12: died last quarter (not this one)

CITATIONS = [  # (footnote, seq, url, outlet, title)
    (3, 1, ZAKON, "Zakon.kz", "OSDP boycotts the elections"),
    (4, 1, INFORM, "Kazinform", "Turnout was 63%"),
    (12, 1, OLD, "Zakon.kz", "Party registration threshold halved"),
    (16, 1, MISK, "MISK", "Observer report on the 2021 elections"),
    (18, 1, VLAST, "Vlast.kz", "Why there is no 'against all' line"),
    (19, 1, AZATTYQ, "Azattyq", "Supreme Court refuses the 2016 claim"),
]
CLAIM_FOOTNOTES = {"C1": [4, 16], "C2": [4], "C3": [3], "C4": [16], "C5": [18, 19], "C8": [12]}

CHECK_TIMES = ["2026-10-05", "2026-10-08", "2026-10-10", "2026-10-13", "2026-10-16",
               "2026-11-02", "2026-11-15", "2026-11-20"]

# url -> outcome per check time ("-" = not checked then)
OUTCOMES = {
    INFORM:  ["ok", "local_outage", "ok", "ok", "ok", "ok", "ok", "ok"],
    MISK:    ["ok", "local_outage", "timeout", "not_found", "not_found", "not_found", "not_found", "not_found"],
    VLAST:   ["ok", "local_outage", "ok", "ok", "ok", "ok", "ok", "ok"],
    AZATTYQ: ["ok", "local_outage", "ok", "ok", "ok", "ok", "server_error", "server_error"],
    ZAKON:   ["ok", "local_outage", "ok", "ok", "ok", "ok", "ok", "ok"],
    OLD:     ["not_found"] * 8,
}
STATUS = {"ok": 200, "not_found": 404, "server_error": 503, "timeout": None, "local_outage": None}
VLAST_DRIFT = {"2026-10-05": (1.0, "unchanged"), "2026-10-13": (0.93, "edited"),
               "2026-11-02": (0.21, "off_topic"), "2026-11-15": (0.2, "off_topic"),
               "2026-11-20": (0.2, "off_topic")}

INFORM_BODY = "<html><head><title>Явка 63%</title></head><body><p>ЦИК: явка 63,3%.</p></body></html>".encode()
VLAST_BODY_1 = "<html><body><p>Графа «против всех» отменена в 2005 году.</p></body></html>".encode()
VLAST_BODY_2 = b"<html><body><p>Subscribe to our newsletter.</p></body></html>"


def snapshot_row(url: str, body: bytes, at: str) -> dict:
    import hashlib

    packed = zlib.compress(body)
    return {"snapshot_id": hashlib.sha256(body).hexdigest(), "first_seen_at": ts(at), "url": url,
            "content_type": "text/html; charset=utf-8", "encoding": "utf-8", "size_bytes": len(body),
            "stored_bytes": len(packed), "truncated": False, "body": packed, "lang": "ru"}


SNAPSHOTS = {
    (INFORM, "2026-10-05"): snapshot_row(INFORM, INFORM_BODY, "2026-10-05"),
    (VLAST, "2026-10-05"): snapshot_row(VLAST, VLAST_BODY_1, "2026-10-05"),
    (VLAST, "2026-11-02"): snapshot_row(VLAST, VLAST_BODY_2, "2026-11-02"),
}


def check_rows() -> list[dict]:
    rows = []
    last_snapshot: dict[str, str] = {}
    for url, outcomes in OUTCOMES.items():
        for day, outcome in zip(CHECK_TIMES, outcomes):
            snap = SNAPSHOTS.get((url, day))
            if snap:
                last_snapshot[url] = snap["snapshot_id"]
            drift = VLAST_DRIFT.get(day) if url == VLAST else ((1.0, "unchanged") if url == INFORM and outcome == "ok" else None)
            rows.append({
                "check_id": f"{url}@{day}", "cycle_id": f"cycle@{day}", "checked_at": ts(day + "T06:00:00"),
                "url": url, "outcome": outcome, "http_status": STATUS[outcome], "final_url": url if STATUS[outcome] else None,
                "hops": json.dumps([{"url": url, "status": STATUS[outcome], "location": None, "address": "203.0.113.7"}]),
                "elapsed_ms": 420, "bytes": 2048 if outcome == "ok" else 0,
                "snapshot_id": snap["snapshot_id"] if snap else None, "not_modified": bool(outcome == "ok" and not snap),
                "error_detail": "" if outcome == "ok" else outcome, "evidence": f"HTTP {STATUS[outcome]}" if STATUS[outcome] else outcome,
                "drift": drift[0] if drift else None, "drift_band": drift[1] if drift else None,
            })
    return rows


def url_state_rows() -> list[dict]:
    latest = ts("2026-11-20T06:00:00")
    base = {"last_checked_at": latest, "updated_at": latest, "strikes": 0}
    return [
        {**base, "url": INFORM, "state": "alive", "last_outcome": "ok", "http_status": 200, "final_url": INFORM,
         "drift": 1.0, "drift_band": "unchanged", "last_snapshot_id": SNAPSHOTS[(INFORM, "2026-10-05")]["snapshot_id"]},
        {**base, "url": MISK, "state": "dead", "strikes": 3, "first_failure_at": ts("2026-10-10T06:00:00"),
         "last_outcome": "not_found", "http_status": 404, "reason": "3 strikes"},
        {**base, "url": VLAST, "state": "drifted", "last_outcome": "ok", "http_status": 200, "drift": 0.2,
         "drift_band": "off_topic", "archive_url": "https://web.archive.org/web/20210204000000/" + VLAST,
         "last_snapshot_id": SNAPSHOTS[(VLAST, "2026-11-02")]["snapshot_id"],
         "baseline_snapshot_id": SNAPSHOTS[(VLAST, "2026-10-05")]["snapshot_id"]},
        {**base, "url": AZATTYQ, "state": "dying", "strikes": 2, "first_failure_at": ts("2026-11-15T06:00:00"),
         "last_outcome": "server_error", "http_status": 503},
        {**base, "url": ZAKON, "state": "alive", "last_outcome": "ok", "http_status": 200},
        {**base, "url": OLD, "state": "dead", "strikes": 5, "first_failure_at": ts("2026-06-01T06:00:00"),
         "last_outcome": "not_found", "http_status": 404,
         "archive_url": "https://web.archive.org/web/2020/" + OLD},
    ]


def event(kind: str, at: str, *, footnote=None, claim_id=None, url=None) -> dict:
    return {"event_id": f"{kind}:{claim_id}:{url}:{at}", "article_id": ART, "kind": kind, "severity": "high",
            "created_at": ts(at), "subject": f"{kind} {url}", "footnote": footnote, "claim_id": claim_id,
            "url": url, "details": "{}", "status": "open"}


ITEMS = [  # (item_id, url, outlet, title, lang, claim_id, stance, score, first_seen)
    ("i-c5", "https://vlast.kz/novosti/against-all-back.html", "Vlast.kz",
     "В бюллетени вернут графу «против всех»", "ru", "C5", "updates", 0.81, "2026-11-10"),
    ("i-c1", "https://www.inform.kz/ru/turnout-2023", "Kazinform",
     "Явка на выборах составила 54%", "ru", "C1", "mentions", 0.44, "2026-11-12"),
    ("i-c11", "https://rus.azattyq.org/a/protest-2026.html", "Azattyq",
     "Protesters detained in Almaty", "en", "C11", "contradicts", 0.63, "2026-11-18"),
]

FEEDS = [
    {"feed_url": "https://vlast.kz/feed/", "kind": "rss", "outlet": "Vlast.kz",
     "last_fetched_at": ts("2026-11-20T07:00:00"), "last_status": 200, "last_ok_at": ts("2026-11-20T07:00:00"),
     "consecutive_failures": 0, "items_total": 1},
    {"feed_url": "https://www.election.gov.kz/rus/news/", "kind": "listing", "outlet": "CEC",
     "last_fetched_at": ts("2026-11-20T07:00:00"), "last_status": 404, "last_error": "http_error: HTTP 404",
     "last_ok_at": ts("2026-10-20T07:00:00"), "consecutive_failures": 9, "items_total": 0},
    {"feed_url": "https://rus.azattyq.org/api/rss", "kind": "rss", "outlet": "Azattyq",
     "last_fetched_at": ts("2026-11-20T07:00:00"), "last_status": 200, "last_ok_at": ts("2026-11-20T07:00:00"),
     "consecutive_failures": 0, "items_total": 1},
]


def uniform(rows: list[dict]) -> list[dict]:
    """Give every row every key: insert_rows takes its column list from the first row."""
    keys = list(dict.fromkeys(k for row in rows for k in row))
    return [{k: row.get(k) for k in keys} for row in rows]


def populate(con: duckdb.DuckDBPyConnection) -> None:
    insert_rows(con, "articles", [{"article_id": ART, "title": "Disabling Public Discontent"}])
    insert_rows(con, "citations", [
        {"article_id": ART, "footnote": fn, "seq": seq, "url": url, "url_display": url, "url_original": url,
         "title": title, "outlet": outlet, "accessed": ts("2021-01-20").date()}
        for fn, seq, url, outlet, title in CITATIONS])
    insert_rows(con, "claims", [{"article_id": ART, "claim_id": c, "text": f"claim {c}",
                                 "footnotes": fns} for c, fns in CLAIM_FOOTNOTES.items()]
                + [{"article_id": ART, "claim_id": "C11", "text": "claim C11", "footnotes": [31]}])
    insert_rows(con, "claim_citations", [{"article_id": ART, "claim_id": c, "footnote": fn}
                                         for c, fns in CLAIM_FOOTNOTES.items() for fn in fns])
    insert_rows(con, "snapshots", list(SNAPSHOTS.values()))
    insert_rows(con, "checks", check_rows())
    insert_rows(con, "url_state", uniform(url_state_rows()))
    support = [("C1", INFORM, "present", "present", [], ["63%"]), ("C3", ZAKON, "missing", "present", ["boycott"], []),
               ("C5", VLAST, "missing", "present", ["2005"], [])]
    insert_rows(con, "claim_support", [
        {"article_id": ART, "claim_id": c, "url": u, "status": s, "baseline_status": b, "missing": miss,
         "found": found, "checked_at": ts("2026-11-20T06:00:00")} for c, u, s, b, miss, found in support])
    insert_rows(con, "items", [
        {"item_id": iid, "url": url, "canonical_url": url, "title": title, "outlet": outlet, "lang": lang,
         "source_url": next(f["feed_url"] for f in FEEDS if f["outlet"] == outlet) if outlet != "Kazinform" else None,
         "published_at": ts(seen), "first_seen_at": ts(seen + "T07:00:00")}
        for iid, url, outlet, title, lang, _c, _s, _sc, seen in ITEMS])
    insert_rows(con, "item_matches", [
        {"article_id": ART, "claim_id": claim, "item_id": iid, "score": score, "stance": stance,
         "matched": ["против всех"] if claim == "C5" else ["явка"], "lang": lang,
         "first_seen_at": ts(seen + "T07:00:00")}
        for iid, _u, _o, _t, lang, claim, stance, score, seen in ITEMS])
    insert_rows(con, "feed_state", uniform(FEEDS))
    insert_rows(con, "events", [
        event("citation_dead", "2026-10-16T06:00:00", footnote=16, url=MISK),
        event("citation_drifted", "2026-11-02T06:00:00", footnote=18, url=VLAST),
        event("support_missing", "2026-11-02T06:00:00", claim_id="C5", url=VLAST),
        event("citation_dying", "2026-11-15T06:00:00", footnote=19, url=AZATTYQ),
        event("support_missing", "2026-10-20T06:00:00", claim_id="C3", url=ZAKON),
        event("citation_dead", "2026-08-01T06:00:00", footnote=12, url=OLD),  # last quarter
        event("new_reporting", "2026-11-10T07:00:00", claim_id="C5", url=ITEMS[0][1]),
    ])


def write_config(folder: Path, lake: WarehouseSettings | None = None) -> Path:
    path = folder / "kzwatch.toml"
    backend = "" if lake is None else (f'backend = "ducklake"\ncatalog = "{lake.catalog}"\n'
                                       f'data_path = "{lake.data_path}"\n')
    path.write_text(textwrap.dedent("""\
        [warehouse]
        path = "wh/kzwatch.duckdb"
        lock_wait_s = 10
""") + backend + textwrap.dedent("""\

        [[article]]
        id = "beimenbetov-2021"
    """), encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=BACKENDS)
def config(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("analyst")
    wh = settings_for(request.param, folder, request)
    cfg = load_config(write_config(folder, wh if wh.is_lake else None), env={})
    with open_warehouse(cfg) as con:
        populate(con)
        con.execute("CHECKPOINT")
    publish_analyst_copy(cfg, cfg.analyst_copy_path)  # the file backend's copy; a lake needs none
    assert cfg.analyst_copy_path.exists() != wh.is_lake
    return cfg


def query_file(config, name: str) -> list[dict]:
    return json.loads(analyst.run_query(config, (QUERIES / name).read_text(encoding="utf-8"), fmt="json"))


# --- The example queries --------------------------------------------------------------------------


def test_every_query_file_runs_and_says_what_it_answers(config):
    files = sorted(QUERIES.glob("*.sql"))
    assert len(files) >= 6
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("-- Question:"), f"{path.name} must open with its question"
        result = json.loads(analyst.run_query(config, text, fmt="json"))
        assert isinstance(result, list), path.name


def test_claims_lost_support_this_quarter(config):
    rows = query_file(config, "claims_lost_support_this_quarter.sql")
    got = {(r["claim_id"], r["url"]): r for r in rows}
    assert set(got) == {("C1", MISK), ("C4", MISK), ("C3", ZAKON), ("C5", VLAST), ("C5", AZATTYQ)}
    assert got[("C5", VLAST)]["what_happened"] == "citation_drifted, support_missing"
    assert got[("C5", VLAST)]["archive_url"].startswith("https://web.archive.org/")
    assert got[("C1", MISK)]["current_state"] == "dead"
    assert got[("C3", ZAKON)]["current_support"] == "missing"
    assert not any(r["claim_id"] == "C8" for r in rows)  # lost last quarter


def test_outlets_rot_fastest(config):
    rows = query_file(config, "outlets_rot_fastest.sql")
    assert rows[0]["outlet"] == "MISK" and rows[0]["share_not_alive"] == 1.0
    by_outlet = {r["outlet"]: r for r in rows}
    assert by_outlet["Kazinform"]["share_not_alive"] == 0.0
    assert by_outlet["Kazinform"]["share_checks_failed"] == 0.0  # its local_outage check is not held against it
    assert by_outlet["MISK"]["checks"] == 7 and by_outlet["MISK"]["share_checks_failed"] == round(6 / 7, 3)
    assert by_outlet["Zakon.kz"]["share_not_alive"] == 0.5  # OLD dead, ZAKON alive
    assert by_outlet["Azattyq"]["share_checks_failed_30d"] == round(2 / 3, 3)  # 11-02, 11-15, 11-20


def test_new_reporting_on_c5(config):
    rows = query_file(config, "new_reporting_on_c5.sql")
    assert [r["url"] for r in rows] == [ITEMS[0][1]]
    assert rows[0]["stance"] == "updates" and rows[0]["matched"] == ["против всех"]


def test_citations_without_archive(config):
    rows = query_file(config, "citations_without_archive.sql")
    assert [(r["url"], r["state"]) for r in rows] == [(MISK, "dead"), (AZATTYQ, "dying")]


def test_citations_dying_first_failure(config):
    rows = query_file(config, "citations_dying_first_failure.sql")
    got = {r["url"]: r for r in rows}
    assert list(got) == [OLD, MISK, AZATTYQ]  # dead first (oldest failure first), then dying
    assert got[MISK]["first_outcome"] == "timeout" and got[MISK]["days_failing"] == 41
    assert got[AZATTYQ]["first_outcome"] == "server_error" and got[AZATTYQ]["first_http_status"] == 503
    assert got[OLD]["first_outcome"] == "not_found"  # the first failing check still on record


def test_failing_feeds(config):
    rows = query_file(config, "failing_feeds.sql")
    assert [r["outlet"] for r in rows] == ["CEC"]
    assert rows[0]["consecutive_failures"] == 9 and rows[0]["days_since_ok"] == 31


def test_drift_over_time(config):
    rows = query_file(config, "drift_over_time.sql")
    assert {r["url"] for r in rows} == {VLAST}  # INFORM never moved
    assert [r["band"] for r in rows] == ["unchanged", "edited", "off_topic", "off_topic", "off_topic"]
    assert rows[2]["similarity"] == 0.21 and rows[2]["previous_week"] == 0.93


def test_claims_most_exposed(config):
    rows = query_file(config, "claims_most_exposed.sql")
    by_claim = {r["claim_id"]: r for r in rows}
    assert rows[0]["share_alive"] is None and rows[0]["claim_id"] == "C11"  # no cited URL at all
    assert {r["claim_id"] for r in rows[1:4]} == {"C4", "C5", "C8"}
    assert by_claim["C5"]["dead"] == 0 and by_claim["C5"]["drifted"] == 1 and by_claim["C5"]["support_missing"] == 1
    assert by_claim["C5"]["reports_updating_or_contradicting"] == 1
    assert by_claim["C1"]["share_alive"] == 0.5 and by_claim["C2"]["share_alive"] == 1.0


# --- The views added by 0003 ----------------------------------------------------------------------


def test_views_added_by_0003(config):
    rows = json.loads(analyst.run_query(
        config, "SELECT claim_id, url, state, support FROM claim_support_detail WHERE claim_id = 'C5' ORDER BY url",
        fmt="json"))
    assert rows == [{"claim_id": "C5", "url": AZATTYQ, "state": "dying", "support": None},
                    {"claim_id": "C5", "url": VLAST, "state": "drifted", "support": "missing"}]
    rot = json.loads(analyst.run_query(
        config, "SELECT day, outcome, checks, urls FROM rot_by_outlet WHERE outlet = 'MISK' ORDER BY day", fmt="json"))
    assert rot[2] == {"day": "2026-10-10", "outcome": "timeout", "checks": 1, "urls": 1}
    assert sum(r["checks"] for r in rot) == 8
    kinds = json.loads(analyst.run_query(config, "SELECT kind, count(*) AS n FROM alert_log GROUP BY kind ORDER BY kind", fmt="json"))
    assert {k["kind"]: k["n"] for k in kinds}["citation_dead"] == 2


# --- kzwatch query -------------------------------------------------------------------------------


def test_query_formats(config):
    sql = "SELECT footnote, url, state, strikes, first_failure_at FROM link_health WHERE footnote IN (4, 16) ORDER BY footnote"
    table = analyst.run_query(config, sql)
    lines = table.splitlines()
    assert lines[0].split(" | ")[0].strip() == "footnote"
    assert set(lines[1]) <= {"-", "+"}
    assert "dead" in lines[3] and "2026-10-10T06:00:00+00:00" in lines[3]
    assert "NULL" in lines[2]  # INFORM never failed
    assert lines[-1] == "(2 rows)"
    assert [m.start() for m in re.finditer(r" \| ", lines[0])] == [m.start() for m in re.finditer(r"-\+-", lines[1])]

    csv_text = analyst.run_query(config, sql, fmt="csv")
    assert csv_text.splitlines()[0] == "footnote,url,state,strikes,first_failure_at"
    assert csv_text.splitlines()[2] == f"16,{MISK},dead,3,2026-10-10T06:00:00+00:00"

    data = json.loads(analyst.run_query(config, sql, fmt="json"))
    assert data[1] == {"footnote": 16, "url": MISK, "state": "dead", "strikes": 3,
                       "first_failure_at": "2026-10-10T06:00:00+00:00"}
    assert data[0]["first_failure_at"] is None


def test_query_table_cuts_long_and_multiline_cells():
    table = analyst.format_table(["a", "b"], [["x" * 200, "one\ntwo"], [None, b"\x00\x01"]])
    lines = table.splitlines()
    assert len(lines) == 5 and "one two" in lines[2] and "…" in lines[2]
    assert "<2 bytes>" in lines[3]


@pytest.mark.parametrize("sql", [
    "INSERT INTO citations (article_id, footnote, seq) VALUES ('x', 1, 1)",
    "DROP VIEW link_health",
    "COPY citations TO '/tmp/kzwatch-should-not-exist.csv'",
    "ATTACH ':memory:' AS scratch",
    "SELECT 1; DELETE FROM checks",
])
def test_query_refuses_writes(config, sql):
    with pytest.raises(WarehouseError, match="read-only") as info:
        analyst.run_query(config, sql)
    assert "\n" not in str(info.value)
    assert not Path("/tmp/kzwatch-should-not-exist.csv").exists()


def test_query_reports_sql_errors_in_one_line(config):
    with pytest.raises(WarehouseError, match="query failed: .*no_such_view"):
        analyst.run_query(config, "SELECT * FROM no_such_view")
    with pytest.raises(WarehouseError, match="format"):
        analyst.run_query(config, "SELECT 1", fmt="xml")


def test_query_without_analyst_copy(tmp_path):
    cfg = load_config(write_config(tmp_path), env={})
    with pytest.raises(WarehouseError, match=r"no analyst copy .*run `kzwatch check`"):
        analyst.run_query(cfg, "SELECT 1")


def test_cli_query_refuses_writes_with_one_line(config, capsys):
    from kzwatch import cli

    status = cli.main(["query", "--config", config.source, "DELETE FROM checks"])
    err = capsys.readouterr().err
    assert status != 0
    assert err.startswith("kzwatch: query refused: the analysts' connection is read-only")
    assert err.count("\n") == 1
    assert cli.main(["query", "--config", config.source, "--format", "csv",
                     "SELECT count(*) AS n FROM checks"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "48"]


# --- kzwatch export ------------------------------------------------------------------------------


def test_export_parquet(config, tmp_path):
    out = tmp_path / "parquet"
    manifest = analyst.export_parquet(config, out)
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(manifest))
    assert manifest["schema_version"] == store.latest_version()
    if settings_of(config).is_lake:
        assert manifest["source"].startswith("DuckLake (")
    else:
        assert manifest["source"] == str(config.analyst_copy_path)
    objects = {o["name"]: o for o in manifest["objects"]}
    views = {"link_health", "check_history", "related_reporting", "claim_exposure", "rot_by_outlet",
             "rot_by_age", "drift_history", "feed_health", "claim_support_detail", "alert_log"}
    assert views <= {n for n, o in objects.items() if o["kind"] == "view"}
    assert {"checks", "snapshots", "url_state", "items"} <= {n for n, o in objects.items() if o["kind"] == "table"}
    assert objects["checks"]["rows"] == 48 and objects["link_health"]["rows"] == len(CITATIONS)
    assert [c["name"] for c in objects["link_health"]["columns"]][:12] == [
        "article_id", "footnote", "url", "state", "last_outcome", "http_status", "final_url", "strikes",
        "first_failure_at", "last_checked_at", "drift", "archive_url"]
    for o in manifest["objects"]:
        assert (out / o["file"]).is_file()
    con = duckdb.connect()
    bodies = con.execute(f"SELECT body FROM read_parquet('{out / 'snapshots.parquet'}') ORDER BY first_seen_at, url").fetchall()
    assert sorted(zlib.decompress(b) for (b,) in bodies) == sorted([INFORM_BODY, VLAST_BODY_1, VLAST_BODY_2])
    assert con.execute(f"SELECT count(*) FROM read_parquet('{out / 'link_health.parquet'}') WHERE state = 'dead'").fetchone()[0] == 2


def test_export_warc_round_trips(config, tmp_path):
    from kzwatch.warc import read_warc

    paths = analyst.export_warc(config, tmp_path / "warc")
    captures = [c for p in paths for c in read_warc(p)]
    assert sorted(c.body for c in captures) == sorted([INFORM_BODY, VLAST_BODY_1, VLAST_BODY_2])
    drifted = next(c for c in captures if c.body == VLAST_BODY_2)
    assert drifted.url == VLAST and drifted.status == 200
    assert drifted.fetched_at == ts("2026-11-02T06:00:00")  # the first check that fetched it
    assert drifted.ip == "203.0.113.7"
    assert drifted.headers["content-type"] == "text/html; charset=utf-8"


def test_warc_capture_skips_damaged_body(caplog):
    row = ("abc123", VLAST, ts("2026-11-02"), 200, "text/html", None, b"not zlib")
    assert analyst.capture_from_row(row) is None
    assert "abc123" in caplog.text


# --- The published copy under concurrent use ------------------------------------------------------

READER = textwrap.dedent("""\
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        try:
            print(json.dumps(con.execute(line).fetchall()), flush=True)
        except Exception as exc:
            print(json.dumps({"error": str(exc)}), flush=True)
""")


def _one_cycle(cfg, as_of: datetime, footnote: int) -> None:
    from kzwatch.runner import guarded

    with guarded(cfg, "check", as_of):
        with open_warehouse(cfg.warehouse_path, wait_s=5) as con:
            insert_rows(con, "citations", [{"article_id": ART, "footnote": footnote, "seq": 1,
                                            "url": f"https://example.kz/{footnote}"}])
            con.execute("CHECKPOINT")


def test_reader_keeps_old_copy_while_cycles_publish(tmp_path):
    cfg = load_config(write_config(tmp_path), env={})
    _one_cycle(cfg, ts("2026-11-01T06:00:00"), 1)
    assert cfg.analyst_copy_path.exists()

    reader = subprocess.Popen([sys.executable, "-c", READER, str(cfg.analyst_copy_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "ready"

        def ask(sql: str):
            reader.stdin.write(sql + "\n")
            reader.stdin.flush()
            return json.loads(reader.stdout.readline())

        assert ask("SELECT count(*) FROM link_health") == [[1]]
        # two cycles while the reader holds its connection: neither waits for it nor fails
        _one_cycle(cfg, ts("2026-11-02T06:00:00"), 2)
        _one_cycle(cfg, ts("2026-11-03T06:00:00"), 3)
        # the open session still reads its own (old) copy, unharmed
        assert ask("SELECT count(*) FROM link_health") == [[1]]
        assert ask("SELECT count(*) FROM cycles") == [[1]]
        # a new session sees what the cycles wrote
        assert json.loads(analyst.run_query(cfg, "SELECT count(*) AS n FROM link_health", fmt="json")) == [{"n": 3}]
        cycles = json.loads(analyst.run_query(cfg, "SELECT status FROM cycles ORDER BY as_of", fmt="json"))
        assert [c["status"] for c in cycles] == ["ok", "ok", "ok"]
        reader.stdin.write("quit\n")
        reader.stdin.flush()
        assert reader.wait(timeout=30) == 0
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
