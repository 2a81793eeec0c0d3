"""verify: romanised footnote titles against Cyrillic page titles, author and date evidence."""

import tomllib
from pathlib import Path

import pytest

from kzwatch.extract import PageInfo, extract_page
from kzwatch.health.verify import TITLE_MATCH_THRESHOLD, title_similarity, verify_citation

DATA = Path(__file__).parent / "data"
PAIRS = tomllib.loads((DATA / "verify_titles.toml").read_text(encoding="utf-8"))["pair"]


def test_pairs_cover_the_corpus_russian_titles():
    footnotes = {p["footnote"] for p in PAIRS}
    assert {2, 3, 4, 6, 7, 8, 9, 13, 14, 17, 19, 20, 23, 27, 31, 35} <= footnotes


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"fn{p['footnote']}:{p['cited'][:25]}")
def test_romanised_title_matches_its_cyrillic_page_title(pair):
    assert title_similarity(pair["cited"], pair["page"]) >= TITLE_MATCH_THRESHOLD


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"fn{p['footnote']}:{p['cited'][:25]}")
def test_romanised_title_matches_page_title_with_site_suffix(pair):
    assert title_similarity(pair["cited"], pair["page"] + " | Радио Азаттык") >= TITLE_MATCH_THRESHOLD


def test_no_title_matches_a_different_works_title():
    offenders = [
        (p["footnote"], q["footnote"], round(title_similarity(p["cited"], q["page"]), 3))
        for p in PAIRS
        for q in PAIRS
        if q["page"] != p["page"] and title_similarity(p["cited"], q["page"]) >= TITLE_MATCH_THRESHOLD
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "cited,page",
    [
        ("OSDP ob'iavila boikot vyboram", "Курс тенге обновил исторический минимум"),
        ("Kazakhstan", "В Казахстане выпал первый снег"),  # one shared word is not a match
        ("Golosuui protiv vsekh", "Страница не найдена"),
    ],
)
def test_unrelated_titles_do_not_match(cited, page):
    assert title_similarity(cited, page) < TITLE_MATCH_THRESHOLD


def test_empty_titles_score_zero():
    assert title_similarity("", "ОСДП") == 0.0
    assert title_similarity("OSDP", None) == 0.0


def test_verify_citation_on_fixture_page():
    page = extract_page((DATA / "pages" / "cabar_like.html").read_text(encoding="utf-8"))
    result = verify_citation("Protestnaya aktivnost' v Kazakhstane", "Kamila Kovyazina", "2020-09-20", page)
    assert result.title_matches
    assert result.author_found is True
    assert result.date_found is True
    assert result.score > 0.95
    assert "title" in result.detail and "author found" in result.detail


def test_verify_citation_wrong_page():
    page = extract_page((DATA / "pages" / "azattyk_like.html").read_text(encoding="utf-8"))
    result = verify_citation("Protestnaya aktivnost' v Kazakhstane", "Kamila Kovyazina", "2020-09-20", page)
    assert not result.title_matches
    assert result.author_found is False
    assert result.date_found is False
    assert result.score < 0.5


def test_missing_author_and_date_are_unknown_not_false():
    page = PageInfo(title="ОСДП объявила бойкот выборам", text="Текст.")
    result = verify_citation("OSDP ob'iavila boikot vyboram", None, None, page)
    assert result.author_found is None and result.date_found is None
    assert result.score == pytest.approx(result.title_score)


def test_date_found_in_text_and_with_timezone_tolerance():
    in_text = PageInfo(title="X", text="27 ноября 2020, 08:42\nОСДП объявила бойкот.")
    assert verify_citation("X", None, "2020-11-27", in_text).date_found is True
    # Published late on the 26th UTC = the 27th in Almaty.
    shifted = PageInfo(title="X", text="", published="2020-11-26T22:30:00+00:00")
    assert verify_citation("X", None, "2020-11-27", shifted).date_found is True
    far = PageInfo(title="X", text="", published="2020-11-20")
    assert verify_citation("X", None, "2020-11-27", far).date_found is False


def test_author_found_in_declined_form():
    page = PageInfo(title="X", text="Материал подготовлен Ольгой Логиновой.")
    assert verify_citation("X", "Olga Loginova", None, page).author_found is True
