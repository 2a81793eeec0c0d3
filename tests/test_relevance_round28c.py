"""Rules of round 28c.

1. A claim the second opinion ties to an item has no anchor there, so the readers that look
   near the claim's anchors (an official's denial, a dispute, a restatement) found nothing and
   the stance fell to the figures alone ("the ministry rejected claims that it refused six of
   seven applications" read as `confirms`).  With no anchor, the sentences with the claim's
   supporting terms now stand where the anchors' would (``scoring.ungated_stance``).
2. "Last year", "в прошлом году", "былтыр" date a sentence to the year before publication and
   "this year", "биыл" to its own ("148 protests last year, far fewer than in 2019–2020" is a
   later count, not a dispute of 2019's): ``SentenceNumbers.relative_years``.

The rule cases fail before the round; the guard cases pass on both.  The texts are our own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from relevance_helpers import stance_of

from kzwatch.model import FeedItem
from kzwatch.relevance.numbers import SentenceNumbers
from kzwatch.relevance.scoring import prepare, ungated_stance


def _ungated(claims, claim_id: str, title: str, text: str, published: str = "2027-03-01"):
    item = FeedItem(url="https://example.org/x", title=title, text=text,
                    published_at=datetime.fromisoformat(published).replace(tzinfo=UTC))
    prep = prepare(item)
    assert prep is not None
    claim = next(c for c in claims if c.id == claim_id)
    return ungated_stance(prep, claim)


# --- 1. the second opinion's claim: its terms' sentences stand for the anchors' ---------------------

@pytest.mark.parametrize(("title", "text"), [
    ("Ministry answers the critics",
     "The justice ministry rejected claims that it had refused six of seven party applications. "
     "Only two were turned down, a spokesman said; the rest were withdrawn."),
    ("Минюст: отказали немногим",
     "В министерстве юстиции заявили, что с 2019 года отказ получили лишь две инициативные "
     "группы, а не шесть, как пишут правозащитники; остальные сами отозвали документы."),
])
def test_an_officials_denial_without_anchor_contradicts_c8(claims, title, text) -> None:
    stance, reason = _ungated(claims, "C8", title, text)
    assert stance == "contradicts", reason


def test_the_claims_terms_restated_without_anchor_still_confirm(claims) -> None:
    # Guard: the same terms with no denial keep the rules' stance from the figures.
    stance, reason = _ungated(
        claims, "C8", "Party applications",
        "The justice ministry refused six of seven party applications, activists said.")
    assert stance == "confirms", reason


# --- 2. years told relative to publication ----------------------------------------------------------

def _relative(sentences: list[str], published: int | None) -> list[frozenset[int]]:
    return SentenceNumbers(sentences).relative_years(published)


@pytest.mark.parametrize(("sentence", "years"), [
    ("Researchers counted 150 protests last year.", {2026}),
    ("В прошлом году исследователи насчитали 150 акций.", {2026}),
    ("Былтыр зерттеушілер 150 акция санады.", {2026}),
    ("Өткен жылы 150 акция өтті.", {2026}),
    ("This year the count is lower.", {2027}),
    ("В этом году акций меньше.", {2027}),
    ("Биыл акция аз.", {2027}),
    # Plural "past years" and "last years" name no one year.
    ("В прошлые годы акций было больше.", set()),
    ("Өткен жылдары акция көп болды.", set()),
    ("Over the last years protests grew.", set()),
])
def test_relative_years_are_dated_by_publication(sentence, years) -> None:
    assert _relative([sentence], 2027) == [frozenset(years)]


def test_relative_years_need_a_publication_date() -> None:
    assert _relative(["Researchers counted 150 protests last year."], None) == [frozenset()]


@pytest.mark.parametrize(("title", "text"), [
    ("Protest count falls",
     "A protest tracker counted 148 protests in Kazakhstan last year, far fewer than in 2019 "
     "and 2020."),
    ("Протестов стало меньше",
     "В прошлом году трекер протестных акций насчитал в Казахстане 148 протестов — намного "
     "меньше, чем в 2019 и 2020 годах."),
])
def test_a_count_of_last_year_beside_the_claims_years_updates_c10(claims, title, text) -> None:
    match = stance_of(claims, "C10", title, text, published="2027-02-10")
    assert match.stance == "updates", match.reason


def test_a_count_of_the_claims_own_years_still_disputes_c10(claims) -> None:
    # Guard: the same count dated to the claim's own years, no relative year, disputes it.
    match = stance_of(claims, "C10", "Protest count disputed",
                      "A protest tracker counted only 148 protests in Kazakhstan in 2019 and "
                      "2020 together.", published="2027-02-10")
    assert match.stance == "contradicts", match.reason
