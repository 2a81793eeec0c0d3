"""Rules of round 21b (which claims an item is about: mechanisms, not words of one set).  Every
rule case fails on the scorer before the round; each has a guard twin that passes on both.  The
texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import found_claims

# --- A place guard is lifted where a sentence tells the claim of its own country ------------


@pytest.mark.parametrize(("title", "text", "lang"), [
    ("Week in the region",
     "Uzbekistan opened a new rail link to the south. Tajikistan raised bread prices again. "
     "In Kazakhstan, a monitoring team tallied street protests: 254 in 2020, more again since. "
     "Kyrgyzstan's parliament debated a media bill.", "en"),
    ("Обзор соседей",
     "Узбекистан запустил новую ветку железной дороги. Таджикистан поднял цены на хлеб. "
     "В Казахстане исследователи насчитали 254 протестные акции за 2020 год. "
     "В Кыргызстане парламент обсуждал закон о СМИ.", "ru"),
])
def test_a_round_up_that_tells_the_count_of_kazakhstan_is_c10(claims, title, text, lang) -> None:
    assert "C10" in found_claims(claims, title, text, lang)


def test_the_same_count_told_of_a_neighbour_is_not_c10(claims) -> None:
    # Guard twin: the count's own sentence is about the neighbour; Kazakhstan only elsewhere.
    text = ("Uzbekistan opened a new rail link to the south. Tajikistan raised bread prices "
            "again. In Kyrgyzstan, a monitoring team tallied street protests: 254 in 2020, more "
            "again since. Kazakhstan's parliament debated a media bill.")
    assert "C10" not in found_claims(claims, "Week in the region", text, "en")


def test_a_topic_guard_is_not_lifted_by_the_country(claims) -> None:
    # Guard twin: C9's guard on the OSCE's own mission is a topic, not a place: a sentence that
    # names Kazakhstan's observers does not lift it.
    text = ("The OSCE/ODIHR presented its final report on Kazakhstan's vote in Astana. "
            "It recommends lifting restrictions on observers and on assembly.")
    assert "C9" not in found_claims(claims, "OSCE report presented", text, "en")


# --- Other votes told elsewhere do not put out a sentence that tells the claim's own ---------


def test_a_referendum_in_the_background_leaves_the_majilis_lists_in_scope(claims) -> None:
    text = ("Kazakhstan held a referendum on the constitution in the summer. Turnout at the "
            "referendum was reported as high, and the referendum commission closed its count. "
            "Observers of the referendum filed few complaints. "
            "Under the new rules the Majilis keeps its proportional system of party lists, and "
            "independent candidates stay out.")
    assert "C14" in found_claims(claims, "How the lower house is filled", text, "en")


def test_a_title_on_the_other_vote_keeps_it_out_of_scope(claims) -> None:
    # Guard twin: the title names the referendum, so the item is about it.
    text = ("Kazakhstan held a referendum on the constitution in the summer. Turnout at the "
            "referendum was reported as high, and the referendum commission closed its count. "
            "Observers of the referendum filed few complaints. "
            "Under the new rules the Majilis keeps its proportional system of party lists, and "
            "independent candidates stay out.")
    assert "C14" not in found_claims(claims, "Referendum turnout reported", text, "en")
