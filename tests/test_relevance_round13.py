"""Rules of round 13 (mechanisms that recur across sets, docs/LABELLING.md): earlier Majilis
votes told by their own turnout, a city's population and its young residents, the state's side
rejecting the critics' count, Russian regions as abroad, an official's statement denying what
the claim's actors went through.  Each test can fail: it names the rule's input and the answer
the rule gives.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import matches, stance_of

# --- earlier Majilis votes told by their own turnout (C1 ``earlier_majilis_turnouts``) -----------


@pytest.mark.parametrize(("title", "text"), [
    ("Snap vote recalled", "At that early lower-house election the official turnout reached "
     "77.1 percent and the ruling Nur Otan took 82.2 percent."),
    ("Итоги досрочных", "На тех досрочных выборах в Мажилис явка составила 77,1 процента, а "
     "Нур Отан набрал 82,2 процента."),
])
def test_an_undated_earlier_turnout_is_not_the_2021_turnout(claims, title, text) -> None:
    found = matches(claims, title, text)
    assert "C1" not in found
    assert "C2" not in found


def test_the_2021_turnout_beside_an_earlier_one_is_still_c1(claims) -> None:
    found = matches(claims, "Явка", "Явка на выборах в Мажилис 10 января 2021 года составила "
                    "63,3 процента, тогда как на прошлых — 77,1 процента.")
    assert "C1" in found


# --- a city's population and its young residents (C16 ``@city_population``) ----------------------


@pytest.mark.parametrize(("title", "text"), [
    ("Shymkent grows", "Shymkent's population topped 1.2 million this year, and more than half "
     "of its people are under 30."),
    ("Шымкент", "Шымкент тұрғындарының саны 1,2 миллионнан асты, олардың жартысынан көбі 30 "
     "жасқа толмаған."),
])
def test_a_citys_population_and_young_share_are_not_the_countrys(claims, title, text) -> None:
    assert "C16" not in matches(claims, title, text)


def test_the_country_named_with_a_citys_population_keeps_c16(claims) -> None:
    found = matches(claims, "Country", "Nearly half of Kazakhstan's 18 million people are under "
                    "30, and the population of Almaty grew fastest.")
    assert "C16" in found


# --- the state's side rejecting the critics' count (``@dismissal``) -------------------------------


def test_a_commission_rejecting_the_observers_count_contradicts(claims) -> None:
    match = stance_of(claims, "C1", "CEC answers", "The Central Election Commission rejects the "
                      "observers' count of a third of voters for the 10 January 2021 Majilis "
                      "vote and stands by its turnout of 63.3 percent.", published="2021-02-01")
    assert match.stance == "contradicts"


def test_a_kazakh_ministry_calling_a_count_wrong_contradicts(claims) -> None:
    match = stance_of(claims, "C11", "Министрлік мәлімдемесі", "Ішкі істер министрлігі 2021 "
                      "жылғы 10 қаңтардағы Мәжіліс сайлауы күні Алматыда 360 адам ұсталды "
                      "деген мәліметті белсенділердің қате есебі деп атады.",
                      published="2021-01-20")
    assert match.stance == "contradicts"


def test_observers_rejecting_the_commissions_count_do_not_contradict(claims) -> None:
    match = stance_of(claims, "C1", "Наблюдатели", "Независимые наблюдатели отвергают подсчёты "
                      "ЦИК: явка на выборах в Мажилис 10 января 2021 года не достигла 63 "
                      "процентов.", published="2021-01-15")
    assert match.stance != "contradicts"


# --- Russia's regions are abroad (``@abroad``) ----------------------------------------------------


def test_against_all_in_the_moscow_region_is_not_c5(claims) -> None:
    found = matches(claims, "Графа против всех", "Депутаты районного совета в Московской "
                    "области хотят вернуть графу «против всех» в бюллетени муниципальных "
                    "выборов.")
    assert "C5" not in found


def test_against_all_in_kazakhstan_beside_the_moscow_region_is_still_c5(claims) -> None:
    found = matches(claims, "Графа против всех", "В Казахстане графу «против всех» вернули в "
                    "бюллетени, сообщил ЦИК; в Московской области о таком только спорят.")
    assert "C5" in found


# --- an official's statement denying what the claim's actors went through (``denials``) --------


def test_an_official_title_makes_a_negated_removal_a_denial(claims) -> None:
    """The observers named in the body are whom the claim is about, not who speaks."""
    match = stance_of(claims, "C9", "Облизбирком: подсчёт прошёл по правилам",
                      "Все наблюдатели на выборах в Мажилис 10 января 2021 года работали до "
                      "конца подсчёта; ни один из них не был удалён с участка.",
                      published="2021-01-20")
    assert match.stance == "contradicts"


def test_a_critics_title_keeps_a_negated_removal_theirs(claims) -> None:
    match = stance_of(claims, "C9", "Наблюдатели: нас не трогали",
                      "Все наблюдатели на выборах в Мажилис 10 января 2021 года работали до "
                      "конца подсчёта; ни один из них не был удалён с участка.",
                      published="2021-01-20")
    assert match.stance != "contradicts"
