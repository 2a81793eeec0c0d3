"""kill -9 at any moment loses nothing committed, and the next cycle completes the work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from kzwatch.config import load_config
from kzwatch.cycles import direct
from kzwatch.sim.simweb import Drip, Page
from kzwatch.store import open_warehouse

HOSTS = [f"h{i}.test" for i in range(6)] + ["canary.test"]
AS_OF = "2026-05-01T06:00:00+00:00"


@pytest.fixture
def slow_world(web, tmp_path, kz_config):
    rows = ["footnote,url,title,outlet,author,published,accessed"]
    for i, host in enumerate(HOSTS[:-1]):
        for j in range(3):
            path = f"/a/{j}.html"
            # a page trickles for a while: the cycle is mid-flight when it is killed
            route = Drip(interval_s=0.05, max_seconds=0.6) if j == 0 else Page(body=f"<title>{host}{j}</title><p>text {j}</p>")
            web.add(host, path, route)
            rows.append(f"{i * 3 + j + 1},{web.url(host, path)},T{i}{j},O,,,2021-01-28")
    web.add("canary.test", "/", Page(body="ok"))
    (tmp_path / "c.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = kz_config(hosts=HOSTS, warehouse={"lock_wait_s": 30}, article=[{"id": "crash", "citations": "c.csv"}],
                       fetch={"per_host_delay_s": 0.1, "timeout_s": 2, "max_parallel_hosts": 2,
                              "canary_urls": [web.url("canary.test", "/")]},
                       check={"batch_rows": 3})
    return Path(config.source)


def _consistent(path: Path) -> tuple[int, int]:
    with open_warehouse(path) as con:
        checks = con.execute("SELECT count(*) FROM checks").fetchall()[0][0]
        states = con.execute("SELECT count(*) FROM url_state WHERE last_checked_at IS NOT NULL").fetchall()[0][0]
        orphans = con.execute("SELECT count(*) FROM checks k LEFT JOIN url_state u USING (url) "
                              "WHERE u.url IS NULL").fetchall()[0][0]
        missing = con.execute("SELECT count(*) FROM checks WHERE snapshot_id IS NOT NULL AND snapshot_id NOT IN "
                              "(SELECT snapshot_id FROM snapshots)").fetchall()[0][0]
    assert orphans == 0 and missing == 0  # a check never lands without its state and snapshot
    return checks, states


@pytest.mark.parametrize("kill_after_s", [0.3, 1.0, 2.5, 4.0])
def test_kill_9_mid_cycle_then_the_next_cycle_completes(slow_world, kill_after_s):
    env = {**os.environ, "KZWATCH_PREFECT": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "kzwatch.cli", "check", "--config", str(slow_world), "--as-of", AS_OF],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(kill_after_s)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    cfg = load_config(slow_world)
    checks, states = _consistent(cfg.warehouse_path)
    # committed in batches of 3: whatever was committed is whole (a check with its state and
    # snapshot), and nothing is half-written
    assert 0 <= checks <= 18 and checks % 3 == 0 and states == checks

    summary = direct.run("check", cfg, datetime.fromisoformat(AS_OF))  # the next cycle, same slot
    assert summary.checked == 18 - checks  # only what the killed cycle had not committed
    checks, states = _consistent(cfg.warehouse_path)
    assert checks == 18 and states == 18
    assert cfg.analyst_copy_path.exists()
