"""Train (package) the learned second opinion and choose its two thresholds on development folds.

Usage (from the repository root):

    .venv/bin/python bench/train_second_opinion.py [--out src/kzwatch/data/second_opinion.json]
        [--min-similarity 0.35] [--margin 0.08] [--all-sets]
        [--folds [--real-texts /work/texts [--real 2 3 ...]] [--per-set SIM MARGIN]]

The packaged exemplars are the labelled items we wrote ourselves that the rules were already
tuned on when the model was made: the development set and the first four held-out sets
(``labelled_items.toml``, ``labelled_items_test.toml``, ``labelled_items_test2.toml``,
``labelled_items_test3.toml``, ``labelled_items_test4.toml``; test 3 joined once it had been
measured and its errors read, at the end of session 4, and test 4 in round 10, once rounds
5–9 had read its errors).  Round 24c tried every written development set (dev, test, tests
2–17) as exemplars, with thresholds re-chosen on the folds below; it lost figures on validation
and was not kept (bench/RESULTS.md, "Round 24c").  ``--all-sets`` packages that candidate.
The real sets are never exemplars (their prose stays outside the repository), and the
validation sets (tests 18–19, real 17–20) and test 20 never are.
Training is packaging: each exemplar's id, language, claims and sentences as the rules read
them (Kazakh in Cyrillic); the TF-IDF matrix is built from them when the model is loaded
(``kzwatch.relevance.learned``).

``--folds`` prints, for a grid of (min similarity, margin), the rules alone and the rules plus
the model pooled over the written development sets, each scored by a model trained on the
*other* exemplar sets (leave one set out; a set that is not an exemplar set is scored by all of
them), and pooled over the real development sets (``--real-texts``: a folder of
``realN/<id>.txt``, texts kept outside the repository as for ``bench/score_real_texts.py``),
scored by the model trained on all exemplar sets -- once with the packaged exemplar sets and
once with every written development set.  The rules score each item once and each model finds
its candidates once; a threshold pair is then a filter (the same figures as ``evaluate``).
``--per-set SIM MARGIN`` adds, per set, items right, near-misses flagged, claim pairs right and
stances right for the rules, the packaged sets at the packaged thresholds and all sets at SIM/
MARGIN.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kzwatch.model import Claim, ClaimMatch
from kzwatch.relevance import load_claims, score_item
from kzwatch.relevance.compiled import drop_yielded
from kzwatch.relevance.evaluation import _count, _ratio, item_of, load_labelled
from kzwatch.relevance.learned import (
    FORMAT,
    Exemplar,
    Opinion,
    SecondOpinion,
    claim_key,
    exemplar_records,
)

ROOT = Path(__file__).resolve().parent.parent
#: Every written development set: the exemplar sets ``--folds`` may choose from.
SETS = {"dev": "tests/data/labelled_items.toml", "test": "tests/data/labelled_items_test.toml",
        **{f"test{n}": f"tests/data/labelled_items_test{n}.toml" for n in range(2, 18)}}
#: The packaged model's exemplar sets (dev, test, tests 2-4).
PACKAGED_SETS = ("dev", "test", "test2", "test3", "test4")
#: The packaged model's thresholds (min_similarity, margin), read from the model itself: a
#: second copy here would go on naming the old ones after a retraining.
_PACKAGED_MODEL = json.loads((ROOT / "src/kzwatch/data/second_opinion.json").read_text(encoding="utf-8"))
PACKAGED_THRESHOLDS = (float(_PACKAGED_MODEL["min_similarity"]), float(_PACKAGED_MODEL["margin"]))
#: The real development pages scored by ``--folds`` (their texts stay outside the repository).
REAL_DEV = tuple(range(2, 17))
EXEMPLAR_CHOICES = {"packaged sets": PACKAGED_SETS, "all sets": tuple(SETS)}
GRID = [(s, m) for s in (0.25, 0.28, 0.3, 0.32, 0.35, 0.4)
        for m in (0.02, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.12, 0.15)]


@dataclass
class Scored:
    """One labelled row as the rules score it: their claims, the item as they read it, and
    whether the model may speak (the rules flagged nothing)."""

    row: dict[str, Any]
    rules: dict[str, ClaimMatch]
    prep: Any = None
    open: bool = False


class _RulesOnly:
    """Stands in for the model inside ``score_item``: adds nothing, keeps the prepared item and
    whether the rules flagged nothing, so the model's candidates are found once per fold."""

    seen: tuple[Any, bool] | None = None

    def matches(self, prep: Any, claims: Any, flagged: set[str], **_: Any) -> list[ClaimMatch]:
        self.seen = (prep, not flagged)
        return []


def rules_pass(rows: list[dict[str, Any]], claims: list[Claim]) -> list[Scored]:
    recorder, out = _RulesOnly(), []
    for row in rows:
        recorder.seen = None
        got = score_item(item_of(row), claims, second_opinion=recorder)  # type: ignore[arg-type]
        out.append(Scored(row, {m.claim_id: m for m in got}, *(recorder.seen or (None, False))))
    return out


class _Candidates(SecondOpinion):
    """The model with every opinion agreed to and kept: its candidates and their (similarity,
    margin) for an item, so that each threshold pair is a filter, not another run."""

    def __init__(self, records: list[dict[str, Any]], claim_keys: list[str]) -> None:
        super().__init__([Exemplar(r["id"], r["lang"], frozenset(r["claims"]),
                                   tuple(r["sentences"])) for r in records],
                         claim_keys, min_similarity=0.0, margin=0.0)
        self.kept: dict[str, Opinion] = {}

    def agrees(self, opinion: Opinion) -> bool:
        self.kept[opinion.claim_id] = opinion
        return True

    def candidates(self, scored: Scored, claims: list[Claim]) -> list[tuple[ClaimMatch, Opinion]]:
        if not scored.open:
            return []
        self.kept = {}
        return [(m, self.kept[m.claim_id]) for m in self.matches(scored.prep, claims, set())]


def tally(scored: list[Scored], found: list[list[tuple[ClaimMatch, Opinion]]],
          claims: list[Claim], min_similarity: float, margin: float) -> dict[str, Any]:
    """``evaluate``'s "all" figures of rules + model at these thresholds (the model agrees as
    ``SecondOpinion.agrees`` does; ``drop_yielded`` as in ``score_item``), counted by
    ``evaluate``'s own ``_count``.  The model adds only where the rules flagged nothing, so an
    item with additions has no claims of the rules to keep."""
    c: dict[str, int] = defaultdict(int)
    for s, candidates in zip(scored, found):
        added = [m for m, o in candidates if o.similarity >= min_similarity
                 and o.similarity - o.against >= margin]
        got = ({m.claim_id: m for m in drop_yielded(s.prep.doc, added, claims)} if added
               else s.rules)
        _count(c, got, set(s.row.get("claims", [])), s.row.get("stance", {}))
    return {"n": c["items"], "item P": _ratio(c["item_tp"], c["item_tp"] + c["item_fp"]),
            "item R": _ratio(c["item_tp"], c["item_tp"] + c["item_fn"]),
            "claim P": _ratio(c["pair_tp"], c["pair_tp"] + c["pair_fp"]),
            "claim R": _ratio(c["pair_tp"], c["pair_tp"] + c["pair_fn"]),
            "stance": _ratio(c["stance_ok"], c["stance_n"]),
            "stance right": f"{c['stance_ok']} of {c['stance_n']}",
            "near-miss": f"{c['item_fp']} of {c['near_misses']}",
            "right": c["item_tp"], "pairs": c["pair_tp"]}


def _line(label: str, figures: dict[str, Any]) -> str:
    return f"  {label:<22}" + "  ".join(f"{k} {v}" for k, v in figures.items())


def fold_candidates(records: dict[str, list[dict]], scored: dict[str, list[Scored]],
                    claims: list[Claim], exemplar_sets: tuple[str, ...]
                    ) -> dict[str, list[list[tuple[ClaimMatch, Opinion]]]]:
    """Each written set's candidates from a model of *exemplar_sets* without it (leave one set
    out; a set outside them is scored by all of them), each real set's from all of them."""
    keys = [claim_key(c) for c in claims]
    found, models = {}, {}
    for name, rows in scored.items():
        train = tuple(s for s in exemplar_sets if s != name)
        if train not in models:
            started = time.perf_counter()
            models[train] = _Candidates([r for s in train for r in records[s]], keys)
            print(f"  model of {len(train)} sets, {len(models[train].exemplars)} exemplars: "
                  f"built in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        found[name] = [models[train].candidates(s, claims) for s in rows]
    return found


def folds(records: dict[str, list[dict]], scored: dict[str, list[Scored]],
          claims: list[Claim], written: list[str], real: list[str]
          ) -> dict[str, dict[str, list[list[tuple[ClaimMatch, Opinion]]]]]:
    """Rules alone and rules + model over the grid, pooled over the written folds and over the
    real development sets, for each choice of exemplar sets; returns each choice's candidates."""
    pools = {"written folds": written, "real dev": real}
    for name, members in pools.items():
        rows = [s for m in members for s in scored[m]]
        print(_line(f"{name}: rules", tally(rows, [[]] * len(rows), claims, 0.0, 0.0)))
    by_choice = {}
    for label, exemplar_sets in EXEMPLAR_CHOICES.items():
        found = by_choice[label] = fold_candidates(records, scored, claims, exemplar_sets)
        for name, members in pools.items():
            rows = [s for m in members for s in scored[m]]
            cands = [c for m in members for c in found[m]]
            print(f"\n{label} -> {name} ({len(rows)} items)")
            for min_similarity, margin in GRID:
                print(_line(f"sim>={min_similarity} margin {margin}",
                            tally(rows, cands, claims, min_similarity, margin)), flush=True)
    return by_choice


def per_set(scored: dict[str, list[Scored]],
            by_choice: dict[str, dict[str, list[list[tuple[ClaimMatch, Opinion]]]]],
            claims: list[Claim], min_similarity: float, margin: float) -> None:
    """Each set's items right, near-misses flagged, pairs right and stances right: rules alone,
    the packaged sets at the packaged thresholds, all sets at *min_similarity*/*margin*."""
    print(f"\nper set: rules | packaged sets {PACKAGED_THRESHOLDS[0]}/{PACKAGED_THRESHOLDS[1]}"
          f" | all sets {min_similarity}/{margin} (items right, near-misses, pairs, stances)")
    for name, rows in scored.items():
        runs = [tally(rows, [[]] * len(rows), claims, 0.0, 0.0),
                tally(rows, by_choice["packaged sets"][name], claims, *PACKAGED_THRESHOLDS),
                tally(rows, by_choice["all sets"][name], claims, min_similarity, margin)]
        print(f"  {name:<7}" + " | ".join(
            f"{r['right']:>4} nm {r['near-miss']:>9} pairs {r['pairs']:>4} st {r['stance right']}"
            for r in runs))


def _scored_sets(args: argparse.Namespace, claims: list[Claim],
                 rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[Scored]]:
    sys.path.insert(0, str(ROOT / "bench"))
    from score_real_texts import with_texts

    scored = {}
    for name in rows:
        scored[name] = rules_pass(rows[name], claims)
    for n in args.real if args.real_texts else []:
        labels = ROOT / f"tests/data/real_items_{n}.toml"
        scored[f"real{n}"] = rules_pass(
            with_texts(load_labelled(labels), args.real_texts / f"real{n}"), claims)
    print(f"rules scored {sum(map(len, scored.values()))} items", file=sys.stderr, flush=True)
    return scored


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "src/kzwatch/data/second_opinion.json")
    parser.add_argument("--claims", type=Path, default=ROOT / "src/kzwatch/data/claims.toml")
    parser.add_argument("--article", default="beimenbetov-2021")
    parser.add_argument("--min-similarity", type=float, default=PACKAGED_THRESHOLDS[0])
    parser.add_argument("--margin", type=float, default=PACKAGED_THRESHOLDS[1])
    parser.add_argument("--all-sets", action="store_true",
                        help="package every written development set (round 24c; not kept)")
    parser.add_argument("--folds", action="store_true", help="print the threshold table")
    parser.add_argument("--real-texts", type=Path,
                        help="folder of realN/<id>.txt: --folds also scores real development sets")
    parser.add_argument("--real", type=int, nargs="*", default=list(REAL_DEV),
                        help="real sets scored with --real-texts (development sets only)")
    parser.add_argument("--per-set", type=float, nargs=2, metavar=("SIM", "MARGIN"),
                        help="with --folds: per-set figures, all sets at these thresholds")
    args = parser.parse_args(argv)
    sets = tuple(SETS) if args.all_sets or args.folds else PACKAGED_SETS
    try:
        claims = load_claims(args.claims.read_text(encoding="utf-8"), args.article)
        rows = {name: load_labelled(ROOT / SETS[name]) for name in sets}
        records = {name: exemplar_records(rows[name]) for name in sets}
        if args.folds:
            scored = _scored_sets(args, claims, rows)
            by_choice = folds(records, scored, claims, list(SETS),
                              [f"real{n}" for n in args.real] if args.real_texts else [])
            if args.per_set:
                per_set(scored, by_choice, claims, *args.per_set)
            return 0
    except (OSError, ValueError) as exc:
        print(f"train_second_opinion: {exc}", file=sys.stderr)
        return 2
    model = {
        "format": FORMAT,
        "note": "Exemplars for kzwatch.relevance.learned: our own labelled items (no "
                "third-party prose), made by bench/train_second_opinion.py.",
        "made_from": {SETS[name]: hashlib.sha256((ROOT / SETS[name]).read_bytes()).hexdigest()[:16]
                      for name in sets},
        "claim_keys": [claim_key(c) for c in claims],
        "min_similarity": args.min_similarity, "margin": args.margin,
        "exemplars": [r for name in sets for r in records[name]],
    }
    args.out.write_text(json.dumps(model, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(model['exemplars'])} exemplars, {len(claims)} claims, min similarity "
          f"{args.min_similarity}, margin {args.margin} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
