"""Rules of round 20b (which claims an item is about: kinds that recur in two or more
development sets).  Every rule case fails on the scorer before the round; each has a guard
twin that passes on both.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import found_claims

# --- C2: a ballot of parties is a party-list vote, though the house goes unnamed ------------


@pytest.mark.parametrize(("title", "text", "lang"), [
    ("Выбор без выбора",
     "В Казахстане в 2021 году на бюллетене было пять партий, и «Нур Отан» снова набрал "
     "больше всех голосов.", "ru"),
    ("Looking back at a quiet vote",
     "Kazakhstan's 2021 ballot listed five parties, and Nur Otan again won the most votes.",
     "en"),
])
def test_a_ballot_of_parties_is_the_party_list_vote(claims, title, text, lang) -> None:
    assert "C2" in found_claims(claims, title, text, lang)


def test_party_results_without_a_ballot_or_house_are_not_c2(claims) -> None:
    # Guard twin: the same result with nothing of a party-list vote (no ballot, no house).
    text = "В Казахстане в 2021 году «Нур Отан» снова набрал больше всех голосов."
    assert "C2" not in found_claims(claims, "Выбор без выбора", text, "ru")


# --- C2: a party's loyalty, dominance or list of candidates stands for its results ----------


def test_a_dominant_party_beside_loyal_ones_is_c2(claims) -> None:
    text = ("Ahead of the Majilis election in Kazakhstan, observers expect Nur Otan to stay "
            "dominant, with loyal smaller parties at its side.")
    assert "C2" in found_claims(claims, "What analysts expect", text, "en")


def test_the_party_named_without_its_place_in_the_house_is_not_c2(claims) -> None:
    # Guard twin: the party and the house named, nothing of its share, loyalty or list.
    text = ("In Kazakhstan, Nur Otan's Majilis faction opened a new office near the river "
            "embankment.")
    assert "C2" not in found_claims(claims, "What analysts expect", text, "en")


# --- C16 yields a mere mention to C11 where the youth movement meets students -----------------


def test_oyan_meeting_students_is_c11_not_c16(claims) -> None:
    text = ("Движение «Оян, Казахстан» встретилось со студентами в Караганде и обсудило с "
            "ними плату за общежития.")
    found = found_claims(claims, "«Оян, Казахстан» и студенты", text, "ru")
    assert "C11" in found and "C16" not in found


def test_oyan_on_students_abroad_keeps_c16(claims) -> None:
    # Guard twin: study abroad told, the students are the claim's own.
    text = ("Движение «Оян, Казахстан» встретилось со студентами, которые учатся за рубежом, "
            "и обсудило с ними плату за общежития.")
    found = found_claims(claims, "«Оян, Казахстан» и студенты", text, "ru")
    assert "C16" in found


# --- C1: a party's share of the voters is not the turnout -------------------------------------


def test_a_party_share_of_voters_is_not_turnout(claims) -> None:
    text = ("Мәжіліс сайлауының қорытындысы: «Amanat» партиясына сайлаушылардың 52 пайызы "
            "дауыс берді.")
    assert "C1" not in found_claims(claims, "Сайлау қорытындысы шықты", text, "kk")


def test_the_turnout_named_in_the_same_sentence_is_read(claims) -> None:
    # Guard twin: the sentence names the turnout itself, so its share is read.
    text = ("Мәжіліс сайлауының қорытындысы: сайлауға қатысу 52 пайыз болды, «Amanat» "
            "партиясына сайлаушылардың көбі дауыс берді.")
    assert "C1" in found_claims(claims, "Сайлау қорытындысы шықты", text, "kk")
