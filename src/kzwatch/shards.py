"""Host-partitioned shards: how page fetches are split across workers without losing politeness.

A :class:`kzwatch.fetch.Fetcher` is polite per host (one request at a time, ``per_host_delay_s``
between them) only among the calls it makes itself.  Two fetchers in two worker processes know
nothing of each other, so if both held URLs of one host they would hit it together.  The fix is
to never let that happen: every URL of a host goes to exactly one shard, and one shard is
fetched by one fetcher on one worker.  Politeness then holds across any number of workers with
no coordination between them.

The host key is :func:`kzwatch.fetch.host_key`, the very key the fetcher's throttle waits on:
the host name lower-cased, IDNA-encoded, without a trailing dot and *without the port*.
``example.kz:443`` and ``example.kz:8443`` are one host here because they are one host to the
throttle (and usually one machine).  URLs with no usable host share the key ``""``; they never
reach the network, so where they land does not matter.

Shards are balanced by job count with the greedy "largest host first" rule (each host, biggest
first, goes to the shard with the fewest jobs so far).  A shard can never be smaller than its
biggest host, so one huge host bounds the speed-up: that is the price of politeness.

Pure functions only: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from kzwatch.fetch import FetchJob, host_key

R = TypeVar("R")

#: Where link-health page fetches run: "local" is one process, no fan-out.
SCALE_RUNNERS = ("local", "threads", "dask")


@dataclass(frozen=True)
class ScaleSettings:
    """The ``[scale]`` section (README "Scale-out"): which runner fetches the shards, how many
    shards (and Dask workers or threads), and an existing Dask scheduler instead of a
    LocalCluster."""

    runner: str = "local"
    workers: int = 4
    dask_address: str = ""

    def __post_init__(self) -> None:
        if self.runner not in SCALE_RUNNERS:
            raise ValueError(f"'runner' must be one of {', '.join(SCALE_RUNNERS)}, not {self.runner!r}")
        if self.workers < 1:
            raise ValueError(f"'workers' must be at least 1, not {self.workers}")
        if self.dask_address and self.runner != "dask":
            raise ValueError(f"'dask_address' is set but 'runner' is {self.runner!r}; "
                             'set runner = "dask" to use it')


@dataclass(frozen=True)
class Shard:
    """The jobs one worker fetches, and where each came from in the original list."""

    indexes: tuple[int, ...]  # positions in the original job list, ascending
    jobs: tuple[FetchJob, ...]  # the jobs at those positions, in that order
    hosts: tuple[str, ...]  # host keys in this shard (no other shard has any of them)


def partition_by_host(jobs: Sequence[FetchJob], n: int,
                      key: Callable[[str], str] = host_key) -> list[Shard]:
    """Split ``jobs`` into at most ``n`` shards; all jobs of one host land in one shard.

    Deterministic: ties are broken by where a host first appears in ``jobs`` and by shard
    number.  Empty shards are dropped, so fewer than ``n`` come back when there are fewer hosts.
    Within a shard jobs keep their original order (a host's URLs are fetched in list order).
    """
    if n < 1:
        raise ValueError(f"number of shards must be at least 1, not {n}")
    by_host: dict[str, list[int]] = {}
    for index, job in enumerate(jobs):
        by_host.setdefault(key(job.url), []).append(index)

    # Largest host first; among equals, the one seen first (dict order is first appearance and
    # sorted() is stable).
    largest_first = sorted(by_host, key=lambda h: -len(by_host[h]))
    loads = [0] * n
    assigned: list[list[str]] = [[] for _ in range(n)]
    for host in largest_first:
        target = min(range(n), key=lambda s: (loads[s], s))
        assigned[target].append(host)
        loads[target] += len(by_host[host])

    shards = []
    for shard_hosts in assigned:
        if not shard_hosts:
            continue
        indexes = tuple(sorted(i for h in shard_hosts for i in by_host[h]))
        shards.append(Shard(indexes=indexes, jobs=tuple(jobs[i] for i in indexes),
                            hosts=tuple(sorted(shard_hosts))))
    return shards


def in_job_order(shards: Sequence[Shard], results: Sequence[Sequence[R]], total: int) -> list[R]:
    """Put per-shard results back in the order of the original job list.

    ``results[k]`` must hold one result per job of ``shards[k]``, in the shard's order, and the
    shards must cover positions ``0 .. total-1`` exactly once; anything else is a bug in the
    runner and raises ``ValueError`` rather than silently misattributing a result to a URL.
    """
    if len(results) != len(shards):
        raise ValueError(f"{len(results)} result lists for {len(shards)} shards")
    placed: list[R | None] = [None] * total
    filled = [False] * total
    for number, (shard, shard_results) in enumerate(zip(shards, results)):
        if len(shard_results) != len(shard.indexes):
            raise ValueError(f"shard {number} returned {len(shard_results)} results "
                             f"for {len(shard.indexes)} jobs")
        for index, result in zip(shard.indexes, shard_results):
            if not 0 <= index < total or filled[index]:
                raise ValueError(f"job position {index} is out of range or covered twice")
            placed[index] = result
            filled[index] = True
    if not all(filled):
        raise ValueError(f"{filled.count(False)} of {total} jobs have no result")
    return placed  # type: ignore[return-value]
