"""Rules of round 19a (stance and negation kinds that recur across the development sets).  Each
rule test fails on the code before the round; each guard passes on both.  The texts are our
own."""

from __future__ import annotations

import pytest
from relevance_helpers import stance_of

from kzwatch.relevance import negation, text

# --- a count called inflated, a description called wrong, by anyone but a critic --------------


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    # A demographer, no official and no critic, calls the protest count inflated.
    ("C10", "Демограф о протестах",
     "Демограф из Караганды полагает, что цифры о 254 протестах в Казахстане в 2020 году "
     "завышены: он насчитал втрое меньше."),
    # A former deputy calls it wrong to describe every party of the 2021 Majilis as loyal.
    ("C2", "Бывший депутат о партиях",
     "Бывший депутат говорит, что неверно называть «Ак жол» и Народную партию "
     "пропрезидентскими: на выборах в мажилис 2021 года «Нур Отан» получил 71 процент, "
     "«Ак жол» — 11 процентов."),
])
def test_inflated_or_wrong_said_by_anyone_contradicts(claims, claim_id, title, text) -> None:
    found = stance_of(claims, claim_id, title, text, "2021-06-01")
    assert found.stance == "contradicts"
    assert found.reason.startswith("contested: ")


def test_inflated_said_by_critics_is_their_own_contest(claims) -> None:
    # Rights defenders named in the sentence: "inflated" may be their word about the state's side.
    found = stance_of(claims, "C10", "Демограф о протестах",
                      "Правозащитники полагают, что цифры о 254 протестах в Казахстане в 2020 "
                      "году завышены.", "2021-06-01")
    assert found.stance == "confirms"


# --- English "n't" is a negation ------------------------------------------------------------


def test_contraction_is_read_as_not() -> None:
    contracted_not = negation.contracted_not
    row = text.Doc(["It wasn't registered, and Ivan T. Orlov can't come."]).toks[0]
    norms = [t.norm for t in row]
    registered, ivan, come = norms.index("registered"), norms.index("ivan"), norms.index("come")
    assert contracted_not(row, 0, registered)
    assert not contracted_not(row, ivan, ivan + 3)  # an initial after a name
    assert not contracted_not(row, registered, come)  # "can't" only where "cannot" counts
    assert contracted_not(row, registered, come, cannot=True)


@pytest.mark.parametrize("negation", ["wasn't", "was not"])
def test_a_change_word_negated_by_a_contraction_is_no_change(claims, negation) -> None:
    found = stance_of(claims, "C8", "Kazakhstan: the Democratic Party",
                      f"Zhanbolat Mamay's Democratic Party {negation} registered by the justice "
                      "ministry in 2021.", "2021-06-01")
    assert found.stance == "mentions"


@pytest.mark.parametrize("negation", ["weren't", "were not"])
def test_an_official_denial_told_with_a_contraction(claims, negation) -> None:
    found = stance_of(claims, "C9", "Observers at the vote",
                      f"The election commission said observers {negation} removed from polling "
                      "stations at the January 2021 Majilis vote in Kazakhstan.", "2021-03-01")
    assert (found.stance, found.reason) == ("contradicts", "an official denies it: not removed")


def test_an_observer_removed_with_no_negation_restates_the_claim(claims) -> None:
    found = stance_of(claims, "C9", "Observers at the vote",
                      "An observer was removed from a polling station at the January 2021 "
                      "Majilis vote in Kazakhstan, the monitors said.", "2021-03-01")
    assert found.stance == "confirms"


# --- a return to a subject, in Kazakh (the claims file's ``revisiting``) ---------------------


def test_kazakh_return_to_the_claims_own_vote_retells_it(claims) -> None:
    found = stance_of(claims, "C1", "Бақылаушылар сайлау туралы",
                      "Тәуелсіз бақылаушылар желісі 2021 жылғы Мәжіліс сайлауы тақырыбына қайта "
                      "оралды: олардың есебінше, сайлаушылардың 35 пайызы ғана дауыс берген, "
                      "63 пайыз емес.", "2026-05-01")
    assert found.stance == "confirms"


def test_kazakh_option_coming_back_later_is_still_a_change(claims) -> None:
    found = stance_of(claims, "C5", "«Бәріне қарсы» бағаны оралады",
                      "Бюллетеньге «бәріне қарсы» бағаны 2026 жылы қайта оралады.", "2026-05-01")
    assert found.stance == "updates"


def test_kazakh_review_returning_to_the_2021_ballot_is_no_change(claims) -> None:
    found = stance_of(claims, "C5", "Бюллетень туралы шолу",
                      "Шолу 2021 жылғы қаңтар сайлауы тақырыбына қайта оралады: ол кезде "
                      "бюллетеньде «бәріне қарсы» бағаны болмаған.", "2027-04-01")
    assert found.stance == "confirms"


def test_revisit_terms_come_from_the_claims_file(claims) -> None:
    assert all("returned to" in claim.extra["revisit_terms"] for claim in claims)


# --- a restatement marker negated after it, in Kazakh, by an official -----------------------


def test_kazakh_official_saying_there_was_no_obstruction_contradicts(claims) -> None:
    found = stance_of(claims, "C9", "Комиссия өкілі бақылаушылар туралы",
                      "Орталық сайлау комиссиясының өкілі 2021 жылғы Мәжіліс сайлауында "
                      "бақылаушыларға кедергі болмады деп мәлімдеді.", "2021-03-01")
    assert found.stance == "contradicts"


def test_kazakh_observers_telling_of_obstruction_restate_the_claim(claims) -> None:
    found = stance_of(claims, "C9", "Бақылаушылар сайлау туралы",
                      "Тәуелсіз бақылаушылар 2021 жылғы Мәжіліс сайлауында бақылаушыларға "
                      "кедергі болды деп мәлімдеді.", "2021-03-01")
    assert found.stance == "confirms"


# --- "only two" set against the claim's count disputes it (``qualifiers``: "only") ----------


@pytest.mark.parametrize(("title", "text"), [
    ("Justice ministry on party registration",
     "Kazakhstan's justice ministry said only two of the seven applications to register a "
     "political party after 2019 were refused."),
    ("Минюст о регистрации партий",
     "В Минюсте Казахстана заявили, что из семи заявок на регистрацию партий после 2019 года "
     "отклонены лишь две."),
])
def test_only_a_smaller_count_disputes_the_claims_count(claims, title, text) -> None:
    found = stance_of(claims, "C8", title, text, "2021-06-01")
    assert found.stance == "contradicts"
    assert found.reason.startswith("denies the claim's figure: applications refused ")


def test_the_claims_own_count_with_its_total_restates_it(claims) -> None:
    found = stance_of(claims, "C8", "Justice ministry on party registration",
                      "Kazakhstan's justice ministry said six of the seven applications to "
                      "register a political party after 2019 were refused.", "2021-06-01")
    assert found.stance == "confirms"


def test_only_before_a_percentage_is_no_dispute(claims) -> None:
    # "only" qualifies small plain counts alone: the observers' own 30.6% stays theirs.
    found = stance_of(claims, "C1", "Явка в Алматы",
                      "На выборах в мажилис 2021 года в Алматы, по данным наблюдателей, пришли "
                      "только 30,6 процента избирателей.", "2021-02-01")
    assert found.stance == "confirms"


def test_file_wide_revisit_terms_are_each_claims_own_copy(claims) -> None:
    # One claim's list changed must not change another's (the file-wide list was shared).
    first, second = [c for c in claims if "revisit_terms" in c.extra][:2]
    assert first.extra["revisit_terms"] == second.extra["revisit_terms"]
    assert first.extra["revisit_terms"] is not second.extra["revisit_terms"]
