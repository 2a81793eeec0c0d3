"""Pair precision and recall of the citation parser against hand-built gold lists.

    .venv/bin/python bench/eval_citations.py [--shared ../shared]

For each text: parse it as ``kzwatch corpus`` does, take the (footnote, url) rows of the CSV it
writes with ``--out`` (footnote as printed, URL as printed once repaired; short forms and "Ibid."
that merely point back are left out unless ``--short-forms``), and compare them as a multiset
with the gold pairs.  URLs are compared without their
scheme where the gold has none, and without a final "/".  Three groups are printed:

- real texts in ``../shared/corpora`` (the targets apply: precision >= 0.97, recall >= 0.95 of
  the recoverable pairs; the corpora README lists the unrecoverable ones) and the whole report
  read as a PDF (recall >= 0.95 of all pairs of the notes' gold);
- the default article (38 footnotes, 29 distinct URLs);
- held-out style texts written for this evaluation (``tests/data/corpus_styles``; see
  bench/RESULTS.md for how they were made and which were looked at while tuning).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kzwatch.corpus.csvio import citations_to_csv
from kzwatch.corpus.formats import parse_document, read_document
from kzwatch.corpus.notes import note_label
from kzwatch.corpus.parse import citations_from_notes
from kzwatch.model import Citation

ROOT = Path(__file__).resolve().parents[1]
STYLES = ROOT / "tests" / "data" / "corpus_styles"  # written before scoring, then tuned on
HELD_OUT = ROOT / "tests" / "data" / "corpus_heldout"  # written later, scored once, never tuned on
#: Gold rows the README of the corpora says no text extractor can give back (hyphen deleted).
VERBOSE = False
UNRECOVERABLE = {"rdr-2017-notes": {"10", "13", "16", "21", "26", "27", "29", "34", "36"}}


@dataclass(frozen=True)
class Score:
    name: str
    found: int
    gold: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0


def url_key(url: str, schemeless: bool) -> str:
    key = url.strip().rstrip("/")
    if schemeless:
        key = key.split("://", 1)[-1]
    return key


def read_gold(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return [(row["footnote"].strip(), row["url"].strip()) for row in csv.DictReader(fh) if row["url"].strip()]


def printed_pairs(citations: list[Citation]) -> list[tuple[str, str]]:
    """(footnote, url) rows of the CSV ``kzwatch corpus --out`` writes — what outside suites score."""
    text = citations_to_csv(citations, printed=True, short_forms=False)
    return [(row["footnote"], row["url"]) for row in csv.DictReader(io.StringIO(text))]


def score(name: str, found: list[tuple[str, str]], gold: list[tuple[str, str]], verbose: bool = False) -> Score:
    gold_keys = Counter((fn, url_key(u, False)) for fn, u in gold)
    schemeless = {(fn, url_key(u, False)) for fn, u in gold if "://" not in u}

    def key(fn: str, url: str) -> tuple[str, str]:
        bare = (fn, url_key(url, True))
        return bare if bare in schemeless else (fn, url_key(url, False))

    found_keys = Counter(key(fn, u) for fn, u in found)
    correct = sum((found_keys & gold_keys).values())
    if verbose:
        for k in sorted((found_keys - gold_keys).elements()):
            print(f"    {name}: found, not in gold: {k}")
        for k in sorted((gold_keys - found_keys).elements()):
            print(f"    {name}: gold, not found: {k}")
    return Score(name, sum(found_keys.values()), sum(gold_keys.values()), correct)


def parse_file(path: Path) -> list[Citation]:
    doc = read_document(path.read_bytes(), path.name, "eval")
    return parse_document(doc, "eval").citations


def real_texts(shared: Path) -> list[Score]:
    corpora = shared / "corpora"
    scores = []
    for gold_path in sorted(corpora.glob("*.gold.csv")):
        stem = gold_path.name.removesuffix(".gold.csv")
        gold = read_gold(gold_path)
        found = printed_pairs(parse_file(corpora / f"{stem}.txt"))
        lost = UNRECOVERABLE.get(stem, set())
        recoverable = [g for g in gold if g[0] not in lost]
        kept = [f for f in found if f[0] not in lost]
        scores.append(score(f"{stem} (text, recoverable gold)", kept, recoverable, VERBOSE))
        if stem in UNRECOVERABLE:
            scores.append(score(f"{stem} (text, all gold)", found, gold))
    pdf = corpora / "RDRindex2017report.pdf"
    gold_2017 = corpora / "rdr-2017-notes.gold.csv"
    if pdf.exists() and gold_2017.exists():
        gold = read_gold(gold_2017)
        scores.append(score("RDRindex2017report.pdf (PDF, all gold)", notes_section(pdf, gold), gold, VERBOSE))
    return scores


def notes_section(pdf: Path, gold: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs of the run of notes the gold covers (the report's Notes section, 1..36).

    The whole report also has footnotes in each company section, numbered from 1 again; the
    gold does not list them, so they are neither right nor wrong here.  The run is from the last
    note labelled "1" before the last note carrying the gold's highest label, to that note."""
    doc = read_document(pdf.read_bytes(), pdf.name, "eval")
    notes = parse_document(doc, "eval").notes
    labels = [note_label(n) for n in notes]
    wanted = {fn for fn, _ in gold}
    top = max(wanted, key=int)
    end = max((i for i, lab in enumerate(labels) if lab == top), default=len(notes) - 1)
    start = max((i for i in range(end) if labels[i] == "1"), default=0)
    run = [n for n in notes[start:end + 1] if note_label(n) in wanted]
    return [pair for n in run for pair in printed_pairs(citations_from_notes([n], "eval"))]


def default_article(shared: Path) -> str:
    path = shared / "article" / "beimenbetov-2021.txt"
    if not path.exists():
        return "default article: not found"
    cites = parse_file(path)
    return (f"default article: footnotes {len({c.footnote for c in cites})}, "
            f"distinct URLs {len({c.url for c in cites if c.url})} (must be 38 and 29)")


def style_set(folder: Path) -> list[Score]:
    scores = []
    for gold_path in sorted(folder.glob("*.gold.csv")):
        stem = gold_path.name.removesuffix(".gold.csv")
        source = next(p for p in folder.glob(f"{stem}.*") if not p.name.endswith(".gold.csv"))
        scores.append(score(f"{source.name}", printed_pairs(parse_file(source)), read_gold(gold_path), VERBOSE))
    return scores


def table(title: str, scores: list[Score]) -> str:
    lines = [title, f"  {'text':<48} {'found':>5} {'gold':>5} {'right':>5} {'prec':>6} {'recall':>6}"]
    for s in scores:
        lines.append(f"  {s.name:<48} {s.found:>5} {s.gold:>5} {s.correct:>5} {s.precision:>6.3f} {s.recall:>6.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared folder (default ../shared)")
    parser.add_argument("--verbose", action="store_true", help="list every pair found but not in the gold, and missed")
    args = parser.parse_args(argv)
    global VERBOSE
    VERBOSE = args.verbose
    shared = Path(args.shared)
    if not (shared / "corpora").is_dir():
        print(f"no corpora at {shared / 'corpora'}", file=sys.stderr)
        return 2
    print(table("Real texts (targets: precision >= 0.97, recall >= 0.95)", real_texts(shared)))
    print(default_article(shared))
    print(table("Style texts (written before the first scoring, then used for tuning)", style_set(STYLES)))
    print(table("Held-out style texts (written after, scored once, never tuned on)", style_set(HELD_OUT)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
