"""Tests of kzwatch.relevance: claims loading, matching, stance, and the labelled-set targets."""

from __future__ import annotations

import tomllib
from collections import Counter
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import pytest

from kzwatch.model import STANCES, Claim, FeedItem
from kzwatch.relevance import evaluate, extract_numbers, load_claims, score_item
from kzwatch.relevance.evaluation import HELD_OUT_SPLITS, load_labelled, split_problems

ARTICLE = "beimenbetov-2021"
LABELLED = Path(__file__).parent / "data" / "labelled_items.toml"
HELD_OUT = Path(__file__).parent / "data" / "labelled_items_test.toml"


@pytest.fixture(scope="module")
def claims() -> list[Claim]:
    text = resources.files("kzwatch.data").joinpath("claims.toml").read_text(encoding="utf-8")
    return load_claims(text, ARTICLE)


@pytest.fixture(scope="module")
def labelled() -> list[dict]:
    return tomllib.loads(LABELLED.read_text(encoding="utf-8"))["item"]


@pytest.fixture(scope="module")
def held_out() -> list[dict]:
    return tomllib.loads(HELD_OUT.read_text(encoding="utf-8"))["item"]


def _held_out_fixture(n: int):
    """The module-scoped fixture ``held_out_<n>``: the n-th held-out written set."""
    path = Path(__file__).parent / "data" / f"labelled_items_test{n}.toml"

    def rows() -> list[dict]:
        return load_labelled(path)
    return pytest.fixture(scope="module", name=f"held_out_{n}")(rows)


# One fixture per held-out set after the first, ``held_out_2`` .. : a new set is registered in
# ``HELD_OUT_SPLITS`` alone.
for _n in range(2, len(HELD_OUT_SPLITS) + 1):
    globals()[f"held_out_{_n}"] = _held_out_fixture(_n)


def match(claims: list[Claim], title: str, text: str = "", claim_id: str | None = None,
          **kwargs):
    found = score_item(FeedItem(url="https://example.org/x", title=title, text=text), claims,
                       **kwargs)
    if claim_id is None:
        return found
    return next((m for m in found if m.claim_id == claim_id), None)


# --- loading ------------------------------------------------------------------------------------


def test_packaged_claims_have_the_fixed_ids(claims: list[Claim]) -> None:
    assert [c.id for c in claims] == [f"C{i}" for i in range(1, 17)]
    assert all(c.article_id == ARTICLE and c.text and c.terms for c in claims)
    c1 = claims[0]
    assert c1.footnotes == (4, 5, 16)
    assert "35.10%" in c1.figures
    # Group references are expanded into the scorer's keys.
    assert "Kazakhstan" in c1.extra["context"][0]
    assert all(not t.startswith("@") for t in c1.extra["anchors"])


def test_load_claims_names_claim_and_key_on_bad_type() -> None:
    bad = '[[claim]]\nid = "X1"\ntext = "t"\nfootnotes = ["four"]\n'
    with pytest.raises(ValueError, match=r"claim X1.*footnotes"):
        load_claims(bad, ARTICLE)
    with pytest.raises(ValueError, match=r"claim X2.*'text'"):
        load_claims('[[claim]]\nid = "X2"\ntext = 5\n', ARTICLE)
    with pytest.raises(ValueError, match=r"unknown term group '@nope'"):
        load_claims('[[claim]]\nid = "X3"\ntext = "t"\nanchors = ["@nope"]\n', ARTICLE)
    with pytest.raises(ValueError, match="duplicate"):
        load_claims('[[claim]]\nid = "A"\ntext = "t"\n[[claim]]\nid = "A"\ntext = "u"\n', ARTICLE)
    with pytest.raises(ValueError, match="not valid TOML"):
        load_claims("[[claim]\n", ARTICLE)


def test_load_claims_rejects_other_article_and_keeps_unknown_keys() -> None:
    with pytest.raises(ValueError, match="other-article"):
        load_claims('article_id = "other-article"\n', ARTICLE)
    (claim,) = load_claims('[[claim]]\nid = "Z"\ntext = "t"\nanalyst_note = "keep me"\n', "a")
    assert claim.extra["analyst_note"] == "keep me"
    assert claim.article_id == "a"


# --- the labelled set: targets computed, not asserted by hand ----------------------------------


def test_labelled_data_is_big_balanced_and_split_by_source_and_date(labelled, held_out) -> None:
    assert len(labelled) + len(held_out) >= 400
    for rows in (labelled, held_out):
        for lang in ("ru", "kk", "en"):
            assert sum(item["lang"] == lang for item in rows) >= 40
        assert sum(not item["claims"] for item in rows) >= len(rows) // 4
        scripts = {item.get("script") for item in rows if item["lang"] == "kk"}
        assert scripts == {"cyrl", "latn", "arab"}
    assert split_problems(labelled, held_out) == []
    # The check itself can fail: a test item in the dev set breaks the rule twice over.
    assert len(split_problems([*labelled, held_out[0]], held_out)) >= 2


def test_second_held_out_set_loads_and_meets_its_quotas(held_out_2) -> None:
    assert len(held_out_2) >= 120
    assert len({item["id"] for item in held_out_2}) == len(held_out_2)
    for lang in ("ru", "kk", "en"):
        assert sum(item["lang"] == lang for item in held_out_2) >= 40, lang
    kk_scripts = [item.get("script") for item in held_out_2 if item["lang"] == "kk"]
    assert kk_scripts.count("latn") >= 12 and kk_scripts.count("arab") >= 10
    assert sum(not item["claims"] for item in held_out_2) >= 0.3 * len(held_out_2)
    labelled_claims = {cid for item in held_out_2 for cid in item["claims"]}
    assert labelled_claims == {f"C{i}" for i in range(1, 17)}
    stances = {s for item in held_out_2 for s in item.get("stance", {}).values()}
    assert stances == set(STANCES)
    for item in held_out_2:
        assert set(item.get("stance", {})) == set(item["claims"]), item["id"]


def test_second_held_out_set_keeps_the_split(labelled, held_out, held_out_2) -> None:
    assert split_problems(labelled, held_out, held_out_2) == []
    # The check can fail: a dev source in test 2, a test 2 item in the first test set.
    moved = {**held_out_2[0], "source": labelled[0]["source"]}
    problems = split_problems(labelled, held_out, [moved, *held_out_2[1:]])
    assert any("dev and test 2" in p for p in problems)
    problems = split_problems(labelled, [*held_out, held_out_2[1]], held_out_2)
    assert any("test and test 2" in p for p in problems)
    assert any("(after 2025-06-30)" in p for p in problems)
    early = {**held_out_2[0], "date": "2025-01-01"}
    assert any("not after 2025-06-30" in p
               for p in split_problems(labelled, held_out, [early, *held_out_2[1:]]))


def test_third_held_out_set_loads_and_meets_its_quotas(held_out_3) -> None:
    assert len(held_out_3) >= 100
    assert len({item["id"] for item in held_out_3}) == len(held_out_3)
    for lang, least in (("ru", 34), ("kk", 33), ("en", 33)):
        assert sum(item["lang"] == lang for item in held_out_3) >= least, lang
    kk = [item for item in held_out_3 if item["lang"] == "kk"]
    assert sum(item.get("script") == "arab" for item in kk) >= 8
    latin = [item["title"] + item["text"] for item in kk if item.get("script") == "latn"]
    # Both Latin alphabets, told apart by their letters: 2018 acute (ǵ ń ý), 2021 (ğ ñ ş).
    assert sum(any(c in t for c in "ǵńý") for t in latin) >= 10
    assert sum(any(c in t for c in "ğñş") for t in latin) >= 10
    assert sum(not item["claims"] for item in held_out_3) >= 0.3 * len(held_out_3)
    assert {cid for item in held_out_3 for cid in item["claims"]} == {
        f"C{i}" for i in range(1, 17)}
    assert {s for item in held_out_3 for s in item.get("stance", {}).values()} == set(STANCES)
    for item in held_out_3:
        assert set(item.get("stance", {})) == set(item["claims"]), item["id"]


def test_third_held_out_set_keeps_the_split(labelled, held_out, held_out_2, held_out_3) -> None:
    assert split_problems(labelled, held_out, held_out_2, held_out_3) == []
    # The check can fail, pairwise: a source of each earlier set in test 3, and dates.
    for name, rows in (("dev", labelled), ("test", held_out), ("test 2", held_out_2)):
        moved = {**held_out_3[0], "source": rows[0]["source"]}
        problems = split_problems(labelled, held_out, held_out_2, [moved, *held_out_3[1:]])
        assert any(f"{name} and test 3" in p for p in problems), name
    early = {**held_out_3[0], "date": "2026-11-30"}
    assert any("not after 2026-11-30" in p for p in
               split_problems(labelled, held_out, held_out_2, [early, *held_out_3[1:]]))
    problems = split_problems(labelled, held_out, [*held_out_2, held_out_3[1]], held_out_3)
    assert any("test 2 and test 3" in p for p in problems)
    assert any("(after 2026-11-30)" in p for p in problems)


def _assert_written_set_quotas(rows: list[dict], least_arabic: int = 12,
                               least_latin: int = 15) -> None:
    """The quotas of a fresh written held-out set (test 4 on): size, languages, near-misses
    between a quarter and a third, Kazakh in three scripts and both Latin alphabets, every
    claim on four items or more, every stance, a stance for each claim labelled (test 6 was
    written with ten Arabic-script items, *least_arabic* 10; test 7 with 14 Latin-script items,
    *least_latin* 14)."""
    assert len(rows) >= 130
    assert len({item["id"] for item in rows}) == len(rows)
    for lang, least in (("ru", 45), ("kk", 45), ("en", 40)):
        of_lang = [item for item in rows if item["lang"] == lang]
        assert len(of_lang) >= least, lang
        near_misses = sum(not item["claims"] for item in of_lang)
        assert len(of_lang) / 4 <= near_misses <= len(of_lang) / 3, lang
    kk = [item for item in rows if item["lang"] == "kk"]
    assert all(item.get("script") in ("cyrl", "latn", "arab") for item in kk)
    assert sum(item.get("script") == "cyrl" for item in kk) >= 15
    assert sum(item.get("script") == "arab" for item in kk) >= least_arabic
    latin = [item["title"] + item["text"] for item in kk if item.get("script") == "latn"]
    assert len(latin) >= least_latin
    # Both Latin alphabets, told apart by their letters: 2018 acute (ǵ ń ý), 2021 (ğ ñ ş).
    assert sum(any(c in t for c in "ǵńý") for t in latin) >= 5
    assert sum(any(c in t for c in "ğñş") for t in latin) >= 5
    per_claim = Counter(cid for item in rows for cid in item["claims"])
    assert set(per_claim) == {f"C{i}" for i in range(1, 17)}
    assert all(per_claim[f"C{i}"] >= 4 for i in range(1, 17)), per_claim
    assert {s for item in rows for s in item.get("stance", {}).values()} == set(STANCES)
    for item in rows:
        assert set(item.get("stance", {})) == set(item["claims"]), item["id"]


def _assert_split_is_kept_and_checked(earlier: tuple, rows: list[dict], name: str,
                                      split_date: str) -> None:
    """*rows* (the newest written set, *name*) keep the split after the *earlier* sets, and the
    check can fail, pairwise: a source of each earlier set in it, a date on or before
    *split_date*, an item of it in the set before."""
    assert split_problems(*earlier, rows) == []
    names = ("dev", *(set_name for set_name, _ in HELD_OUT_SPLITS))[:len(earlier)]
    for earlier_name, earlier_rows in zip(names, earlier, strict=True):
        moved = {**rows[0], "source": earlier_rows[0]["source"]}
        problems = split_problems(*earlier, [moved, *rows[1:]])
        assert any(f"{earlier_name} and {name}" in p for p in problems), earlier_name
    early = {**rows[0], "date": split_date}
    assert any(f"not after {split_date}" in p
               for p in split_problems(*earlier, [early, *rows[1:]]))
    problems = split_problems(*earlier[:-1], [*earlier[-1], rows[1]], rows)
    assert any(f"{names[-1]} and {name}" in p for p in problems)
    assert any(f"(after {split_date})" in p for p in problems)


#: The later written sets (tests 4 on) and what each one's quotas ask beyond the common
#: ones: test 6 was written with ten Arabic-script items, test 7 with 14 Latin-script items,
#: tests 8 on with 16.  Tests 5 on were written in Cyrillic and converted by letter tables.
LATER_WRITTEN_SETS = {4: {}, 5: {}, 6: {"least_arabic": 10}, 7: {"least_latin": 14},
                      **{n: {"least_latin": 16} for n in range(8, len(HELD_OUT_SPLITS) + 1)}}


def _written_sets(request: pytest.FixtureRequest, up_to: int) -> list[list[dict]]:
    """The development set and the written test sets 1 .. *up_to*, in split order."""
    return [request.getfixturevalue("labelled"), request.getfixturevalue("held_out"),
            *(request.getfixturevalue(f"held_out_{n}") for n in range(2, up_to + 1))]


@pytest.mark.parametrize("n", sorted(LATER_WRITTEN_SETS))
def test_later_held_out_set_loads_and_meets_its_quotas(request, n: int) -> None:
    rows = request.getfixturevalue(f"held_out_{n}")
    _assert_written_set_quotas(rows, **LATER_WRITTEN_SETS[n])
    if n >= 5:
        _assert_converted_kazakh(rows)


@pytest.mark.parametrize("n", sorted(LATER_WRITTEN_SETS))
def test_later_held_out_set_keeps_the_split(request, n: int) -> None:
    """Test *n* keeps the split after every earlier set, the check can fail, and the set was
    written for one window: every date in the twelve days after its split date."""
    *earlier, rows = _written_sets(request, n)
    split_date = dict(HELD_OUT_SPLITS)[f"test {n}"]
    _assert_split_is_kept_and_checked(tuple(earlier), rows, f"test {n}", split_date)
    after = date.fromisoformat(split_date)
    assert all(0 < (date.fromisoformat(item["date"]) - after).days <= 12 for item in rows), n


def test_a_set_not_loaded_is_skipped_and_a_set_without_a_split_date_is_an_error(request) -> None:
    *earlier, test_4, test_5 = _written_sets(request, 5)
    # Test 5 without test 4 (not loaded: an empty set) is still checked against the rest.
    assert split_problems(*earlier, [], test_5) == []
    problems = split_problems(*earlier, [], [{**test_5[0], "date": "2026-12-01"}])
    assert any("not after 2026-12-12" in p for p in problems)
    # One set more than HELD_OUT_SPLITS has dates for: an error, not a silent pass.
    every = _written_sets(request, max(LATER_WRITTEN_SETS))
    with pytest.raises(ValueError, match=f"split rule has dates for {len(HELD_OUT_SPLITS) + 1}"):
        split_problems(*every, every[-1])


def _assert_converted_kazakh(rows: list[dict]) -> None:
    """Only Kazakh items carry a script; converted text keeps no Cyrillic letter, and
    Arabic-script items are in Arabic letters."""
    kk = [item for item in rows if item["lang"] == "kk"]
    assert not any(item.get("script") for item in rows if item["lang"] != "kk")
    latin = [item["title"] + item["text"] for item in kk if item.get("script") == "latn"]
    assert not any(any("а" <= c.lower() <= "я" or c in "әғқңөұүһі" for c in t) for t in latin)
    for item in kk:
        if item["script"] == "arab":
            assert sum("\u0600" <= c <= "\u06ff" for c in item["text"]) > len(item["text"]) / 2


def test_development_set_meets_targets(claims, labelled) -> None:
    result = evaluate(labelled, claims)
    for lang in ("ru", "kk", "en"):
        row = result[lang]
        errors = (lang, result["errors"])
        assert row["item_precision"] >= 0.92 and row["item_recall"] >= 0.88, errors
        assert row["claim_precision"] >= 0.88 and row["claim_recall"] >= 0.8, errors
        assert row["stance_accuracy"] >= 0.8 and row["near_miss_flagged"] <= 0.08, lang


#: Floors for the held-out test set, set from the measurement recorded in bench/RESULTS.md
#: (2026-12-06, lowest per language: item P 0.935 (ru), item R 0.914 (kk), claim P 0.935 (ru),
#: claim R 0.914 (kk), stance 0.964 (en), near-misses 9.1% (ru); under docs/LABELLING.md ru
#: stance 0.968 and near-misses 0%) less a margin of one to two
#: items, so that a change which loses held-out quality fails here.  Never raise them by tuning
#: on the test set.
HELD_OUT_FLOORS = {"item_precision": 0.9, "item_recall": 0.85, "claim_precision": 0.9,
                   "claim_recall": 0.85, "stance_accuracy": 0.9}
HELD_OUT_NEAR_MISS_CEILING = 0.14


def _assert_above_floors(result: dict, floors: dict[str, float], near_miss_ceiling: float) -> None:
    for lang in ("ru", "kk", "en"):
        for metric, floor in floors.items():
            assert result[lang][metric] >= floor, (lang, metric, result[lang])
        assert result[lang]["near_miss_flagged"] <= near_miss_ceiling, lang


def test_held_out_figures_stay_above_the_measured_floor(claims, held_out) -> None:
    _assert_above_floors(evaluate(held_out, claims), HELD_OUT_FLOORS, HELD_OUT_NEAR_MISS_CEILING)


#: Floors for the second held-out set from its one measurement (bench/RESULTS.md, 2026-12-06,
#: lowest per language: item P 0.931 (ru), item R 0.759 (kk), claim P 0.931 (en), claim R 0.759
#: (kk), stance 0.852 (en), near-misses 13.3% (ru)) less a margin of one to two items: a guard
#: against losing quality, not a target.  Never raise them by tuning on this set.
HELD_OUT_2_FLOORS = {"item_precision": 0.9, "item_recall": 0.72, "claim_precision": 0.9,
                     "claim_recall": 0.72, "stance_accuracy": 0.8}
HELD_OUT_2_NEAR_MISS_CEILING = 0.2


def test_second_held_out_figures_stay_above_the_measured_floor(claims, held_out_2) -> None:
    _assert_above_floors(evaluate(held_out_2, claims), HELD_OUT_2_FLOORS, HELD_OUT_2_NEAR_MISS_CEILING)


def test_every_match_has_a_stance_and_a_reason(claims, labelled) -> None:
    for row in labelled:
        for m in score_item(FeedItem(url="u", title=row["title"], text=row["text"]), claims):
            assert m.stance in STANCES
            assert m.reason.strip()
            assert m.matched and m.sentence
            assert 0 < m.score <= 1


def test_evaluate_counts_false_positives(claims) -> None:
    rows = [{"id": "x", "lang": "en", "title": "Nur Otan wins 71% in Majilis election",
             "text": "Kazakhstan's ruling party won the parliamentary vote.", "claims": []}]
    result = evaluate(rows, claims)
    assert result["en"]["item_precision"] == 0.0
    assert result["errors"][0]["id"] == "x"


# --- inflection, scripts and numbers -----------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Съезд «Нур Отана» подвёл итоги выборов в Мажилис: партия набрала 71%",
        "Нұр Отанның Мәжіліс сайлауындағы нәтижесі 71 пайыз",
        "Nur Otan took 71% in the Majilis election, Kazakhstan's CEC says",
        "Партия Nur Otan набрала 71 процент на выборах в Мажилис",
    ],
)
def test_party_result_matches_across_inflection_and_script(claims, title: str) -> None:
    m = match(claims, title, claim_id="C2")
    assert m is not None, title
    assert m.stance == "confirms"


@pytest.mark.parametrize(
    "figure", ["63,3%", "63.3 %", "63,3 процента", "63,3 пайыз", "63.3 percent", "63,25 %"]
)
def test_turnout_number_formats_confirm(claims, figure: str) -> None:
    m = match(claims, f"Явка на выборах в Мажилис Казахстана составила {figure}", claim_id="C1")
    assert m is not None and m.stance == "confirms", (figure, m)


def test_extract_numbers_understands_separators_and_units() -> None:
    found = {(n.value, n.percent, n.year) for n in extract_numbers(
        "63,3 %, 35.10%, 340 000 и 340,000, 340 тысяч, 18 млн, в 2021 году, 5 мың")}
    assert (63.3, True, False) in found
    assert (35.1, True, False) in found
    assert (340000.0, False, False) in found
    assert (18_000_000.0, False, False) in found
    assert (2021.0, False, True) in found
    assert (5000.0, False, False) in found


# --- stance ------------------------------------------------------------------------------------


def test_rename_is_an_update_with_reason(claims) -> None:
    m = match(claims, "Партия «Нур Отан» переименована в Amanat",
              "Делегаты съезда в Астане одобрили новое название.", claim_id="C2")
    assert m is not None
    assert m.stance == "updates"
    assert "Amanat" in m.reason


def test_replaced_council_is_an_update(claims) -> None:
    m = match(claims, "National Kurultai replaces Kazakhstan's National Council of Public Trust",
              claim_id="C6")
    assert m is not None and m.stance == "updates"


def test_newer_turnout_is_an_update_not_a_confirmation(claims) -> None:
    m = match(claims, "Turnout in Kazakhstan's 2023 Majilis election was 54.19%", claim_id="C1")
    assert m is not None
    assert m.stance == "updates"
    assert "54.19" in m.reason


def test_different_turnout_for_same_election_contradicts(claims) -> None:
    m = match(claims, "Явка на выборах в Мажилис 10 января составила 48%",
              "ЦИК Казахстана уточнил данные.", claim_id="C1")
    assert m is not None
    assert m.stance == "contradicts"
    assert "48" in m.reason


def test_against_all_returning_is_an_update(claims) -> None:
    m = match(claims, "В Казахстане вернули графу «против всех»", claim_id="C5")
    assert m is not None and m.stance == "updates"


def test_negated_update_word_is_not_an_update(claims) -> None:
    m = match(claims, "Минюст Казахстана снова отказал Демократической партии Жанболата Мамая",
              "Новая партия так и не была зарегистрирована.", claim_id="C8")
    assert m is not None
    assert m.stance != "updates"


# --- near-misses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Явка на выборах в Жогорку Кенеш составила 34,6%",
         "ЦИК Кыргызстана подвёл итоги парламентских выборов. В Бишкеке явка была ниже."),
        ("Kyrgyzstan's parliamentary election turnout 34.6%",
         "The Kyrgyz CEC said turnout was the lowest ever."),
        ("Госдума обсуждает возвращение графы «против всех»",
         "Депутаты предложили вернуть её на выборах в России."),
        ("Явка на президентских выборах в Казахстане составила 69,4%",
         "Токаев набрал 81% голосов."),
        ("Nur Otan congress discusses youth policy", "Speakers talked about sport."),
    ],
)
def test_near_misses_are_rejected(claims, title: str, text: str) -> None:
    assert match(claims, title, text) == []


def test_threshold_is_a_parameter(claims) -> None:
    title = "Явка на выборах в Мажилис Казахстана составила 63,3%"
    assert match(claims, title, threshold=1.01) == []
    assert {m.claim_id for m in match(claims, title)} <= {
        m.claim_id for m in match(claims, title, threshold=0.0)
    }


def test_now_limits_what_counts_as_a_year(claims) -> None:
    # With "now" in 2021, "2023" is not a later year the item could report on.
    title = "Явка на выборах в Мажилис в 2023 году — 54,19%"
    later = match(claims, title, claim_id="C1", now=datetime(2024, 1, 1, tzinfo=UTC))
    early = match(claims, title, claim_id="C1", now=datetime(2021, 1, 1, tzinfo=UTC))
    assert later is not None and later.stance == "updates"
    assert early is not None and early.stance == "contradicts"


def test_empty_item_matches_nothing(claims) -> None:
    assert match(claims, "", "") == []


def test_minimal_claims_file_without_anchors_still_matches() -> None:
    minimal = (
        '[[claim]]\nid = "M1"\ntext = "t"\nfigures = ["63%"]\n'
        '[claim.terms]\nru = ["явка"]\nen = ["turnout"]\n'
    )
    claims = load_claims(minimal, ARTICLE)
    m = match(claims, "Turnout reached 63%", claim_id="M1")
    assert m is not None and m.stance == "confirms"
    assert match(claims, "Weather in Almaty") == []


def test_labelled_dates_may_be_a_month_or_a_year_and_anything_else_is_one_clear_error(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('[[item]]\nid = "a"\ndate = "2021-01"\n\n[[item]]\nid = "b"\ndate = "2023"\n',
                    encoding="utf-8")
    rows = load_labelled(good)
    from kzwatch.relevance.evaluation import item_of
    assert [item_of(r).published_at.strftime("%Y-%m-%d") for r in rows] == ["2021-01-01",
                                                                          "2023-01-01"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[item]]\nid = "c"\ndate = "January 2021"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="item c: date 'January 2021' is not YYYY-MM-DD"):
        load_labelled(bad)
