"""Measure kzwatch.relevance on the labelled data: per-language table for the development set
and the held-out test sets (the fourth and fifth only when asked for).

Usage (from the repository root):

    .venv/bin/python bench/eval_relevance.py [--dev tests/data/labelled_items.toml]
        [--test tests/data/labelled_items_test.toml] [--test2 tests/data/labelled_items_test2.toml]
        [--test3 tests/data/labelled_items_test3.toml] [--test4 [FILE]] ... [--test26 [FILE]]
        [--claims src/kzwatch/data/claims.toml] [--article beimenbetov-2021] [--threshold 0.55]
        [--errors dev|test|test2|...|test26] [--second-opinion] [--real FILE]
        [--decisions-out FILE | --decisions-check FILE]

Item level: an item flagged relevant (any claim) vs labelled relevant.  Claim level: (item,
claim) pairs.  Stance accuracy: over correctly found pairs with a stance label.  Near-miss
flagged: share of items labelled irrelevant that were flagged.  Tune only on the development
set; report the figures of the test sets.  The computation is ``kzwatch.relevance.evaluation``.

Test 4 on (``tests/data/labelled_items_test4.toml`` .. ``..._test26.toml``, each
committed before any scorer saw it) are loaded, checked against the split rule and scored only
with ``--test4`` .. ``--test26`` (the default file when no FILE is given), so that a
routine run while tuning does not show their figures.

``--decisions-out FILE`` writes every decision (claim, score, stance, reason, matched terms,
sentence) on the development, the test sets' and the real-title items to a JSON file; ``--decisions-check
FILE`` compares the current decisions with such a file and lists each item that differs (exit
status 1): a change meant only to be faster must leave them identical.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from pathlib import Path
from typing import Any

from kzwatch.relevance import DEFAULT_THRESHOLD, load_claims, second_opinion_model
from kzwatch.relevance.evaluation import (
    HELD_OUT_SPLITS,
    METRICS,
    decisions,
    evaluate,
    load_labelled,
    split_problems,
)

ROOT = Path(__file__).resolve().parent.parent
#: The held-out sets scored only when asked for (option name -> default file): test 4 onward,
#: one for each later entry of ``HELD_OUT_SPLITS`` (so a new set is registered there alone).
OPT_IN = {f"test{n}": ROOT / f"tests/data/labelled_items_test{n}.toml"
          for n in range(4, len(HELD_OUT_SPLITS) + 1)}
#: The labelled sets in the order ``split_problems`` takes them (names as in ``sets``).
SPLIT_ORDER = ("development", "test (held out)", "test2 (held out)", "test3 (held out)",
               *(f"{name} (held out)" for name in OPT_IN))
SHORT = {"items": "n", "item_precision": "item P", "item_recall": "item R",
         "claim_precision": "claim P", "claim_recall": "claim R", "stance_accuracy": "stance",
         "near_miss_flagged": "near-miss"}


def _table(name: str, result: dict) -> None:
    print(f"\n{name}")
    print(f"{'lang':<9}" + "".join(f"{SHORT[c]:>10}" for c in METRICS))
    order = sorted(k for k in result if k not in ("all", "errors"))
    for group in order + ["all"]:
        row = result[group]
        print(f"{group:<9}" + "".join(f"{'-' if row[c] is None else row[c]:>10}" for c in METRICS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dev", type=Path, default=ROOT / "tests/data/labelled_items.toml")
    parser.add_argument("--test", type=Path, default=ROOT / "tests/data/labelled_items_test.toml")
    parser.add_argument("--test2", type=Path,
                        default=ROOT / "tests/data/labelled_items_test2.toml")
    parser.add_argument("--test3", type=Path,
                        default=ROOT / "tests/data/labelled_items_test3.toml")
    for name, default in OPT_IN.items():
        parser.add_argument(f"--{name}", type=Path, nargs="?", const=default, default=None,
                            metavar="FILE",
                            help=f"also score held-out set {name} (default file if no FILE)")
    parser.add_argument("--claims", type=Path, default=ROOT / "src/kzwatch/data/claims.toml")
    parser.add_argument("--article", default="beimenbetov-2021")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--second-opinion", action="store_true",
                        help="let the packaged learned model add claims (kzwatch.relevance.learned)")
    parser.add_argument("--errors", choices=("dev", "test", "test2", "test3", *OPT_IN),
                        help="list one set's errors")
    parser.add_argument("--real", type=Path, default=ROOT / "tests/data/real_items.toml")
    parser.add_argument("--decisions-out", type=Path, help="write all decisions to this JSON")
    parser.add_argument("--decisions-check", type=Path, help="compare decisions with this JSON")
    args = parser.parse_args(argv)
    for opt_in in OPT_IN:
        if args.errors == opt_in and getattr(args, opt_in) is None:
            parser.error(f"--errors {opt_in} needs --{opt_in}")

    try:
        claims = load_claims(args.claims.read_text(encoding="utf-8"), args.article)
        sets = {"development": load_labelled(args.dev), "test (held out)": load_labelled(args.test),
                "test2 (held out)": load_labelled(args.test2),
                "test3 (held out)": load_labelled(args.test3)}
        for name in OPT_IN:
            if getattr(args, name) is not None:
                sets[f"{name} (held out)"] = load_labelled(getattr(args, name))
        model = second_opinion_model(args.second_opinion)
    except (OSError, ValueError) as exc:
        print(f"eval_relevance: {exc}", file=sys.stderr)
        return 2
    _warn_split([sets.get(name, []) for name in SPLIT_ORDER])
    print(f"threshold {args.threshold}  claims {len(claims)}  "
          + "  ".join(f"{k} {len(v)}" for k, v in sets.items()))
    for name, items in sets.items():
        result = evaluate(items, claims, threshold=args.threshold, second_opinion=model)
        _table(name, result)
        if args.errors and name.split()[0] == {"dev": "development"}.get(args.errors, args.errors):
            for error in result["errors"]:
                print(error)
    if args.decisions_out or args.decisions_check:
        return _decisions(args, claims, [*(row for rows in sets.values() for row in rows),
                                         *load_labelled(args.real)], model)
    return 0


def _warn_split(sets: list[list]) -> None:
    """Warn about each break of the split rule; *sets* in SPLIT_ORDER, [] for a set not loaded.
    A kzwatch imported from another checkout (to score a newer set with another branch's
    scorer) may predate some sets in ``split_problems``: then say so in one line per set and
    check the sets it knows (tests/test_relevance.py checks them all)."""
    known = _sets_known_to_split_problems()
    for index in range(known, len(sets)):
        if sets[index]:
            print(f"warning: split rule of {SPLIT_ORDER[index]} not checked: split_problems of "
                  f"the imported kzwatch knows only {known} sets", file=sys.stderr)
    for problem in split_problems(*sets[:known]):
        print(f"warning: split rule broken: {problem}", file=sys.stderr)


def _sets_known_to_split_problems() -> int:
    """How many sets (dev included) the imported ``split_problems`` has a split date for: its
    HELD_OUT_SPLITS, or for a kzwatch from before that table, its named parameters."""
    from kzwatch.relevance import evaluation

    splits = getattr(evaluation, "HELD_OUT_SPLITS", None)
    if splits is not None:
        return 1 + len(splits)
    return len(inspect.signature(split_problems).parameters)


def _decisions(args: argparse.Namespace, claims: list, rows: list, model: Any) -> int:
    """Write or compare every decision, with the second opinion when it is asked for."""
    now = decisions(rows, claims, threshold=args.threshold, second_opinion=model)
    if args.decisions_out:
        args.decisions_out.write_text(json.dumps(now, ensure_ascii=False, indent=1,
                                                 sort_keys=True), encoding="utf-8")
        print(f"\ndecisions on {len(now)} items written to {args.decisions_out}")
    if args.decisions_check:
        before = json.loads(args.decisions_check.read_text(encoding="utf-8"))
        differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
        print(f"\ndecisions compared on {len(now)} items: {len(differ)} differ")
        for key in differ:
            print(f"  {key}: before {before.get(key)}\n  {' ' * len(key)}  now    {now.get(key)}")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
