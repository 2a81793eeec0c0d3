"""Rule of round 28e (claims file only): C3's later state — the OSDP taking part in a later
Majilis vote — told in each language as the others already told it: a list of candidates filed
("list & candidates", "список & кандидатов", "тізім & кандидат", "партиялық тізім"), taking
part in the vote, seats won ("back in parliament", "have seats").  The rule cases fail with the
claims file before the round; the guard passes on both.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import stance_of


@pytest.mark.parametrize(("title", "text"), [
    ("Social democrats file for the vote",
     "The OSDP has handed in a list of 24 candidates for the coming Majilis election."),
    ("ОСДП выдвигается",
     "Социал-демократы из ОСДП решили в этот раз участвовать в выборах в Мажилис и готовят "
     "агитацию в регионах."),
    ("ЖСДП тізім ұсынды",
     "ЖСДП алдағы Мәжіліс сайлауына өзінің партиялық тізімін ұсынды."),
    ("OSDP in the new Majilis",
     "After the count the OSDP will have seats in the Majilis for the first time."),
])
def test_the_osdp_taking_part_later_updates_c3(claims, title, text) -> None:
    match = stance_of(claims, "C3", title, text, published="2027-04-02")
    assert match.stance == "updates", match.reason


def test_the_2021_boycott_retold_still_confirms_c3(claims) -> None:
    # Guard: the claim's own vote, the boycott told again.
    match = stance_of(claims, "C3", "Looking back at 2021",
                      "In January 2021 the OSDP boycotted the Majilis election and filed no "
                      "list.", published="2027-04-02")
    assert match.stance == "confirms", match.reason
