"""The relevance scorer's errors on labelled sets, counted by kind, claim and stance, with the
ids of example items: where the remaining errors are, across sets, in one table.

Usage (from the repository root):

    .venv/bin/python bench/error_kinds.py [--set tests/data/labelled_items_test19.toml ...]
        [--real tests/data/real_items_20.toml TEXT_DIR ...] [--second-opinion]
        [--examples 4] [--notes]

``--set`` names a written label file; ``--real`` a real-page label file and the directory of
its texts (``<id>.txt``, kept outside the repository; see ``score_real_texts.py``).  Each error
of ``kzwatch.relevance.evaluation.evaluate`` is split by ``error_kinds`` into one row per
(item, claim): ``item missed`` (a relevant item got no claim), ``claim missed``, ``claim
added``, ``near-miss flagged`` and ``stance`` (wanted -> chosen).  First come the counts by
kind and by claim and, for each wanted stance, what the scorer did instead (``not found`` or
the stance it chose: ``evaluation.outcome_matrix``).  Then rows are grouped by (kind,
claim, detail) and printed most frequent first, with how many sets they occur in and example
item ids; ``--notes`` prints each example's title (written items; our own prose) or note (real
items; our own one-line description), never a real page's text.  What each kind's cause is
(read from the examples) is in ``docs/RELEVANCE_ERRORS.md``.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from score_real_texts import with_texts

from kzwatch.relevance import DEFAULT_THRESHOLD, load_claims, second_opinion_model
from kzwatch.relevance.evaluation import (
    OUTCOMES,
    error_kinds,
    evaluate,
    load_labelled,
    outcome_matrix,
)

ROOT = Path(__file__).resolve().parent.parent


def _set_name(path: Path) -> str:
    stem = path.stem  # labelled_items_test19 -> test19, real_items_20 -> real20
    return stem.replace("labelled_items_", "").replace("real_items_", "real")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--set", type=Path, action="append", default=[], dest="sets",
                        metavar="FILE", help="a written label file")
    parser.add_argument("--real", nargs=2, action="append", default=[], type=Path,
                        metavar=("FILE", "TEXT_DIR"), help="a real-page label file and its texts")
    parser.add_argument("--claims", type=Path, default=ROOT / "src/kzwatch/data/claims.toml")
    parser.add_argument("--article", default="beimenbetov-2021")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--second-opinion", action="store_true",
                        help="let the packaged learned model add claims (the default scorer)")
    parser.add_argument("--examples", type=int, default=4, help="example ids per row")
    parser.add_argument("--notes", action="store_true",
                        help="print each example's title (written) or note (real)")
    args = parser.parse_args(argv)
    if not args.sets and not args.real:
        parser.error("name at least one --set FILE or --real FILE TEXT_DIR")
    try:
        claims = load_claims(args.claims.read_text(encoding="utf-8"), args.article)
        sets = {_set_name(p): load_labelled(p) for p in args.sets}
        sets |= {_set_name(p): with_texts(load_labelled(p), d) for p, d in args.real}
        model = second_opinion_model(args.second_opinion)
    except (OSError, ValueError) as exc:
        print(f"error_kinds: {exc}", file=sys.stderr)
        return 2
    grouped: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)
    every: list[tuple[str, str, str, str]] = []
    described: dict[str, str] = {}
    for name, rows in sets.items():
        result = evaluate(rows, claims, threshold=args.threshold, second_opinion=model)
        for kind, claim, detail, item in error_kinds(result["errors"]):
            grouped[(kind, claim, detail)].append((name, item))
            every.append((kind, claim, detail, item))
        described |= {str(r["id"]): str(r.get("note") or r.get("title", "")) for r in rows}
    total = sum(len(v) for v in grouped.values())
    print(f"{total} error rows (item, claim) on {len(sets)} sets: {', '.join(sets)}")
    for label, key in (("by kind", 0), ("by claim", 1)):
        counts: dict[str, int] = defaultdict(int)
        for group, found in grouped.items():
            counts[group[key]] += len(found)
        print(f"{label}: " + ", ".join(f"{k} {n}" for k, n in sorted(
            counts.items(), key=lambda kv: (-kv[1], kv[0]))))
    print(f"wanted stance -> what the scorer did instead: {'':<8}"
          + "".join(f"{o:>13}" for o in OUTCOMES))
    for wanted, row in sorted(outcome_matrix(every).items()):
        print(f"  {wanted:<52}" + "".join(f"{row[o]:>13}" for o in OUTCOMES))
    print(f"{'kind':<18}{'claim':<7}{'detail':<26}{'n':>4}{'sets':>6}  examples")
    for (kind, claim, detail), found in sorted(grouped.items(), key=lambda kv: (-len(kv[1]),
                                                                                 kv[0])):
        in_sets = len({name for name, _ in found})
        shown = [item for _, item in found[:args.examples]]
        print(f"{kind:<18}{claim:<7}{detail:<26}{len(found):>4}{in_sets:>6}  {', '.join(shown)}")
        if args.notes:
            for item in shown:
                print(f"{'':<31}{item}: {described.get(item, '')[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
