"""Score a real-text label file (URL, title, labels; no prose) with texts kept outside the repo.

Usage (from the repository root):

    .venv/bin/python bench/score_real_texts.py tests/data/real_items_2.toml TEXT_DIR
        [--claims src/kzwatch/data/claims.toml] [--threshold 0.55] [--errors] [--second-opinion]

TEXT_DIR holds one file per item, ``<id>.txt``, with the page's main text (re-fetched from the
item's URL or a stored copy; never committed: third-party prose stays out of the repository).
Each item is scored on its title + that text, with its ``date`` as the publication date, by
``kzwatch.relevance.evaluation.evaluate`` -- the same function, claims and threshold as
``bench/eval_relevance.py`` -- and the per-language table is printed.  ``--errors`` lists each
item the scorer got wrong with what it matched (claim, stance, reason, terms, sentence).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kzwatch.relevance import DEFAULT_THRESHOLD, load_claims, second_opinion_model
from kzwatch.relevance.evaluation import METRICS, decisions, evaluate, load_labelled

ROOT = Path(__file__).resolve().parent.parent
SHORT = {"items": "n", "item_precision": "item P", "item_recall": "item R",
         "claim_precision": "claim P", "claim_recall": "claim R", "stance_accuracy": "stance",
         "near_miss_flagged": "near-miss"}


def with_texts(rows: list[dict], text_dir: Path) -> list[dict]:
    """The labelled rows with each one's text read from ``text_dir/<id>.txt``."""
    unnamed = sum(not r.get("id") for r in rows)
    if unnamed:
        raise ValueError(f"{unnamed} items have no `id`, which names their text file <id>.txt")
    missing = [str(r.get("id")) for r in rows if not (text_dir / f"{r.get('id')}.txt").is_file()]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise ValueError(f"{text_dir}: no text for {len(missing)} items: {shown}")
    return [{**r, "text": (text_dir / f"{r['id']}.txt").read_text(encoding="utf-8")}
            for r in rows]


def print_table(result: dict, rows: list[dict]) -> None:
    print(f"{'lang':<9}" + "".join(f"{SHORT[c]:>10}" for c in METRICS) + f"{'nm flagged':>12}")
    groups = sorted(k for k in result if k not in ("all", "errors")) + ["all"]
    for group in groups:
        row = result[group]
        members = [r for r in rows if group == "all" or r.get("lang") == group
                   or f"{r.get('lang')}/{r.get('script')}" == group]
        near = sum(not r.get("claims") for r in members)
        flagged = round((row["near_miss_flagged"] or 0) * near)
        print(f"{group:<9}" + "".join(f"{'-' if row[c] is None else row[c]:>10}" for c in METRICS)
              + f"{f'{flagged} of {near}':>12}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("labels", type=Path)
    parser.add_argument("text_dir", type=Path)
    parser.add_argument("--claims", type=Path, default=ROOT / "src/kzwatch/data/claims.toml")
    parser.add_argument("--article", default="beimenbetov-2021")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--second-opinion", action="store_true",
                        help="let the packaged learned model add claims (kzwatch.relevance.learned)")
    parser.add_argument("--errors", action="store_true", help="list wrong items with matches")
    args = parser.parse_args(argv)
    try:
        claims = load_claims(args.claims.read_text(encoding="utf-8"), args.article)
        rows = with_texts(load_labelled(args.labels), args.text_dir)
        model = second_opinion_model(args.second_opinion)
    except (OSError, ValueError) as exc:
        print(f"score_real_texts: {exc}", file=sys.stderr)
        return 2
    result = evaluate(rows, claims, threshold=args.threshold, second_opinion=model)
    print(f"{args.labels}: {len(rows)} items, threshold {args.threshold}, claims {len(claims)}")
    print_table(result, rows)
    if args.errors:
        wrong = {str(e["id"]) for e in result["errors"]}
        matched = decisions([r for r in rows if str(r["id"]) in wrong], claims,
                            threshold=args.threshold, second_opinion=model)
        for error in result["errors"]:
            print(f"\n{error['id']}: want {error['want']} got {error['got']} "
                  f"stance(got, want) {error['stance']}")
            for claim, score, stance, reason, terms, sentence in matched[str(error["id"])]:
                print(f"  {claim} {score} {stance}: {reason} | {terms} | {sentence[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
