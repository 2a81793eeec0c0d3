"""Rule of round 28d: the state's side vouching for the claim's contested value — a former
member of the election commission saying the official 63% "was the real figure" or "was backed
by every protocol" — answers the dispute C1 reports: `contradicts`
(``stance_words.vouched_sentences``, ``stance._contested_vouched``).  The rule cases fail
before the round; the guards pass on both.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import stance_of


@pytest.mark.parametrize(("title", "text"), [
    ("Former commissioner on the 2021 vote",
     "A retired member of the Central Election Commission spoke to us about the January 2021 "
     "Majilis vote. The official 63 per cent turnout, he insisted, was backed by every protocol."),
    ("Экс-член избиркома о выборах 2021 года",
     "Бывший член Центризбиркома рассказал о выборах в мажилис 2021 года. По его словам, явка "
     "в 63 процента была настоящей."),
    ("Ex-official on the count",
     "A former deputy head of the Central Election Commission discussed the 2021 Majilis turnout "
     "with us. 'Sixty-three percent was the true figure, and we counted it twice,' she said."),
    ("Бұрынғы комиссия мүшесі",
     "Орталық сайлау комиссиясының бұрынғы мүшесі 2021 жылғы Мәжіліс сайлауына келгендердің "
     "нақты саны 63 пайыз болғанын айтты."),
])
def test_the_state_vouching_for_the_contested_turnout_contradicts_c1(claims, title, text) -> None:
    match = stance_of(claims, "C1", title, text, published="2026-05-04")
    assert match.stance == "contradicts", match.reason


def test_both_sides_in_one_sentence_stay_the_claims_own_dispute(claims) -> None:
    # Guard: the official 63% and the observers' 35.10% told together restate C1's dispute,
    # whatever word stands beside them.
    match = stance_of(claims, "C1", "Two turnout figures",
                      "The Central Election Commission says the official 63 per cent turnout is "
                      "accurate, while MISK observers counted 35.10 per cent in 2021.",
                      published="2026-05-04")
    assert match.stance == "confirms", match.reason


def test_the_critics_real_turnout_is_not_the_states_voice(claims) -> None:
    # Guard: observers naming what they think the real turnout is (the critic speaks first).
    match = stance_of(claims, "C1", "Observers on the 2021 turnout",
                      "Observers of the MISK group said the real turnout in January 2021 was "
                      "nowhere near the 63 per cent the Central Election Commission reported.",
                      published="2026-05-04")
    assert match.stance != "contradicts", match.reason


def test_a_reporter_calling_the_figure_genuine_with_no_official_speaking(claims) -> None:
    # Guard: no one for the state speaks; the vouching word alone decides nothing.
    match = stance_of(claims, "C1", "Turnout in 2021",
                      "Turnout at the January 2021 Majilis election was a genuine 63 per cent in "
                      "the count of a university survey team.", published="2026-05-04")
    assert match.stance != "contradicts", match.reason


def test_a_share_in_words_is_read_with_the_digits() -> None:
    from kzwatch.relevance.numbers import numbers_and_shares_in_words

    found = numbers_and_shares_in_words("Sixty-three percent was the figure; 35.10% was theirs.")
    assert {(n.value, n.percent) for n in found} >= {(63.0, True), (35.1, True)}


@pytest.mark.parametrize(("text", "value"), [
    ("About twenty-five thousand people signed.", 25000.0),
    ("Police held three hundred and sixty protesters.", 360.0),
    ("Forty-four of us sat on the council.", 44.0),
    ("Сорок тысяч подписей собрали за месяц.", 40000.0),
])
def test_a_hyphenated_or_and_joined_number_in_words_is_read_whole(text, value) -> None:
    from kzwatch.relevance.numbers import SentenceNumbers

    assert value in {n.value for n in SentenceNumbers([text]).in_words(0)}


@pytest.mark.parametrize("text", ["It was closer to forty-five per cent.",
                                  "Явка составила шестьдесят три процента."])
def test_a_share_in_words_is_no_count(text) -> None:
    from kzwatch.relevance.numbers import SentenceNumbers, numbers_and_shares_in_words

    assert SentenceNumbers([text]).in_words(0) == []
    assert [n.percent for n in numbers_and_shares_in_words(text) if n.value >= 10] == [True]


@pytest.mark.parametrize("text", ["Since the mid-2000s no ballot had the box.",
                                  "В 2000-х годах графы не было.", "1990-е годы были другими.",
                                  "2000-жылдары бұл баған болмады."])
def test_a_decade_is_no_year(text) -> None:
    from kzwatch.relevance.numbers import extract_numbers

    assert not [n for n in extract_numbers(text) if n.year]


@pytest.mark.parametrize(("text", "years"), [("2019–2020 жылдары акция көп болды.", {2019, 2020}),
                                             ("In 2020 and 2021 it held.", {2020, 2021})])
def test_years_of_a_range_stay_years(text, years) -> None:
    from kzwatch.relevance.numbers import extract_numbers

    assert {n.value for n in extract_numbers(text) if n.year} == years


def test_a_later_vote_told_beside_a_decade_is_a_later_vote(claims) -> None:
    # "since the mid-2000s" put the whole story in 2000 (out of C1's scope); it is a later vote.
    match = stance_of(claims, "C1", "A new box on the Majilis ballot",
                      "For the first time since the mid-2000s, voters electing Majilis deputies "
                      "could choose 'against all'. The election commission put turnout at 57.2 "
                      "percent.", published="2027-03-20")
    assert match.stance == "updates", match.reason
