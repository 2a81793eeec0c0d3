"""Rules of round 20a (disputes and denials told in plain words, a kind that recurs across the
development sets).  Each rule test fails on the claims file before the round; each guard passes
on both.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import stance_of

# --- the state's side: an assessment said to ignore something, a count with little to do with
# --- the real one, the law said to give officials no discretion ------------------------------


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    # A ministry says the OSCE's verdict overlooked what set the parties apart.
    ("C15", "Ministry answers the OSCE",
     "The ministry holds that the OSCE verdict on Kazakhstan's 2021 Majilis vote ignored how "
     "far apart the party manifestos were."),
    ("C15", "МИД об оценке ОБСЕ",
     "В МИД Казахстана полагают, что оценка ОБСЕ по выборам в мажилис 2021 года не учитывает "
     "разницы между партийными платформами."),
    # The foreign ministry, by its Kazakh initials in the title, on the OSCE's assessment.
    ("C15", "СІМ: ЕҚЫҰ бағасы толық емес",
     "Қазақстан СІМ ЕҚЫҰ-ның 2021 жылғы Мәжіліс сайлауына берген бағасы партиялар "
     "бағдарламаларының айырмашылығын ескермеген деп санайды."),
    # A commission officer says MISK's count has little to do with the whole count.
    ("C1", "Commission officer on MISK",
     "A commission secretary in Kazakhstan said MISK's 35% turnout figure for the 2021 vote had "
     "little to do with the tally of every precinct."),
    # An akimat says the law gives its officials no discretion over rally notices.
    ("C7", "Akimat on assemblies",
     "A spokesman for the Shymkent akimat says Kazakhstan's 2020 law on peaceful assemblies "
     "leaves its officials no discretion over a rally notice."),
])
def test_official_plain_denial_contradicts(claims, claim_id, title, text) -> None:
    found = stance_of(claims, claim_id, title, text, "2022-05-01")
    assert found.stance == "contradicts"
    assert found.reason.startswith("an official denies it: ")


def test_verdict_ignored_said_by_critics_is_theirs(claims) -> None:
    # Activists speak first: the OSCE verdict "ignored" something is their complaint, not the
    # state's denial.
    found = stance_of(claims, "C15", "Activists on the OSCE",
                      "Activists say the OSCE verdict on Kazakhstan's 2021 Majilis vote ignored "
                      "how little real competition there was.", "2022-05-01")
    assert found.stance == "confirms"


# --- anyone but a critic: overstated, wrong to call, not in fact, rejecting the idea ---------


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    # An economist says the protest tracker's count overstates the unrest.
    ("C10", "Economist on the tracker",
     "An economist in Pavlodar argues that the 254 protests logged for Kazakhstan in 2020 "
     "overstate the unrest."),
    # A former council member says the council was not merely a talking shop.
    ("C6", "Ex-member on the council",
     "A one-time council member in Kazakhstan says it is wrong to call the NSOD, the National "
     "Council of Public Trust, advisory."),
    # A former party official says the boycott did not in fact happen as told.
    ("C3", "Бывший функционер ОСДП",
     "Бывший функционер ОСДП уверяет, что партия на самом деле не объявляла бойкот выборов "
     "2021 года."),
    ("C2", "Ветеран «Ак жола»",
     "Ветеран «Ак жола» считает, что записывать его партию, набравшую 11 процентов голосов на "
     "выборах в мажилис Казахстана 2021 года, в пропрезидентские просто, но неверно."),
    ("C2", "Ex-deputy on the 2021 ballot",
     "An ex-MP of Ak Zhol rejects the idea that all five parties on Kazakhstan's 2021 "
     "Majilis ballot backed the president, his own party's 11% of the votes included."),
])
def test_plain_dispute_by_anyone_contradicts(claims, claim_id, title, text) -> None:
    found = stance_of(claims, claim_id, title, text, "2022-05-01")
    assert found.stance == "contradicts"
    assert found.reason.startswith("contested: ")


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    # Observers named in the sentence: "overstate" may be theirs of the state's count.
    ("C10", "Observers on the tracker",
     "Observers argue that the 254 protests logged for Kazakhstan in 2020 overstate the "
     "unrest."),
    # The same claim restated with no contesting words at all.
    ("C10", "Economist on the tracker",
     "An economist in Pavlodar notes that 254 protests were logged for Kazakhstan in 2020."),
])
def test_guards_of_plain_dispute(claims, claim_id, title, text) -> None:
    found = stance_of(claims, claim_id, title, text, "2022-05-01")
    assert found.stance == "confirms"
