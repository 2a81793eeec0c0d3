"""Rules of round 25b (a title that negates the claim's own words disputes the claim:
``stance_words.title_negates``).  The rule cases fail on the scorer before the round; their
guard twins pass on both.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import stance_of

_OSDP_RU = ("Бывший член политсовета ОСДП говорит, что партия в 2021 году пропустила выборы "
            "в Мажилис из-за карантина и бойкот тут ни при чём.")
_OSDP_EN = ("A former OSDP council member says the party missed the 2021 Majilis election "
            "because of the quarantine, and that a boycott had nothing to do with it.")
_OSDP_KK = ("ЖСДП-ның бұрынғы мүшесі партия 2021 жылы Мәжіліс сайлауына карантин себебінен "
            "қатыспады дейді.")
_BALLOTS_EN = ("A precinct chair says most invalid ballots at the 2021 Majilis election came "
               "from voters who ticked two parties.")
_PRISONERS_RU = ("Представитель МВД Казахстана на брифинге сказал, что все осужденные отбывают "
                 "наказание по уголовным статьям, а политзаключенные - выдумка.")
_RALLIES_RU = ("В акимате Алматы сказали, что за год каждое уведомление о митинге было "
               "согласовано по закону о мирных собраниях.")


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    ("C3", "Бывший член ОСДП: бойкота не было", _OSDP_RU),  # "none" after the word
    ("C3", "Former party member: there was no boycott", _OSDP_EN),  # "no" before it
    ("C3", "Бұрынғы ЖСДП мүшесі: бойкот болған жоқ", _OSDP_KK),  # Kazakh, after it
    ("C4", "Poll worker: mistakes, not a protest", _BALLOTS_EN),  # past an article
    ("C12", "МВД: политзаключенных в Казахстане нет", _PRISONERS_RU),  # "нет" farther on
    ("C7", "Акимат Алматы: отказов не было", _RALLIES_RU),  # "не было" right after
])
def test_a_title_negating_the_claims_word_disputes_it(claims, claim_id, title, text) -> None:
    assert stance_of(claims, claim_id, title, text).stance == "contradicts"


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    ("C3", "Бывший член ОСДП: это был бойкот", _OSDP_RU),  # the word said, not negated
    ("C3", "ОСДП больше не бойкотирует выборы", _OSDP_RU),  # "no longer": a change
    # The claim's own term holds the negation ("will not take part"): a "no" before it is the
    # party's answer, not a denial of the boycott.
    ("C3", "OSDP says no, will not take part in Majilis vote",
     "The OSDP's council voted in December 2020 that the party will not take part in the "
     "January 2021 Majilis election and called it a boycott of an unfair vote."),
    # The critics speak first in the title: their negation is no denial of the claim.
    ("C12", "Правозащитники: «политзаключенных нет» - это ложь", _PRISONERS_RU),
])
def test_a_title_that_does_not_deny_it_is_no_dispute(claims, claim_id, title, text) -> None:
    assert stance_of(claims, claim_id, title, text).stance != "contradicts"


def test_a_figure_negated_in_the_title_is_a_figure_replaced(claims) -> None:
    # "Not five days": the notice period changed (C7's figure), not a denial.
    text = ("Мәжіліс бейбіт жиналыстар туралы заңға түзету қабылдады: әкімдікке митинг туралы "
            "хабарлама беру мерзімі өзгерді.")
    title = "Хабарлама мерзімі бес күн емес"
    assert stance_of(claims, "C7", title, text, "2027-03-01").stance != "contradicts"


def test_a_claim_of_only_these_is_restated_by_the_others_negated(claims) -> None:
    # C2 says only three parties cleared the barrier: two that did not restate it.
    text = ("По итогам выборов в Мажилис 2021 года Нур Отан набрала 71%, Ак жол 11%, "
            "Народная партия 9%; Ауыл и Адал барьер в 7% не прошли.")
    title = "Ауыл и Адал не прошли в Мажилис"
    assert stance_of(claims, "C2", title, text).stance != "contradicts"


# --- The claim's own figure called too large, by anyone but its critics ----------------------

_DETAINED_RU = ("Бывший сотрудник полиции Алматы считает, что цифра в 360 задержанных в день "
                "выборов 10 января 2021 года {} преувеличена.")
_TRACKER_EN = ("A sociologist in Almaty says the tracker's counts of 235 protests in 2019 and 254 "
               "in 2020 in Kazakhstan are exaggerated by counting one-person pickets.")


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    ("C11", "Бывший полицейский о 10 января", _DETAINED_RU.format("сильно")),
    ("C10", "A sociologist on the protest tracker", _TRACKER_EN),
])
def test_the_claims_figure_called_too_large_disputes_it(claims, claim_id, title, text) -> None:
    assert stance_of(claims, claim_id, title, text).stance == "contradicts"


@pytest.mark.parametrize(("claim_id", "title", "text"), [
    ("C11", "Бывший полицейский о 10 января", _DETAINED_RU.format("не")),  # negated
    # The critics call the state's view exaggerated: their charge, not a dispute of the claim.
    ("C10", "Activists on the protest tracker",
     "Activists say the official view that the 235 protests in 2019 and 254 in 2020 in "
     "Kazakhstan are exaggerated ignores the tracker."),
    # C1 reports a dispute itself (its 63% is contested): "inflated" restates it.
    ("C1", "Turnout in 2021", "A political scientist says the official 63% turnout at the "
     "2021 Majilis election in Kazakhstan was inflated."),
])
def test_a_figure_not_called_too_large_by_others_is_no_dispute(claims, claim_id, title,
                                                               text) -> None:
    assert stance_of(claims, claim_id, title, text).stance != "contradicts"
