"""Rules of round 25a: a claim missed on an item that bears on another claim.  A name only one
claim's event or body has (``unique_anchors``), in an item already flagged for another claim,
mentions that claim (``beside.named_beside``), unless the claims file says the name is a
person's named for other reasons (``unique_mentions = false``, C8's Mamay); and C16 does not
yield to C11 when its own share under thirty is told (``yields_to.unless``); a vote claim's story
published in the vote's own year tells the earlier years it names as background (``scope.
out_of_scope``).  The rule cases fail on the scorer before the round; their guard twins pass
on both.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import matches

_YOUNG_EN = "Half of Kazakhstan's people are under 30, and young people lead its civic life."
_OYAN_EN = "Several of the speakers were members of Oyan, Qazaqstan."


def test_a_unique_name_beside_another_claims_story_mentions_its_claim(claims) -> None:
    found = matches(claims, "A country of the young", f"{_YOUNG_EN} {_OYAN_EN}")
    assert "C11" in found
    assert found["C11"].stance == "mentions"


def test_the_population_share_told_keeps_c16_beside_oyan(claims) -> None:
    # C16 yields a mere mention to C11 (Oyan's students), not its own share under thirty.
    found = matches(claims, "A country of the young", f"{_YOUNG_EN} {_OYAN_EN}")
    assert "C16" in found


def test_a_unique_name_in_a_story_of_no_claim_stays_below(claims) -> None:
    # Guard twin: the same passing name where the item bears on no claim.
    text = f"The city library opened a reading room on Saturday. {_OYAN_EN}"
    assert "C11" not in matches(claims, "Library news", text)


def test_a_persons_unique_name_beside_another_claim_is_no_mention(claims) -> None:
    # Guard twin: Mamay named among activists at a rally told under the assembly law.
    text = ("Under the law on peaceful assemblies the akimat did not agree to the rally. "
            "Among those who came anyway was Zhanbolat Mamay.")
    found = matches(claims, "Rally in the square", text)
    assert "C7" in found
    assert "C8" not in found


# --- A vote's story published in the vote's own year: the earlier years it names are background

_VOTE_DAY_EN = ("Nur Otan leads the Majilis vote and Ak Zhol is set to clear the threshold, as "
                "after the presidential race of 2019 no opposition force stands.")


def test_a_vote_story_of_the_votes_year_naming_an_earlier_year_tells_c2(claims) -> None:
    found = matches(claims, "Kazakhstan votes without surprises", _VOTE_DAY_EN, "2021-01-11")
    assert "C2" in found


def test_the_same_story_published_later_stays_out_of_scope(claims) -> None:
    # Guard twin: published two years on, naming only 2019: its date is no background.
    found = matches(claims, "Kazakhstan votes without surprises", _VOTE_DAY_EN, "2023-03-20")
    assert "C2" not in found


def test_unique_mentions_must_be_true_or_false() -> None:
    from kzwatch.relevance import load_claims

    bad = '[[claim]]\nid = "X1"\ntext = "t"\nunique_mentions = "no"\n[claim.terms]\nen = ["a"]\n'
    with pytest.raises(ValueError, match="X1: unique_mentions: must be true or false"):
        load_claims(bad, "a")
