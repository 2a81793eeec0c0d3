"""Rules of round 11 (what held on the sixth sets, docs/LABELLING.md): a rally refused restates
the assembly law's room to refuse at any later time, a population counted in people, a
ministry's or city's public council is not the national council, and farther countries place
a story abroad.  Each test can fail: it names the rule's input and the answer the rule gives.
The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import matches, stance_of

from kzwatch.model import Claim, FeedItem
from kzwatch.relevance.scoring import prepare, veto


def _claim(claims: list[Claim], claim_id: str) -> Claim:
    return next(c for c in claims if c.id == claim_id)


# --- a rally refused restates the law's room to refuse (C7) --------------------------------------


def test_a_later_refusal_of_a_rally_confirms_the_room_to_refuse(claims) -> None:
    """Told at a later year only, the law's terms alone would read as its later state; a
    refusal issued is the claim's "room to refuse" in use."""
    match = stance_of(claims, "C7", "В Костанае не разрешили митинг",
                      "В 2024 году акимат Костаная отказал в проведении митинга жителям "
                      "посёлка: по закону о мирных собраниях уведомление подали поздно.",
                      published="2024-03-05")
    assert match.stance == "confirms"
    assert "отказ" in match.reason


def test_a_later_state_of_the_assembly_law_without_a_refusal_is_still_an_update(claims) -> None:
    match = stance_of(claims, "C7", "Как сейчас проводят митинги",
                      "В 2025 году закон о мирных собраниях применяют так: акимат получает "
                      "уведомление, митинг проходит в центре города.",
                      published="2025-06-01")
    assert match.stance == "updates"


# --- a population counted in people (C16) --------------------------------------------------------


def test_a_population_told_in_people_is_read_as_the_population(claims) -> None:
    match = stance_of(claims, "C16", "Численность населения Казахстана выросла",
                      "По данным статистиков, сейчас в республике живут 19 миллионов 900 тысяч "
                      "человек.", published="2023-03-01")
    assert match.stance == "updates"
    assert "population" in match.reason


def test_a_population_told_in_people_in_kazakh_is_read_too(claims) -> None:
    match = stance_of(claims, "C16", "Қазақстан халқының саны өсті",
                      "Статистика бюросының мәліметінше, елімізде 20 миллион адам тұрады.",
                      published="2024-01-10")
    assert match.stance == "updates"
    assert "population" in match.reason


def test_a_small_count_of_people_is_still_no_population(claims) -> None:
    """The population quantity reads a million or more: a crowd of people is no reading."""
    found = matches(claims, "Численность населения Казахстана",
                    "На митинг пришли 300 человек. Половина жителей Казахстана моложе 30 лет.",
                    published="2023-03-01")
    assert "C16" in found  # by its young-population fact, so the reason below is read
    assert "population" not in found["C16"].reason


# --- a ministry's or city's public council is not the national council (C6) ---------------------


def test_a_ministrys_public_council_is_vetoed_for_c6(claims) -> None:
    """The veto bounds the learned second opinion too: a 44-member advisory council of a
    ministry has the NSOD's size and role and is another body."""
    item = FeedItem(url="https://example.org/x", title="Water ministry forms public council",
                    text="The water ministry set up a public council of 44 members; its "
                         "advice on prices will not bind the minister.")
    prep = prepare(item)
    assert prep is not None
    assert "near-miss guard" in veto(prep, _claim(claims, "C6"))


def test_the_national_council_with_public_councils_among_its_members_stays_c6(claims) -> None:
    found = matches(claims, "Национальный курултай собрался на заседание",
                    "В Национальный курултай вошли депутаты и члены региональных "
                    "общественных советов; заседание курултая прошло в Туркестане.",
                    published="2024-03-15")
    assert "C6" in found


# --- farther countries place a story abroad ------------------------------------------------------


@pytest.mark.parametrize("text", [
    "A Hungarian civic group counted 235 protests in Budapest last year.",
    "Организаторы насчитали в Сербии 254 протеста за год, в основном в Белграде.",
])
def test_a_protest_count_from_a_farther_country_is_not_c10(claims, text) -> None:
    assert "C10" not in matches(claims, "Protest count", text, published="2026-05-01")


# --- a count claim is restated by its counts only (C16, ``counts_only``) ------------------------


def test_students_abroad_named_without_a_count_only_mention_c16(claims) -> None:
    match = stance_of(claims, "C16", "Why Kazakhstani students go abroad",
                      "More Kazakhstani students choose to study abroad, and UNESCO says "
                      "their universities of choice are in Russia and Europe.")
    assert match.stance == "mentions"


def test_the_claims_count_of_students_abroad_still_confirms_c16(claims) -> None:
    match = stance_of(claims, "C16", "Kazakhstani students abroad",
                      "By the end of 2017, 89,505 young Kazakhstanis had studied abroad.")
    assert match.stance == "confirms"


def test_counts_only_must_be_true_or_false() -> None:
    from kzwatch.relevance import load_claims

    bad = '[[claim]]\nid = "X1"\ntext = "t"\ncounts_only = "yes"\n[claim.terms]\nen = ["a"]\n'
    with pytest.raises(ValueError, match="X1: counts_only: must be true or false"):
        load_claims(bad, "a")


# --- the regional tracker's stories name the neighbours (C10) ------------------------------------


def test_a_regional_protest_tracker_story_is_c10_despite_the_neighbours(claims) -> None:
    found = matches(claims, "Protest data for Central Asia",
                    "The Oxus Central Asia Protest Tracker logged protests in Kazakhstan, "
                    "Kyrgyzstan, Uzbekistan and Tajikistan; Kazakhstan had the most, 254 "
                    "in 2020.", published="2021-02-01")
    assert "C10" in found


def test_a_tracker_story_about_kyrgyzstan_alone_stays_out(claims) -> None:
    found = matches(claims, "Protest data for Kyrgyzstan",
                    "The Central Asia Protest Tracker counted 120 protests in Kyrgyzstan, most "
                    "of them in Bishkek; Kyrgyz activists called it a record.",
                    published="2021-02-01")
    assert "C10" not in found


# --- a standing state told with no year, published later (stance) -------------------------------


_BALLOT_TEXT = ("В избирательном бюллетене есть графа «против всех», напомнили избирателям в "
                "участковой комиссии.")


def test_a_state_told_with_no_year_in_a_later_item_is_its_later_state(claims) -> None:
    """Round 10 read a standing state told at later years only as its later state; an item
    that names no year at all is dated by its publication."""
    match = stance_of(claims, "C5", "Что в бюллетене", _BALLOT_TEXT, published="2024-04-01")
    assert match.stance == "updates"
    assert "published 2024" in match.reason


def test_the_same_words_published_in_the_claims_year_restate_it(claims) -> None:
    match = stance_of(claims, "C5", "Что в бюллетене", _BALLOT_TEXT, published="2021-01-05")
    assert match.stance == "confirms"


# --- Kazakh turnout told as the share of voters who voted (C1) -----------------------------------


def test_kazakh_turnout_as_the_share_of_voters_who_voted_is_c1(claims) -> None:
    found = matches(claims, "Мәжіліс сайлауы: дауыс беру жалғасуда",
                    "Кешкі алтыдағы мәлімет бойынша сайлаушылардың 48 пайызы дауыс берген, деп "
                    "хабарлады Орталық сайлау комиссиясы.", published="2021-01-10")
    assert "C1" in found


def test_voters_taking_part_without_a_share_is_not_turnout(claims) -> None:
    found = matches(claims, "Мәжіліс сайлауы",
                    "Сайлаушылар учаскелерге келіп, дауыс берген соң үйлеріне қайтты.",
                    published="2021-01-10")
    assert "C1" not in found
