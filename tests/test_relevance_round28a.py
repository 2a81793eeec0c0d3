"""Rules of round 28a: Kazakh in Arabic and Latin script read as its Cyrillic.

* Arabic script written letter by letter (each і, ә, ө, ү with its joined-hamza letter, two of
  them in some word) reads ى as ы even in a word with е/к/г or a front vowel ("قىزمەتكەرٸ"
  қызметкері, "ەقىۇ" ЕҚЫҰ); a word with one joined hamza keeps the one-hamza-per-word rule.
* ي + ا/ۋ after a vowel are я/ю ("ساياسي" саяси, "پارتييا" партия); ц written تس in a loan
  ("پوليتسييا" полиция).
* Informal Latin: "y" is й after а/е/о and before е, "ya"/"yu" are я/ю after a vowel
  ("aytady", "partiya"); "ng" is ң at the end of a word and before a consonant but "gh"; ц
  written "ts" before и + а/о/я ("sotsiolog").
* The Kazakh stem of a loan ending in the soft sign drops it ("бюллетень", "бюллетендердің").

The rule cases fail on the code before the round (checked); the guard twins pass on both.  The
sentences are our own, typed in Cyrillic and written out by the letter table below."""

from __future__ import annotations

import pytest
from relevance_helpers import found_claims

from kzwatch.relevance.translit import arabic_to_cyrillic, latin_to_cyrillic
from kzwatch.textnorm import stem

#: Cyrillic Kazakh → Arabic script, one letter for each letter (і ٸ, ә ٵ, ө ٶ, ү ٷ).
_TO_ARABIC = {
    "а": "ا", "ә": "ٵ", "б": "ب", "в": "ۆ", "г": "گ", "ғ": "ع", "д": "د", "е": "ە", "ж": "ج",
    "з": "ز", "и": "ي", "й": "ي", "к": "ك", "қ": "ق", "л": "ل", "м": "م", "н": "ن", "ң": "ڭ",
    "о": "و", "ө": "ٶ", "п": "پ", "р": "ر", "с": "س", "т": "ت", "у": "ۋ", "ұ": "ۇ", "ү": "ٷ",
    "ф": "ف", "х": "ح", "һ": "ھ", "ц": "تس", "ч": "چ", "ш": "ش", "щ": "ش", "ъ": "", "ь": "",
    "ы": "ى", "і": "ٸ", "э": "ە", "ю": "يۋ", "я": "يا", ",": "،",
}  # fmt: skip


def arabic(cyrillic: str) -> str:
    """Our Cyrillic sentence in Arabic script, letter by letter (digits kept, comma ،)."""
    out = []
    for i, ch in enumerate(cyrillic.lower()):
        digit_comma = ch == "," and 0 < i < len(cyrillic) - 1 and cyrillic[i - 1].isdigit() \
            and cyrillic[i + 1].isdigit()
        out.append(ch if digit_comma else _TO_ARABIC.get(ch, ch))
    return "".join(out)


# --- the conversion ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "cyrillic"), [
    # ы beside е/к and a written і, in a text that writes і letter by letter
    (arabic("мәжіліс қызметкері"), "мәжіліс қызметкері"),
    (arabic("бірінші еқыұ"), "бірінші еқыұ"),
    (arabic("білім зейнетақы"), "білім зейнетақы"),
    (arabic("тізім қорытындысымен"), "тізім қорытындысымен"),
    # я and ю after a vowel, ц in a loan
    (arabic("саяси партия"), "саяси партия"),
    (arabic("білім идеясы"), "білім идеясы"),
    (arabic("полиция офицері бірге"), "полиция офицері бірге"),
    (arabic("акцияға"), "акцияға"),
    (arabic("білім социолог пропорционалды"), "білім социолог пропорционалды"),
])
def test_arabic_script_letter_by_letter_reads_as_its_cyrillic(text, cyrillic) -> None:
    assert arabic_to_cyrillic(text) == cyrillic


def test_one_joined_hamza_in_a_word_keeps_the_front_word_rule() -> None:
    # Guard twin: a typesetter's joined hamza marks the whole word front (round 16).
    assert arabic_to_cyrillic("تٸلدى") == "тілді"
    assert arabic_to_cyrillic("ٴماجىلىس سايلاۋى") == "мажіліс сайлауы"


def test_letter_by_letter_is_decided_for_the_whole_item() -> None:
    # A short sentence without two joined-hamza letters in a word, read as its item is.
    assert arabic_to_cyrillic(arabic("еқыұ туралы"), True) == "еқыұ туралы"


@pytest.mark.parametrize(("latin", "cyrillic"), [
    ("partiyasy", "партиясы"),
    ("aytady", "айтады"),
    ("Oyan", "оян"),
    ("bayqaushylar", "байқаушылар"),
    ("partiyasynyng", "партиясының"),
    ("myng", "мың"),
    ("payyz", "пайыз"),
    ("konstitutsiia", "конституция"),
    ("sotsiolog", "социолог"),
    ("burynghy", "бурынғы"),  # н + ғ, not ң + х
    ("mynggha", "мыңға"),
    ("zhuyesi", "жуйеси"),  # ы never stands before е
])
def test_informal_latin_reads_y_and_ng_as_kazakh_letters(latin, cyrillic) -> None:
    assert latin_to_cyrillic(latin) == cyrillic


@pytest.mark.parametrize(("latin", "cyrillic"), [
    ("qiyn", "қиын"),  # 2021 alphabet: y after i is ы
    ("biyl", "биыл"),
    ("sailauy", "сайлауы"),  # after u, y is ы
    ("engizdi", "енгизди"),  # ng before a vowel left as н + г
    ("aitsa", "айтса"),  # Kazakh тс is no ц
    ("ketse", "кетсе"),
])
def test_latin_y_stays_y_where_kazakh_has_it(latin, cyrillic) -> None:
    # Guard twins: the 2018/2021 alphabets' y (ы) is kept.
    assert latin_to_cyrillic(latin) == cyrillic


def test_loan_with_soft_sign_meets_its_inflections_in_kazakh_stems() -> None:
    base = stem("бюллетень", "kk")
    assert stem("бюллетендердің", "kk") == base
    assert stem("бюллетеньдерін", "kk") == base
    assert stem("бюллетендегі", "kk") == base


# --- scoring -------------------------------------------------------------------------------

_INVALID = ("Тәуелсіз бақылаушылар 2021 жылғы Мәжіліс сайлауында бюллетендердің 3,8 пайызы "
            "жарамсыз деп есептелгенін жазды.")


def test_invalid_ballots_in_arabic_script_are_c4(claims) -> None:
    assert "C4" in found_claims(claims, "", arabic(_INVALID), "kk")


def test_observers_turnout_in_informal_latin_is_c1(claims) -> None:
    # "bayqaushylardyng" is байқаушылардың only with y read as й after a vowel.
    text = ("Tauelsiz bayqaushylardyng aytuynsha, 2021 zhylghy Mazhilis saylauyna qatysu 35 "
            "payyz boldy.")
    assert "C1" in found_claims(claims, "", text, "kk")


@pytest.mark.parametrize("text", [
    # another country's vote
    "Қырғызстандағы 2021 жылғы парламент сайлауында бюллетендердің 3,8 пайызы жарамсыз деп "
    "есептелді, деп жазды Бішкектегі бақылаушылар.",
    # a maslikhat vote
    "Аудандық мәслихат сайлауында бюллетендердің 3,8 пайызы жарамсыз деп есептелді.",
    # a presidential vote
    "2022 жылғы президент сайлауында бюллетендердің 3,8 пайызы жарамсыз деп есептелді.",
])
def test_invalid_ballots_of_another_vote_stay_out_in_arabic_script(claims, text) -> None:
    assert "C4" not in found_claims(claims, "", arabic(text), "kk")
