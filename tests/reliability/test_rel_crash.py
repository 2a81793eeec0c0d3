"""Crash durability: kill -9 at random moments, a full disk, a corrupted warehouse file.

The long kill run is a separate command (``crashharness.py --kills 200``, docs/RELIABILITY.md);
here a handful of kills, one per cycle kind, with the same invariants.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import LONG
from crashharness import HOSTS, T0, _env, build_world, command, run_harness

from kzwatch.sim.simweb import SimWeb
from kzwatch.store import open_warehouse

URLS = 12


@pytest.fixture
def world(tmp_path):
    with SimWeb(tls=False) as web:
        for host in HOSTS:
            web.add_name(host)
        yield build_world(web, tmp_path)


def test_kill_9_of_every_cycle_kind_keeps_the_invariants(tmp_path):
    stats = run_harness(tmp_path, kills=12 if LONG else 3, seed=7, log=lambda *_: None)
    assert stats.failures == []
    assert stats.opened_after_kill == stats.kills and stats.reruns_ok == stats.kills
    assert all(n >= 1 for n in stats.kills_by_kind.values())


def _run(config: Path, day: int, preexec=None) -> subprocess.CompletedProcess:
    return subprocess.run(command("check", config, T0 + timedelta(days=day)), env=_env(), capture_output=True,
                          text=True, timeout=300, preexec_fn=preexec)


def _checks_on(config: Path, day: int) -> int:
    with open_warehouse(config.parent / "w.duckdb", wait_s=10) as con:
        return con.execute("SELECT count(*) FROM checks WHERE checked_at = ?", [T0 + timedelta(days=day)]).fetchall()[0][0]


def _one_line_storage_failure(done: subprocess.CompletedProcess, fragment: str) -> None:
    assert done.returncode != 0
    ours = [line for line in done.stderr.splitlines() if line.startswith("kzwatch:")]
    assert len(ours) == 1 and fragment in ours[0], done.stderr[-2000:]
    assert "Traceback" not in done.stderr


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_write_failure_ends_the_cycle_in_one_line_and_leaves_no_partial_state(world):
    assert _run(world, 0).returncode == 0
    done = _run(world, 1, preexec=_limit_file_size)
    _one_line_storage_failure(done, "storage failure")
    assert _checks_on(world, 1) in (0, URLS)  # all or nothing
    assert not list(world.parent.glob(".*.tmp"))  # no half-written analyst copy left behind
    assert _run(world, 1).returncode == 0  # space is back: the next cycle completes the slot
    assert _checks_on(world, 1) == URLS


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        if os.environ.get("CI") and os.geteuid() == 0:
            pytest.fail(f"cannot mount a tmpfs as root: {made.stderr!r}")
        pytest.skip("needs root to mount a small tmpfs (the RLIMIT_FSIZE test covers the same path)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_full_disk_ends_the_cycle_in_one_line_and_the_next_completes(small_disk):
    with SimWeb(tls=False) as web:
        for host in HOSTS:
            web.add_name(host)
        config = build_world(web, small_disk)
        assert _run(config, 0).returncode == 0
        filler = small_disk / f"filler-{uuid.uuid4().hex}"
        with open(filler, "wb") as handle:
            try:
                while True:
                    handle.write(b"\0" * (1 << 20))
            except OSError:
                pass
        while shutil.disk_usage(small_disk).free > 0:  # the last partial MiB too
            try:
                with open(filler, "ab") as handle:
                    handle.write(b"\0" * 4096)
            except OSError:
                break
        done = _run(config, 1)
        _one_line_storage_failure(done, "No space left on device")
        filler.unlink()
        assert _checks_on(config, 1) in (0, URLS)
        assert not list(small_disk.glob(".*.tmp"))
        assert _run(config, 1).returncode == 0
        assert _checks_on(config, 1) == URLS


@pytest.mark.parametrize("damage", ["header_flipped", "zeroed", "truncated"] if LONG else ["header_flipped", "truncated"])
def test_corrupted_warehouse_is_refused_at_open_and_restored_from_the_analyst_copy(world, damage):
    assert _run(world, 0).returncode == 0
    warehouse = world.parent / "w.duckdb"
    backup = world.parent / "w-analyst.duckdb"  # published after every completed cycle
    data = bytearray(warehouse.read_bytes())
    if damage == "header_flipped":
        data[:4096] = bytes(b ^ 0xFF for b in data[:4096])
    elif damage == "zeroed":
        data = bytearray(len(data))
    else:
        data = data[: len(data) // 2]
    warehouse.write_bytes(bytes(data))
    done = _run(world, 1)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    line = [ln for ln in done.stderr.splitlines() if ln.startswith("kzwatch:")]
    assert len(line) == 1 and "cannot open warehouse" in line[0] and str(warehouse) in line[0]
    # the documented recovery (docs/RELIABILITY.md): move the damaged file aside, copy the backup in
    warehouse.rename(warehouse.with_suffix(".damaged"))
    shutil.copyfile(backup, warehouse)
    assert _run(world, 1).returncode == 0
    assert _checks_on(world, 0) == URLS and _checks_on(world, 1) == URLS
