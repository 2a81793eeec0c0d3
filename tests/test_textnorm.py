"""Tests of kzwatch.textnorm: normalisation, transliteration, tokens, stems, language guess."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from kzwatch.textnorm import (
    detect_lang,
    latin_key,
    normalize,
    stem,
    tokens,
    translit_latin_ru,
    translit_ru_latin,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Нұр Отан", "Нур Отан"),
        ("«Нур Отан»", '"нур отан"'),
        ("Мәжіліс", "мажилис"),
        ("Қазақстан", "Казахстан".replace("х", "к")),
        ("ёлка", "елка"),
        ("a — b – c", "a - b - c"),
        ("Májilis saılaýy", "majilis sailayy"),
        ("Mäjilis ğ ş ñ ü", "majilis g s n u"),
        ("  many\u00a0\tspaces\n ", "many spaces"),
        ("‘quoted’ “text”", "'quoted' \"text\""),
    ],
)
def test_normalize_equivalences(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


def test_normalize_keeps_cyrillic_short_i() -> None:
    # й decomposes to и + breve; folding Latin diacritics must not touch it.
    assert normalize("Бойкот") == "бойкот"
    assert normalize("Бойкот") != normalize("Боикот")


@given(st.text())
@example("🄰")  # a compatibility form that decomposes to a capital (found by hypothesis)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


def test_translit_ru_latin_loc_style() -> None:
    assert translit_ru_latin("ОСДП объявила бойкот выборам") == "osdp ob'iavila boikot vyboram"
    assert translit_ru_latin("Щучинск, Жанаозен, Хабар, Цой, Юрий") == (
        "shchuchinsk, zhanaozen, khabar, tsoi, iurii"
    )
    assert translit_ru_latin("Совет (не)доверия") == "sovet (ne)doveriia"


@pytest.mark.parametrize(
    "variants",
    [
        ("Токаев", "Tokayev", "Tokaev"),
        ("Жанболат", "Zhanbolat", "Janbolat", "Žanbolat"),
        ("Мәжіліс", "Мажилис", "Majilis", "Mazhilis", "Mäjilis"),
        ("Касым-Жомарт", "Kassym-Jomart", "Qasym-Jomart"),
        ("Оян, Қазақстан", "Oyan, Qazaqstan"),
        ("Ақ жол", "Ak Zhol", "Aq Jol"),
        ("Назарбаев", "Nazarbayev"),
        ("Хабар", "Khabar"),
        ("Щербаков", "Shcherbakov"),
    ],
)
def test_latin_key_merges_romanisations(variants: tuple[str, ...]) -> None:
    keys = {latin_key(v) for v in variants}
    assert len(keys) == 1, keys


def test_latin_key_keeps_different_words_apart() -> None:
    assert latin_key("Amanat") != latin_key("Nur Otan")
    assert latin_key("Кыргызстан") != latin_key("Казахстан")


def test_translit_latin_ru_round_trip_on_loc_text() -> None:
    for word in ("объявила", "бойкот", "Токаев", "выборам", "Жанболат", "хроника"):
        assert translit_latin_ru(translit_ru_latin(word)) == normalize(word)
    assert translit_latin_ru("Tokayev") == "токаев"


def test_tokens_keep_decimal_numbers_and_percent() -> None:
    assert tokens("Явка — 63,3 % (Нұр Отан)") == ["явка", "63,3", "%", "нур", "отан"]
    assert "63.3" in tokens("turnout of 63.3%")
    assert "340,000" in tokens("over 340,000 ballots")


def test_stem_russian_inflection() -> None:
    assert stem("выборах", "ru") == stem("выборы", "ru")
    assert stem("Аманата", "ru") == stem("Аманат", "ru")
    assert stem("явки", "ru") == stem("явка", "ru")


def test_stem_english() -> None:
    assert stem("elections", "en") == stem("election", "en")
    assert stem("parties", "en") == stem("party", "en")


@pytest.mark.parametrize(
    ("inflected", "base"),
    [
        ("партияларының", "партия"),
        ("партиясы", "партия"),
        ("сайлауда", "сайлау"),
        ("сайлауы", "сайлау"),
        ("Мәжіліске", "Мәжіліс"),
        ("Мәжілістің", "Мәжіліс"),
        ("Отанның", "Отан"),
        ("Аманатқа", "Аманат"),
        ("Құрылтайы", "Құрылтай"),
        ("депутаттары", "депутат"),
    ],
)
def test_stem_kazakh_suffixes(inflected: str, base: str) -> None:
    assert stem(inflected, "kk") == stem(base, "kk")


def test_stem_kazakh_keeps_short_roots() -> None:
    assert stem("сот", "kk") == "сот"
    assert stem("елге", "kk") == "елге"  # stripping would leave a 2-letter root


def test_stem_leaves_numbers_alone() -> None:
    assert stem("63,3", "ru") == "63,3"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Мәжіліс сайлауында Нұр Отан партиясы жеңіске жетті", "kk"),
        ("В Мажилис прошли три партии, включая Нұр Отан и Ак жол", "ru"),
        ("Turnout was 63% according to the CEC", "en"),
        ("Májilis saılaýynda partııa jeńiske jetti", "kk"),
        ("123 456", None),
        ("", None),
    ],
)
def test_detect_lang(text: str, lang: str | None) -> None:
    assert detect_lang(text) == lang
