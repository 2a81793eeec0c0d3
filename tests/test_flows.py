"""The Prefect side: flows run for real (one test harness per session) and deploy/prefect.yaml
is accepted by ``prefect deploy`` against a real local Prefect server.

These are the slow tests (~15 s for the harness, ~30 s for the server); everything they run is
otherwise tested as plain functions.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from kzwatch.sim.simweb import Page

pytestmark = pytest.mark.flow
REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-02-01T06:00:00+00:00"


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


def write_config(tmp_path: Path, web, kz_config) -> Path:
    url = web.url("flow.test", "/a/story/1.html")
    (tmp_path / "cites.csv").write_text(
        f"footnote,url,title,outlet,author,published,accessed\n1,{url},Story,Outlet,,,2021-01-28\n", encoding="utf-8")
    config = kz_config(hosts=["flow.test", "canary.test"], article=[{"id": "flow-article", "citations": "cites.csv"}],
                       feed=[{"url": web.url("flow.test", "/rss")}], fetch={"canary_urls": [web.url("canary.test", "/")]})
    return Path(config.source)


def test_full_cycle_flow_runs_with_as_of_and_publishes_artifacts(harness, web, tmp_path, monkeypatch, kz_config):
    from kzwatch_flows.cycle import full_cycle
    from prefect.client.orchestration import get_client

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    web.add("flow.test", "/a/story/1.html", Page(body="<html><title>Story</title><p>text</p></html>"))
    web.add("canary.test", "/", Page(body="ok"))
    web.add("flow.test", "/rss", Page(body="<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>"
                                           "</channel></rss>", content_type="application/rss+xml"))
    config = write_config(tmp_path, web, kz_config)
    result = full_cycle(config=str(config), as_of=AS_OF)
    assert result["check"]["checked"] == 1
    assert result["check"]["states"] == {"alive": 1}
    assert result["discover"]["sources"] == 1 and result["discover"]["failed_sources"] == 0

    import duckdb

    con = duckdb.connect(str(tmp_path / "w-analyst.duckdb"), read_only=True)
    checked_at = con.execute("SELECT last_checked_at FROM link_health").fetchone()[0]
    con.close()
    assert checked_at == datetime(2026, 2, 1, 6, 0, tzinfo=timezone.utc)

    import asyncio

    async def artifact_keys():
        async with get_client() as client:
            return {a.key for a in await client.read_artifacts()}

    keys = asyncio.run(artifact_keys())
    assert {"kzwatch-check", "kzwatch-check-table", "kzwatch-discover"} <= keys


def test_check_flow_fans_page_fetches_out_over_a_dask_local_cluster(harness, web, tmp_path, kz_config):
    """``[scale] runner = "dask"``: the flow starts a LocalCluster of two worker processes and
    runs one ``fetch-shard`` task per host-partitioned shard on it; the cycle still writes once."""
    import asyncio

    from kzwatch_flows.check_links import check_links
    from prefect.client.orchestration import get_client

    # kz_config sets REQUESTS_CA_BUNDLE (inherited by the worker processes) and clears proxies
    hosts = [f"s{i}.flow.test" for i in range(3)]
    rows = ["footnote,url,title,outlet,author,published,accessed"]
    for n, (host, page) in enumerate(((h, p) for h in hosts for p in range(2)), start=1):
        web.add(host, f"/{page}", Page(body=f"<html><title>{host} {page}</title><p>text</p></html>"))
        rows.append(f"{n},{web.url(host, f'/{page}')},{host} {page},Outlet,,,2021-01-28")
    (tmp_path / "cites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = kz_config(hosts=hosts, article=[{"id": "fanout-article", "citations": "cites.csv"}],
                       fetch={"per_host_delay_s": 0.1, "timeout_s": 5}, scale={"runner": "dask", "workers": 2})
    result = check_links(config=config.source, as_of=AS_OF)
    assert result["checked"] == 6 and result["states"] == {"alive": 6}

    async def shard_runs():
        async with get_client() as client:
            return [r for r in await client.read_task_runs() if r.name.startswith("fetch-shard")]

    runs = asyncio.run(shard_runs())
    # two shards for the pages; each page job carries its directory's soft-404 probe, fetched in
    # the same shard right after the page (no canaries)
    assert len(runs) == 2 and all(r.state.is_completed() for r in runs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_prefect_deploy_accepts_deploy_yaml(tmp_path):
    """``prefect deploy`` against a real local server creates every deployment of the file."""
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"),
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "KZWATCH_HOME": str(REPO), "KZWATCH_CONFIG": str(tmp_path / "kzwatch.toml")}
    prefect = [sys.executable, "-m", "prefect"]
    server = subprocess.Popen(prefect + ["server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/api/health", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "prefect server did not start"
            time.sleep(1)

        def run(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(prefect + ["--no-prompt", *args], env=env, cwd=REPO, capture_output=True,
                                  text=True, timeout=300)

        pool = run("work-pool", "create", "kzwatch-pool", "--type", "process")
        assert pool.returncode == 0, pool.stdout + pool.stderr
        deployed = run("deploy", "--prefect-file", "deploy/prefect.yaml", "--all")
        assert deployed.returncode == 0, deployed.stdout[-3000:] + deployed.stderr[-3000:]
        deployments = requests.post(f"http://127.0.0.1:{port}/api/deployments/filter", json={}, timeout=10).json()
        crons = {d["name"]: [s["schedule"].get("cron") for s in d.get("schedules", [])] for d in deployments}
        assert set(crons) == {"link-health-daily", "archive-daily", "discovery-hourly", "digest-daily",
                              "full-cycle-manual"}
        assert all(d["work_pool_name"] == "kzwatch-pool" for d in deployments)
        assert crons["digest-daily"] == ["0 7 * * *"]
        assert crons["discovery-hourly"] == ["10 * * * *"]
        assert crons["archive-daily"] == ["30 15 * * *"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
