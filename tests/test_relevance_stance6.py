"""Stance rules of round 6 (docs/LABELLING.md): a figure's own time, words read as whole words
and in their polarity, a restated past, proposals and denials.  Each test can fail."""

from __future__ import annotations

import pytest
from relevance_helpers import stance_of

# --- a figure's own time ------------------------------------------------------------------------


def test_a_historical_figure_does_not_pull_the_current_one_back(claims) -> None:
    m = stance_of(claims, "C16", "Казахстан: население перевалило за 20 миллионов",
                  "Статистики сообщили, что население Казахстана теперь 20 миллионов. "
                  "В 1991 году население составляло 16,4 миллиона.",
                  published="2023-11-10")
    assert m.stance == "updates", m.reason


def test_a_year_of_history_elsewhere_does_not_date_a_figure(claims) -> None:
    m = stance_of(claims, "C16", "Statisticians count 20 million in Kazakhstan",
                  "Kazakhstan's population is now 20 million, statisticians say. "
                  "Independence came in 1991.", published="2023-11-10")
    assert m.stance == "updates", m.reason


def test_a_vote_figure_with_no_year_published_later_is_the_later_vote(claims) -> None:
    title = "Явка на выборах в Мажилис Казахстана к 18:00 составила 53,11%"
    assert stance_of(claims, "C1", title, published="2023-03-19").stance == "updates"
    # published in the claim's year it is a figure for the claim's own vote
    assert stance_of(claims, "C1", title, published="2021-01-10").stance == "contradicts"


# --- update words told aside --------------------------------------------------------------------


def test_update_words_in_the_background_of_a_restatement_do_not_update(claims) -> None:
    title = "Members of the Democratic Party of Kazakhstan, Mamay's unregistered party, held in Almaty"
    text = ("Zhanbolat Mamay has tried to register the party for years. "
            "He says officials let only loyal parties be registered.")
    m = stance_of(claims, "C8", title, text, published="2022-03-01")
    assert m.stance == "confirms", m.reason


def test_update_words_with_the_claims_figure_still_update(claims) -> None:
    title = "Is there room in Kazakhstan for new political parties?"
    text = ("The Democratic Party of Kazakhstan remains unregistered. "
            "The president proposed lowering the registration bar for political parties "
            "from 20,000 members to 5,000.")
    m = stance_of(claims, "C8", title, text, published="2022-04-01")
    assert m.stance == "updates", m.reason


# --- negation inside a phrase; an undated item on a vote claim ---------------------------------


def test_a_negation_inside_an_update_phrase_reverses_it(claims) -> None:
    m = stance_of(claims, "C3", "ОСДП: в выборах в Мажилис партия не будет участвовать",
                  "Съезд ОСДП принял решение не участвовать в январском голосовании.")
    assert m.stance != "updates", m.reason
    assert "решение участвовать" not in m.reason


def test_said_drops_a_phrase_negated_inside_and_affirmed_keeps_it() -> None:
    # The score counts ``affirmed`` words, the stance ``said`` ones: flags stay put.
    from kzwatch.relevance.negation import affirmed, negated_inside, said
    from kzwatch.relevance.text import Doc
    doc = Doc(["Съезд принял решение не участвовать в голосовании",
               "Съезд принял решение участвовать в голосовании"])
    hits = {"решение участвовать": [(0, 2, 4)]}
    assert negated_inside(doc, 0, 2, 4) and not negated_inside(doc, 1, 2, 3)
    assert said(doc, hits) == [] and affirmed(doc, hits) == ["решение участвовать"]
    assert said(doc, {"решение участвовать": [(1, 2, 3)]}) == ["решение участвовать"]


def test_an_undated_item_naming_only_the_claims_vote_year_does_not_update_a_vote_claim(
        claims) -> None:
    title = "Kazakh OSDP party to boycott the Majilis elections"
    text = ("The OSDP says it will not take part in the vote of January 10, 2021. "
            "Six other registered parties will take part in that vote.")
    assert stance_of(claims, "C3", title, text).stance != "updates"
    later = text.replace("January 10, 2021", "March 19, 2023")
    assert stance_of(claims, "C3", title, later).stance == "updates"


def test_a_figure_far_from_the_claims_words_does_not_decide_a_state_claim(claims) -> None:
    title = "Выборы президента Казахстана: явка растёт"
    text = ("По состоянию на 14.00 бюллетени получили 51,8% избирателей. "
            "Участки открыты до 20.00. Наблюдатели работают на участках. "
            "Порога явки закон не ставит, так что выборы признают состоявшимися при любом "
            "участии.")
    m = stance_of(claims, "C13", title, text, published="2019-06-09")
    assert m.stance != "updates", m.reason


# --- a change from the claim's value ------------------------------------------------------------


@pytest.mark.parametrize(("sentence", "number", "to"), [
    ("Поправки сократили срок уведомления с пяти до двух рабочих дней", "пяти", 2.0),
    ("хабарлама беру мерзімі бес жұмыс күнінен үш күнге қысқарды", "бес", 3.0),
    ("the bar was lowered from 20,000 members to 5,000", "20,000", 5000.0),
    ("the bar was lowered from 40,000 to five thousand", "40,000", 5000.0),  # whole, not "five"
    ("235 протестов в 2019 году", "235", None),
    ("from 2019 to 2021 the count was 254", "254", None),
])
def test_change_target_reads_where_a_change_from_a_number_goes(sentence, number, to) -> None:
    from kzwatch.relevance.qualifiers import change_target
    assert change_target(sentence, number) == to


def test_a_change_from_the_claims_value_to_another_updates(claims) -> None:
    m = stance_of(claims, "C7", "Срок уведомления о митинге в Казахстане сокращён",
                  "Поправки к закону о порядке организации мирных собраний сократили срок "
                  "подачи уведомления с пяти до двух рабочих дней.", published="2026-12-12")
    assert m.stance == "updates", m.reason


def test_the_claims_own_change_from_one_of_its_values_to_another_is_no_update(claims) -> None:
    m = stance_of(claims, "C8", "Party registration in Kazakhstan",
                  "The membership needed for party registration was halved from 40,000 to "
                  "20,000 members.", published="2021-06-01")
    assert m.stance == "confirms", m.reason


def test_bringing_back_the_claims_figure_is_no_retelling_of_its_change(claims) -> None:
    m = stance_of(claims, "C13", "Вернуть порог явки в 50%",
                  "Депутаты Мажилиса Казахстана внесли законопроект: выборы будут признаваться "
                  "несостоявшимися, если проголосовало меньше половины избирателей.",
                  published="2026-12-03")
    assert m.stance == "updates", m.reason


# --- proposed laws --------------------------------------------------------------------------------


def test_a_bill_on_a_standing_rule_published_later_updates_it(claims) -> None:
    title = "Bill would require half of voters to show up in Kazakhstan"
    text = ("A group of Majilis deputies tabled a bill that would declare a parliamentary "
            "election void unless at least 50% of registered voters take part.")
    assert stance_of(claims, "C13", title, text, published="2026-12-12").stance == "updates"


def test_an_advisory_bodys_proposals_are_no_proposed_law(claims) -> None:
    m = stance_of(claims, "C6", "A council that can only recommend",
                  "The 44-member National Council of Public Trust, set up in July 2019 and "
                  "chaired by the head of state, can only advise: none of its proposals binds "
                  "the government.", published="2026-12-01")
    assert m.stance == "confirms", m.reason


def test_proposal_sentences_reads_whole_words() -> None:
    from kzwatch.relevance.stance_words import proposal_sentences
    from kzwatch.relevance.text import Doc
    doc = Doc(["The budget is 20 billion tenge", "Deputies tabled a bill", "По проекту закона"])
    assert proposal_sentences(doc, {0, 1, 2}) == {1, 2}


# --- a vote claim's words denied outright ---------------------------------------------------------


def test_a_vote_claims_words_denied_outright_contradict_it(claims) -> None:
    m = stance_of(claims, "C3", "В ЦИК Казахстана настаивают: никакого бойкота не было",
                  "Секретарь Центризбиркома заявил, что ОСДП в 2021 году вовсе не бойкотировала "
                  "выборы, и назвал разговоры о бойкоте легендой.", published="2026-12-08")
    assert m.stance == "contradicts", m.reason


def test_a_vote_claims_own_negative_words_are_no_denial(claims) -> None:
    m = stance_of(claims, "C3", "ОСДП Казахстана бойкотирует выборы в Мажилис",
                  "В выборах в Мажилис 10 января 2021 года ОСДП не будет участвовать.",
                  published="2020-12-20")
    assert m.stance == "confirms", m.reason


def test_flat_denials_need_their_word_within_the_settings_reach() -> None:
    from kzwatch.relevance.compiled import compile_terms
    from kzwatch.relevance.settings import RelevanceSettings
    from kzwatch.relevance.stance_words import flatly_denied
    from kzwatch.relevance.text import Doc
    terms = compile_terms(["бойкот", "бойкотировать", "отказалась"])
    assert flatly_denied(Doc(["никакого бойкота не было"]), terms) == ["бойкот"]
    assert flatly_denied(Doc(["ОСДП вовсе не бойкотировала выборы"]), terms) == ["бойкотировать"]
    assert flatly_denied(Doc(["ОСДП вовсе отказалась от выборов"]), terms) == []
    # The reach is the policy's (flat_denial_tokens, two): one word may stand between.
    assert flatly_denied(Doc(["никакого массового бойкота не было"]), terms) == ["бойкот"]
    one = RelevanceSettings(flat_denial_tokens=1)
    assert flatly_denied(Doc(["никакого массового бойкота не было"]), terms, one) == []
    assert flatly_denied(Doc(["не видит никакого смысла, бойкот"]), terms, one) == []
