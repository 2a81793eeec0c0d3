"""Rules of round 7 (real pages, docs/LABELLING.md): an event claim's day, ...  Each test can
fail: it names the rule's input and the answer the rule gives."""

from __future__ import annotations

import pytest
from relevance_helpers import matches

from kzwatch.relevance import load_claims
from kzwatch.relevance.claimset import vote_days_of
from kzwatch.relevance.days import named_days, parse_days, parse_vote_days, vote_years

# --- an event claim's day ----------------------------------------------------------------------


@pytest.mark.parametrize(("sentence", "days"), [
    ("полиция задержала около 700 человек 9 и 10 июня", {(9, 6), (10, 6)}),
    ("Police made the first arrests on 21 February, before noon", {(21, 2)}),
    ("белсенділер жұртты 22 ақпанға шеруге шақырды", {(22, 2)}),
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


# --- a vote named by its day dates a text that names no year ---------------------------------


@pytest.mark.parametrize(("sentence", "years"), [
    ("On March 19 voters sent six of the seven parties to the Mazhilis", {2023}),
    ("By 8 pm on March 20th some 77.1% of registered voters had taken a ballot", {2016}),
    # the day of a session, with the vote word far away, is not a vote's day
    ("На 15 января назначено открытие первой сессии нового созыва Мажилиса, где депутаты "
     "обсудят, каким будет порог для партий на будущих выборах", set()),
    ("On March 19 the ministry registered a party", set()),  # no vote word near the day
])
def test_a_vote_named_by_its_day_gives_its_year(claims, sentence, years) -> None:
    calendar = vote_days_of(claims)  # the packaged claims file's [vote_days]
    assert vote_years([sentence], [frozenset()], calendar=calendar) == [frozenset(years)]
    assert vote_years([sentence], [frozenset()], calendar={}) == [frozenset()]


def test_the_vote_calendar_is_the_claims_files_and_checked_at_load() -> None:
    assert parse_vote_days({"19 March": 2023, "March 20": 2016}) == {(19, 3): 2023,
                                                                     (20, 3): 2016}
    with pytest.raises(ValueError, match="'spring' is not one day of a month"):
        parse_vote_days({"spring": 2023})
    with pytest.raises(ValueError, match="must give a four-digit year"):
        parse_vote_days({"19 March": "2023"})
    head = 'article_id = "x"\n'
    claim = '[[claim]]\nid = "C1"\ntext = "t"\n'
    with pytest.raises(ValueError, match="vote_days must be a table"):
        load_claims(head + 'vote_days = 3\n' + claim, "x")
    with pytest.raises(ValueError, match="is not one day of a month"):
        load_claims(head + '[vote_days]\n"9 to 5" = 2020\n' + claim, "x")
    (loaded,) = load_claims(head + '[vote_days]\n"19 March" = 2023\n' + claim, "x")
    assert vote_days_of([loaded]) == {(19, 3): 2023}
    (plain,) = load_claims(head + claim, "x")
    assert vote_days_of([plain]) == {}


def test_a_year_the_text_names_wins_over_a_vote_day() -> None:
    text = ["On March 19 voters sent six parties to the Mazhilis.", "It was 2016."]
    assert vote_years(text, [frozenset(), frozenset({2016})], calendar={(19, 3): 2023}
                      ) == [frozenset(), frozenset()]


def test_an_undated_report_of_an_earlier_votes_turnout_is_not_the_claims(claims) -> None:
    # 20 March is the 2016 snap Majilis vote: its turnout is not C1's (a near-miss).
    found = matches(claims, "Snap Majilis vote ends with 77% turnout",
                    "Election officials gave the last turnout figure of the snap Majilis "
                    "vote. By 8 pm on March 20th, 77.1% of voters had taken a ballot.")
    assert "C1" not in found


def test_an_undated_report_of_a_later_votes_turnout_updates_the_claim(claims) -> None:
    m = matches(claims, "Snap Majilis vote: 54% of voters came to the polls",
                "Turnout at the snap Majilis vote of March 19 came to 54.21%, the election "
                "commission reported.")
    assert m["C1"].stance == "updates", m["C1"].reason


# --- "against all" on a later ballot (C5) -----------------------------------------------------


def test_a_share_that_has_chosen_none_of_the_above_updates_c5(claims) -> None:
    m = matches(claims, "Majilis election results announced in Kazakhstan",
                "3.90% of voters have chosen the «None of the Above» option.",
                published="2023-03-21")
    assert m["C5"].stance == "updates", m["C5"].reason


def test_a_line_against_all_candidates_on_the_kazakh_ballot_bears_on_c5(claims) -> None:
    found = matches(claims, "Мәжіліс сайлауы: бюллетень өзгереді",
                    "Биылғы бюллетеньнің соңғы жолы барлық кандидатқа қарсы дауыс беруге "
                    "арналады, деп хабарлады Қазақстан Орталық сайлау комиссиясы.")
    assert "C5" in found


def test_i_am_against_all_on_a_later_kazakh_ballot_updates_c5(claims) -> None:
    m = matches(claims, "Президент сайлауына дайындық: бюллетень қандай болады",
                'Биыл бюллетеньде "бәріне қарсымын" деген жол тағы бар. Қазақстандағы президент '
                "сайлауы 2022 жылғы 20 қарашаға белгіленді.")
    assert m["C5"].stance == "updates", m["C5"].reason


def test_the_osce_saying_real_competition_was_lacking_confirms_c15(claims) -> None:
    m = matches(claims, "ОБСЕ: выборам в Мажилис недоставало соперничества",
                "Наблюдатели ОБСЕ считают, что выборам в Мажилис Казахстана 10 января "
                "недоставало настоящей конкуренции.")
    assert m["C15"].stance == "confirms", m["C15"].reason


# --- a standing state's figure with no time at all -------------------------------------------


def test_an_undated_different_figure_of_a_standing_state_updates_it(claims) -> None:
    m = matches(claims, "Численность населения Казахстана",
                "Население Казахстана на 1 ноября составило 20,2 миллиона человек.")
    assert m["C16"].stance == "updates", m["C16"].reason


# --- single-mandate districts report the mixed system that replaced C14's list-only one -------


def test_single_mandate_districts_at_a_majilis_vote_update_c14(claims) -> None:
    m = matches(claims, "Мәжіліс сайлауы: бюллетень өзгереді",
                "Партиялық тізімдер бюллетенінде жеті партия болады, ал бір мандатты "
                "округтер бюллетенінде 16 кандидат тұрады, деді Орталық сайлау "
                "комиссиясының төрағасы.")
    assert m["C14"].stance == "updates", m["C14"].reason


def test_single_mandate_districts_told_before_the_claim_are_no_update(claims) -> None:
    found = matches(claims, "Выборы в Мажилис Казахстана",
                    "Часть депутатов Мажилиса избирается по одномандатным округам, часть по "
                    "партийным спискам.", published="2005-05-01")
    assert "C14" not in found or found["C14"].stance != "updates", found["C14"].reason


def test_a_longer_list_of_political_prisoners_confirms_c12(claims) -> None:
    m = matches(claims, "Список политзаключенных при Токаеве расширился",
                "За два года список политических заключенных в Казахстане расширялся семь "
                "раз.", published="2021-06-01")
    assert m["C12"].stance == "confirms", m["C12"].reason


def test_a_demand_that_political_prisoners_be_released_confirms_c12(claims) -> None:
    # A demand for their release says they remain; "released" here is no release.
    m = matches(claims, "Protests for reforms in Kazakhstan",
                "Thousands demonstrated in Almaty, calling for political prisoners to be "
                "released. They remembered the activist Dulat Agadil.")
    assert m["C12"].stance == "confirms", m["C12"].reason
