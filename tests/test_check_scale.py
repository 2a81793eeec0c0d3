"""The check cycle at scale: batches that survive a crash, a dead host that costs seconds, no
parsing of bytes already judged, progress only on a terminal (issue 13)."""

from __future__ import annotations

import io
import time
from datetime import datetime, timedelta, timezone

import pytest

from kzwatch import extract, store
from kzwatch.config import load_config
from kzwatch.cycles import direct
from kzwatch.cycles.progress import Progress
from kzwatch.health import drift
from kzwatch.sim.simweb import Page
from kzwatch.store import open_warehouse

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=timezone.utc)
HOSTS = ["a.test", "b.test", "c.test", "dead.test"]


def _page(host: str, i: int) -> str:
    return (f"<html><head><title>{host} story {i}</title></head><body><article>"
            f"<h1>{host} story {i}</h1>" + "".join(
                f"<p>Paragraph {k} of story {i} on {host}: the commission counted {k * 7 + i} ballots.</p>"
                for k in range(12)) + "</article></body></html>")


@pytest.fixture
def scale_world(web, tmp_path, monkeypatch):
    """12 pages on three hosts (ETags on a.test only) and four URLs on a host that hangs."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    rows = ["footnote,url,title,outlet,author,published,accessed"]
    n = 0
    for host in HOSTS[:3]:
        web.add_name(host)
        for i in range(4):
            web.add(host, f"/s/{i}.html", Page(body=_page(host, i), etag=f'"{host}-{i}"' if host == "a.test" else None))
            n += 1
            rows.append(f"{n},{web.url(host, f'/s/{i}.html')},{host} story {i},O,,,2026-01-28")
    web.fail_host("dead.test", "hang")
    for i in range(4):
        n += 1
        rows.append(f"{n},{web.url('dead.test', f'/s/{i}.html')},dead {i},O,,,2026-01-28")
    (tmp_path / "c.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")

    def config(**check) -> object:
        resolve = ", ".join(f'"{h}" = "127.0.0.1"' for h in HOSTS)
        extra = "".join(f"{k} = {v}\n" for k, v in check.items())
        (tmp_path / "k.toml").write_text(f"""
[warehouse]
path = "w.duckdb"
[[article]]
id = "scale"
citations = "c.csv"
[fetch]
per_host_delay_s = 0
timeout_s = 0.5
connect_timeout_s = 0.5
retries = 0
host_failure_limit = 2
canary_urls = []
allow_private_hosts = {HOSTS!r}
resolve = {{ {resolve} }}
[archive]
enabled = false
[check]
{extra}""".replace("'", '"'), encoding="utf-8")
        return load_config(tmp_path / "k.toml")

    return config


def _rows(cfg, sql: str) -> list[tuple]:
    with open_warehouse(cfg.warehouse_path) as con:
        return con.execute(sql).fetchall()


def test_dead_host_costs_n_timeouts_and_each_url_one_strike(scale_world, web):
    cfg = scale_world()
    started = time.monotonic()
    summary = direct.run("check", cfg, T0)
    elapsed = time.monotonic() - started
    assert summary.checked == 16
    dead = _rows(cfg, "SELECT c.error_detail, u.strikes, u.state FROM checks c JOIN url_state u USING (url) "
                      "WHERE c.url LIKE '%dead.test%' ORDER BY c.url")
    assert len(dead) == 4 and all(strikes == 1 and state == "dying" for _, strikes, state in dead)
    remembered = [d for d, _, _ in dead if "not sent" in d or "remembered" in d]
    assert len(remembered) >= 2  # at most host_failure_limit URLs waited for their timeout
    assert elapsed < 0.5 * 4 + 5  # four full timeouts would be the old cost, plus the cycle itself
    # the next cycle tries the host again
    web.restore_host("dead.test")
    for i in range(4):
        web.add("dead.test", f"/s/{i}.html", Page(body=_page("dead.test", i)))
    direct.run("check", cfg, T0 + timedelta(days=1))
    assert {s for (s,) in _rows(cfg, "SELECT state FROM url_state WHERE url LIKE '%dead.test%'")} == {"alive"}


def test_batches_commit_as_they_go_and_a_crash_resumes_in_the_slot(scale_world, monkeypatch):
    cfg = scale_world(batch_rows=3)
    real = store.write_check_batch
    calls = []

    def crash_on_third(con, **rows):
        calls.append(len(rows["checks"]))
        if len(calls) == 3:
            raise RuntimeError("simulated crash while committing")
        real(con, **rows)

    monkeypatch.setattr("kzwatch.cycles.check.write_check_batch", crash_on_third)
    with pytest.raises(RuntimeError, match="simulated crash"):
        direct.run("check", cfg, T0)
    committed = _rows(cfg, "SELECT url FROM checks")
    assert len(committed) == 6  # two batches of three survived the crash
    assert _rows(cfg, "SELECT count(*) FROM url_state WHERE last_checked_at IS NOT NULL")[0][0] == 6

    monkeypatch.setattr("kzwatch.cycles.check.write_check_batch", real)
    summary = direct.run("check", cfg, T0)  # the same slot again: only the rest
    assert summary.checked == 16 - 6
    urls = [u for (u,) in _rows(cfg, "SELECT url FROM checks")]
    assert len(urls) == 16 and len(set(urls)) == 16  # nothing lost, nothing twice
    before = _rows(cfg, "SELECT count(*), sum(strikes) FROM url_state")
    assert direct.run("check", cfg, T0).checked == 0  # a finished slot changes nothing
    assert _rows(cfg, "SELECT count(*), sum(strikes) FROM url_state") == before


def test_unchanged_bytes_are_not_parsed_and_a_first_check_is_not_compared_with_itself(scale_world, monkeypatch):
    cfg = scale_world()
    parsed, compared = [], []
    real_extract, real_compare = extract.extract_page, drift.compare
    monkeypatch.setattr(extract, "extract_page", lambda *a, **k: parsed.append(a[1]) or real_extract(*a, **k))
    monkeypatch.setattr(drift, "compare", lambda *a, **k: compared.append(1) or real_compare(*a, **k))
    direct.run("check", cfg, T0)
    assert len(parsed) == 12 and compared == []  # every live page read once, none compared with itself
    parsed.clear()
    direct.run("check", cfg, T0 + timedelta(days=1))
    # a.test answers 304 (ETag), b.test and c.test send the same bytes: nothing is parsed again
    assert parsed == [] and compared == []
    nm = _rows(cfg, "SELECT not_modified, count(*) FROM checks WHERE checked_at > ? AND url NOT LIKE '%dead%' "
                    "GROUP BY 1 ORDER BY 1".replace("?", f"'{T0.isoformat()}'"))
    assert nm == [(False, 8), (True, 4)]
    same = _rows(cfg, "SELECT count(*) FROM checks c JOIN url_state u USING (url) WHERE c.checked_at > "
                      f"'{T0.isoformat()}' AND c.snapshot_id = u.last_snapshot_id AND c.snapshot_id IS NOT NULL")
    assert same[0][0] == 8  # the unchanged body still points at its snapshot


def test_progress_is_quiet_off_a_terminal_and_shows_counts_and_eta_on_one(caplog):
    quiet = io.StringIO()
    p = Progress(3, stream=quiet)
    for outcome in ("ok", "ok", "timeout"):
        p.add(outcome)
    p.finish()
    assert quiet.getvalue() == ""

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    clock = iter(range(100))
    tty = Tty()
    p = Progress(4, stream=tty, interval_s=0, monotonic=lambda: float(next(clock)))
    p.add("ok")
    p.add("not_found")
    assert "checked 2/4 (50%)" in tty.getvalue() and "ok 1" in tty.getvalue() and "ETA" in tty.getvalue()
    with caplog.at_level("INFO", logger="kzwatch"):
        p.batch_committed(2, 0.1)
    assert "check batch 1 committed: 2 URLs" in caplog.text


def test_a_batch_is_committed_after_batch_seconds_even_while_a_host_is_still_awaited(scale_world, monkeypatch):
    cfg = scale_world(batch_rows=100, batch_seconds=0.2)
    real = store.write_check_batch
    batches: list[list[str]] = []

    def record(con, **rows):
        batches.append([c["url"] for c in rows["checks"]])
        real(con, **rows)

    monkeypatch.setattr("kzwatch.cycles.check.write_check_batch", record)
    direct.run("check", cfg, T0)
    assert sum(len(b) for b in batches) == 16
    # live pages were committed while dead.test's timeout (0.5 s) was still running: the first
    # batch holds live pages only (how many of the twelve depends on the machine's load, so the
    # count is not asserted: a loaded CI machine fetched 10 of them within the 0.2 s)
    assert len(batches) >= 2 and batches[0] and not any("dead.test" in u for u in batches[0])
