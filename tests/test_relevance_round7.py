"""Rules of round 7 (real pages, docs/LABELLING.md): an event claim's day, ...  Each test can
fail: it names the rule's input and the answer the rule gives."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

import pytest

from kzwatch.model import Claim, ClaimMatch, FeedItem
from kzwatch.relevance import load_claims, score_item
from kzwatch.relevance.days import named_days, parse_days

ARTICLE = "beimenbetov-2021"


@pytest.fixture(scope="module")
def claims() -> list[Claim]:
    text = resources.files("kzwatch.data").joinpath("claims.toml").read_text(encoding="utf-8")
    return load_claims(text, ARTICLE)


def matches(claims: list[Claim], title: str, text: str = "",
            published: str | None = None) -> dict[str, ClaimMatch]:
    when = datetime.fromisoformat(published).replace(tzinfo=UTC) if published else None
    item = FeedItem(url="https://example.org/x", title=title, text=text, published_at=when)
    return {m.claim_id: m for m in score_item(item, claims)}


# --- an event claim's day ----------------------------------------------------------------------


@pytest.mark.parametrize(("sentence", "days"), [
    ("полиция задержала около 700 человек 9 и 10 июня", {(9, 6), (10, 6)}),
    ("The arrests began yesterday, 21 February, with", {(21, 2)}),
    ("азаматтарды 22 ақпанға жаппай митингіге шақырып", {(22, 2)}),
    ("on March 19 the vote", {(19, 3)}),
    ("в 14:00 сағат 14:00-15:20 аралығында", set()),
    ("за 2021 год 35 процентов", set()),
])
def test_named_days_reads_day_and_month_not_times_or_figures(sentence, days) -> None:
    assert named_days([sentence]) == days


def test_a_scope_day_that_is_not_one_day_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match="not one day of a month"):
        parse_days(["January"])


def test_detentions_dated_to_other_days_are_not_the_election_days(claims) -> None:
    found = matches(claims, "Dozens of activists detained at a rally in Almaty",
                    "Police detained dozens of protesters in Almaty on 21 February; the "
                    "activists were held for 3 to 15 days.")
    assert "C11" not in found


def test_detentions_dated_to_the_claims_day_are_the_claims_event(claims) -> None:
    found = matches(claims, "Dozens of activists detained at a rally in Almaty",
                    "Police detained dozens of protesters in Almaty on 10 January; the "
                    "activists were held for 3 to 15 days.")
    assert "C11" in found


def test_the_claims_own_day_keeps_a_story_about_its_subject(claims) -> None:
    # "founded 5 June 2019" is in C11's text: the movement's anniversary is its subject.
    found = matches(claims, "Движение «Оян, Казахстан» отметило годовщину",
                    "Молодёжное движение, основанное 5 июня 2019 года, провело встречу "
                    "сторонников в Алматы.")
    assert "C11" in found
