"""Rule of round 28f (claims file only): C2's "all five parties were pro-presidential" told in
Kazakh as Russian and English tell it ("президентті қолдады", "билікті қолдады", "билікшіл"), and
the Kazakh for disagreeing with what is said ("… деген пікірмен келіспейді") among the words of
contesting (``disputing``), as "не согласился" is.  The rule case fails with the claims file
before the round; the guard passes on both.  The texts are our own."""

from __future__ import annotations

from relevance_helpers import matches, stance_of


def test_a_former_deputy_disputing_the_loyal_ballot_contradicts_c2(claims) -> None:
    match = stance_of(claims, "C2", "Бұрынғы депутат сайлау туралы",
                      "«Ақ жол» партиясының бұрынғы депутаты 2021 жылғы бюллетеньдегі бес "
                      "партияның бәрі президентті қолдады деген пікірмен келіспейді.",
                      published="2026-09-14")
    assert match.stance == "contradicts", match.reason


def test_a_party_supporting_a_bill_is_not_the_2021_ballot(claims) -> None:
    # Guard: a party "supporting the government" on a bill, with no vote or ballot, is no C2.
    found = matches(claims, "Ақ жол заң жобасын қолдады",
                    "«Ақ жол» фракциясы үкіметтің салық туралы заң жобасын қолдады.",
                    published="2026-09-14")
    assert "C2" not in found
