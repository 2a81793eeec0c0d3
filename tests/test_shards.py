"""Host-partitioned shards (kzwatch.shards): pure, so tested exhaustively and by property."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzwatch.fetch import FetchJob, host_key
from kzwatch.shards import Shard, in_job_order, partition_by_host


def jobs_for(*urls: str) -> list[FetchJob]:
    return [FetchJob(u) for u in urls]


def hosts_of(shard: Shard) -> set[str]:
    return {host_key(j.url) for j in shard.jobs}


def test_every_url_of_a_host_lands_in_one_shard_and_shards_are_balanced():
    jobs = jobs_for(*[f"https://big.kz/{i}" for i in range(4)],
                    *[f"https://mid.kz/{i}" for i in range(3)],
                    *[f"https://small{i}.kz/" for i in range(3)])
    shards = partition_by_host(jobs, 2)
    # big -> [4,0], mid -> [4,3], small0 -> [4,4], small1 -> [5,4] (tie: lower shard), small2 -> [5,5]
    assert [s.hosts for s in shards] == [("big.kz", "small1.kz"), ("mid.kz", "small0.kz", "small2.kz")]
    assert [len(s.jobs) for s in shards] == [5, 5]
    for shard in shards:
        assert list(shard.jobs) == [jobs[i] for i in shard.indexes]
        assert list(shard.indexes) == sorted(shard.indexes)


def test_greedy_largest_host_first():
    # Hosts of 5, 4, 3, 3, 1 URLs over 3 shards, each to the lightest shard so far:
    # a -> [5,0,0], b -> [5,4,0], c -> [5,4,3], d -> [5,4,6], e -> [5,5,6].
    sizes = {"a.kz": 5, "b.kz": 4, "c.kz": 3, "d.kz": 3, "e.kz": 1}
    jobs = jobs_for(*[f"https://{h}/{i}" for h, n in sizes.items() for i in range(n)])
    shards = partition_by_host(jobs, 3)
    assert sorted((len(s.jobs), s.hosts) for s in shards) == [
        (5, ("a.kz",)), (5, ("b.kz", "e.kz")), (6, ("c.kz", "d.kz"))]


def test_host_key_ignores_case_port_and_trailing_dot():
    jobs = jobs_for("https://News.KZ/a", "https://news.kz:8443/b", "http://news.kz./c", "https://other.kz/")
    shards = partition_by_host(jobs, 4)
    assert len(shards) == 2
    news = next(s for s in shards if "news.kz" in s.hosts)
    assert news.indexes == (0, 1, 2) and news.hosts == ("news.kz",)


def test_one_shard_keeps_the_original_order():
    jobs = jobs_for("https://b.kz/1", "https://a.kz/1", "https://b.kz/2", "not a url")
    [shard] = partition_by_host(jobs, 1)
    assert shard.indexes == (0, 1, 2, 3) and list(shard.jobs) == jobs


def test_more_shards_than_hosts_drops_the_empty_ones():
    jobs = jobs_for("https://a.kz/1", "https://b.kz/1", "https://a.kz/2")
    shards = partition_by_host(jobs, 8)
    assert [s.hosts for s in shards] == [("a.kz",), ("b.kz",)]


def test_no_jobs_no_shards_and_bad_n():
    assert partition_by_host([], 3) == []
    assert in_job_order([], [], 0) == []
    with pytest.raises(ValueError, match="at least 1"):
        partition_by_host(jobs_for("https://a.kz/"), 0)


def test_urls_without_a_host_share_one_shard():
    jobs = jobs_for("mailto:x@y", "http://", "https://a.kz/")
    shards = partition_by_host(jobs, 3)
    assert sorted(s.hosts for s in shards) == [("",), ("a.kz",)]


def test_duplicate_jobs_keep_their_own_positions():
    jobs = jobs_for("https://a.kz/1", "https://a.kz/1", "https://b.kz/1")
    shards = partition_by_host(jobs, 2)
    results = [[f"r{i}" for i in s.indexes] for s in shards]
    assert in_job_order(shards, results, len(jobs)) == ["r0", "r1", "r2"]


def test_in_job_order_refuses_what_does_not_fit():
    jobs = jobs_for("https://a.kz/1", "https://b.kz/1")
    shards = partition_by_host(jobs, 2)
    with pytest.raises(ValueError, match="returned 0 results for 1 jobs"):
        in_job_order(shards, [["x"], []], 2)
    with pytest.raises(ValueError, match="result lists for"):
        in_job_order(shards, [["x"]], 2)
    with pytest.raises(ValueError, match="no result"):
        in_job_order(shards[:1], [["x"]], 2)
    with pytest.raises(ValueError, match="covered twice"):
        in_job_order([shards[0], shards[0]], [["x"], ["y"]], 2)


HOSTS = ["a.kz", "B.kz", "b.kz:8443", "c.kz.", "xn--80ak6aa92e.com", "d.kz", "e.kz", "f.kz"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(HOSTS), st.integers(0, 5)), max_size=40), st.integers(1, 10))
def test_partition_properties(picks, n):
    jobs = [FetchJob(f"https://{host}/p{path}") for host, path in picks]
    shards = partition_by_host(jobs, n)
    # every job exactly once
    positions = [i for s in shards for i in s.indexes]
    assert sorted(positions) == list(range(len(jobs)))
    # no host split across shards; hosts listed are the hosts present
    seen: dict[str, int] = {}
    for number, shard in enumerate(shards):
        assert shard.jobs and set(shard.hosts) == hosts_of(shard)
        for host in shard.hosts:
            assert seen.setdefault(host, number) == number
    # at most n shards, one per host at most
    assert len(shards) <= min(n, len({host_key(j.url) for j in jobs}))
    # greedy bound: no shard exceeds the ideal share by more than its largest host
    if shards:
        ideal = len(jobs) / len(shards)
        for shard in shards:
            biggest = max(sum(1 for j in shard.jobs if host_key(j.url) == h) for h in shard.hosts)
            assert len(shard.jobs) <= ideal + biggest
    # reassembly gives back the original order
    results = [[jobs[i].url + f"#{i}" for i in s.indexes] for s in shards]
    assert in_job_order(shards, results, len(jobs)) == [j.url + f"#{i}" for i, j in enumerate(jobs)]
    if n == 1 and jobs:
        assert len(shards) == 1
