"""Fan-out of page fetches (kzwatch.fanout) and the ``[scale]`` config keys.

The central test runs the fan-out on a real ``distributed.LocalCluster`` of two worker
processes against the loopback simulated web.  The workers get their host -> 127.0.0.1
mappings and their private-address allowance from the config's ``[fetch]`` table (exactly as in
production), and the CA of the simulated web from ``REQUESTS_CA_BUNDLE`` in the environment
they inherit.  Timing assertions are lower bounds only (politeness); speed lives in bench/.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from kzwatch_flows.fanout import task_runner

from kzwatch.config import ConfigError, load_config
from kzwatch.fanout import ShardResult, fan_out, fetch_shard, wants_fan_out
from kzwatch.fetch import FetchJob
from kzwatch.sim.simweb import Page

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy",
                   "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
DELAY_S = 0.25
HOSTS = [f"h{i}.fanout.test" for i in range(4)]
PAGES_PER_HOST = 3


def write_config(tmp_path: Path, hosts: list[str], *, delay_s: float = DELAY_S, scale: str = "") -> Path:
    fetch = {"per_host_delay_s": delay_s, "timeout_s": 5, "connect_timeout_s": 3, "retries": 0,
             "allow_private_hosts": hosts, "canary_urls": []}
    lines = [f"{k} = {json.dumps(v)}" for k, v in fetch.items()]
    lines.append("resolve = { " + ", ".join(f'"{h}" = "127.0.0.1"' for h in hosts) + " }")
    path = tmp_path / "kzwatch.toml"
    path.write_text("[warehouse]\npath = \"w.duckdb\"\n[fetch]\n" + "\n".join(lines)
                    + "\n[archive]\nenabled = false\n" + scale, encoding="utf-8")
    return path


@pytest.fixture
def site(web, tmp_path, monkeypatch):
    """Several hosts with several pages each; workers trust the simulated web's CA."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    monkeypatch.delenv("KZWATCH_RESOLVE", raising=False)
    jobs = []
    for host in HOSTS:
        for i in range(PAGES_PER_HOST):
            web.add(host, f"/p{i}", Page(body=f"<html><title>{host} {i}</title></html>"))
    # interleaved, as a citation list would be
    for i in range(PAGES_PER_HOST):
        jobs += [FetchJob(web.url(host, f"/p{i}")) for host in HOSTS]
    return load_config(write_config(tmp_path, HOSTS)), jobs


def recording(submit):
    """Wrap a submit function to keep each shard's jobs and future (to see which worker ran it)."""
    seen: list[tuple[list[FetchJob], object]] = []

    def wrapped(config, jobs):
        future = submit(config, jobs)
        seen.append((jobs, future))
        return future

    return wrapped, seen


def assert_complete_and_in_order(jobs, results):
    assert [r.url for r in results] == [j.url for j in jobs]
    for job, result in zip(jobs, results):
        assert result.error is None and result.status == 200, (job.url, result.error, result.error_detail)
        host, page = job.url.split("//")[1].split(":")[0], job.url.rsplit("/p", 1)[1]
        assert result.text == f"<html><title>{host} {page}</title></html>"


def test_fan_out_over_a_dask_local_cluster_keeps_each_host_on_one_polite_worker(site, web):
    distributed = pytest.importorskip("distributed")
    config, jobs = site
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        submit, seen = recording(functools.partial(client.submit, fetch_shard, pure=False))
        results = fan_out(config, submit, shards=2)(jobs)
        shards = [(shard_jobs, future.result()) for shard_jobs, future in seen]

    assert_complete_and_in_order(jobs, results)

    # each host was fetched by exactly one worker process, and both workers worked
    worker_of_host: dict[str, set[str]] = defaultdict(set)
    for shard_jobs, shard in shards:
        assert isinstance(shard, ShardResult)
        for job in shard_jobs:
            worker_of_host[job.url.split("//")[1].split(":")[0]].add(shard.worker)
    assert set(worker_of_host) == set(HOSTS)
    assert all(len(workers) == 1 for workers in worker_of_host.values()), worker_of_host
    assert len(set().union(*worker_of_host.values())) == 2

    # politeness as the servers saw it: per host, robots.txt then the pages, one at a time,
    # each request starting at least per_host_delay_s after the previous one started
    arrivals: dict[str, list[float]] = defaultdict(list)
    for request in web.requests:
        arrivals[request.host].append(request.time)
    assert {h: len(t) for h, t in arrivals.items()} == {h: 1 + PAGES_PER_HOST for h in HOSTS}
    for host, times in arrivals.items():
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert min(gaps) >= DELAY_S, (host, gaps)


def test_fan_out_on_threads_is_complete_in_order_and_sharded_by_host(site):
    config, jobs = site
    with ThreadPoolExecutor(max_workers=3) as pool:
        submit, seen = recording(functools.partial(pool.submit, fetch_shard))
        results = fan_out(config, submit, shards=3)(jobs)
    assert_complete_and_in_order(jobs, results)
    assert len(seen) == 3 and sorted(len(j) for j, _ in seen) == [3, 3, 6]


def test_the_callers_next_request_to_a_host_waits_a_politeness_delay(site, web):
    """The cycle probes the same hosts for soft-404s right after the fan-out, with a fetcher
    that never saw the workers' requests."""
    config, jobs = site
    with ThreadPoolExecutor(max_workers=2) as pool:
        fan_out(config, functools.partial(pool.submit, fetch_shard), shards=2)(jobs)
    probe = fetch_shard(config, [FetchJob(jobs[0].url)])  # a new fetcher, as the cycle's own is
    assert probe.results[0].status == 200
    host = jobs[0].url.split("//")[1].split(":")[0]
    times = [r.time for r in web.requests if r.host == host]
    assert len(times) == 1 + PAGES_PER_HOST + 2  # robots, pages; then robots again and the page
    assert min(b - a for a, b in zip(times, times[1:])) >= DELAY_S


def test_no_wait_when_there_is_nothing_to_fetch(tmp_path):
    config = load_config(write_config(tmp_path, HOSTS, delay_s=3.0))
    waits: list[float] = []
    assert fan_out(config, None, shards=2, sleep=waits.append)([]) == []  # type: ignore[arg-type]
    assert waits == []


def test_a_failed_shard_fails_the_fetch_rather_than_losing_urls(site):
    config, jobs = site

    def lost_worker():
        raise RuntimeError("worker lost")

    def submit(config, jobs):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(lost_worker)

    with pytest.raises(RuntimeError, match="worker lost"):
        fan_out(config, submit, shards=2)(jobs)


# --- [scale] config -----------------------------------------------------------------------------


def test_scale_defaults_to_one_process(tmp_path):
    config = load_config(write_config(tmp_path, HOSTS))
    assert (config.scale.runner, config.scale.workers, config.scale.dask_address) == ("local", 4, "")
    assert not wants_fan_out(config) and task_runner(config) is None


@pytest.mark.parametrize("scale, message", [
    ('runner = "ray"', "'scale.runner' must be one of local, threads, dask, not 'ray'"),
    ("workers = 0", "'scale.workers' must be at least 1, not 0"),
    ('workers = "2"', "'scale.workers' must be an integer, not str '2'"),
    ('dask_address = "tcp://10.0.0.5:8786"', "'scale.dask_address' is set but 'runner' is 'local'"),
    ("threads = 2", "unknown key 'scale.threads'"),
])
def test_scale_errors_are_one_clear_line(tmp_path, scale, message):
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, HOSTS, scale=f"[scale]\n{scale}\n"))
    text = str(info.value)
    assert message in text and "\n" not in text and str(tmp_path) in text


def test_task_runner_follows_the_config(tmp_path):
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    threads = task_runner(load_config(write_config(tmp_path, HOSTS, scale='[scale]\nrunner = "threads"\nworkers = 3\n')))
    assert isinstance(threads, ThreadPoolTaskRunner) and threads._max_workers == 3

    local = task_runner(load_config(write_config(tmp_path, HOSTS, scale='[scale]\nrunner = "dask"\nworkers = 2\n')))
    assert isinstance(local, DaskTaskRunner) and local.address is None
    assert local.cluster_kwargs["n_workers"] == 2 and local.cluster_kwargs["processes"] is True

    remote = task_runner(load_config(write_config(
        tmp_path, HOSTS, scale='[scale]\nrunner = "dask"\ndask_address = "tcp://127.0.0.1:8786"\n')))
    assert isinstance(remote, DaskTaskRunner) and remote.address == "tcp://127.0.0.1:8786"


def test_dask_runner_without_the_extra_says_what_to_install(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "prefect_dask", None)  # import fails as if not installed
    config = load_config(write_config(tmp_path, HOSTS, scale='[scale]\nrunner = "dask"\n'))
    with pytest.raises(ConfigError, match=r"prefect-dask is not installed; pip install 'kzwatch\[dask\]'"):
        task_runner(config)
