"""Rules of round 22b (a speaker's own value for the claim's quantity, written in words or with
an approximator: "closer to eighteen per cent", "меньше пяти процентов", "бір пайыздан аз",
"not the 11 per cent").  Each rule test fails on the code before the round; each guard twin
passes on both.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import stance_of

from kzwatch.relevance.numbers import SentenceNumbers

# --- a share written in words is a percentage ------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [
    ("closer to eighteen per cent", 18.0),
    ("меньше одного процента", 1.0),
    ("около двадцати процентов", 20.0),
    ("бір пайыздан аз", 1.0),
    ("sixty-three percent", 63.0),
])
def test_a_share_written_in_words_is_read_as_a_percentage(text, value) -> None:
    found = SentenceNumbers([text]).percent_words(0)
    assert [(n.value, n.percent) for n in found] == [(value, True)]


def test_number_words_without_a_percent_word_are_no_share() -> None:
    assert SentenceNumbers(["eighteen parties took part"]).percent_words(0) == []


# --- the speaker's own value, set against the claim's ----------------------------------------


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    # A former candidate says his party's real share was nearer eighteen per cent.
    ("C2", "A former candidate looks back",
     "A former Ak Zhol candidate says the party won closer to eighteen per cent in the 2021 "
     "Majilis vote."),
    # A deputy says the party got under five per cent: a bound with no room for its 10.95%.
    ("C2", "Депутат об итогах",
     "Депутат утверждает, что «Ак жол» на выборах в мажилис 2021 года набрала меньше пяти "
     "процентов."),
    # A Kazakh bound written after the number: fewer than one per cent of ballots spoiled.
    ("C4", "Депутат бюллетеньдер туралы",
     "Депутаттың айтуынша, 2021 жылғы Мәжіліс сайлауында жарамсыз бюллетеньдер бір пайыздан аз "
     "болды."),
    # The claim's figure set aside with "not the".
    ("C2", "A party veteran disagrees",
     "A party veteran says Ak Zhol won 20 per cent of the votes in the 2021 Majilis election, "
     "not the 11 per cent announced."),
])
def test_a_speakers_own_value_contradicts(claims, claim_id, title, text) -> None:
    found = stance_of(claims, claim_id, title, text, "2027-05-01")
    assert found.stance == "contradicts"
    assert found.reason.startswith("denies the claim's figure")


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    # A bound that holds the claim's value restates it: over ten per cent for its 10.95%.
    ("C2", "Депутат об итогах",
     "Депутат напомнил, что «Ак жол» на выборах в мажилис 2021 года набрала больше десяти "
     "процентов."),
    # Under four per cent holds the claim's 3.8%.
    ("C4", "Депутат бюллетеньдер туралы",
     "Депутаттың айтуынша, 2021 жылғы Мәжіліс сайлауында жарамсыз бюллетеньдер төрт пайыздан аз "
     "болды."),
    # The claim's share itself, written in words.
    ("C2", "A former candidate looks back",
     "A former Ak Zhol candidate recalls that the party won eleven per cent in the 2021 "
     "Majilis vote."),
])
def test_a_value_that_holds_the_claims_restates(claims, claim_id, title, text) -> None:
    found = stance_of(claims, claim_id, title, text, "2027-05-01")
    assert found.stance == "confirms"


def test_a_bound_on_a_count_is_no_dispute(claims) -> None:
    # "under 30" is an age beside the claim's 89,505 students, not a count set against it.
    found = stance_of(claims, "C16", "Students abroad",
                      "In 2020, 89,505 Kazakh students studied abroad, most of them under 30.",
                      "2027-05-01")
    assert found.stance == "confirms"
