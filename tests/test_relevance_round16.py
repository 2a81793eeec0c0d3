"""Rules of round 16 (mechanisms that recur across the development sets, docs/LABELLING.md).
Each test can fail: it names the rule's input and the answer the rule gives.  The texts are our
own."""

from __future__ import annotations

import pytest
from relevance_helpers import ARTICLE, matches, stance_of

from kzwatch.relevance import load_claims
from kzwatch.relevance.translit import arabic_to_cyrillic

# --- the hamza joined to its letter in Arabic-script Kazakh (ٸ = і) -----------------------------


@pytest.mark.parametrize(("arabic", "cyrillic"), [
    ("بٸرلٸك", "бірлік"),  # ٸ is і
    ("تٸلدى", "тілді"),  # and marks a front word: its ى is і, not ы
])
def test_high_hamza_yeh_reads_as_i(arabic, cyrillic) -> None:
    assert arabic_to_cyrillic(arabic) == cyrillic


# --- disputes: the state's side with more dismissal words, and anyone else contesting -----------


@pytest.mark.parametrize(("title", "text"), [
    ("Комиссия ответила", "В Центризбиркоме назвали несостоятельными выкладки наблюдателей, по "
     "которым явка на выборах в Мажилис 2021 года была около 35 процентов."),
    ("Комиссия не согласна", "Член ЦИК заявил, что 35,10% наблюдателей по выборам в Мажилис 2021 "
     "года посчитаны по малой выборке и не отражает реальную явку эта цифра."),
    ("ОСК жауап берді", "ОСК мүшесі 2021 жылғы Мәжіліс сайлауына қатысу туралы бақылаушылардың "
     "35 пайыз деген санын негізсіз деп атады."),
])
def test_the_state_calling_the_observers_count_unfounded_contradicts_c1(claims, title,
                                                                         text) -> None:
    assert stance_of(claims, "C1", title, text, "2021-02-01").stance == "contradicts"


def test_anyone_but_a_critic_contesting_the_claim_contradicts_it(claims) -> None:
    found = stance_of(claims, "C6", "A veteran of the council speaks",
                      "One of its past members says calling the National Council of Public "
                      "Trust merely advisory was wrong.", "2021-03-01")
    # A former member is no official: the reason says the claim is contested, not denied.
    assert (found.stance, found.reason) == ("contradicts", "contested: calling & was wrong")


def test_a_contest_in_a_sentence_naming_the_critics_is_not_read_as_theirs_disputed(claims) -> None:
    found = stance_of(claims, "C1", "Two numbers for one Sunday",
                      "The 63 percent turnout of the 2021 Majilis vote is still disputed: "
                      "observers of MISK counted 35 percent.", "2021-02-01")
    assert found.stance == "confirms"


def test_dispute_terms_must_be_a_term_list() -> None:
    bad = '[[claim]]\nid = "X1"\ntext = "t"\nanchors = ["a"]\ndispute_terms = 3\n'
    with pytest.raises(ValueError, match=r"claim X1: dispute_terms"):
        load_claims(bad, ARTICLE)


# --- a page that tells the claim in its title reports an official's denial in its body ---------


def test_an_officials_denial_under_a_title_telling_the_claim_is_reported_not_the_pages(
        claims) -> None:
    found = stance_of(claims, "C12", "Two more activists join the list of political prisoners",
                      "Rights groups named two more political prisoners in Kazakhstan in 2020. "
                      "A ministry spokesman said the country holds no political prisoners "
                      "at all.", "2020-06-01")
    assert found.stance == "confirms"


def test_an_officials_denial_under_the_officials_title_still_contradicts(claims) -> None:
    found = stance_of(claims, "C12", "Ministry: the list of political prisoners is untrue",
                      "A ministry spokesman said Kazakhstan holds no political prisoners "
                      "in 2020.", "2020-06-01")
    assert found.stance == "contradicts"


# --- the single-mandate seats spelt as English wire services spell them (C14) -------------------


@pytest.mark.parametrize("seats", ["single-member districts", "one-mandate districts"])
def test_single_member_districts_for_the_majilis_update_c14(claims, seats) -> None:
    found = stance_of(claims, "C14", "New rules for the lower house",
                      f"From 2023 part of the Majilis is to be elected in {seats}, the rest by "
                      "party lists.", "2023-02-01")
    assert found.stance == "updates"


# --- a vote's day dates its own sentence when other sentences name years ------------------------

_RECALLS_2019 = " Back in June 2019 the presidential vote drew street protests."


def test_a_vote_day_dates_its_sentence_beside_an_earlier_year(claims) -> None:
    found = matches(claims, "Parties of one side", "In the parliamentary election on January "
                    "10 only pro-government parties ran, and Nur Otan took 71% of the votes."
                    + _RECALLS_2019)
    assert "C2" in found


def test_an_earlier_votes_day_in_a_later_story_is_the_storys_own_day(claims) -> None:
    found = stance_of(claims, "C1", "Turnout is in", "The 2027 Majilis election is over. On "
                      "March 20 the election commission said turnout was 54%.", "2027-03-21")
    assert found.stance == "updates"


# --- observers' turnout count against the protocols is C1's, not C9's (``yields_to.stances``) ---


def test_observers_count_against_the_protocols_is_the_turnout_claims(claims) -> None:
    found = matches(claims, "Commission answers the observers", "The Central Election "
                    "Commission said the protocols show a 63% turnout in the January 2021 "
                    "Majilis election, not the third that independent observers counted.",
                    "2021-02-01")
    assert "C1" in found
    assert "C9" not in found


def test_observers_removed_beside_the_turnout_keep_c9(claims) -> None:
    found = matches(claims, "Two complaints", "Independent observers said they were removed "
                    "from polling stations before the protocols were signed, and counted a "
                    "turnout of a third at the January 2021 Majilis election, not 63%.",
                    "2021-02-01")
    assert {"C1", "C9"} <= set(found)


def test_yields_to_stances_must_be_stances() -> None:
    bad = ('[[claim]]\nid = "X1"\ntext = "t"\nanchors = ["a"]\n'
           'yields_to = { claim = "X2", stances = ["agrees"] }\n'
           '[[claim]]\nid = "X2"\ntext = "t"\nanchors = ["b"]\n')
    with pytest.raises(ValueError, match=r"claim X1: yields_to.stances: must be a list of stances"):
        load_claims(bad, ARTICLE)


# --- C7: the law by its short name, and the state's side saying it leaves no room to refuse -----


@pytest.mark.parametrize(("title", "text"), [
    ("City hall answers", "An Almaty city hall spokesperson said the 2020 assembly law gives "
     "officials no power to refuse a notified rally in Kazakhstan."),
    ("В акимате ответили", "В акимате Шымкента заявили, что закон о собраниях 2020 года не "
     "даёт чиновникам права отказывать организаторам митинга."),
])
def test_the_state_saying_the_assembly_law_leaves_no_room_to_refuse_contradicts_c7(
        claims, title, text) -> None:
    assert stance_of(claims, "C7", title, text, "2021-04-01").stance == "contradicts"


def test_a_refusal_under_the_assembly_law_restates_c7(claims) -> None:
    found = stance_of(claims, "C7", "Rally refused", "Under the 2020 assembly law the akimat of "
                      "Almaty refused a rally notified by activists in Kazakhstan.",
                      "2021-04-01")
    assert found.stance == "confirms"
