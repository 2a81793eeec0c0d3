"""Precision, recall, stance accuracy and near-miss rate of ``score_item`` on labelled items,
and the development / held-out test split of the labelled data."""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kzwatch.model import Claim, FeedItem
from kzwatch.relevance.scoring import DEFAULT_THRESHOLD, score_item

if TYPE_CHECKING:
    from kzwatch.relevance.learned import SecondOpinion

#: The split rule the labelled files follow (see their headers): development items are dated
#: on or before SPLIT_DATE, test items after it; each later held-out set ("test 2" onward)
#: is dated after its own split date, and every item of an earlier set on or before the next
#: set's split date.  No two sets share a source.
SPLIT_DATE = "2024-06-30"
TEST2_SPLIT_DATE = "2025-06-30"
TEST3_SPLIT_DATE = "2026-11-30"
TEST4_SPLIT_DATE = "2026-12-06"
TEST5_SPLIT_DATE = "2026-12-12"
TEST6_SPLIT_DATE = "2026-12-18"
TEST7_SPLIT_DATE = "2026-12-28"
TEST8_SPLIT_DATE = "2027-01-08"
TEST9_SPLIT_DATE = "2027-01-20"
TEST10_SPLIT_DATE = "2027-02-01"
TEST11_SPLIT_DATE = "2027-02-13"
TEST12_SPLIT_DATE = "2027-02-25"
TEST13_SPLIT_DATE = "2027-03-09"
TEST14_SPLIT_DATE = "2027-03-21"
TEST15_SPLIT_DATE = "2027-04-02"
TEST16_SPLIT_DATE = "2027-04-14"
TEST17_SPLIT_DATE = "2027-04-27"
TEST18_SPLIT_DATE = "2027-05-10"
TEST19_SPLIT_DATE = "2027-05-23"
TEST20_SPLIT_DATE = "2027-06-05"
TEST21_SPLIT_DATE = "2027-06-18"
TEST22_SPLIT_DATE = "2027-07-01"
TEST23_SPLIT_DATE = "2027-07-14"
TEST24_SPLIT_DATE = "2027-07-27"
TEST25_SPLIT_DATE = "2027-08-09"
TEST26_SPLIT_DATE = "2027-08-22"

#: The held-out sets in the order ``split_problems`` takes them, each with the date its items
#: come after.  A new set is one more entry here (and its date after every earlier item's).
HELD_OUT_SPLITS: tuple[tuple[str, str], ...] = (
    ("test", SPLIT_DATE), ("test 2", TEST2_SPLIT_DATE), ("test 3", TEST3_SPLIT_DATE),
    ("test 4", TEST4_SPLIT_DATE), ("test 5", TEST5_SPLIT_DATE),
    ("test 6", TEST6_SPLIT_DATE), ("test 7", TEST7_SPLIT_DATE), ("test 8", TEST8_SPLIT_DATE),
    ("test 9", TEST9_SPLIT_DATE), ("test 10", TEST10_SPLIT_DATE),
    ("test 11", TEST11_SPLIT_DATE), ("test 12", TEST12_SPLIT_DATE),
    ("test 13", TEST13_SPLIT_DATE), ("test 14", TEST14_SPLIT_DATE),
    ("test 15", TEST15_SPLIT_DATE), ("test 16", TEST16_SPLIT_DATE),
    ("test 17", TEST17_SPLIT_DATE), ("test 18", TEST18_SPLIT_DATE),
    ("test 19", TEST19_SPLIT_DATE), ("test 20", TEST20_SPLIT_DATE),
    ("test 21", TEST21_SPLIT_DATE), ("test 22", TEST22_SPLIT_DATE),
    ("test 23", TEST23_SPLIT_DATE), ("test 24", TEST24_SPLIT_DATE),
    ("test 25", TEST25_SPLIT_DATE), ("test 26", TEST26_SPLIT_DATE))

METRICS = ("items", "item_precision", "item_recall", "claim_precision", "claim_recall",
           "stance_accuracy", "near_miss_flagged")


def load_labelled(path: Path) -> list[dict[str, Any]]:
    """The ``[[item]]`` entries of a labelled-data TOML file; an error when there are none."""
    try:
        items = tomllib.loads(path.read_text(encoding="utf-8")).get("item", [])
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from exc
    if not items:
        raise ValueError(f"{path}: no [[item]] entries")
    for item in items:
        try:
            _date(item.get("date"))
        except ValueError:
            raise ValueError(f"{path}: item {item.get('id')}: date {item.get('date')!r} is not "
                             "YYYY-MM-DD, YYYY-MM or YYYY") from None
    return list(items)


def _dated(rows: Sequence[Mapping[str, Any]], name: str, after: str | None,
           until: str | None) -> list[str]:
    """Items of one set dated outside (after, until]."""
    out = []
    for r in rows:
        day = str(r.get("date", ""))
        if after is not None and day <= after:
            out.append(f"{r.get('id')}: {name} item dated {day} (not after {after})")
        if until is not None and day > until:
            out.append(f"{r.get('id')}: {name} item dated {day} (after {until})")
    return out


def split_problems(dev: Sequence[Mapping[str, Any]], test: Sequence[Mapping[str, Any]],
                   *later: Sequence[Mapping[str, Any]]) -> list[str]:
    """Ways the sets break the split rule (empty when they keep it): shared sources between
    any two sets, dates on the wrong side of each set's split date (HELD_OUT_SPLITS), missing
    fields.  *later* are test 2, test 3, ... in that order; an empty one (a set not loaded) is
    skipped, and each set given is bounded above by the split date of the next set given.
    More sets than HELD_OUT_SPLITS names is an error (a set without a split date)."""
    if len(later) > len(HELD_OUT_SPLITS) - 1:
        raise ValueError(f"split_problems: {2 + len(later)} sets given; the split rule has "
                         f"dates for {1 + len(HELD_OUT_SPLITS)} (dev, "
                         + ", ".join(name for name, _ in HELD_OUT_SPLITS) + ")")
    sets = [("dev", dev, None), ("test", test, SPLIT_DATE),
            *((name, rows, after) for (name, after), rows in zip(HELD_OUT_SPLITS[1:], later,
                                                                 strict=False))]
    given = [*sets[:2], *(s for s in sets[2:] if s[1])]
    problems = []
    for i, (a, rows_a, _) in enumerate(given):
        for b, rows_b, _ in given[i + 1:]:
            shared = {r.get("source") for r in rows_a} & {r.get("source") for r in rows_b}
            if shared:
                problems.append(f"sources in both {a} and {b}: {sorted(map(str, shared))}")
    for i, (name, rows, after) in enumerate(given):
        until = given[i + 1][2] if i + 1 < len(given) else None
        problems += _dated(rows, name, after, until)
    problems += [f"{r.get('id')}: no source or date" for _, rows, _ in given for r in rows
                 if not r.get("source") or not r.get("date")]
    return problems


def _date(value: Any) -> datetime | None:
    """An item's `date` (TOML date or ISO text) as a UTC datetime; None when absent.  A real
    page may give only its month or year ("2021-01", "2021"): read as that period's first day,
    which is all the scorer uses a date for (the year an item reports from)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str) and value:
        if re.fullmatch(r"\d{4}(-\d{2})?", value):
            value = (value + "-01-01")[:10] if len(value) == 4 else value + "-01"
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if value is not None and value != "":
        raise ValueError(f"not a date: {value!r}")
    return None


def item_of(row: Mapping[str, Any]) -> FeedItem:
    """A labelled row as the feed item the scorer sees (its id as the URL)."""
    return FeedItem(url=str(row.get("id") or row.get("url", "")), title=row.get("title", ""),
                    text=row.get("text", ""), lang=row.get("lang"),
                    published_at=_date(row.get("date")))


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def _groups(row: Mapping[str, Any]) -> tuple[str, ...]:
    lang = str(row.get("lang", "?"))
    script = row.get("script")
    return (lang, f"{lang}/{script}", "all") if script else (lang, "all")


def _count(c: dict[str, int], got: Mapping[str, Any], want: set[str],
           stances: Mapping[str, str]) -> None:
    c["items"] += 1
    c["item_tp"] += bool(got) and bool(want)
    c["item_fp"] += bool(got) and not want
    c["item_fn"] += not got and bool(want)
    c["near_misses"] += not want
    c["pair_tp"] += len(set(got) & want)
    c["pair_fp"] += len(set(got) - want)
    c["pair_fn"] += len(want - set(got))
    for cid in set(got) & want:
        if cid in stances:
            c["stance_n"] += 1
            c["stance_ok"] += got[cid].stance == stances[cid]


def evaluate(
    labelled: Sequence[Mapping[str, Any]],
    claims: Sequence[Claim],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    second_opinion: SecondOpinion | None = None,
) -> dict[str, Any]:
    """Precision/recall of ``score_item`` on labelled items, per language and overall.

    Each labelled item is a mapping with ``title``, ``text``, ``lang`` and ``claims`` (ids it
    bears on; empty for an irrelevant item: a near-miss), optionally ``stance`` (claim id →
    stance) and ``script``.  Item level: flagged relevant vs labelled relevant.  Claim level:
    (item, claim) pairs.  Stance accuracy is over correctly found pairs that carry a stance
    label.  ``near_miss_flagged``: the share of near-misses flagged for any claim.
    *second_opinion*: the learned model that may add claims (``score_item``).
    Returns ``{lang: {...}, "kk/latn": {...}, "all": {...}, "errors": [...]}``.
    """
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    errors = []
    for row in labelled:
        got = {m.claim_id: m for m in score_item(item_of(row), claims, threshold=threshold,
                                                 second_opinion=second_opinion)}
        want = set(row.get("claims", []))
        stances = row.get("stance", {})
        for group in _groups(row):
            _count(counts[group], got, want, stances)
        wrong_stance = {cid: (got[cid].stance, stances[cid]) for cid in set(got) & want
                        if cid in stances and got[cid].stance != stances[cid]}
        if set(got) != want or wrong_stance:
            errors.append({"id": row.get("id"), "want": sorted(want), "got": sorted(got),
                           "stance": wrong_stance,
                           "want_stance": {c: stances[c] for c in sorted(want) if c in stances}})
    result: dict[str, Any] = {}
    for group, c in counts.items():
        result[group] = {
            "items": c["items"],
            "item_precision": _ratio(c["item_tp"], c["item_tp"] + c["item_fp"]),
            "item_recall": _ratio(c["item_tp"], c["item_tp"] + c["item_fn"]),
            "claim_precision": _ratio(c["pair_tp"], c["pair_tp"] + c["pair_fp"]),
            "claim_recall": _ratio(c["pair_tp"], c["pair_tp"] + c["pair_fn"]),
            "stance_accuracy": _ratio(c["stance_ok"], c["stance_n"]),
            "near_miss_flagged": _ratio(c["item_fp"], c["near_misses"]),
        }
    result["errors"] = errors
    return result


def decisions(rows: Sequence[Mapping[str, Any]], claims: Sequence[Claim], *,
              threshold: float = DEFAULT_THRESHOLD,
              second_opinion: SecondOpinion | None = None) -> dict[str, list[list[Any]]]:
    """Every decision ``score_item`` makes on *rows*, as plain data to compare before and
    after a change: item id (or URL) → [[claim, score, stance, reason, matched, sentence]]."""
    out = {}
    for row in rows:
        key = str(row.get("id") or row.get("url", ""))
        out[key] = [[m.claim_id, m.score, m.stance, m.reason, list(m.matched), m.sentence]
                    for m in score_item(item_of(row), claims, threshold=threshold,
                                        second_opinion=second_opinion)]
    return out


def error_kinds(errors: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, str, str]]:
    """Each error of ``evaluate`` split into mechanical kinds, one row per (item, claim):
    (kind, claim, detail, item id).  Kinds: ``near-miss flagged`` (an item labelled
    irrelevant got the claim), ``item missed`` (a relevant item got no claim; detail: the
    wanted stance), ``claim missed`` / ``claim added`` (a found item lacks a wanted claim or
    has an unwanted one), ``stance`` (detail "wanted -> got").  The stance of a missed claim
    is its label's, so that "C2 mentions missed" and "C2 updates missed" are told apart."""
    rows = []
    for error in errors:
        item, want, got = str(error["id"]), set(error["want"]), set(error["got"])
        stances = error.get("want_stance", {})
        if not want:
            rows += [("near-miss flagged", c, "", item) for c in sorted(got)]
            continue
        missed = "item missed" if not got else "claim missed"
        rows += [(missed, c, stances.get(c, ""), item) for c in sorted(want - got)]
        rows += [("claim added", c, "", item) for c in sorted(got - want)]
        rows += [("stance", c, f"{wanted} -> {chosen}", item)
                 for c, (chosen, wanted) in sorted(error["stance"].items())]
    return rows


OUTCOMES = ("not found", "confirms", "updates", "contradicts", "mentions")


def outcome_matrix(rows: Sequence[tuple[str, str, str, str]]) -> dict[str, dict[str, int]]:
    """``error_kinds`` rows as wanted stance → what the scorer did: ``not found`` (an item or
    claim missed) or the stance it chose instead.  Claims added and near-misses flagged have
    no wanted stance and are left out (count them by kind).  A missed claim without a stance
    label counts under "?"."""
    matrix: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for kind, _, detail, _ in rows:
        if kind in ("item missed", "claim missed"):
            matrix[detail or "?"]["not found"] += 1
        elif kind == "stance":
            wanted, chosen = detail.split(" -> ")
            matrix[wanted][chosen] += 1
    return dict(matrix)
