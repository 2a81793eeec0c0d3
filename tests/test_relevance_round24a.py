"""Rules of round 24a: the parties on a claim's ballot named at a vote tell of that vote (C2,
``ballot``), and an item naming only earlier years still tells the claim's vote when it gives the
claim's own result with its owner (``shares.share_told(own=True)``) or in words only its vote's
result has (``scope.results``).  The rule cases fail on the scorer before the round; their guard
twins pass on both.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import matches

from kzwatch.relevance.compiled import BALLOT_MENTION

# --- The claim's ballot: two of its parties named at a vote, nothing of its results ---------

_CAMPAIGN_RU = ("Предвыборная кампания в Караганде: «Нур Отан» и «Ак жол» провели встречи во "
                "дворах, а плакаты обеих партий висят на остановках.")
_CAMPAIGN_EN = ("Campaign diary from Karaganda: Nur Otan and Ak Zhol held meetings in courtyards, "
                "and the posters of both parties hang at bus stops.")


@pytest.mark.parametrize(("title", "text"), [
    ("Дневник кампании", _CAMPAIGN_RU),
    ("Campaign diary", _CAMPAIGN_EN),
])
def test_two_parties_of_the_ballot_at_a_vote_mention_c2(claims, title, text) -> None:
    found = matches(claims, title, text)
    assert "C2" in found
    assert found["C2"].stance == "mentions"
    assert found["C2"].reason.startswith(BALLOT_MENTION)


def test_one_party_of_the_ballot_is_not_its_ballot(claims) -> None:
    # Guard twin: a single party at the campaign is that party's news, not the claim's vote.
    text = ("Campaign diary from Karaganda: Nur Otan held meetings in courtyards, and its "
            "posters hang at bus stops.")
    assert "C2" not in matches(claims, "Campaign diary", text)


def test_the_parties_without_a_vote_are_not_its_ballot(claims) -> None:
    # Guard twin: the same two parties at a charity fair: no vote, no ballot.
    text = ("Charity fair in Karaganda: Nur Otan and Ak Zhol held meetings in courtyards, and "
            "the posters of both parties hang at bus stops.")
    assert "C2" not in matches(claims, "Charity fair", text)


def test_a_later_ballots_party_is_not_the_claims_ballot(claims) -> None:
    # Guard twin: Respublica stood only in later votes: the ballot told is a later one.
    text = ("Campaign diary from Karaganda: Respublica, Ak Zhol and the People's Party held "
            "meetings in courtyards, and the posters of the parties hang at bus stops.")
    found = matches(claims, "Campaign diary", text)
    assert "C2" not in found or not found["C2"].reason.startswith(BALLOT_MENTION)


def test_the_ballot_is_background_to_another_claims_story(claims) -> None:
    # The OSDP's boycott told with the parties that do run: C3's story, not news on C2.
    text = ("The OSDP announced a boycott of the Majilis election in Kazakhstan; Nur Otan and "
            "Ak Zhol will campaign without it.")
    found = matches(claims, "The OSDP stays out", text)
    assert "C3" in found
    assert "C2" not in found


# --- Only earlier years named, the claim's own result told with its owner -------------------

def test_the_claims_result_beside_an_earlier_year_is_c2(claims) -> None:
    text = ("Compared with the 2016 campaign, Nur Otan won 71.09% of the vote this time, the "
            "commission in Astana said.")
    found = matches(claims, "The ruling party's share", text)
    assert "C2" in found
    assert found["C2"].stance == "confirms"


def test_another_share_beside_an_earlier_year_stays_out(claims) -> None:
    # Guard twin: a share that is not the claim's, with only 2016 named: that earlier vote.
    text = ("Compared with the 2012 campaign, Nur Otan won 79.5% of the vote in 2016, the "
            "commission in Astana said.")
    assert "C2" not in matches(claims, "The ruling party's share", text)


def test_the_claims_turnout_beside_an_earlier_year_is_c1(claims) -> None:
    text = ("Turnout fell from 77% at the 2016 Majilis vote to 63% this time, the commission in "
            "Astana said.")
    assert "C1" in matches(claims, "Turnout down", text)


def test_the_claims_own_words_leave_the_gate_to_the_context(claims) -> None:
    # Guard twin: with one of the claim's words ("votes") the item says something of what the
    # claim says; the context groups decide as for any item (no house or vote of it named).
    text = ("Campaign diary from Karaganda: Nur Otan and Ak Zhol held meetings in courtyards "
            "and counted the votes of a straw poll among neighbours.")
    assert "C2" not in matches(claims, "Campaign diary", text)


def test_a_ballot_of_one_party_is_an_error() -> None:
    # One party named is that party's news: the claims file may not ask for fewer than two.
    from importlib import resources

    from kzwatch.relevance import load_claims
    text = resources.files("kzwatch.data").joinpath("claims.toml").read_text(encoding="utf-8")
    assert "ballot = { at_least = 2," in text
    with pytest.raises(ValueError, match="at_least"):
        load_claims(text.replace("ballot = { at_least = 2,", "ballot = { at_least = 1,"),
                    "beimenbetov-2021")


# --- scope.results: the claim's own result in words only its vote has (Nur Otan's 76 seats) -

_REPORT_EN = ("The presidential election of 2019 and the presidential election of 2022 were "
              "neither free nor fair, the report says; parliament and its deputies stay loyal, "
              "and at the legislative elections Nur Otan took 76 of the 98 seats.")


def test_the_claims_seats_keep_a_report_on_other_votes_in_scope(claims) -> None:
    assert "C2" in matches(claims, "A yearly report on Kazakhstan", _REPORT_EN)


def test_other_seats_in_such_a_report_stay_out(claims) -> None:
    # Guard twin: another count of seats is not the claim's result: the presidential votes
    # the report is about keep it out of scope.
    text = _REPORT_EN.replace("76 of the 98", "84 of the 98")
    assert "C2" not in matches(claims, "A yearly report on Kazakhstan", text)


def test_a_local_share_beside_the_claims_seats_disputes_nothing(claims) -> None:
    text = ("Итоги выборов 2021 года: Nur Otan получила 76 мандатов в Мажилисе. В городской "
            "маслихат за Nur Otan отдали 68,1% голосов избирателей.")
    found = matches(claims, "Итоги выборов", text)
    assert "C2" in found
    assert found["C2"].stance == "confirms"


def test_the_claims_seats_on_a_page_published_before_its_vote_stay_out(claims) -> None:
    # Guard twin: a page dated 2016 cannot tell the 2021 seats, whatever numbers it shows.
    assert "C2" not in matches(claims, "A yearly report on Kazakhstan", _REPORT_EN,
                               published="2016-03-01")
    assert "C2" in matches(claims, "A yearly report on Kazakhstan", _REPORT_EN,
                           published="2022-03-01")
