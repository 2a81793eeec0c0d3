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
REAL_FILES = ["real_items.toml", "real_items_2.toml", "real_items_3.toml"]
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


def test_second_real_set_is_new_balanced_and_fully_labelled() -> None:
    first = {row["url"] for row in _items("real_items.toml")}
    rows = _items("real_items_2.toml")
    assert not first & {row["url"] for row in rows}, "the second set must be unseen items"
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    langs = Counter(row["lang"] for row in rows)
    assert langs["ru"] >= 18 and langs["kk"] >= 10 and langs["en"] >= 15
    assert sum(not row["claims"] for row in rows) * 4 >= len(rows)  # near-misses >= a quarter
    assert all(row.get("script") in ("cyrl", "latn", "arab") for row in rows if row["lang"] == "kk")
    assert all(set(row.get("stance", {})) == set(row["claims"]) for row in rows)


def test_third_real_set_is_unseen_balanced_and_fully_labelled() -> None:
    """real_items_3.toml is kept for measuring after round 3: none of its pages was seen before."""
    earlier = {row["url"] for name in REAL_FILES[:2] for row in _items(name)}
    rows = _items("real_items_3.toml")
    assert not earlier & {row["url"] for row in rows}, "the third set must be unseen items"
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) and all(i.startswith("r3-") for i in ids)
    langs = Counter(row["lang"] for row in rows)
    assert langs["ru"] >= 22 and langs["kk"] >= 15 and langs["en"] >= 20
    assert sum(not row["claims"] for row in rows) * 10 >= len(rows) * 3  # near-misses >= 30%
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
