"""Rule of round 28g (claims file only): C14's gate takes the claim's own list rule for the
house ("тек партиялық тізім", "list-only", "только по партийным спискам": only a parliament's
vote has it), so an item that names no house is not kept out; a maslikhat's list rule stays out
by the scope.  The rule case fails with the claims file before the round; the guard passes on
both.  The texts are our own."""

from __future__ import annotations

from relevance_helpers import matches, stance_of


def test_the_list_rule_without_the_house_named_confirms_c14(claims) -> None:
    match = stance_of(claims, "C14", "Тәуелсіздерге жол жабық",
                      "Сарапшының айтуынша, 2021 жылы тек партиялық тізім бойынша сайлау "
                      "тәуелсіз үміткерге жол бермейді.", published="2026-02-11")
    assert match.stance == "confirms", match.reason


def test_a_maslikhats_list_rule_stays_out(claims) -> None:
    found = matches(claims, "Выборы в маслихат",
                    "Депутатов маслихата избирают только по партийным спискам; независимые "
                    "кандидаты в маслихат не проходят.", published="2026-02-11")
    assert "C14" not in found
