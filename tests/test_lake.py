"""The DuckLake backend under concurrent use, on a real PostgreSQL catalog started by the tests.

* four writers append check rows while an analyst reads: every read sees whole batches (a
  consistent snapshot), and at the end every row is there exactly once;
* conflicting commits are retried, boundedly;
* a writer killed with ``kill -9`` in the middle of its commits, then re-run: nothing lost,
  nothing duplicated;
* two real check cycles on different articles at once, against one lake;
* ``kzwatch query --at`` reads the lake as it was at a snapshot or a time;
* a real check cycle fanned out over workers: the workers commit the check rows, the
  coordinator the verdicts; killed between the two and run again, one judged row per URL.

PostgreSQL comes from ``pg_cluster_dsn`` (tests/conftest.py): skipped locally without the
server binaries, a failure under CI.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import duckdb
import pytest
from lake_backends import settings_for, toml_for

from kzwatch import cli
from kzwatch.store import (
    WarehouseConflict,
    WarehouseError,
    WarehouseSettings,
    append_checks,
    backends,
    insert_rows,
    lake_snapshots,
    open_readonly,
    open_warehouse,
    retry_conflicts,
    write_transaction,
)

AT = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)
BATCH = 20


@pytest.fixture
def lake(request, tmp_path) -> WarehouseSettings:
    settings = settings_for("ducklake-pg", tmp_path, request)
    with open_warehouse(settings):  # migrated once, as the coordinator would before fanning out
        pass
    return settings


def batch(writer: str, number: int, size: int = BATCH) -> list[dict]:
    return [{"check_id": f"{writer}/{number}/{i}", "cycle_id": "cycle-1",
             "checked_at": AT + timedelta(seconds=number), "url": f"https://{writer}.example/{number}/{i}",
             "outcome": "ok", "http_status": 200} for i in range(size)]


def counts(settings: WarehouseSettings) -> tuple[int, int]:
    with open_readonly(settings) as con:
        return con.execute("SELECT count(*), count(DISTINCT check_id) FROM check_history "
                           "JOIN checks USING (checked_at, url)").fetchall()[0]


# --- four writers and an analyst ------------------------------------------------------------------


def test_four_writers_append_checks_while_an_analyst_reads(lake):
    batches_each = 4
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def writer(name: str) -> None:
        try:
            for number in range(batches_each):
                append_checks(lake, batch(name, number))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    def analyst() -> None:
        try:
            while not done.is_set():
                with open_readonly(lake) as con:
                    seen.append(con.execute("SELECT count(*) FROM check_history").fetchall()[0][0])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(4)]
    reader = threading.Thread(target=analyst)
    reader.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    done.set()
    reader.join(timeout=60)
    assert not errors, errors
    total = 4 * batches_each * BATCH
    assert counts(lake) == (total, total)
    assert len(seen) >= 2, "the analyst should have read while the writers wrote"
    assert all(n % BATCH == 0 for n in seen), f"a read saw half a batch: {seen}"
    assert seen == sorted(seen), "snapshots went backwards"
    with open_readonly(lake) as con:
        per_writer = dict(con.execute("SELECT split_part(check_id, '/', 1), count(*) FROM checks GROUP BY 1").fetchall())
    assert per_writer == {f"w{i}": batches_each * BATCH for i in range(4)}


def test_the_same_batch_twice_and_racing_duplicates_are_stored_once(lake):
    from kzwatch.store import check_writer

    rows = batch("dup", 0)
    ready = threading.Barrier(3, timeout=60)
    errors: list[BaseException] = []

    def racer() -> None:
        try:
            with check_writer(lake) as append:  # connected first, so the three appends coincide
                ready.wait()
                append(rows)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=racer) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    append_checks(lake, rows)
    assert counts(lake) == (BATCH, BATCH)


def test_workers_cannot_write_to_a_duckdb_file(tmp_path):
    with pytest.raises(WarehouseError, match="one writer"):
        append_checks(WarehouseSettings(path=tmp_path / "w.duckdb"), batch("w", 0))


# --- conflicts ------------------------------------------------------------------------------------


def test_conflicting_commits_are_retried(lake, monkeypatch):
    """Two verdict writers delete from the same file at once: DuckLake fails one commit; the
    retry re-runs it on the new snapshot and both updates land."""
    with open_warehouse(lake) as con:
        insert_rows(con, "url_state", [{"url": f"https://x.example/{i}", "state": "alive"} for i in range(4)])
    conflicts: list[str] = []
    real = backends.is_conflict
    monkeypatch.setattr(backends, "is_conflict", lambda exc: real(exc) and not conflicts.append(str(exc)))
    barrier = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def verdict(i: int) -> None:
        attempts = 0

        def body(con) -> None:
            nonlocal attempts
            attempts += 1
            con.execute("UPDATE url_state SET state = 'dead' WHERE url = ?", [f"https://x.example/{i}"])
            if attempts == 1:
                barrier.wait()  # both have written, neither has committed
        try:
            with open_warehouse(lake) as con:
                # no writer lock here: exercise the optimistic path that the lock normally spares
                retry_conflicts(lambda: _plain_transaction(con, body), lake)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=verdict, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert conflicts and "conflict" in conflicts[0].lower()
    with open_readonly(lake) as con:
        rows = con.execute("SELECT url, state FROM url_state ORDER BY url").fetchall()
    assert rows == [(f"https://x.example/{i}", "dead" if i < 2 else "alive") for i in range(4)]


def _plain_transaction(con, body) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        body(con)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def test_retry_is_bounded_with_growing_backoff():
    settings = WarehouseSettings(backend="ducklake", conflict_retries=4, conflict_backoff_s=0.1,
                                 conflict_backoff_max_s=0.3)
    sleeps: list[float] = []
    calls = []

    def always_conflicts():
        calls.append(1)
        raise duckdb.TransactionException("Failed to commit DuckLake transaction.\nTransaction conflict - x")

    with pytest.raises(WarehouseConflict, match="gave up after 5 attempts"):
        retry_conflicts(always_conflicts, settings, sleep=sleeps.append)
    assert len(calls) == 5 and len(sleeps) == 4
    assert sleeps[0] < 0.15 and max(sleeps) <= 0.3 * 1.5

    def other_error():
        calls.append(1)
        raise duckdb.CatalogException("Table with name nope does not exist")

    calls.clear()
    with pytest.raises(duckdb.CatalogException):
        retry_conflicts(other_error, settings, sleep=sleeps.append)
    assert len(calls) == 1  # not a conflict: never retried


# --- a writer killed mid-commit -------------------------------------------------------------------

WRITER = textwrap.dedent("""\
    import sys
    from datetime import datetime, timedelta, timezone
    from kzwatch.store import WarehouseSettings, append_checks
    settings = WarehouseSettings(backend="ducklake", catalog=sys.argv[1], data_path=sys.argv[2])
    at = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)
    for number in range(int(sys.argv[3])):
        rows = [{"check_id": f"k/{number}/{i}", "cycle_id": "c", "checked_at": at + timedelta(seconds=number),
                 "url": f"https://k.example/{number}/{i}", "outcome": "ok"} for i in range(%d)]
        append_checks(settings, rows)
        print(number, flush=True)
""" % BATCH)


def test_writer_killed_mid_commit_loses_and_duplicates_nothing(lake):
    batches = 12
    argv = [sys.executable, "-c", WRITER, lake.catalog, str(lake.data_path), str(batches)]
    kills = 0
    for delay in (0.0, 0.15, 0.3):  # killed at different points of its commit loop
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        first = proc.stdout.readline()  # it has committed a batch and is on to the next
        time.sleep(delay)
        if first and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
        proc.stdout.close()
        committed, distinct = counts(lake)
        assert committed == distinct and committed % BATCH == 0  # whole batches, once each
        assert committed >= BATCH
    assert kills >= 2, "the writer finished before it could be killed: make it slower"
    finished = subprocess.run(argv, capture_output=True, text=True, timeout=240)
    assert finished.returncode == 0, finished.stderr
    assert counts(lake) == (batches * BATCH, batches * BATCH)
    with open_readonly(lake) as con:  # the lake is whole: every view answers
        for view in ("link_health", "check_history", "rot_by_outlet", "claim_exposure"):
            con.execute(f"SELECT count(*) FROM {view}").fetchall()


# --- time travel ----------------------------------------------------------------------------------


def test_query_at_a_snapshot_or_a_time(lake, tmp_path, capsys):
    url = "https://vlast.kz/x"
    with open_warehouse(lake) as con:
        insert_rows(con, "citations", [{"article_id": "a", "footnote": 1, "seq": 1, "url": url}])
        write_transaction(con, lambda c: insert_rows(c, "url_state", [{"url": url, "state": "alive"}],
                                                     on_conflict="replace"))
    alive_at = lake_snapshots(lake)[-1]
    time.sleep(0.05)
    with open_warehouse(lake) as con:
        write_transaction(con, lambda c: insert_rows(c, "url_state", [{"url": url, "state": "dead"}],
                                                     on_conflict="replace"))
    config = tmp_path / "kzwatch.toml"
    config.write_text(toml_for(lake) + ARTICLE, encoding="utf-8")

    def state(*extra: str) -> str:
        assert cli.main(["query", "--config", str(config), "--format", "json", *extra,
                         "SELECT state FROM link_health"]) == 0
        return json.loads(capsys.readouterr().out)[0]["state"]

    assert state() == "dead"
    assert state("--at", str(alive_at["snapshot_id"])) == "alive"
    assert state("--at", alive_at["snapshot_time"].isoformat()) == "alive"
    assert cli.main(["query", "--config", str(config), "--at", "last tuesday", "SELECT 1"]) != 0
    assert "give a snapshot id" in capsys.readouterr().err


def test_query_at_needs_a_lake(tmp_path, capsys):
    config = tmp_path / "kzwatch.toml"
    config.write_text(toml_for(WarehouseSettings(path=tmp_path / "w.duckdb")) + ARTICLE, encoding="utf-8")
    assert cli.main(["query", "--config", str(config), "--at", "3", "SELECT 1"]) != 0
    err = capsys.readouterr().err
    assert "ducklake" in err and err.count("\n") == 1


# --- two cycles on different articles at once -----------------------------------------------------

PAGE = ("<!doctype html><html><head><meta charset='utf-8'><title>{t}</title></head><body><article>"
        "<h1>{t}</h1><p>" + "Явка на выборах составила 63 процента по данным ЦИК. " * 12 + "</p></article></body></html>")


def article_config(tmp_path, lake: WarehouseSettings, web, name: str, urls: list[str], extra: str = ""):
    """``extra``: more TOML after the ``[fetch]`` keys (e.g. its ``resolve`` table, then ``[check]``)."""
    from kzwatch.config import load_config

    folder = tmp_path / name
    folder.mkdir()
    rows = ["footnote,url,title,outlet,author,published,accessed"]
    rows += [f"{i},{u},Story {i},Outlet,,2021-01-10,2021-01-28" for i, u in enumerate(urls, start=1)]
    (folder / "cites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "claims.toml").write_text('[[claim]]\nid = "C1"\ntext = "Turnout was 63%"\nfootnotes = [1, 2]\n'
                                        'figures = ["63"]\n[claim.terms]\nru = ["явка"]\n', encoding="utf-8")
    (folder / "kzwatch.toml").write_text(toml_for(lake) + textwrap.dedent(f"""\
        lock_wait_s = 60
        [[article]]
        id = "{name}"
        citations = "cites.csv"
        claims = "claims.toml"
        [archive]
        enabled = false
        [fetch]
        per_host_delay_s = 0
        retries = 0
        allow_private_hosts = {json.dumps(web.hosts)}
        """) + extra, encoding="utf-8")
    return load_config(folder / "kzwatch.toml", env={})


def test_two_cycles_on_different_articles_at_once(lake, tmp_path, web, fetcher, monkeypatch):
    from kzwatch.cycles import direct
    from kzwatch.sim.simweb import Page

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    for host in ("a.test", "b.test", "shared.test"):
        web.add_name(host)
    shared = web.url("shared.test", "/both-cite-this")
    web.add("shared.test", "/both-cite-this", Page(body=PAGE.format(t="Shared")))
    urls = {"art-a": [web.url("a.test", f"/{i}") for i in range(3)] + [shared],
            "art-b": [web.url("b.test", f"/{i}") for i in range(3)] + [shared]}
    for host, name in (("a.test", "art-a"), ("b.test", "art-b")):
        for i in range(2):  # the third page of each article is gone (404)
            web.add(host, f"/{i}", Page(body=PAGE.format(t=f"{name} {i}")))
    configs = [article_config(tmp_path, lake, web, name, pages) for name, pages in urls.items()]
    errors: list[BaseException] = []

    def cycle(cfg) -> None:
        try:
            direct.run("check", cfg, AT, fetcher=fetcher())
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=cycle, args=(cfg,)) for cfg in configs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors

    with open_readonly(lake) as con:
        health = con.execute("SELECT article_id, url, state, last_outcome FROM link_health ORDER BY ALL").fetchall()
        state_rows = con.execute("SELECT count(*), count(DISTINCT url) FROM url_state").fetchall()[0]
        check_rows = con.execute("SELECT count(*), count(DISTINCT check_id), count(DISTINCT url) FROM checks").fetchall()[0]
        cycles = con.execute("SELECT count(*), min(status) FROM cycles WHERE kind = 'check'").fetchall()[0]
    assert {(a, u) for a, u, _, _ in health} == {(a, u) for a, us in urls.items() for u in us}
    outcomes = {u: o for _, u, _, o in health}
    assert outcomes[shared] == "ok" and outcomes[urls["art-a"][2]] == "not_found"
    assert outcomes[urls["art-b"][0]] == "ok"
    assert state_rows == (7, 7)               # the shared URL has one verdict, not two
    assert check_rows == (7, 7, 7)            # and one check in this slot
    assert cycles == (1, "ok")                # the same slot: one cycle record, upserted by both
    from kzwatch.status import render_status

    status = render_status(configs[0], as_of=AT)
    assert "warehouse DuckLake (PostgreSQL catalog" in status and "== art-a" in status
    assert "not_found" in status and "password" not in status


def test_a_worker_keeps_one_connection_for_its_batches(lake):
    from kzwatch.store import check_writer

    with check_writer(lake) as append:
        for number in range(3):
            assert append(batch("kept", number)) == BATCH
        append(batch("kept", 0))  # a batch sent twice adds nothing
    assert counts(lake) == (3 * BATCH, 3 * BATCH)


def _dask_worker_batch(fields: dict, worker: int, number: int) -> tuple[int, int]:
    """What a fan-out task does with DuckLake: commit its own check rows, say who it was."""
    append_checks(WarehouseSettings(**fields), batch(f"dask{worker}", number))
    return worker, os.getpid()


def test_dask_workers_commit_their_own_check_rows(lake):
    distributed = pytest.importorskip("distributed")
    fields = {"backend": "ducklake", "path": str(lake.path), "catalog": lake.catalog,
              "data_path": str(lake.data_path)}
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        futures = [client.submit(_dask_worker_batch, fields, w, n, pure=False) for w in range(2) for n in range(3)]
        done = client.gather(futures)
    assert len({pid for _, pid in done} - {os.getpid()}) >= 1  # written from the worker processes
    assert counts(lake) == (6 * BATCH, 6 * BATCH)


def test_a_whole_run_on_a_lake(lake, tmp_path, web, fetcher, monkeypatch):
    """check, discover and digest — every cycle writes through the same store on a lake."""
    from kzwatch.cycles import direct
    from kzwatch.sim.simweb import Page

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    web.add_name("c.test")
    urls = [web.url("c.test", "/0"), web.url("c.test", "/gone")]
    web.add("c.test", "/0", Page(body=PAGE.format(t="Story 1")))  # the cited work (title as cited)
    cfg = article_config(tmp_path, lake, web, "art-c", urls)
    for day in range(3):
        direct.run("run", cfg, AT + timedelta(days=day), fetcher=fetcher())
    with open_readonly(lake) as con:
        kinds = dict(con.execute("SELECT kind, count(*) FROM cycles GROUP BY kind").fetchall())
        states = dict(con.execute("SELECT url, state FROM link_health").fetchall())
        alerts = con.execute("SELECT count(*), count(DISTINCT event_id) FROM alert_log WHERE url = ?",
                             [urls[1]]).fetchall()[0]
    assert kinds == {"check": 3, "archive": 3, "discover": 3, "digest": 3}  # the archive phase follows each check
    assert states[urls[0]] == "alive" and states[urls[1]] in ("dying", "dead")
    assert alerts[0] >= 1 and alerts[0] == alerts[1]  # the dead link raised alerts, each once


ARTICLE = '[[article]]\nid = "beimenbetov-2021"\n'


def test_an_unknown_backend_is_one_line(tmp_path, capsys):
    config = tmp_path / "kzwatch.toml"
    config.write_text('[warehouse]\npath = "w.duckdb"\nbackend = "sqlite"\n' + ARTICLE, encoding="utf-8")
    assert cli.main(["query", "--config", str(config), "SELECT 1"]) != 0
    err = capsys.readouterr().err
    assert "backend' must be one of duckdb, ducklake, not 'sqlite'" in err and err.count("\n") == 1


def test_lake_settings_from_a_config_resolve_against_its_folder(tmp_path):
    from kzwatch.config import load_config
    from kzwatch.store import settings_of

    config = tmp_path / "kzwatch.toml"
    config.write_text('[warehouse]\npath = "w.duckdb"\nbackend = "ducklake"\ncatalog = "meta/cat.ducklake"\n'
                      'data_path = "parquet"\n' + ARTICLE, encoding="utf-8")
    settings = settings_of(load_config(config, env={}))
    assert settings.is_lake and settings.lake_catalog() == str(tmp_path / "meta" / "cat.ducklake")
    assert settings.lake_data_path() == tmp_path / "parquet"
    pg = WarehouseSettings(backend="ducklake", catalog="postgres:host=db dbname=kz password=secret")
    assert pg.catalog_is_postgres and pg.lake_catalog() == "postgres:host=db dbname=kz password=secret"
    assert "secret" not in pg.describe()


# --- a check cycle fanned out over workers: on a lake the workers write the checks -----------------

FANNED_HOSTS = ("f1.test", "f2.test", "f3.test")


def fanned_web(web) -> list[str]:
    """Six cited URLs on three hosts: pages, a page gone, a permanent redirect to the same work."""
    from kzwatch.sim.simweb import Page, Redirect

    for host in FANNED_HOSTS:
        web.add_name(host)
    for i in range(3):
        web.add("f1.test", f"/{i}", Page(body=PAGE.format(t=f"Story {i + 1}")))
    web.add("f2.test", "/old", Redirect(to="/new", status=301))
    web.add("f2.test", "/new", Page(body=PAGE.format(t="Story 4")))
    web.add("f3.test", "/0", Page(body=PAGE.format(t="Story 6")))
    return ([web.url("f1.test", f"/{i}") for i in range(3)] + [web.url("f2.test", "/old"), web.url("f2.test", "/gone")]
            + [web.url("f3.test", "/0")])


def fanned_config(folder, settings: WarehouseSettings, web, urls: list[str], *, batch_rows: int = 2):
    folder.mkdir(parents=True, exist_ok=True)
    resolve = "canary_urls = []\nresolve = { " + ", ".join(f'"{h}" = "127.0.0.1"' for h in FANNED_HOSTS) + " }\n"
    return article_config(folder, settings, web, "art-f", urls, extra=resolve + f"[check]\nbatch_rows = {batch_rows}\n")


def fanned_out_check(cfg, as_of: datetime, *, workers: int = 2):
    """The check cycle with its pages fanned out over a thread pool (what ``[scale] runner =
    "threads"`` does, without Prefect)."""
    from kzwatch.cycles.check import run_check_cycle
    from kzwatch.fanout import fan_out, fetch_shard

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return run_check_cycle(cfg, as_of, fetch_pages=fan_out(cfg, functools.partial(pool.submit, fetch_shard), workers))


def views(settings: WarehouseSettings) -> tuple[list, list]:
    with open_readonly(settings) as con:
        health = con.execute("SELECT * FROM link_health ORDER BY ALL").fetchall()
        history = con.execute("SELECT * EXCLUDE (elapsed_ms) FROM check_history ORDER BY ALL").fetchall()
    return health, history


def commits(settings: WarehouseSettings) -> list[tuple[int, str | None, str | None]]:
    """(snapshot id, author, commit message) of every commit of the lake, oldest first."""
    with open_readonly(settings) as con:
        return con.execute(f"SELECT snapshot_id, author, commit_message FROM {settings.lake_alias}.snapshots() "
                           "ORDER BY snapshot_id").fetchall()


@pytest.fixture(params=["ducklake-file", "ducklake-pg"])
def any_lake(request, tmp_path) -> WarehouseSettings:
    folder = tmp_path / "lake"
    folder.mkdir()
    return settings_for(request.param, folder, request)


@pytest.mark.parametrize("kind", ["duckdb", "ducklake-file", "ducklake-pg"])
def test_a_fanned_out_cycle_leaves_what_a_local_cycle_leaves(kind, request, tmp_path, web, monkeypatch):
    """Same web, same slot: the fanned-out cycle's views equal the single-process cycle's,
    on the DuckDB file (workers only fetch) and on both lakes (workers write the checks)."""
    from kzwatch.cycles.check import run_check_cycle
    from kzwatch.fanout import FanOut

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    urls = fanned_web(web)
    (tmp_path / "fan").mkdir()
    (tmp_path / "one").mkdir()
    fan_lake, one_lake = (settings_for(kind, tmp_path / name, request) for name in ("fan", "one"))
    fanned = fanned_config(tmp_path / "fan", fan_lake, web, urls)
    single = fanned_config(tmp_path / "one", one_lake, web, urls)
    checked_by_workers: list[int] = []
    real = FanOut.check_pages
    monkeypatch.setattr(FanOut, "check_pages", lambda self, jobs, work: checked_by_workers.append(len(jobs))
                        or real(self, jobs, work))

    summary = fanned_out_check(fanned, AT)
    run_check_cycle(single, AT)

    assert summary.checked == len(urls)
    assert checked_by_workers == ([] if kind == "duckdb" else [len(urls)])  # the file keeps one writer
    health, history = views(fan_lake)
    assert (health, history) == views(one_lake)
    outcomes = {row[0]: row[1] for row in (r[1:3] for r in history)}
    assert outcomes[urls[0]] == "ok" and outcomes[urls[4]] == "not_found"
    assert all(r[-2] is not None for r in history), "every check row has its verdict (state_after)"
    assert len(history) == len({r[1] for r in history}) == len(urls)


def test_workers_commit_the_checks_and_the_coordinator_the_verdicts(any_lake, tmp_path, web, monkeypatch):
    from kzwatch.fanout import worker_name

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    urls = fanned_web(web)
    cfg = fanned_config(tmp_path / "fan", any_lake, web, urls, batch_rows=2)
    fanned_out_check(cfg, AT)

    history = commits(any_lake)
    workers = [c for c in history if c[2] == "checks"]
    verdicts = [c for c in history if c[2] == "verdicts"]
    assert {c[1] for c in workers} == {worker_name()} and len(workers) >= 2  # a commit per shard (threads: one pid)
    assert {c[1] for c in verdicts} == {f"coordinator {worker_name()}"} and len(verdicts) == 3  # 6 URLs, 2 a batch
    assert max(c[0] for c in workers) < min(c[0] for c in verdicts)
    # the lake just before the first verdict: every check row is there, none judged, no url_state yet
    with open_readonly(any_lake, at=verdicts[0][0] - 1) as con:
        before = con.execute("SELECT count(*), count(DISTINCT url), count(state_after), count(snapshot_id) "
                             "FROM checks").fetchall()[0]
        states = con.execute("SELECT count(*) FROM url_state").fetchall()[0][0]
        bodies = con.execute("SELECT count(*) FROM snapshots WHERE body IS NOT NULL").fetchall()[0][0]
    assert before == (6, 6, 0, 5) and states == 0 and bodies == 5  # 5 pages answered 200
    with open_readonly(any_lake) as con:
        after = con.execute("SELECT count(*), count(DISTINCT check_id), count(state_after) FROM checks").fetchall()[0]
        states = con.execute("SELECT count(*) FROM url_state WHERE last_checked_at = ?", [AT]).fetchall()[0][0]
    assert after == (6, 6, 6) and states == 6


class Killed(BaseException):
    """Stands for the coordinator's process dying (kill -9) between two commits."""


def test_a_cycle_killed_between_worker_and_verdict_commits_resumes_once_per_url(any_lake, tmp_path, web,
                                                                                 monkeypatch):
    from kzwatch.cycles import check
    from kzwatch.sim.simweb import Page

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    urls = fanned_web(web)
    cfg = fanned_config(tmp_path / "fan", any_lake, web, urls, batch_rows=2)
    real = check.write_check_batch
    batches: list[int] = []

    def dies_at_the_second_batch(*args, **kwargs):
        batches.append(1)
        if len(batches) == 2:
            raise Killed()
        return real(*args, **kwargs)

    monkeypatch.setattr(check, "write_check_batch", dies_at_the_second_batch)
    with pytest.raises(Killed):
        fanned_out_check(cfg, AT)
    with open_readonly(any_lake) as con:
        assert con.execute("SELECT count(*), count(state_after) FROM checks").fetchall()[0] == (6, 2)
    # the page of an unjudged row changed before the re-run: its check row must say what the re-run saw
    web.add("f2.test", "/new", Page(status=410, body="gone"))
    monkeypatch.setattr(check, "write_check_batch", real)
    summary = fanned_out_check(cfg, AT)

    assert (summary.checked, summary.skipped_not_due) == (4, 2)  # the judged batch is not fetched again
    with open_readonly(any_lake) as con:
        rows = con.execute("SELECT count(*), count(DISTINCT check_id), count(state_after) FROM checks").fetchall()[0]
        agree = con.execute("SELECT c.url, c.http_status, s.http_status, c.state_after, s.state FROM checks c "
                            "JOIN url_state s USING (url) ORDER BY c.url").fetchall()
    assert rows == (6, 6, 6)  # exactly one judged check row per URL
    assert all(c_status == s_status and after == state for _, c_status, s_status, after, state in agree), agree
    assert dict((u, c) for u, c, *_ in agree)[urls[3]] == 410  # the stale unjudged row was replaced


def test_a_worker_rerun_replaces_only_unjudged_rows(lake):
    from kzwatch.store import check_writer, write_check_batch

    rows = batch("re", 0, size=2)
    with check_writer(lake, author="w:1") as append:
        append(rows)
    with open_warehouse(lake) as con:
        write_check_batch(con, snapshots=[], checks=[], states=[], supports=[], events=[],
                          verdicts=[{"check_id": rows[0]["check_id"], "outcome": "ok", "state_after": "alive"}])
    with check_writer(lake, author="w:2") as append:
        append([{**r, "http_status": 404, "outcome": "not_found"} for r in rows], replace_unjudged=True)
    with open_readonly(lake) as con:
        stored = con.execute("SELECT check_id, http_status, outcome, state_after FROM checks ORDER BY check_id").fetchall()
    assert stored == [(rows[0]["check_id"], 200, "ok", "alive"), (rows[1]["check_id"], 404, "not_found", None)]


def test_verdicts_for_check_rows_no_worker_wrote_are_an_error(lake):
    from kzwatch.store import write_check_batch

    with open_warehouse(lake) as con, pytest.raises(WarehouseError, match="missing .check_id nope"):
        write_check_batch(con, snapshots=[], checks=[], states=[{"url": "https://x.example/", "state": "alive"}],
                          supports=[], events=[], verdicts=[{"check_id": "nope", "outcome": "ok", "state_after": "alive"}])
    with open_readonly(lake) as con:  # the whole batch was rolled back
        assert con.execute("SELECT count(*) FROM url_state").fetchall()[0][0] == 0


def test_dask_worker_processes_commit_a_cycles_check_rows(lake, tmp_path, web, monkeypatch):
    """The same cycle on a Dask LocalCluster: the check rows come from the worker processes
    (their pids sign the commits), the verdicts from this one; what travels back has no body."""
    distributed = pytest.importorskip("distributed")
    from kzwatch.cycles.check import run_check_cycle
    from kzwatch.fanout import FanOut, fan_out, fetch_shard, worker_name

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)  # inherited by the worker processes
    urls = fanned_web(web)
    cfg = fanned_config(tmp_path / "fan", lake, web, urls, batch_rows=50)
    returned: list = []
    real = FanOut.check_pages

    def keep_what_came_back(self, jobs, work):
        results = real(self, jobs, work)
        returned.extend(results)
        return results

    monkeypatch.setattr(FanOut, "check_pages", keep_what_came_back)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        summary = run_check_cycle(cfg, AT, fetch_pages=fan_out(cfg, functools.partial(client.submit, fetch_shard,
                                                                                       pure=False), 2))
    assert summary.checked == len(urls)
    assert all(r.body == b"" and r.text is None and r.probe is None and r.worker_check is not None for r in returned)
    assert {r.worker_check.worker for r in returned} - {worker_name()} == {r.worker_check.worker for r in returned}
    history = commits(lake)
    authors = {c[1] for c in history if c[2] == "checks"}
    assert authors and worker_name() not in authors  # worker processes (Dask picks which), not this one
    assert {c[1] for c in history if c[2] == "verdicts"} == {f"coordinator {worker_name()}"}
    with open_readonly(lake) as con:
        assert con.execute("SELECT count(*), count(DISTINCT url), count(state_after) FROM checks").fetchall()[0] == (6, 6, 6)
