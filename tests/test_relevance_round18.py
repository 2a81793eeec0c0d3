"""Rules of round 18 (error kinds that recur across the development sets).  Each test can
fail: it names the rule's input and the answer the rule gives.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import stance_of

# --- disputes by anyone: more words of contest (``disputing`` in the claims file) ---------------


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    # A deputy calling the spoilt-ballot protest a myth.
    ("C4", "Круглый стол о бюллетенях",
     "Один депутат назвал мифом рассказ о массовой порче бюллетеней в знак протеста на "
     "выборах в Мажилис 2021 года: недействительных было мало, сказал он."),
    # A retired official disagreeing that parties were refused registration.
    ("C8", "Бывший чиновник ответил Мамаю",
     "Бывший сотрудник Минюста не согласился с тем, что партии в Казахстане не регистрируют: "
     "по его словам, инициаторы Жанболата Мамая сами отозвали заявку."),
    # An analyst doubting the observers' spoilt-ballot share.
    ("C4", "An analyst doubts the spoilt-ballot share",
     "A university analyst said the observers' share of invalid ballots in the 2021 Majilis "
     "vote in Kazakhstan rested on too few polling stations."),
])
def test_anyone_but_a_critic_disagreeing_contradicts_the_claim(claims, claim_id, title,
                                                                text) -> None:
    found = stance_of(claims, claim_id, title, text, "2021-06-01")
    assert found.stance == "contradicts"
    assert found.reason.startswith("contested: ")


def test_critics_disagreeing_with_the_state_still_restate_the_claim(claims) -> None:
    # The observers are the ones who disagree: their contest is the claim's own side.
    found = stance_of(claims, "C4", "Наблюдатели о бюллетенях",
                      "Наблюдатели не согласились с ЦИК: испорченных бюллетеней на выборах в "
                      "Мажилис 2021 года, по их подсчётам, было 3,8 процента.", "2021-06-01")
    assert found.stance == "confirms"


# --- a return to a subject is not a restoration (``revisits``) ----------------------------------


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    ("C1", "A look back at the January vote",
     "An observers' network in Kazakhstan returned to the 2021 Majilis election this week: by "
     "its count turnout was about 35 percent, not the 63 percent the election commission "
     "announced."),
    ("C1", "Наблюдатели снова о явке",
     "Сеть наблюдателей в Казахстане вернулась к выборам в Мажилис 2021 года: по её подсчёту "
     "пришли около 35 процентов избирателей, а не 63 процента."),
])
def test_returning_to_the_claims_own_vote_retells_it(claims, claim_id, title, text) -> None:
    assert stance_of(claims, claim_id, title, text, "2026-05-01").stance == "confirms"


def test_a_rule_returned_later_is_still_a_change(claims) -> None:
    # A later year in the sentence: the 50% turnout floor came back, which undoes C13.
    found = stance_of(claims, "C13", "Turnout floor back",
                      "In Kazakhstan the rule that half of voters must take part returned to "
                      "the election law in 2026.", "2026-05-01")
    assert found.stance == "updates"


def test_a_claims_own_update_word_that_returns_to_its_time_is_no_update(claims) -> None:
    """C5 lists "return(s)" among its update words ("against all" returned to the ballot); a
    report that returns to the January 2021 election is a retelling, as for change words."""
    found = stance_of(claims, "C5", "Ballot design", "The report returns to the January 2021 "
                      "election, when Kazakh ballots had no against all box.", "2027-04-01")
    assert found.stance == "confirms"
