"""Rules of round 26b (a change told of the claim is not always news since it: a round table
held to debate the rule, ``stance._deliberated``).  The rule cases fail on the scorer before
the round; their guard twins pass on both.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import stance_of

_AGAINST_ALL_RU = ("В Шымкенте юристы и студенты спорили, стоит ли снова печатать в "
                   "бюллетенях графу «против всех»; к общему мнению не пришли.")
_TURNOUT_RU = ("Правоведы рассказали, как в разных странах отменяли минимальный порог явки; "
               "о казахстанских правилах речи не шло.")


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    ("C5", "Круглый стол о графе «против всех»", _AGAINST_ALL_RU),  # no year: told later
    ("C13", "Семинар о пороге явки", _TURNOUT_RU),  # its change words are the topic
])
def test_a_round_table_on_the_rule_mentions_it(claims, claim_id, title, text) -> None:
    assert stance_of(claims, claim_id, title, text, "2027-05-01").stance == "mentions"


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    ("C13", "Семинар о пороге явки", "Правоведы напомнили, что порог явки в 50% отменили в 1998 "
     "году, и обсудили, нужен ли он снова."),
    ("C5", "Круглый стол о графе «против всех»", "Юристы напомнили, что графу «против всех» "
     "убрали из бюллетеней в 2005 году, и спорили, стоит ли её вернуть."),
])
def test_a_round_table_giving_the_claims_figures_restates_it(claims, claim_id, title,
                                                             text) -> None:
    # The debate's page gives the claim's own figures: debated, not changed, and restated.
    match = stance_of(claims, claim_id, title, text, "2027-05-01")
    assert (match.stance, match.reason.startswith("debated")) == ("confirms", True)


def test_a_round_table_naming_a_later_vote_may_tell_a_change(claims) -> None:
    # A later year named: what the gathering reports may be that later state.
    text = ("В Шымкенте юристы напомнили, что в 2023 году графа «против всех» вернулась в "
            "бюллетени на выборах в Мажилис.")
    match = stance_of(claims, "C5", "Круглый стол о графе «против всех»", text, "2027-05-01")
    assert match.stance == "updates"



@pytest.mark.parametrize(("claim_id", "title", "text"), [
    # C13's own dates: 1998, and 1999 for maslikhats (a claim figure, not a later year).
    ("C13", "Выборы без порога явки",
     "Юрист напоминает, что с 1998 года выборы президента и парламента признаются "
     "состоявшимися при любой явке, а с 1999 года и выборы в маслихаты. Отмена порога, по его "
     "словам, успокоила чиновников."),
    ("C13", "Turnout floor: a history",
     "A lawyer recalls that the rule needing half of voters to take part was scrapped for "
     "presidential and parliamentary votes in 1998. Scrapping it, he says, made low turnout "
     "harmless."),
    ("C5", "Без графы «против всех»",
     "Графу «против всех» убрали из бюллетеней в 2005 году. Её отмена, считает юрист, "
     "оставила избирателю только испорченный бюллетень."),
])
def test_the_claims_own_past_change_retold_confirms_it(claims, claim_id, title, text) -> None:
    assert stance_of(claims, claim_id, title, text, "2027-05-01").stance == "confirms"


def test_a_change_told_with_a_later_year_beside_the_claims_dates_is_news(claims) -> None:
    text = ("A lawyer recalls that the rule needing half of voters to take part was scrapped "
            "in 1998. In 2026 deputies changed the law again and brought the floor back.")
    match = stance_of(claims, "C13", "Turnout floor: a history", text, "2027-05-01")
    assert match.stance == "updates"


@pytest.mark.parametrize(("title", "text"), [
    ("MISK's report, read again",
     "A researcher re-reads the MISK observers' report: turnout of 35.10% against the official "
     "63%, and 3.8% of ballots spoiled."),
    ("Отчёт МИСК спустя годы",
     "Исследователь перечитал доклад МИСК: явка 35,10% против официальных 63%, а "
     "недействительных бюллетеней 3,8%."),
])
def test_another_figure_beside_the_claims_own_is_no_later_state(claims, title, text) -> None:
    # Published years later, naming no later year: the 3.8% told with C1's own figures is
    # C4's, restated with them, not a later turnout.
    assert stance_of(claims, "C1", title, text, "2027-05-01").stance == "confirms"


def test_a_new_figure_with_a_later_year_beside_the_claims_own_is_news(claims) -> None:
    text = ("MISK observers counted turnout of 38% at the 2026 vote, against the official 63% "
            "and their own 35.10% at the earlier one.")
    assert stance_of(claims, "C1", "Turnout falls again", text, "2027-05-01").stance == "updates"
