"""Rules of round 17 (mechanisms that recur across the development sets' real pages).  Each
test can fail: it names the rule's input and the answer the rule gives.  The texts are our
own."""

from __future__ import annotations

import pytest
from relevance_helpers import matches, stance_of

from kzwatch.model import Claim, FeedItem
from kzwatch.relevance.claimset import claim_set
from kzwatch.relevance.compiled import compiled_claim
from kzwatch.relevance.renames import reported_renames
from kzwatch.relevance.scoring import prepare
from kzwatch.relevance.translit import is_kazakh_latin

# --- English pages are not Latin-script Kazakh on the chamber's name alone --------------------


@pytest.mark.parametrize("text", [
    # The chamber's Kazakh name twice, as English reports write it.
    "The Majilis met on Monday. Deputies of the Majilis then voted on the budget.",
    "Men queued outside the Mazhilis while the Mazhilis debated the bill.",
    # A German name's umlaut in a long English page.
    "Observer Jürgen Weber said the count in the capital went slowly and that the commission "
    "kept the room open to the press for the whole night of the vote.",
])
def test_english_page_is_not_latin_kazakh(text) -> None:
    assert not is_kazakh_latin(text, "en")


@pytest.mark.parametrize(("text", "lang"), [
    ("Mazhilis sailauy jyly otti, partiasy dauys jinady", None),  # Kazakh words beside the name
    ("Mäjılıs saılauy bıyl ötedı", "en"),  # a mislabelled item: marks in most words still count
    ("Jürgen", None),  # no language said: one mark is enough, as before
])
def test_latin_kazakh_still_read(text, lang) -> None:
    assert is_kazakh_latin(text, lang)


# --- C8: a seat on a body ("a CEC member", "members of the chamber") is not party membership ----


def test_member_of_a_body_is_not_party_membership(claims) -> None:
    # Round 19a: sentences the rule decides (with "members" among C8's English topic words this
    # item is C8: its title names party registration, and the members count as a topic word).
    title = "Kazakhstan: registration of political parties"
    assert "C8" not in matches(claims, title, "Three members of the regional commission in "
                               "Kazakhstan gave interviews.")
    # Twin: a word of C8's topic in their place passes the same title.
    assert "C8" in matches(claims, title, "The Ministry of Justice in Kazakhstan gave interviews.")


def test_party_membership_floor_still_read(claims) -> None:
    found = matches(claims, "Kazakhstan halves the membership a party needs",
                    "Political parties in Kazakhstan will now need 20,000 members instead of "
                    "40,000 to register, the justice ministry said.")
    assert "C8" in found


# --- a rename is reported only when the new name and the old one (or a change word) meet ------


def _reported(claims: list[Claim], text: str, claim_id: str = "C2") -> list[str]:
    claim = next(c for c in claims if c.id == claim_id)
    prepared = prepare(FeedItem(url="https://example.org/x", title="", text=text),
                       claim_set(claims).matcher)
    assert prepared is not None
    return reported_renames(prepared.doc, compiled_claim(claim))


def test_new_name_far_from_a_change_word_reports_no_rename(claims) -> None:
    assert _reported(claims, "Amanat's pollsters gave the incumbent 81% in Kazakhstan. Turnout "
                             "was high. Observers watched the count. Two years earlier the "
                             "threshold was lowered to five percent.") == []


def test_new_name_far_from_the_old_one_reports_no_rename(claims) -> None:
    assert _reported(claims, "Amanat's pollsters gave the incumbent 81% in Kazakhstan. Turnout "
                             "was high. Observers watched the count. Nur Otan once held every "
                             "seat.") == []


@pytest.mark.parametrize("text", [
    "Nur Otan was renamed Amanat.",  # one sentence
    "The ruling party was renamed at its congress in Astana. Its new name is Amanat.",  # next
])
def test_rename_told_beside_the_new_name(claims, text) -> None:
    assert _reported(claims, text)


def test_a_later_rename_is_read_after_an_earlier_one_told_far_from_its_change_word(
        claims) -> None:
    """C6 lists two renames; the first one's new name far from the change word must not take
    the change word from the second (a loop once overwrote it)."""
    assert _reported(claims, "The National Kurultai met in Atyrau. Its members spoke for hours. "
                             "The hall was cold. The People's Council of Kazakhstan was set up "
                             "as the old body was abolished.", "C6") == [
        "Национальный курултай → People's Council of Kazakhstan (the People's Council was "
        "proposed in 2025 to replace the National Kurultai)"]  # the old name as the claim lists it


# --- a small plain count the claim's quantity reads with its cue is not read bare ---------------


def test_five_activists_are_not_five_days_notice(claims) -> None:
    # Round 19a: sentences the rule decides (with C7's 5 read bare, "5 activists" is the claim's
    # figure and the item C7); the twins without the count, and with the days' notice.
    title = "Peaceful assemblies in Kazakhstan: a court ruling"
    assert "C7" not in matches(claims, title, "A district court in Almaty fined 5 activists on "
                               "Tuesday.")
    assert "C7" not in matches(claims, title, "A district court in Almaty fined the activists "
                               "on Tuesday.")
    found = matches(claims, title, "A district court in Almaty fined the activists, who had "
                    "given 5 days' notice.")
    assert found["C7"].reason == "same figures as the claim: notice days 5"


def test_five_days_notice_still_confirms(claims) -> None:
    match = stance_of(claims, "C7", "Kazakhstan rally rules", "Under Kazakhstan's law on "
                      "peaceful assemblies organisers must give 5 days' notice to the akimat.")
    assert (match.stance, match.reason) == ("confirms", "same figures as the claim: notice days 5")


def test_a_figure_with_no_number_is_a_one_line_error() -> None:
    """A figure the number reader cannot read would be dropped silently from the claim."""
    from kzwatch.relevance import load_claims

    bad = ('article_id = "a"\n[[claim]]\nid = "X1"\ntext = "t"\nfigures = ["about half"]\n'
           'anchors = ["a"]\n')
    with pytest.raises(ValueError, match="claim X1: key 'figures' has no number in 'about half'"):
        load_claims(bad, "a")
