"""Rules of round 23 (a party's vote share written with its name is the 2021 result's kind of
news, C2, though no vote or results word is written).  The rule cases fail on the scorer before
the round; their guard twins pass on both.  The texts are our own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from relevance_helpers import matches

from kzwatch.model import FeedItem
from kzwatch.relevance import score_item
from kzwatch.relevance.settings import RelevanceSettings

_SHARE_EN = "In Astana the Nur Otan list had gathered 68.4% by the morning count, its office said."
_SHARE_RU = "Штаб в Астане сообщил утром: у «Нур Отан» 68,4% по первым подсчётам."


@pytest.mark.parametrize(("title", "text"), [
    ("Morning count in Astana", _SHARE_EN),
    ("Утренний подсчёт в Астане", _SHARE_RU),
])
def test_a_partys_share_with_its_name_is_c2(claims, title, text) -> None:
    assert "C2" in matches(claims, title, text)


def test_a_share_in_another_clause_is_not_the_partys(claims) -> None:
    # Guard twin: the party names the pollster; the share, past a comma, is someone else's.
    text = ("In Astana an institute close to Nur Otan spoke first, suggesting 68.4% had backed "
            "the incumbent by the morning count.")
    assert "C2" not in matches(claims, "Morning count in Astana", text)


def test_a_share_far_from_the_name_is_not_the_partys(claims) -> None:
    # Guard twin: the share stands more than four tokens from the name.
    text = ("In Astana the Nur Otan office opened a reading hall where visitors from the region "
            "made up 68.4% of the morning count.")
    assert "C2" not in matches(claims, "Morning count in Astana", text)


def test_a_share_without_its_party_is_not_c2(claims) -> None:
    # Guard twin: the same share with no party named.
    text = "In Astana the list had gathered 68.4% by the morning count, its office said."
    assert "C2" not in matches(claims, "Morning count in Astana", text)


def test_the_distance_is_a_setting(claims) -> None:
    # Three tokens stand between the name and the share: within four, not within two.
    item = FeedItem(url="https://example.org/x", title="Morning count in Astana", text=_SHARE_EN,
                    published_at=datetime(2021, 1, 11, tzinfo=UTC))
    near = {m.claim_id for m in score_item(item, claims, settings=RelevanceSettings())}
    strict = {m.claim_id for m in score_item(
        item, claims, settings=RelevanceSettings(share_owner_tokens=2))}
    assert "C2" in near
    assert "C2" not in strict


# --- An OSDP story published before its boycotts began (C3, scope.published_from) ---------

_OSDP_EN = ("In Kazakhstan the National Social Democratic Party said it would not take part in "
            "the Majilis election, calling the campaign a formality.")


def test_an_osdp_story_published_before_2019_is_not_c3(claims) -> None:
    assert "C3" not in matches(claims, "Opposition party weighs the vote", _OSDP_EN,
                               published="2015-11-02")


def test_the_same_osdp_story_published_in_2020_is_c3(claims) -> None:
    # Guard twin: the same story once the party stayed out of votes.
    assert "C3" in matches(claims, "Opposition party weighs the vote", _OSDP_EN,
                           published="2020-11-02")
