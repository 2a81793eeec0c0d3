"""Measure kzwatch.relevance on a labelled set: precision/recall per language.

Usage (from the repository root):

    PYTHONPATH=src python bench/eval_relevance.py [--items tests/data/labelled_items.toml]
        [--claims src/kzwatch/data/claims.toml] [--article beimenbetov-2021]
        [--threshold 0.55] [--errors]

Item level: an item flagged relevant (any claim) vs labelled relevant.  Claim level: (item,
claim) pairs.  Stance accuracy: over correctly found pairs with a stance label.  The
computation itself is ``kzwatch.relevance.evaluate`` (the tests assert on the same numbers).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from kzwatch.relevance import DEFAULT_THRESHOLD, evaluate, load_claims

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ("items", "item_precision", "item_recall", "claim_precision", "claim_recall",
           "stance_accuracy")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=Path, default=ROOT / "tests/data/labelled_items.toml")
    parser.add_argument("--claims", type=Path,
                        default=ROOT / "src/kzwatch/data/claims.toml")
    parser.add_argument("--article", default="beimenbetov-2021")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--errors", action="store_true", help="list the items scored wrongly")
    args = parser.parse_args(argv)

    claims = load_claims(args.claims.read_text(encoding="utf-8"), args.article)
    items = tomllib.loads(args.items.read_text(encoding="utf-8")).get("item", [])
    if not items:
        print(f"no [[item]] entries in {args.items}", file=sys.stderr)
        return 2
    result = evaluate(items, claims, threshold=args.threshold)

    print(f"threshold {args.threshold}  claims {len(claims)}  items {len(items)}")
    print(f"{'lang':<5}" + "".join(f"{c:>17}" for c in COLUMNS))
    for lang in sorted(k for k in result if k not in ("all", "errors")) + ["all"]:
        row = result[lang]
        cells = "".join(f"{'-' if row[c] is None else row[c]:>17}" for c in COLUMNS)
        print(f"{lang:<5}{cells}")
    if args.errors:
        for error in result["errors"]:
            print(error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
