"""drift: similarity measures and the unchanged / edited / off_topic bands."""

from pathlib import Path

import pytest

from kzwatch.extract import extract_page
from kzwatch.health.drift import (
    DriftSettings,
    compare,
    cosine,
    hamming,
    jaccard,
    notices_added,
    simhash,
    title_changed,
    word_count_change,
)
from kzwatch.settings import from_table

PAGES = Path(__file__).parent / "data" / "pages"


@pytest.fixture(scope="module")
def osdp_text() -> str:
    return extract_page((PAGES / "azattyk_like.html").read_text(encoding="utf-8")).text


@pytest.fixture(scope="module")
def protest_text() -> str:
    return extract_page((PAGES / "cabar_like.html").read_text(encoding="utf-8")).text


def test_simhash_is_64_bit_and_stable(osdp_text):
    h = simhash(osdp_text)
    assert 0 <= h < 2**64
    assert simhash(osdp_text) == h
    # Normalisation: case, quotes and whitespace do not change the fingerprint.
    assert simhash(osdp_text.upper().replace(" ", "  ")) == h


def test_hamming():
    assert hamming(0, 0) == 0
    assert hamming(0b1011, 0b0001) == 2
    assert hamming(0, 2**64 - 1) == 64


def test_cosine_and_jaccard_bounds(osdp_text, protest_text):
    assert cosine(osdp_text, osdp_text) == pytest.approx(1.0)
    assert jaccard(osdp_text, osdp_text) == 1.0
    assert cosine(osdp_text, protest_text) < 0.2
    assert jaccard(osdp_text, protest_text) < 0.05
    assert cosine("", "") == 1.0 and cosine("слово", "") == 0.0


def test_word_count_change():
    assert word_count_change("один два три четыре", "один два") == -0.5
    assert word_count_change("один два", "один два три четыре") == 1.0


def test_identical_text_is_unchanged(osdp_text):
    result = compare(osdp_text, osdp_text)
    assert result.band == "unchanged"
    assert result.similarity == 1.0
    assert not result.drifted


def test_whitespace_and_case_only_is_unchanged(osdp_text):
    assert compare(osdp_text, "\n\n".join(osdp_text.upper().split("\n"))).band == "unchanged"


def test_updated_figure_stays_edited_or_unchanged(osdp_text):
    result = compare(osdp_text, osdp_text.replace("10 января", "17 января"))
    assert result.band in ("unchanged", "edited")
    assert result.similarity > 0.9


def test_rewritten_sentence_is_edited(osdp_text):
    changed = osdp_text.replace(
        "Центральная избирательная комиссия пока не прокомментировала заявление партии.",
        "В ЦИК заявили, что решение партии не повлияет на подготовку к выборам.",
    )
    result = compare(osdp_text, changed)
    assert result.band == "edited"
    assert 0.12 < result.similarity < 1.0


def test_replaced_article_is_off_topic(osdp_text, protest_text):
    result = compare(osdp_text, protest_text)
    assert result.band == "off_topic"
    assert result.drifted
    assert result.measures["cosine"] < DriftSettings().off_topic_max_cosine


def test_stub_page_is_off_topic_by_word_count(osdp_text):
    # The first words of the article survive on a stub: cosine is not tiny, the text is gone.
    stub = " ".join(osdp_text.split()[:8])
    result = compare(osdp_text, stub)
    assert result.measures["word_count_change"] < -0.85
    assert result.band == "off_topic"


def test_empty_current_is_off_topic_and_empty_baseline_is_an_error(osdp_text):
    assert compare(osdp_text, "").band == "off_topic"
    with pytest.raises(ValueError, match="baseline"):
        compare("  ", osdp_text)


def test_thresholds_are_settings(osdp_text):
    changed = osdp_text.replace("10 января", "17 января")
    strict = DriftSettings(unchanged_max_hamming=0)
    assert compare(osdp_text, changed, strict).band == "edited"
    lax = DriftSettings(off_topic_max_cosine=0.999)
    assert compare(osdp_text, changed, lax).band == "off_topic"


def test_settings_from_config_table():
    s = from_table(DriftSettings, {"unchanged_max_hamming": 5, "off_topic_max_cosine": 0.1}, "drift")
    assert s.unchanged_max_hamming == 5 and s.off_topic_max_cosine == 0.1
    assert s.off_topic_max_word_change == DriftSettings().off_topic_max_word_change
    with pytest.raises(ValueError, match="unknown key 'drift.cosine_cutoff'"):
        from_table(DriftSettings, {"cosine_cutoff": 0.3}, "drift")


def test_title_change(osdp_text):
    assert compare(osdp_text, osdp_text).title_changed is None
    same = compare(osdp_text, osdp_text, baseline_title="ОСДП объявила бойкот выборам",
                   current_title="ОСДП объявила бойкот выборам | Радио Азаттык")  # fmt: skip
    assert same.title_changed is False
    other = title_changed("ОСДП объявила бойкот выборам", "Курс тенге обновил минимум")
    assert other is True


def test_notices_added():
    before = ("Обновлено: 27 ноября 2020",)
    after = ("обновлено: 27 ноября 2020", "Исправление: дата съезда была указана неверно.")
    assert notices_added(before, after) == ("Исправление: дата съезда была указана неверно.",)
    assert notices_added(after, before) == ()
    assert notices_added((), ()) == ()


# --- readable_diff (the text shown for an edited/drifted source) -------------------------------

from kzwatch.textdiff import TRUNCATION_MARKER, readable_diff, split_sentences  # noqa: E402


def test_split_sentences():
    text = "Явка составила 63%. ЦИК объявил итоги!\n\nНаблюдатели не согласны… Они считали сами."
    assert split_sentences(text) == [
        "Явка составила 63%.",
        "ЦИК объявил итоги!",
        "Наблюдатели не согласны…",
        "Они считали сами.",
    ]


def test_diff_shows_the_changed_sentence_only_with_context():
    before = "Первое предложение. Явка составила 63%. Третье предложение. Четвёртое. Пятое."
    after = "Первое предложение. Явка составила 65%. Третье предложение. Четвёртое. Пятое."
    diff = readable_diff(before, after, context=1)
    lines = diff.splitlines()
    assert "- Явка составила 63%." in lines
    assert "+ Явка составила 65%." in lines
    assert "  Первое предложение." in lines  # one sentence of context
    assert not any("Пятое" in line for line in lines)  # beyond the context


def test_no_difference_is_empty():
    assert readable_diff("Текст. Ещё.", "Текст.\nЕщё.") == ""


def test_diff_is_bounded_with_marker():
    before = "\n".join(f"Старое предложение номер {i}." for i in range(500))
    after = "\n".join(f"Новое предложение номер {i}." for i in range(500))
    diff = readable_diff(before, after, max_chars=1000)
    assert len(diff) <= 1000
    assert diff.splitlines()[-1].startswith("[… diff truncated:")
    assert "more line(s) not shown" in diff


def test_one_huge_sentence_is_cut_not_dropped():
    diff = readable_diff("", "Я" * 10000, max_chars=200)
    assert len(diff) <= 200 and "Я" in diff and "truncated" in diff


def test_diff_rejects_silly_limits():
    with pytest.raises(ValueError):
        readable_diff("a", "b", max_chars=10)
    with pytest.raises(ValueError):
        readable_diff("a", "b", context=-1)


def test_marker_constant_mentions_truncation():
    assert "truncated" in TRUNCATION_MARKER


def test_kazakh_page_edit_and_replacement(osdp_text):
    kk = extract_page((PAGES / "vlast_like_kk.html").read_text(encoding="utf-8")).text
    assert compare(kk, kk.replace("жүздеген", "мыңдаған")).band in ("unchanged", "edited")
    assert compare(kk, osdp_text).band == "off_topic"
