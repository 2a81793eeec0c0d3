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


def test_a_round_table_naming_a_later_vote_may_tell_a_change(claims) -> None:
    # A later year named: what the gathering reports may be that later state.
    text = ("В Шымкенте юристы напомнили, что в 2023 году графа «против всех» вернулась в "
            "бюллетени на выборах в Мажилис.")
    match = stance_of(claims, "C5", "Круглый стол о графе «против всех»", text, "2027-05-01")
    assert match.stance == "updates"
