"""Rules of round 26a: a claim's count disputed by a smaller one told in words.  A quantity's
``fewer`` words ("a few dozen", "ондаған", "меньше половины") in a sentence of its cues, below
all its values and told as the speaker's whole count ("only", "ғана", "а не сотни"), dispute
the claim (``quantities.told_fewer``); C11's "detained" quantity reads no digits
(``words_only``); C16's share under 30 is of the article's time (a quantity's own ``year``);
English "election day & 2021" places C11; informal Latin Kazakh "gh" is ғ.  The rule cases
fail on the scorer before the round; their guard twins pass on both.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import ARTICLE, matches, stance_of

from kzwatch.relevance import load_claims

# --- A count told in words below the claim's, as the whole count ---------------------------


def test_only_a_few_dozen_detained_disputes_c11_in_english(claims) -> None:
    text = ("A retired officer says only a few dozen people were detained in Almaty on "
            "election day in 2021.")
    assert stance_of(claims, "C11", "A retired officer remembers", text).stance == "contradicts"


def test_lish_neskolko_desyatkov_disputes_c11_in_russian(claims) -> None:
    text = ("Бывший полицейский утверждает, что в день выборов 2021 года в Алматы задержали "
            "лишь несколько десятков человек.")
    assert stance_of(claims, "C11", "Воспоминания полицейского", text).stance == "contradicts"


def test_ondaghan_ghana_in_informal_latin_kazakh_disputes_c11(claims) -> None:
    text = ("Burynghy politsey 2021 zhylghy saylau turaly aytty: saylau kuni Almatyda "
            "ondaghan adam ghana ustalghan.")
    match = stance_of(claims, "C11", "Burynghy politsey", text)
    assert match.stance == "contradicts"


def test_dozens_detained_without_only_is_no_dispute(claims) -> None:
    # Guard twin: the count of the day, not told as the whole count, disputes nothing.
    text = "Police detained dozens of protesters in Almaty on election day in 2021."
    found = matches(claims, "Election day in Almaty", text)
    assert "C11" in found
    assert found["C11"].stance != "contradicts"


def test_only_a_few_dozen_detained_in_january_2022_is_another_event(claims) -> None:
    # Guard twin: detentions of another event keep C11 unflagged.
    text = ("Rights groups say only a few dozen people detained during the January 2022 "
            "events in Almaty have been tried.")
    assert "C11" not in matches(claims, "January events", text)


# --- C16: a share under thirty, of the article's time ---------------------------------------


def test_a_smaller_share_under_30_not_half_disputes_c16(claims) -> None:
    text = ("A demographer in Kazakhstan says that in 2021 the share of people under 30 was "
            "44 per cent, not half.")
    assert stance_of(claims, "C16", "A demographer's count", text).stance == "contradicts"


def test_menshe_poloviny_disputes_c16(claims) -> None:
    text = ("Демограф утверждает, что в 2020 году в Казахстане людей моложе тридцати было "
            "меньше половины.")
    assert stance_of(claims, "C16", "Демограф о молодых", text).stance == "contradicts"


def test_a_smaller_share_under_30_years_later_updates_c16(claims) -> None:
    # Guard twin: a later census's share is a later state of things.
    text = "In 2025 the share of Kazakhstan's people under 30 was 44 per cent, the census says."
    assert stance_of(claims, "C16", "Census results", text).stance == "updates"


# --- The claims file: the new keys checked ----------------------------------------------------

_CLAIM = """
[[claim]]
id = "X1"
text = "t"
footnotes = [1]
figures = []
[[claim.quantity]]
name = "q"
cues = ["a"]
values = [100]
"""


@pytest.mark.parametrize("line", ['year = "2021"', 'words_only = "yes"',
                                  'fewer = { terms = ["a"], below = "many" }'])
def test_a_bad_quantity_key_is_one_clear_error(line: str) -> None:
    with pytest.raises(ValueError, match="quantity"):
        load_claims(_CLAIM + line + "\n", ARTICLE)


def test_the_new_quantity_keys_load() -> None:
    line = 'year = 2021\nwords_only = true\nfewer = { terms = ["a few"], below = 50, needs = ["only"] }'
    (claim,) = load_claims(_CLAIM + line + "\n", ARTICLE)
    (quantity,) = claim.extra["quantity"]
    assert (quantity["year"], quantity["words_only"], quantity["fewer"]["below"]) == (2021, True, 50)


def test_a_count_in_digits_is_not_read_by_c11s_words_only_quantity(claims) -> None:
    # Guard twin: a day's count in digits stays what it was (not a dispute of "over 360").
    text = "Police detained 120 people in Almaty on election day in 2021."
    found = matches(claims, "Election day in Almaty", text)
    assert "C11" in found
    assert found["C11"].stance != "contradicts"


def test_informal_latin_gh_is_kazakh_gha() -> None:
    from kzwatch.relevance.translit import latin_to_cyrillic
    assert latin_to_cyrillic("ondaghan") == "ондаған"
