"""Load: a real Prefect server runs kzwatch's deployments for simulated days while analysts query.

What it runs (issue 17, "Load"):

* ``prefect server start`` on a free loopback port, with its own ``PREFECT_HOME`` and SQLite
  database in a temporary directory.  The server's scheduler service is switched off: it would
  create runs at real wall-clock times.  This script plays the scheduler instead (below).
* the deployments of ``deploy/prefect.yaml``, created by ``prefect deploy --all`` exactly as the
  README's Deploy section does, and one ``prefect worker start --pool kzwatch-pool`` that runs
  every flow run in its own process;
* the offline simulated web and config of ``kzwatch demo`` (``kzwatch.sim.demo.DemoWorld``),
  re-arranged at each simulated day;
* an analyst process that queries the analyst copy in a loop the whole time: ``kzwatch.analyst``
  (the code of ``kzwatch query``), plain ``duckdb.connect(read_only=True)`` opens as a notebook
  would, and the ``kzwatch query`` command itself now and then.

The simulated clock: the deployments' own cron schedules (read back from the API) give the slots
of each simulated hour, computed by the server's ``CronSchedule``; every slot becomes a flow run
of its deployment with the slot time as ``as_of``.  All runs of one hour are created together,
so a daily check and an hourly discovery do run at the same time and kzwatch's cycle lock has to
serialise them; the next hour starts when they have finished.

Afterwards it reads from the API and the warehouse: every run's final state, overlaps of runs
of one deployment (``concurrency_limit: 1``), overlaps of cycles holding the warehouse (the
``cycles`` table), lock errors in the run logs, task retries, and the RSS of the server and the
worker sampled each simulated hour.  It prints the figures and exits 1 when any check fails.

    .venv/bin/python bench/load_prefect.py --hours 48       # ~25 min on 2 busy cores
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
LOCK_MARKERS = ("could not set lock", "conflicting lock", "warehousebusy", "another kzwatch cycle is running")


@dataclass(frozen=True)
class LoadBudget:
    """What counts as passing.  Memory is "flat" when the last sample is within
    ``rss_growth_limit`` of the first plus ``rss_slack_mb`` (allocator and cache warm-up)."""

    rss_growth_limit: float = 0.25
    rss_slack_mb: float = 30.0
    hour_timeout_s: float = 900.0
    server_start_timeout_s: float = 180.0
    analyst_qps: float = 4.0
    cli_query_every_s: float = 60.0


# --- small process helpers -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of one process (not its children: the worker's children are flow runs that
    come and go), from /proc (Linux); 0 when it has exited."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def slope_per_hour(samples: list[float]) -> float:
    """Least-squares slope of the samples (one per simulated hour), MB per hour."""
    n = len(samples)
    if n < 2:
        return 0.0
    mean_x, mean_y = (n - 1) / 2, sum(samples) / n
    num = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(samples))
    return num / sum((i - mean_x) ** 2 for i in range(n))


def prefect_cli(env: dict, *args: str, timeout: float = 300) -> None:
    proc = subprocess.run([sys.executable, "-m", "prefect", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"prefect {' '.join(args)} failed: {proc.stdout[-2000:]}{proc.stderr[-2000:]}")


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stop(proc: subprocess.Popen, grace_s: float = 30) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float) -> float:
    import urllib.request

    began = time.monotonic()
    while time.monotonic() - began < timeout_s:
        if proc.poll() is not None:
            raise RuntimeError("prefect server exited during start-up (see server.log)")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return time.monotonic() - began
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"prefect server not healthy after {timeout_s:.0f} s")


# --- the environment every process shares ---------------------------------------------------------


def environment(workdir: Path, port: int, config_path: Path, ca_path: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PREFECT_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update({
        "PREFECT_HOME": str(workdir / "prefect-home"),
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{workdir / 'prefect.db'}",
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",  # we play the scheduler, in simulated time
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_UI_ENABLED": "false",
        "KZWATCH_HOME": str(ROOT),
        "KZWATCH_CONFIG": str(config_path),
        "REQUESTS_CA_BUNDLE": ca_path,
        "NO_PROXY": "*",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    return env


# --- the analyst: queries the analyst copy in a loop (its own process, no Prefect) ----------------

QUERIES = [
    "SELECT state, count(*) FROM link_health GROUP BY state",
    "SELECT count(*) FROM check_history",
    "SELECT claim_id, count(*) FROM related_reporting GROUP BY claim_id",
    "SELECT * FROM claim_exposure",
    "SELECT kind, count(*), max(finished_at) FROM cycles GROUP BY kind",
]


def analyst_loop(config_path: str, stats_path: str, stop_path: str, qps: float, cli_every_s: float) -> int:
    import duckdb
    from kzwatch.analyst import run_query

    from kzwatch.config import load_config

    config = load_config(config_path)
    copy = Path(config.analyst_copy_path)
    stats: dict = {"ok": 0, "failed": 0, "lock_errors": 0, "cli_ok": 0, "cli_failed": 0, "errors": [],
                   "latencies_ms": [], "waited_for_copy_s": 0.0}
    began = time.monotonic()
    while not copy.exists() and not Path(stop_path).exists():
        time.sleep(0.2)
    stats["waited_for_copy_s"] = round(time.monotonic() - began, 1)
    last_cli, n, inodes = time.monotonic(), 0, set()
    while not Path(stop_path).exists():
        sql, t0 = QUERIES[n % len(QUERIES)], time.monotonic()
        try:
            if n % 2:
                run_query(config, sql, fmt="csv")  # what `kzwatch query` runs
            else:
                with duckdb.connect(str(copy), read_only=True) as con:  # a notebook's open
                    con.execute(sql).fetchall()
            stats["ok"] += 1
            inodes.add(copy.stat().st_ino)  # a new inode: a cycle replaced the copy meanwhile
            stats["latencies_ms"].append(round((time.monotonic() - t0) * 1000, 1))
        except Exception as exc:  # every failure is counted and kept: that is the measurement
            _count_failure(stats, f"{type(exc).__name__}: {exc}")
        if time.monotonic() - last_cli >= cli_every_s:
            last_cli = time.monotonic()
            _cli_query(config_path, stats)
        n += 1
        time.sleep(max(0.0, 1 / qps - (time.monotonic() - t0)))
    stats["seconds"] = round(time.monotonic() - began - stats["waited_for_copy_s"], 1)
    stats["copies_seen"] = len(inodes)
    Path(stats_path).write_text(json.dumps(stats), encoding="utf-8")
    return 0


def _count_failure(stats: dict, text: str) -> None:
    stats["failed"] += 1
    if any(m in text.lower() for m in LOCK_MARKERS) or "lock" in text.lower():
        stats["lock_errors"] += 1
    if len(stats["errors"]) < 20:
        stats["errors"].append(text[:300])


def _cli_query(config_path: str, stats: dict) -> None:
    cmd = [str(Path(sys.executable).parent / "kzwatch"), "query", "--config", config_path,
           "--format", "csv", QUERIES[0]]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode == 0:
        stats["cli_ok"] += 1
    else:
        stats["cli_failed"] += 1
        _count_failure(stats, f"kzwatch query exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
        stats["failed"] -= 1  # counted under cli_failed


# --- the simulated scheduler -----------------------------------------------------------------------


def scheduled_slots(client, begin: datetime, hours: int) -> list[tuple[datetime, str]]:
    """(slot time, 'flow/deployment') for every scheduled deployment, from its cron schedule."""
    from prefect.server.schemas.schedules import CronSchedule

    end = begin + timedelta(hours=hours)
    slots: list[tuple[datetime, str]] = []
    for dep in client.read_deployments():
        flow = client.read_flow(dep.flow_id).name
        for sched in dep.schedules:
            cron = CronSchedule(cron=sched.schedule.cron, timezone=sched.schedule.timezone)
            dates = asyncio.run(cron.get_dates(n=10_000, start=begin, end=end - timedelta(microseconds=1)))
            slots += [(datetime.fromisoformat(str(d)), f"{flow}/{dep.name}") for d in dates]
    return sorted(slots)


def run_hour(client, slots: list[tuple[datetime, str]], timeout_s: float) -> list:
    """Create the hour's runs together; wait until every one is final."""
    from prefect.deployments import run_deployment

    # called from sync code run_deployment returns the FlowRun itself (its type also admits a coroutine)
    ids = [cast(Any, run_deployment(name, parameters={"as_of": when.isoformat()}, timeout=0)).id for when, name in slots]
    deadline = time.monotonic() + timeout_s
    while True:
        runs = [client.read_flow_run(i) for i in ids]
        if all(r.state is not None and r.state.is_final() for r in runs):
            return runs
        if time.monotonic() > deadline:
            raise RuntimeError(f"runs not finished after {timeout_s:.0f} s: "
                               + ", ".join(f"{r.name}={r.state_name}" for r in runs))
        time.sleep(1.0)


def drive(client, world, begin: datetime, hours: int, procs: dict, budget: LoadBudget) -> dict:
    from kzwatch.sim.demo import START

    slots = scheduled_slots(client, begin, hours)
    memory: dict[str, list[float]] = {name: [] for name in procs}
    runs, day = [], None
    for hour in range(hours):
        now = begin + timedelta(hours=hour)
        if (now - START).days != day:
            day = (now - START).days
            world.arrange(day)  # between hours: no run is fetching while the web changes
        due = [s for s in slots if now <= s[0] < now + timedelta(hours=1)]
        t0 = time.monotonic()
        runs += run_hour(client, due, budget.hour_timeout_s) if due else []
        for name, proc in procs.items():
            memory[name].append(round(rss_mb(proc.pid), 1))
        print(f"  hour {hour:2d} {now:%Y-%m-%d %H:%M}Z day {day}: {len(due)} run(s) "
              f"{', '.join(n.split('/')[1] for _, n in due)} in {time.monotonic() - t0:.0f} s; "
              f"rss " + ", ".join(f"{k} {v[-1]:.0f} MB" for k, v in memory.items()), flush=True)
    return {"slots": len(slots), "run_ids": [r.id for r in runs], "memory": memory}


# --- reading the figures back -----------------------------------------------------------------------


def overlaps(intervals: list[tuple[datetime, datetime, str]]) -> list[str]:
    found, ordered = [], sorted(intervals)
    for (s1, e1, a), (s2, e2, b) in zip(ordered, ordered[1:]):
        if s2 < e1:
            found.append(f"{a} [{s1:%H:%M:%S}–{e1:%H:%M:%S}] overlaps {b} [{s2:%H:%M:%S}–{e2:%H:%M:%S}]")
    return found


def run_figures(client, run_ids: list) -> dict:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId, LogFilterLevel

    runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=run_ids)), limit=len(run_ids) + 1)
    deps = {d.id: d.name for d in client.read_deployments()}
    states: dict[str, int] = {}
    by_dep: dict[str, list] = {}
    for r in runs:
        states[r.state_name or "?"] = states.get(r.state_name or "?", 0) + 1
        if r.start_time and r.end_time:
            by_dep.setdefault(deps.get(r.deployment_id, "?"), []).append((r.start_time, r.end_time, r.name))
    same_dep = [o for ivs in by_dep.values() for o in overlaps(ivs)]
    across = overlaps([iv for ivs in by_dep.values() for iv in ivs])
    logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=run_ids),
                                                 level=LogFilterLevel(ge_=30)), limit=200)
    lock_logs = [lg.message[:200] for lg in logs if any(m in lg.message.lower() for m in LOCK_MARKERS)]
    durations = [r.total_run_time.total_seconds() for r in runs]
    return {"runs": len(runs), "states": states, "same_deployment_overlaps": same_dep,
            "flow_runs_concurrent_across_deployments": len(across),
            "warning_logs": len(logs), "lock_error_logs": lock_logs,
            "run_seconds_mean": round(sum(durations) / max(1, len(durations)), 1),
            "run_seconds_max": round(max(durations, default=0.0), 1),
            "task_retries": _task_retries(client, run_ids)}


def _task_retries(client, run_ids: list) -> int:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=run_ids)), limit=200)
    return sum(max(0, (t.run_count or 0) - 1) for t in tasks)


def cycle_figures(config) -> dict:
    from kzwatch.store import fetch_dicts, open_readonly

    with open_readonly(config.warehouse_path) as con:
        rows = fetch_dicts(con, "SELECT cycle_id, kind, status, started_at, finished_at FROM cycles")
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[f"{r['kind']}:{r['status']}"] = kinds.get(f"{r['kind']}:{r['status']}", 0) + 1
    held = [(r["started_at"], r["finished_at"], f"{r['kind']}@{r['cycle_id'][:8]}") for r in rows if r["finished_at"]]
    return {"cycles": len(rows), "by_kind_status": kinds, "cycle_overlaps": overlaps(held)}


def memory_figures(memory: dict[str, list[float]]) -> dict:
    return {name: {"first_mb": s[0], "last_mb": s[-1], "max_mb": max(s),
                   "slope_mb_per_hour": round(slope_per_hour(s), 2),
                   "slope_second_half_mb_per_hour": round(slope_per_hour(s[len(s) // 2:]), 2), "samples": s}
            for name, s in memory.items() if s}


def problems(fig: dict, budget: LoadBudget) -> list[str]:
    """Every way the run failed the issue's conditions, in words; empty when it passed."""
    out = []
    runs = fig["runs"]
    if runs["runs"] != fig["slots"] or set(runs["states"]) != {"Completed"}:
        out.append(f"{fig['slots']} scheduled slots, runs by state {runs['states']}")
    out += [f"same deployment: {o}" for o in runs["same_deployment_overlaps"]]
    out += [f"cycles: {o}" for o in fig["cycles"]["cycle_overlaps"]]
    if fig["cycles"]["cycles"] != fig["slots"]:
        out.append(f"{fig['cycles']['cycles']} cycles recorded for {fig['slots']} runs")
    out += [f"lock error in a run log: {m}" for m in runs["lock_error_logs"]]
    analyst = fig["analyst"]
    if analyst.get("failed") or analyst.get("cli_failed") or not analyst.get("ok"):
        out.append(f"analyst queries: {analyst.get('ok')} ok, {analyst.get('failed')} failed "
                   f"({analyst.get('lock_errors')} lock), CLI {analyst.get('cli_failed')} failed: "
                   f"{analyst.get('errors', [])[:3]}")
    for name, m in fig["memory"].items():
        if m["last_mb"] > m["first_mb"] * (1 + budget.rss_growth_limit) + budget.rss_slack_mb:
            out.append(f"{name} memory grew {m['first_mb']} → {m['last_mb']} MB ({m['slope_mb_per_hour']} MB/h)")
    return out


# --- the whole run ---------------------------------------------------------------------------------


def run_load(hours: int = 48, *, start_hour: int = 0, workdir: Path | None = None,
             budget: LoadBudget = LoadBudget()) -> dict:
    """Run the load; return the figures (``problems(figures)`` says what failed)."""
    from kzwatch.config import load_config
    from kzwatch.sim.demo import START, DemoWorld
    from kzwatch.sim.simweb import SimWeb

    workdir = Path(workdir or tempfile.mkdtemp(prefix="kzwatch-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with SimWeb() as web:
        world = DemoWorld(web, workdir)
        config_path = world.write_inputs()
        config = load_config(config_path)
        if not web.ca_path:
            raise RuntimeError("the simulated web has no CA file: the demo's https hosts need one")
        env = environment(workdir, free_port(), config_path, web.ca_path)
        fig = _with_server(env, workdir, world, START + timedelta(hours=start_hour), hours, budget)
        fig["cycles"] = cycle_figures(config)
    fig.update(hours=hours, start=(START + timedelta(hours=start_hour)).isoformat(), workdir=str(workdir),
               wall_seconds=round(time.monotonic() - began), date=datetime.now().astimezone().isoformat(timespec="minutes"))
    return fig


def _with_server(env: dict, workdir: Path, world, begin: datetime, hours: int, budget: LoadBudget) -> dict:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = start([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                    "--port", env["PREFECT_API_URL"].rsplit(":", 1)[1].split("/")[0]], env, workdir / "server.log")
    procs: dict[str, subprocess.Popen] = {"server": server}
    stop_file, stats_file = workdir / "analyst.stop", workdir / "analyst.json"
    try:
        startup_s = wait_healthy(env["PREFECT_API_URL"], server, budget.server_start_timeout_s)
        prefect_cli(env, "work-pool", "create", "kzwatch-pool", "--type", "process")
        prefect_cli(env, "--no-prompt", "deploy", "--prefect-file", "deploy/prefect.yaml", "--all")
        procs["worker"] = start([sys.executable, "-m", "prefect", "worker", "start", "--pool", "kzwatch-pool"],
                                env, workdir / "worker.log")
        procs["analyst"] = start([sys.executable, __file__, "analyst", env["KZWATCH_CONFIG"], str(stats_file),
                                  str(stop_file), str(budget.analyst_qps), str(budget.cli_query_every_s)],
                                 env, workdir / "analyst.log")
        with temporary_settings(updates={PREFECT_API_URL: env["PREFECT_API_URL"]}):
            with get_client(sync_client=True) as client:
                driven = drive(client, world, begin, hours, procs, budget)
                fig = {"server_startup_s": round(startup_s, 1), "slots": driven["slots"],
                       "runs": run_figures(client, driven["run_ids"]), "memory": memory_figures(driven["memory"])}
        stop_file.touch()
        procs.pop("analyst").wait(120)
        fig["analyst"] = _analyst_figures(stats_file)
        return fig
    finally:
        stop_file.touch()
        for proc in reversed(list(procs.values())):
            stop(proc)


def _analyst_figures(stats_file: Path) -> dict:
    if not stats_file.exists():
        return {"ok": 0, "failed": 0, "errors": ["the analyst process wrote no figures (see analyst.log)"]}
    stats = json.loads(stats_file.read_text(encoding="utf-8"))
    lat = sorted(stats.pop("latencies_ms")) or [0.0]
    stats.update(queries_per_s=round(stats["ok"] / max(1.0, stats["seconds"]), 2),
                 p50_ms=lat[len(lat) // 2], p95_ms=lat[int(len(lat) * 0.95)], max_ms=lat[-1])
    return stats


def print_figures(fig: dict, found: list[str]) -> None:
    runs, an = fig["runs"], fig["analyst"]
    print(f"\nkzwatch load: {fig['hours']} simulated hours from {fig['start']}, run {fig['date']}, "
          f"{fig['wall_seconds']} s wall (2 shared cores: noisy)")
    print(f"prefect server: up in {fig['server_startup_s']} s; {fig['slots']} scheduled slots → "
          f"{runs['runs']} flow runs, states {runs['states']}")
    print(f"run time: mean {runs['run_seconds_mean']} s, max {runs['run_seconds_max']} s; "
          f"task retries {runs['task_retries']}; warning/error log lines {runs['warning_logs']}, "
          f"lock errors in logs {len(runs['lock_error_logs'])}")
    print(f"overlaps: same deployment {len(runs['same_deployment_overlaps'])}; cycles holding the warehouse "
          f"{len(fig['cycles']['cycle_overlaps'])} (flow runs of different deployments running at once: "
          f"{runs['flow_runs_concurrent_across_deployments']}, serialised by the cycle lock); "
          f"cycles {fig['cycles']['by_kind_status']}")
    print(f"analysts: {an.get('ok')} queries ok, {an.get('failed')} failed ({an.get('lock_errors')} lock errors), "
          f"{an.get('queries_per_s')} q/s, p50 {an.get('p50_ms')} ms, p95 {an.get('p95_ms')} ms, max {an.get('max_ms')} ms; "
          f"kzwatch query CLI {an.get('cli_ok')} ok / {an.get('cli_failed')} failed; "
          f"{an.get('copies_seen')} successive analyst copies read")
    for name, m in fig["memory"].items():
        print(f"rss {name}: first {m['first_mb']} MB, last {m['last_mb']} MB, max {m['max_mb']} MB, "
              f"slope {m['slope_mb_per_hour']} MB/simulated hour ({m['slope_second_half_mb_per_hour']} over the second half)")
    print("PASS" if not found else "FAIL:\n  " + "\n  ".join(found))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["analyst"]:
        config, stats, stop_path, qps, every = argv[1:6]
        return analyst_loop(config, stats, stop_path, float(qps), float(every))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=int, default=48, help="simulated hours (default 48)")
    parser.add_argument("--start-hour", type=int, default=0, help="hours after the demo's start (2026-03-02 06:00Z)")
    parser.add_argument("--workdir", type=Path, help="keep everything here (default: a new temporary directory)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    fig = run_load(args.hours, start_hour=args.start_hour, workdir=args.workdir)
    found = problems(fig, LoadBudget())
    print_figures(fig, found)
    if args.json:
        args.json.write_text(json.dumps({**fig, "problems": found}, default=str, indent=1), encoding="utf-8")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
