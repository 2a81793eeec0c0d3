"""Rules of round 15 (mechanisms that recur across the development sets, docs/LABELLING.md).
Each test can fail: it names the rule's input and the answer the rule gives.  The texts are our
own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from relevance_helpers import ARTICLE, matches, stance_of

from kzwatch.model import Claim, FeedItem
from kzwatch.relevance import load_claims, score_item, second_opinion_model

# --- a later result of one party alone (C2 ``yields_to`` C3) -------------------------------------


@pytest.mark.parametrize(("title", "text"), [
    ("Social democrats count their votes", "With its own list at the Majilis election, the OSDP "
     "won 4.6% of the votes and stayed below the threshold."),
    ("ОСДП осталась за порогом", "С собственным списком на выборах в Мажилис ОСДП набрала "
     "4,7% голосов и до барьера не дотянула."),
])
def test_one_partys_later_result_is_c3s_news_not_c2s(claims, title, text) -> None:
    found = matches(claims, title, text, "2027-05-01")
    assert "C3" in found
    assert "C2" not in found


def test_a_later_result_naming_the_claims_own_parties_keeps_c2(claims) -> None:
    found = matches(claims, "Six parties in", "In the 2027 Majilis election Amanat won 48% of "
                    "the votes and the OSDP 6.1%, so six parties took seats.", "2027-05-01")
    assert {"C2", "C3"} <= set(found)


def test_yields_to_must_name_another_claim_of_the_file() -> None:
    bad = ('[[claim]]\nid = "X1"\ntext = "t"\nanchors = ["a"]\n'
           'yields_to = { claim = "X9", unless = ["b"] }\n')
    with pytest.raises(ValueError, match=r"claim X1: yields_to names 'X9', not another claim"):
        load_claims(bad, ARTICLE)


def test_two_claims_may_not_yield_to_each_other() -> None:
    bad = ('[[claim]]\nid = "X1"\ntext = "t"\nanchors = ["a"]\nyields_to = { claim = "X2" }\n'
           '[[claim]]\nid = "X2"\ntext = "u"\nanchors = ["b"]\nyields_to = { claim = "X1" }\n')
    with pytest.raises(ValueError, match=r"claim X1: yields_to names 'X2', which yields to X1"):
        load_claims(bad, ARTICLE)


def test_yields_to_must_be_a_table_with_a_claim() -> None:
    bad = '[[claim]]\nid = "X1"\ntext = "t"\nanchors = ["a"]\nyields_to = "X2"\n'
    with pytest.raises(ValueError, match=r"claim X1: yields_to: must be a table"):
        load_claims(bad, ARTICLE)


# --- an event claim's vote dated only as "the latest" (``scope.latest``) -------------------------


@pytest.mark.parametrize(("title", "text"), [
    ("Monitors speak", "Observers from the OSCE wrote that the most recent Majilis ballot offered "
     "no genuine competition."),
    ("Наблюдатели недовольны", "Независимые наблюдатели рассказали, что на минувших выборах в "
     "Мажилис их не пускали к протоколам."),
])
def test_the_latest_vote_told_after_a_later_one_is_another_event(claims, title, text) -> None:
    found = matches(claims, title, text, "2027-04-02")
    assert not {"C9", "C15"} & set(found)


def test_the_latest_vote_told_before_any_later_one_is_the_claims(claims) -> None:
    found = matches(claims, "Monitors speak", "Observers from the OSCE wrote that the most "
                    "recent Majilis ballot offered no genuine competition.", "2021-03-02")
    assert "C15" in found
    found = matches(claims, "Наблюдатели недовольны", "Независимые наблюдатели рассказали, что "
                    "на минувших выборах в Мажилис их не пускали к протоколам.", "2021-03-02")
    assert "C9" in found


def test_the_claims_year_beside_the_latest_words_keeps_the_claim(claims) -> None:
    found = matches(claims, "Monitors speak", "Observers from the OSCE wrote that the most "
                    "recent Majilis ballot, in 2021, offered no genuine competition.",
                    "2027-04-02")
    assert "C15" in found


def test_scope_latest_needs_terms_and_a_year() -> None:
    bad = ('[[claim]]\nid = "X1"\ntext = "t"\nanchors = ["a"]\n'
           'scope = { years = [2021], latest = { terms = ["latest vote"] } }\n')
    with pytest.raises(ValueError, match=r"claim X1: scope.latest.after: must be an integer"):
        load_claims(bad, ARTICLE)


# --- the second opinion needs one of the claim's words (C5 ``opinion_needs``) --------------------


def _with_model(claims: list[Claim], title: str, text: str) -> set[str]:
    item = FeedItem(url="https://example.org/x", title=title, text=text,
                    published_at=datetime(2027, 3, 1, tzinfo=UTC))
    return {m.claim_id for m in score_item(item, claims, second_opinion=second_opinion_model(True))}


def test_a_by_election_turnout_without_a_ballot_is_not_c5(claims) -> None:
    found = _with_model(claims, "Қалалық мәслихатқа қосымша сайлау", "Қалалық мәслихатқа өткен "
                        "қосымша сайлауда сайлаушылардың 41 пайызы дауыс берді.")
    assert "C5" not in found


def test_a_ballot_without_the_option_is_still_open_to_the_model(claims) -> None:
    found = _with_model(claims, "Нет строки для отказа", "В бюллетене нет строки, где можно "
                        "отвергнуть сразу всех кандидатов: её убрали в 2005 году.")
    assert "C5" in found


def test_opinion_needs_must_be_a_list_of_terms() -> None:
    bad = '[[claim]]\nid = "X1"\ntext = "t"\nanchors = ["a"]\nopinion_needs = 5\n'
    with pytest.raises(ValueError, match=r"claim X1: opinion_needs: expected a list of strings"):
        load_claims(bad, ARTICLE)


# --- a share cast for an absent option is the option on a ballot (C5 quantity, ``max``) ----------


@pytest.mark.parametrize(("title", "text"), [
    ("Aktobe count", "At the Aktobe city maslikhat vote, 'against all' took 2.9%."),
    ("Итоги в Костанае", "В Костанае на выборах в городской маслихат за вариант «против "
     "всех» было подано 5,1% голосов."),
])
def test_a_share_for_against_all_updates_c5(claims, title, text) -> None:
    assert stance_of(claims, "C5", title, text, "2027-04-02").stance == "updates"


def test_a_half_beside_the_option_is_not_its_share(claims) -> None:
    found = stance_of(claims, "C5", "Rules unchanged", "Kazakh voters still find no 'against "
                      "all' box on the ballot, and a 50 per cent quorum for referendums stays.",
                      "2027-04-02")
    # Told at a later year with nothing restated: the later state, not a differing share.
    assert found.stance == "updates"
    assert "against-all share" not in found.reason


def test_quantity_max_below_min_is_an_error() -> None:
    bad = ('[[claim]]\nid = "X1"\ntext = "t"\nanchors = ["a"]\n[[claim.quantity]]\n'
           'name = "q"\ncues = ["a"]\nvalues = [5]\nunit = "%"\nmin = 10\nmax = 2\n')
    with pytest.raises(ValueError, match=r"key 'max' must be a number no smaller than 'min'"):
        load_claims(bad, ARTICLE)


# --- C8's refusal told as a noun, and no new party since (``confirm_terms``) ---------------------


@pytest.mark.parametrize(("title", "text"), [
    ("Ещё один отказ", "Инициативная группа из Шымкента получила отказ в регистрации партии в "
     "Министерстве юстиции Казахстана."),
    ("Still none", "No new party has been registered in Kazakhstan, the Justice Ministry's "
     "party registration list shows."),
])
def test_a_refusal_as_a_noun_or_no_new_party_confirms_c8(claims, title, text) -> None:
    assert stance_of(claims, "C8", title, text, "2027-04-02").stance == "confirms"


# --- the second opinion's flag dated by the item's years (``learned._dated``) --------------------


def _model_stance(claims: list[Claim], claim_id: str, title: str, text: str) -> str:
    item = FeedItem(url="https://example.org/x", title=title, text=text,
                    published_at=datetime(2028, 3, 1, tzinfo=UTC))
    found = {m.claim_id: m for m in score_item(item, claims,
                                                second_opinion=second_opinion_model(True))}
    assert claim_id in found and found[claim_id].matched[0].startswith("~"), sorted(found)
    return found[claim_id].stance


@pytest.mark.parametrize(("title", "text"), [
    ("Only a third showed up", "Volunteer monitors in 2021 put the real count at barely a third "
     "of the electorate, against nearly two thirds in the official tally."),
    ("Едва треть", "В 2021 году волонтёры насчитали на участках едва ли треть избирателей, а "
     "официально объявили почти две трети."),
])
def test_a_model_flag_dated_to_the_claims_year_confirms(claims, title, text) -> None:
    assert _model_stance(claims, "C1", title, text) == "confirms"


def test_a_model_flag_dated_only_later_updates(claims) -> None:
    assert _model_stance(claims, "C10", "Акций стало больше", "Исследователи насчитали 171 "
                         "уличную акцию в Казахстане за 2027 год, в основном из-за зарплат.") \
        == "updates"


def test_a_model_flag_dated_only_by_a_target_year_is_no_later_state(claims) -> None:
    """A year after the publication year plus one is a target ("к 2035 году"), not news."""
    assert _model_stance(claims, "C10", "Акций стало больше", "Исследователи насчитали 171 "
                         "уличную акцию в Казахстане, в основном из-за зарплат, и ждут роста к "
                         "2035 году.") == "mentions"
