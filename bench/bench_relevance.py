"""Throughput of kzwatch.relevance.score_item: N items against the 16 packaged claims, one core.

Usage (from the repository root):

    .venv/bin/python bench/bench_relevance.py [--items 10000] [--seed 1] [--second-opinion]

Items are built from the labelled development and test texts (ru/kk/en, Kazakh in three
scripts), each made distinct by a serial number and a few words drawn from the whole
vocabulary plus longer bodies (3–8 sentences), so per-word caches see a realistic mix of new and
repeated words.  Prints items per second (single process: the figure is per core) and the
warm-up time (the first items pay for pymorphy3's dictionaries).  Target: >= 2,000 items/s.
Both the wall-clock rate and the rate per CPU-second of this process are printed: on a shared
machine the wall clock counts the time other processes had the core, the CPU time does not.

``--second-opinion``: score with the packaged learned second opinion too (the model is built
before timing starts and its build time printed).

``--decisions-out FILE`` / ``--decisions-check FILE``: instead of timing, write (or compare
with) every assessment of the first ``--items`` bench items at threshold 0 (claim, score,
stance, reason, matched terms, sentence; with ``--second-opinion`` the matches it adds too),
so that a change meant only to be faster can be shown
to leave the scoring of the bench items identical (``eval_relevance.py`` does the same for the
labelled items).
"""

from __future__ import annotations

import argparse
import json
import random
import time
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from kzwatch.model import FeedItem
from kzwatch.relevance import load_claims, score_item, second_opinion_model
from kzwatch.relevance.explain import explain_item

if TYPE_CHECKING:  # NumPy is needed only with --second-opinion
    from kzwatch.relevance.learned import SecondOpinion

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


def _decisions(items: list[FeedItem], claims: list, out: Path | None, check: Path | None,
               model: SecondOpinion | None = None) -> int:
    now: dict[str, list] = {}
    for n, item in enumerate(items):
        now[item.url] = [[m.claim_id, m.score, m.stance, m.reason, list(m.matched), m.sentence]
                         for m in score_item(item, claims, threshold=0.0,
                                             second_opinion=model)]
        if n < 300:  # and every claim's verdict as ``kzwatch explain`` shows it, gate reasons too
            note, rows = explain_item(item, claims)
            now[item.url + "#explain"] = [note, *(repr(r) for r in rows)]
    if out:
        out.write_text(json.dumps(now, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        print(f"{len(now)} assessment rows of the bench items written to {out}")
    if check:
        before = json.loads(check.read_text(encoding="utf-8"))
        differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
        print(f"assessment rows of the bench items compared: {len(now)}, {len(differ)} differ")
        for key in differ[:20]:
            print(f"  {key}: before {before.get(key)}\n  {' ' * len(key)}  now    {now.get(key)}")
        return 1 if differ else 0
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--second-opinion", action="store_true",
                        help="score with the packaged learned second opinion too")
    parser.add_argument("--decisions-out", type=Path, help="write all assessments to this JSON")
    parser.add_argument("--decisions-check", type=Path, help="compare assessments with this JSON")
    args = parser.parse_args()
    claims = load_claims((ROOT / "src/kzwatch/data/claims.toml").read_text(encoding="utf-8"),
                         "beimenbetov-2021")
    items = build_items(args.items, args.seed)
    if args.decisions_out or args.decisions_check:
        # With --second-opinion, the matches it adds are compared too.
        return _decisions(items, claims, args.decisions_out, args.decisions_check,
                          second_opinion_model(args.second_opinion))
    t0 = time.perf_counter()
    model = second_opinion_model(args.second_opinion)  # builds the exemplar matrix
    built = time.perf_counter() - t0
    score_item(items[0], claims, second_opinion=model)  # pymorphy3's dictionaries, the claims
    warm = time.perf_counter() - t0 - built
    t0, c0 = time.perf_counter(), time.process_time()
    matches = sum(len(score_item(item, claims, second_opinion=model)) for item in items)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    words = sum(len((i.title + " " + i.text).split()) for i in items)
    print(f"items {len(items)}  claims {len(claims)}  words/item {words / len(items):.0f}  "
          + (f"second opinion built in {built:.2f} s" if model else "rules only"))
    print(f"warm-up {warm:.2f} s; scoring {elapsed:.2f} s = {len(items) / elapsed:,.0f} items/s "
          f"(wall clock, one process); CPU {cpu:.2f} s = {len(items) / cpu:,.0f} items per "
          f"CPU-second; {matches} matches")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
