"""Stance rules of round 5 (docs/LABELLING.md): when a figure or change is news, a dispute or
a restatement.  Each test names the rule it guards; each can fail."""

from __future__ import annotations

import pytest
from relevance_helpers import ARTICLE, stance_of

from kzwatch.relevance import load_claims
from kzwatch.relevance.qualifiers import consistent, qualifier

# --- numbers: bounds, rounding, denial, replacement --------------------------------------------


@pytest.mark.parametrize(("sentence", "number", "expected"), [
    ("Итоговая явка составила более 60%.", "60%", "over"),
    ("turnout of less than 40%", "40%", "under"),
    ("Nur Otan leads with about 72% of the vote", "72%", "about"),
    ("недействительными были 1% бюллетеней, а не 3,8%", "3,8%", "not"),
    ("нужно 5 тысяч членов вместо 20 тысяч", "20 тысяч", "instead"),
    ("за три дня вместо пяти", "пяти", "instead"),
    ("60 пайыздан астам", "60 пайыздан", "over"),
    ("Явка составила 63%", "63%", ""),
    ("Nur Otan 71%, Ak Zhol 1%", "1%", ""),  # "1%" is not read inside "71%"
])
def test_qualifier_reads_the_words_next_to_a_number(sentence, number, expected) -> None:
    assert qualifier(sentence, number) == expected


def test_a_bound_agrees_only_when_it_holds_the_claimed_value_and_lies_near_it() -> None:
    assert consistent("over", 60, 63.25, 0.5)
    assert not consistent("over", 70, 63.25, 0.5)  # "more than 70%" excludes 63%
    assert not consistent("over", 10, 63.25, 0.5)  # true, but says nothing about 63%
    assert consistent("about", 72, 71.09, 0.5)
    assert not consistent("about", 75, 71.09, 0.5)


def test_a_bound_consistent_with_the_claim_confirms_it(claims) -> None:
    m = stance_of(claims, "C1", "Явка на выборах в Мажилис Казахстана составила более 60%",
                  published="2021-01-11")
    assert m.stance == "confirms" and "over 60%" in m.reason


def test_a_rounded_figure_confirms_and_a_far_one_does_not(claims) -> None:
    title = "Nur Otan won about {}% of the votes in Kazakhstan's Majilis election"
    assert stance_of(claims, "C2", title.format(72), published="2021-01-11").stance == "confirms"
    assert stance_of(claims, "C2", title.format(60), published="2021-01-11").stance != "confirms"


def test_the_claims_figure_denied_for_its_own_time_contradicts(claims) -> None:
    m = stance_of(claims, "C4", "ЦИК Казахстана: на выборах в Мажилис 2021 года недействительными "
                  "были 1,2% бюллетеней, а не 3,8%", published="2022-03-14")
    assert m.stance == "contradicts" and "3,8%" in m.reason


def test_the_claims_figure_named_as_the_old_value_is_an_update(claims) -> None:
    m = stance_of(claims, "C7", "Kazakhstan shortens rally notice",
                  "Under amendments to the law on peaceful assemblies, organisers in Kazakhstan "
                  "notify the akimat three days ahead instead of five.", published="2024-05-16")
    assert m.stance == "updates" and "old value" in m.reason


def test_the_claims_own_series_named_as_old_is_not_an_update(claims) -> None:
    m = stance_of(claims, "C10", "Protest tracker on Kazakhstan",
                  "The Oxus Central Asia Protest Tracker recorded 235 protests in Kazakhstan in "
                  "2019, up from 32 in 2018.", published="2022-12-18")
    assert m.stance == "confirms"


# --- when: the claim's own change, the claim's own time, later states ---------------------------


def test_a_change_told_with_the_claims_own_figure_is_the_claims_change(claims) -> None:
    m = stance_of(claims, "C8", "Порог снизили, а партий не прибавилось",
                  "Порог для регистрации партии в Казахстане снижен до 20 тысяч членов, но "
                  "новых партий Минюст так и не зарегистрировал.", published="2023-08-02")
    assert m.stance == "confirms"


def test_a_later_figure_for_the_same_change_is_still_an_update(claims) -> None:
    m = stance_of(claims, "C8", "Порог регистрации партий в Казахстане снижен до 5 тысяч членов",
                  published="2023-01-05")
    assert m.stance == "updates"


def test_an_item_published_before_the_claims_year_cannot_update_it(claims) -> None:
    title = "Kazakh Social Democrats to boycott Majilis election"
    text = ("The National Social Democratic Party said the amendments to the election law "
            "changed nothing and it would boycott the January vote.")
    assert stance_of(claims, "C3", title, text, published="2020-11-30").stance == "confirms"
    # The same words two years later report news (the amendments are then a later change).
    assert stance_of(claims, "C3", title, text, published="2022-11-30").stance == "updates"


def test_a_standing_states_different_figure_published_later_is_an_update(claims) -> None:
    m = stance_of(claims, "C16", "Численность населения Казахстана — 19,4 миллиона",
                  "Половина жителей Казахстана моложе 30 лет.", published="2023-02-01")
    assert m.stance == "updates" and "later" in m.reason


def test_a_number_inside_the_claims_own_words_is_not_a_figure(claims) -> None:
    m = stance_of(claims, "C16", "Молодёжь Казахстана",
                  "Почти половина населения Казахстана младше 30 лет, говорится в докладе.",
                  published="2023-02-01")
    assert m.stance != "contradicts" and "population 30" not in m.reason


# --- denials ------------------------------------------------------------------------------------


def test_an_events_own_words_negated_deny_it(claims) -> None:
    m = stance_of(claims, "C11", "Almaty police: nobody was detained on election day",
                  "The Almaty police said that nobody was detained at the rallies on 10 January.",
                  published="2021-01-13")
    assert m.stance == "contradicts" and "not" in m.reason


def test_the_event_reported_is_not_a_denial(claims) -> None:
    m = stance_of(claims, "C11", "Police detained protesters on election day in Almaty",
                  "Dozens were detained at the rallies on 10 January.", published="2021-01-11")
    assert m.stance == "confirms"


def test_a_claim_kind_outside_the_vocabulary_is_one_clear_error() -> None:
    bad = '[[claim]]\nid = "M1"\ntext = "t"\nkind = "rumour"\n[claim.terms]\nen = ["x"]\n'
    with pytest.raises(ValueError, match="kind: must be one of vote, event, state"):
        load_claims(bad, ARTICLE)


def test_an_official_denial_in_the_claims_sentence_contradicts(claims) -> None:
    m = stance_of(claims, "C12", "Akorda denies that Kazakhstan holds political prisoners",
                  "A spokesman said those jailed in Kazakhstan had been convicted of ordinary "
                  "crimes and that the country has no political prisoners.",
                  published="2022-04-19")
    assert m.stance == "contradicts" and "denies" in m.reason


def test_a_dispute_word_inside_a_restatement_marker_is_no_dispute(claims) -> None:
    m = stance_of(claims, "C8", "Kazakh ministry again denied registration to Mamay's party",
                  "The Ministry of Justice denied registration to Zhanbolat Mamay's Democratic "
                  "Party.", published="2022-02-08")
    assert m.stance == "confirms"


# --- a later vote's result; a story about the subject at another time ---------------------------


def test_a_later_votes_result_for_the_claims_subject_is_an_update(claims) -> None:
    title = "Social Democrats back in Kazakhstan's Majilis"
    later = ("The National Social Democratic Party, which stayed out of the 2021 vote, cleared "
             "the 5% barrier in the March 2023 Majilis election with 5.2%.")
    m = stance_of(claims, "C3", title, later, published="2023-03-28")
    assert m.stance == "updates" and "later vote" in m.reason
    # Without a result (a percentage) the later year alone is no update.
    campaign = "The OSDP congress in Almaty chose a new leader ahead of the 2023 campaign."
    assert stance_of(claims, "C3", title, campaign, published="2023-03-28").stance != "updates"


def test_a_story_on_the_events_subject_at_another_time_only_mentions_it(claims) -> None:
    title = "Активисты «Оян, Казахстан» провели встречу с читателями"
    other_time = ("Молодёжное движение, созданное в 2019 году, рассказало о своих акциях и "
                  "активистах; полиция на встрече не присутствовала.")
    m = stance_of(claims, "C11", title, other_time, published="2023-11-09")
    assert m.stance == "mentions" and "other years" in m.reason
    same_time = other_time.replace("созданное в 2019 году", "в январе 2021 года")
    assert stance_of(claims, "C11", title, same_time, published="2023-11-09").stance == "confirms"
