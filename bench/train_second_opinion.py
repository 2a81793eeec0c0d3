"""Train (package) the learned second opinion and choose its two thresholds on tuning data.

Usage (from the repository root):

    .venv/bin/python bench/train_second_opinion.py [--out src/kzwatch/data/second_opinion.json]
        [--min-similarity 0.35] [--margin 0.08]
        [--folds [--real2 tests/data/real_items_2.toml --real2-texts /work/texts/real2]]

The exemplars are the labelled items we wrote ourselves and that the rules were already tuned
on or have already been seen: the development set and the first four held-out sets
(``labelled_items.toml``, ``labelled_items_test.toml``, ``labelled_items_test2.toml``,
``labelled_items_test3.toml``, ``labelled_items_test4.toml``; test 3 joined once it had been
measured and its errors read, at the end of session 4, and test 4 in round 10, once rounds
5–9 had read its errors).  Test 5, the real sets and anything later are never exemplars.
Training is packaging: each exemplar's id, language, claims and sentences as the rules read
them (Kazakh in Cyrillic); the TF-IDF matrix is built from them when the model is loaded
(``kzwatch.relevance.learned``).

``--folds`` prints, for a grid of (min similarity, margin), the rules alone and the rules plus
the model on each set when the model is trained on the *other* sets (leave one set out) and
on all of them -> real 2 (texts kept outside the
repository, as for ``bench/score_real_texts.py``).  The packaged thresholds were chosen from
that table (bench/RESULTS.md, "Learned second opinion").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from kzwatch.relevance import load_claims
from kzwatch.relevance.evaluation import evaluate, load_labelled
from kzwatch.relevance.learned import FORMAT, claim_key, exemplar_records, from_records

ROOT = Path(__file__).resolve().parent.parent
SETS = {"dev": "tests/data/labelled_items.toml", "test": "tests/data/labelled_items_test.toml",
        "test2": "tests/data/labelled_items_test2.toml",
        "test3": "tests/data/labelled_items_test3.toml",
        "test4": "tests/data/labelled_items_test4.toml"}
GRID = [(s, m) for s in (0.25, 0.3, 0.35) for m in (0.02, 0.05, 0.08, 0.1)]


def _fold_rows(result: dict[str, Any]) -> str:
    a = result["all"]
    return (f"item P {a['item_precision']} R {a['item_recall']}  claim P "
            f"{a['claim_precision']} R {a['claim_recall']}  stance {a['stance_accuracy']}  "
            f"near-miss {a['near_miss_flagged']}")


def folds(records: dict[str, list[dict]], rows: dict[str, list[dict]], claims: list) -> None:
    keys = [claim_key(c) for c in claims]
    plan = [(tuple(name for name in SETS if name != held), held) for held in SETS]
    if "real2" in rows:
        plan.append((tuple(SETS), "real2"))
    for train, held in plan:
        model = from_records([r for name in train for r in records[name]], keys,
                             min_similarity=0.0, margin=0.0)
        print(f"\ntrained on {'+'.join(train)}, measured on {held} ({len(rows[held])} items)")
        print(f"  rules alone           {_fold_rows(evaluate(rows[held], claims))}")
        for min_similarity, margin in GRID:
            model.min_similarity, model.margin = min_similarity, margin
            result = evaluate(rows[held], claims, second_opinion=model)
            print(f"  sim>={min_similarity:<4} margin {margin:<4} {_fold_rows(result)}",
                  flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "src/kzwatch/data/second_opinion.json")
    parser.add_argument("--claims", type=Path, default=ROOT / "src/kzwatch/data/claims.toml")
    parser.add_argument("--article", default="beimenbetov-2021")
    parser.add_argument("--min-similarity", type=float, default=0.35)
    parser.add_argument("--margin", type=float, default=0.08)
    parser.add_argument("--folds", action="store_true", help="print the threshold table")
    parser.add_argument("--real2", type=Path, default=ROOT / "tests/data/real_items_2.toml")
    parser.add_argument("--real2-texts", type=Path, help="texts of real 2 (<id>.txt)")
    args = parser.parse_args(argv)
    try:
        claims = load_claims(args.claims.read_text(encoding="utf-8"), args.article)
        rows = {name: load_labelled(ROOT / path) for name, path in SETS.items()}
        if args.folds and args.real2_texts:
            sys.path.insert(0, str(ROOT / "bench"))
            from score_real_texts import with_texts

            rows["real2"] = with_texts(load_labelled(args.real2), args.real2_texts)
    except (OSError, ValueError) as exc:
        print(f"train_second_opinion: {exc}", file=sys.stderr)
        return 2
    records = {name: exemplar_records(rows[name]) for name in SETS}
    if args.folds:
        folds(records, rows, claims)
        return 0
    model = {
        "format": FORMAT,
        "note": "Exemplars for kzwatch.relevance.learned: our own labelled items (no "
                "third-party prose), made by bench/train_second_opinion.py.",
        "made_from": {path: hashlib.sha256((ROOT / path).read_bytes()).hexdigest()[:16]
                      for path in SETS.values()},
        "claim_keys": [claim_key(c) for c in claims],
        "min_similarity": args.min_similarity, "margin": args.margin,
        "exemplars": [r for name in SETS for r in records[name]],
    }
    args.out.write_text(json.dumps(model, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(model['exemplars'])} exemplars, {len(claims)} claims, min similarity "
          f"{args.min_similarity}, margin {args.margin} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
