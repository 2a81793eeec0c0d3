"""Throughput of kzwatch.relevance.score_item: N items against the 16 packaged claims, one core.

Usage (from the repository root):

    .venv/bin/python bench/bench_relevance.py [--items 10000] [--seed 1]

Items are built from the labelled development and test texts (ru/kk/en, Kazakh in three
scripts), each made distinct by a serial number and a few words drawn from the whole
vocabulary plus longer bodies (3–8 sentences), so per-word caches see a realistic mix of new and
repeated words.  Prints items per second (single process: the figure is per core) and the
warm-up time (the first items pay for pymorphy3's dictionaries).  Target: >= 2,000 items/s.
Both the wall-clock rate and the rate per CPU-second of this process are printed: on a shared
machine the wall clock counts the time other processes had the core, the CPU time does not.
"""

from __future__ import annotations

import argparse
import random
import time
import tomllib
from pathlib import Path

from kzwatch.model import FeedItem
from kzwatch.relevance import load_claims, score_item

ROOT = Path(__file__).resolve().parent.parent


def build_items(n: int, seed: int) -> list[FeedItem]:
    rows = []
    for name in ("labelled_items.toml", "labelled_items_test.toml"):
        rows += tomllib.loads((ROOT / "tests/data" / name).read_text(encoding="utf-8"))["item"]
    vocab = sorted({w for r in rows for w in (r["title"] + " " + r["text"]).split()})
    rng = random.Random(seed)
    items = []
    for i in range(n):
        row = rng.choice(rows)
        body = [row["text"]] + [rng.choice(rows)["text"] for _ in range(rng.randint(2, 7))]
        filler = " ".join(rng.choice(vocab) for _ in range(12))
        items.append(FeedItem(url=f"https://bench.test/{i}", title=row["title"],
                              text=" ".join(body) + f" Заметка {i}: {filler}.", lang=row["lang"]))
    return items


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    claims = load_claims((ROOT / "src/kzwatch/data/claims.toml").read_text(encoding="utf-8"),
                         "beimenbetov-2021")
    items = build_items(args.items, args.seed)
    t0 = time.perf_counter()
    score_item(items[0], claims)  # loads pymorphy3's dictionaries, compiles the claims
    warm = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    matches = sum(len(score_item(item, claims)) for item in items)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    words = sum(len((i.title + " " + i.text).split()) for i in items)
    print(f"items {len(items)}  claims {len(claims)}  words/item {words / len(items):.0f}")
    print(f"warm-up {warm:.2f} s; scoring {elapsed:.2f} s = {len(items) / elapsed:,.0f} items/s "
          f"(wall clock, one process); CPU {cpu:.2f} s = {len(items) / cpu:,.0f} items per "
          f"CPU-second; {matches} matches")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
