"""Rules of round 21a (disputes read by mechanism, not by a dispute word: a flat denial of any
of an event claim's words, and an official's own piece answering the claim's critics).  Each
rule test fails on the code before the round; each guard passes on both.  The texts are our
own."""

from __future__ import annotations

import pytest
from relevance_helpers import stance_of

# --- a flat denial ("никакого", "ешқандай") before any of an event claim's words -------------


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    # A retired police officer says there was no cordon at all.
    ("C11", "Ветеран полиции о 10 января",
     "Отставной офицер полиции Алматы рассказал, что 10 января 2021 года, в день голосования "
     "в мажилис, никакого оцепления протестующих на площади не было."),
    # A commission secretary says observers met no restriction at all: Cyrillic Kazakh, the
    # 2021 Latin alphabet and informal Latin (the denial word read by its romanisation key).
    ("C9", "Сайлау күні",
     "Комиссия хатшысы 2021 жылғы Мәжіліс сайлауында байқаушыларға ешқандай шектеу "
     "болмағанын айтты."),
    ("C9", "Saılau kúni",
     "Komıssııa hatşysy 2021 jylğy Mäjılıs saılauynda baıqauşylarğa eşqandaı şekteu "
     "bolmağanyn aıtty."),
    # A vote claim in informal Latin: the party's former secretary says it called no boycott.
    ("C3", "ZhSDP saylau turaly",
     "Partiyanyng burynghy khatshysy ZhSDP 2021 zhylghy Mazhilis saylauyna eshqanday boykot "
     "zhasamaghanyn aytty."),
])
def test_flat_denial_of_an_event_word_contradicts(claims, claim_id, title, text) -> None:
    found = stance_of(claims, claim_id, title, text, "2027-05-01")
    assert found.stance == "contradicts"
    assert found.reason.startswith("disputes it: not ")


def test_the_event_word_without_a_flat_denial_restates(claims) -> None:
    found = stance_of(claims, "C11", "Ветеран полиции о 10 января",
                      "Отставной офицер полиции Алматы рассказал, что 10 января 2021 года, в день "
                      "голосования в мажилис, у площади стояло оцепление протестующих.",
                      "2027-05-01")
    assert found.stance == "confirms"


def test_the_boycott_told_in_informal_latin_restates(claims) -> None:
    found = stance_of(claims, "C3", "ZhSDP saylau turaly",
                      "Partiyanyng burynghy khatshysy ZhSDP 2021 zhylghy Mazhilis saylauyna "
                      "boykot zhariyalaghanyn aytty.", "2027-05-01")
    assert found.stance == "confirms"


def test_no_at_all_restates_a_claim_that_says_something_is_absent(claims) -> None:
    # C15 says the vote offered no genuine competition: "никакой конкуренции" retells it.
    found = stance_of(claims, "C15", "Итоги мониторинга",
                      "Наблюдатели ОБСЕ отметили, что на выборах в мажилис Казахстана 2021 года "
                      "никакой реальной конкуренции не было.", "2027-05-01")
    assert found.stance == "confirms"


# --- an official's own piece ("Commission: …") naming the claim's critics --------------------


@pytest.mark.parametrize(("title", "text"), [
    ("Облизбирком: протоколы сходятся",
     "Глава областного избиркома повторил, что явка на выборах в мажилис "
     "10 января 2021 года составила 63 процента. Наблюдатели, по его словам, стояли лишь на "
     "нескольких участках."),
    ("Election commission: the protocols add up",
     "A regional election commission chairman in Kazakhstan repeated that turnout at the 10 "
     "January 2021 Majilis vote was 63 per cent. The monitors, he said, watched only a few "
     "polling stations."),
])
def test_an_official_answering_the_critics_contradicts(claims, title, text) -> None:
    found = stance_of(claims, "C1", title, text, "2027-05-01")
    assert found.stance == "contradicts"
    assert found.reason.startswith("the state's side answers the critics: ")


def test_the_critics_title_is_theirs(claims) -> None:
    # The critics have the title: the official figure in the body is what they answer.
    found = stance_of(claims, "C1", "Наблюдатели: протоколы не сходятся",
                      "Глава областного избиркома повторил, что явка на "
                      "выборах в мажилис 10 января 2021 года составила 63 процента. Наблюдатели "
                      "стояли лишь на нескольких участках.", "2027-05-01")
    assert found.stance == "confirms"


def test_an_official_title_naming_no_critic_restates(claims) -> None:
    found = stance_of(claims, "C1", "Облизбирком: протоколы сходятся",
                      "Глава областного избиркома повторил, что явка на "
                      "выборах в мажилис 10 января 2021 года составила 63 процента.",
                      "2027-05-01")
    assert found.stance == "confirms"


def test_turnout_in_kazakh_is_no_activist(claims) -> None:
    # "белсенділік" (turnout) is C1's own word, not "белсенділер" (activists).
    found = stance_of(claims, "C1", "Облыстық сайлау комиссиясы: қатысу 63 пайыз",
                      "Облыстық сайлау комиссиясы 2021 жылғы Мәжіліс сайлауында қатысу 63 пайыз "
                      "болғанын хабарлады. Шымкентте белсенділік 58 пайыз болды.", "2027-05-01")
    assert found.stance == "confirms"
