"""The real-text label files (tests/data/real_items*.toml) are well-formed and hold no prose.

They carry only URL, title, labels and a one-line note per real news page (the prose is
third-party); bench/score_real_texts.py scores them with texts kept outside the repository.
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from kzwatch.relevance import load_claims

DATA = Path(__file__).parent / "data"
REAL_FILES = ["real_items.toml", "real_items_2.toml", "real_items_3.toml", "real_items_4.toml",
              "real_items_5.toml", "real_items_6.toml", "real_items_7.toml",
              "real_items_8.toml", "real_items_9.toml", "real_items_10.toml",
              "real_items_11.toml", "real_items_12.toml", "real_items_13.toml",
              "real_items_14.toml", "real_items_15.toml",
              "real_items_16.toml", "real_items_17.toml",
              "real_items_18.toml", "real_items_19.toml",
              "real_items_20.toml"]
ALLOWED_KEYS = {"id", "url", "lang", "script", "date", "title", "claims", "stance", "note"}
STANCES = {"confirms", "updates", "contradicts", "mentions"}


def _items(name: str) -> list[dict]:
    return tomllib.loads((DATA / name).read_text(encoding="utf-8"))["item"]


def _claim_ids() -> set[str]:
    text = resources.files("kzwatch.data").joinpath("claims.toml").read_text(encoding="utf-8")
    return {c.id for c in load_claims(text, "beimenbetov-2021")}


def _problems(row: dict, claim_ids: set[str]) -> list[str]:
    """What is wrong with one labelled real item (empty when nothing is)."""
    problems = [f"unexpected key {k!r} (prose never goes in)" for k in set(row) - ALLOWED_KEYS]
    problems += [f"no {k}" for k in ("url", "lang", "title", "note") if not row.get(k)]
    if not str(row.get("url", "")).startswith(("http://", "https://")):
        problems.append("url is not http(s)")
    if row.get("lang") not in ("ru", "kk", "en"):
        problems.append(f"lang {row.get('lang')!r}")
    claims, stance = row.get("claims"), row.get("stance", {})
    if not isinstance(claims, list) or set(claims) - claim_ids:
        problems.append(f"claims {claims!r} not a list of claim ids")
    if set(stance) - set(claims or []) or set(stance.values()) - STANCES:
        problems.append(f"stance {stance!r} does not fit claims {claims!r}")
    if "\n" in str(row.get("note", "")) or len(str(row.get("note", ""))) > 200:
        problems.append("note is not one short line")
    return problems


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_items_are_well_formed(name: str) -> None:
    claim_ids = _claim_ids()
    rows = _items(name)
    bad = {row.get("url"): p for row in rows if (p := _problems(row, claim_ids))}
    assert bad == {}
    urls = [row["url"] for row in rows]
    assert len(urls) == len(set(urls)), "a URL is listed twice"


def test_problems_are_found_on_a_broken_item() -> None:
    row = {"url": "ftp://x", "lang": "de", "title": "t", "claims": ["C99"],
           "stance": {"C1": "agrees"}, "note": "a\nb", "text": "copied prose"}
    assert len(_problems(row, _claim_ids())) == 6  # key, url, lang, claims, stance, note


# Each later real set is kept for one measurement after a round of changes, so none of its
# pages may be in an earlier set.  (file, id prefix, least ru/kk/en, least near-miss share)
LATER_SETS = [
    ("real_items_2.toml", "r2-", (18, 10, 15), 0.25),
    ("real_items_3.toml", "r3-", (22, 15, 20), 0.30),
    ("real_items_4.toml", "r4-", (25, 15, 20), 0.30),
    ("real_items_5.toml", "r5-", (20, 12, 15), 0.30),
    ("real_items_6.toml", "r6-", (22, 15, 18), 0.30),
    ("real_items_7.toml", "r7-", (20, 15, 15), 0.30),
    ("real_items_8.toml", "r8-", (18, 10, 12), 0.30),
    ("real_items_9.toml", "r9-", (30, 15, 20), 0.30),
    ("real_items_10.toml", "r10-", (19, 14, 30), 0.30),
    ("real_items_11.toml", "r11-", (17, 11, 17), 0.30),
    ("real_items_12.toml", "r12-", (25, 18, 22), 0.30),
    ("real_items_13.toml", "r13-", (20, 10, 27), 0.30),
    ("real_items_14.toml", "r14-", (28, 24, 54), 0.30),
    ("real_items_15.toml", "r15-", (27, 23, 20), 0.30),
    ("real_items_16.toml", "r16-", (17, 22, 25), 0.30),
    ("real_items_17.toml", "r17-", (27, 17, 27), 0.30),
    ("real_items_18.toml", "r18-", (24, 13, 26), 0.30),
    ("real_items_19.toml", "r19-", (17, 13, 18), 0.30),
    ("real_items_20.toml", "r20-", (20, 13, 27), 0.30),
]


@pytest.mark.parametrize(("name", "prefix", "least", "near_miss_share"), LATER_SETS)
def test_later_real_set_is_unseen_balanced_and_fully_labelled(
        name: str, prefix: str, least: tuple[int, int, int], near_miss_share: float) -> None:
    earlier = {row["url"] for other in REAL_FILES[:REAL_FILES.index(name)]
               for row in _items(other)}
    rows = _items(name)
    assert not earlier & {row["url"] for row in rows}, f"{name} must hold unseen pages only"
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) and all(i.startswith(prefix) for i in ids)
    langs = Counter(row["lang"] for row in rows)
    assert all(langs[lang] >= n for lang, n in zip(("ru", "kk", "en"), least, strict=True))
    assert sum(not row["claims"] for row in rows) >= near_miss_share * len(rows)
    scripts = Counter(row.get("script") for row in rows if row["lang"] == "kk")
    assert set(scripts) <= {"cyrl", "latn", "arab"} and scripts["latn"] and scripts["arab"]
    assert all(set(row.get("stance", {})) == set(row["claims"]) for row in rows)


def _score_module():
    path = Path(__file__).resolve().parents[1] / "bench" / "score_real_texts.py"
    spec = importlib.util.spec_from_file_location("score_real_texts", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_scoring_script_reads_texts_by_id_and_names_the_missing(tmp_path: Path) -> None:
    score = _score_module()
    (tmp_path / "a.txt").write_text("Явка составила 63,3%.", encoding="utf-8")
    rows = [{"id": "a", "title": "t"}, {"id": "b", "title": "u"}]
    with pytest.raises(ValueError, match="no text for 1 items: b"):
        score.with_texts(rows, tmp_path)
    assert score.with_texts(rows[:1], tmp_path)[0]["text"] == "Явка составила 63,3%."
    with pytest.raises(ValueError, match="have no `id`"):
        score.with_texts([{"title": "t"}], tmp_path)
