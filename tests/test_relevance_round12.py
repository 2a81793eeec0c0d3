"""Rules of round 12 (mechanisms that recur across sets, docs/LABELLING.md): the state's side
calling a criticism untrue disputes it.  Each test can fail: it names the rule's input and the
answer the rule gives.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import matches, stance_of

# --- official denials (``denials.official_denials``) ---------------------------------------------


def test_an_election_commission_calling_the_observers_count_wrong_contradicts(claims) -> None:
    """The official figure restated is no restatement of a claim that says it is contested."""
    match = stance_of(claims, "C1", "Избирком настаивает на своих цифрах",
                      "Центральная избирательная комиссия повторила, что явка на выборах в "
                      "Мажилис 10 января 2021 года составила 63,3 процента, а подсчёт "
                      "независимых наблюдателей назвала ошибочным.", published="2021-02-01")
    assert match.stance == "contradicts"
    assert "official" in match.reason


def test_a_ministry_calling_the_arrest_figure_invented_contradicts_in_english(claims) -> None:
    match = stance_of(claims, "C11", "Police numbers questioned",
                      "The interior ministry said on Tuesday that the count of 360 people "
                      "detained in Almaty on 10 January 2021, spread by activists, was "
                      "exaggerated tenfold.", published="2021-01-20")
    assert match.stance == "contradicts"


def test_a_kazakh_ministry_disagreeing_with_the_osce_verdict_contradicts(claims) -> None:
    match = stance_of(claims, "C15", "ЕҚЫҰ есебі туралы мәлімдеме",
                      "Сыртқы істер министрлігі 2021 жылғы Мәжіліс сайлауы туралы ЕҚЫҰ "
                      "миссиясының бағасы дұрыс емес екенін айтты.", published="2021-03-15")
    assert match.stance == "contradicts"


def test_critics_dismissing_the_official_figure_do_not_contradict(claims) -> None:
    """The dismissal is the critics' (no official speaks before it): the claim restated."""
    match = stance_of(claims, "C1", "Наблюдатели о явке",
                      "Независимые наблюдатели назвали ошибочными данные о явке 63,3 процента "
                      "на выборах в Мажилис 10 января 2021 года: по их подсчёту пришла треть "
                      "избирателей.", published="2021-01-15")
    assert match.stance != "contradicts"


def test_an_official_saying_no_observer_was_removed_contradicts(claims) -> None:
    """A restatement marker ("removed") negated in an official's words."""
    match = stance_of(claims, "C9", "Облизбирком о работе наблюдателей",
                      "Председатель областной избирательной комиссии заявил, что на выборах "
                      "в Мажилис 10 января 2021 года наблюдателей с участков не удалили и "
                      "протоколы им показали.", published="2021-01-25")
    assert match.stance == "contradicts"


def test_an_official_restating_a_refusal_is_not_a_denial(claims) -> None:
    """A ministry refusing registration restates C8: a refusal is not a dismissal word."""
    found = matches(claims, "Минюст отказал в регистрации партии",
                    "Министерство юстиции отказало в регистрации Демократической партии "
                    "Жанболата Мамая: по данным ведомства, в заявке не хватило подписей.",
                    published="2021-03-01")
    assert found["C8"].stance != "contradicts"


# --- a validity rule is C13, not a turnout (C1) ----------------------------------------------------


def test_a_proposed_turnout_floor_for_validity_is_the_rule_not_a_turnout(claims) -> None:
    found = matches(claims, "MPs want a turnout floor back",
                    "Several Majilis members have drafted an amendment under which a "
                    "parliamentary election would need 45 percent turnout to be valid.",
                    published="2025-04-02")
    assert "C13" in found
    assert "C1" not in found


def test_a_kazakh_validity_condition_is_the_rule_not_a_turnout(claims) -> None:
    found = matches(claims, "Сайлаудың жарамдылық шегі",
                    "Мәжіліс депутаттары сайлау өтті деп танылуы үшін сайлаушылардың кемінде "
                    "45 пайызы қатысуы керек деген талапты енгізуді ұсынды.", published="2025-04-02")
    assert "C13" in found
    assert "C1" not in found


# --- a city's or region's population is not the country's (C16 ``places``) -----------------------


def test_a_citys_population_is_not_read_as_the_countrys(claims) -> None:
    """Only the city's count: the quantity is not read, so no population figure decides."""
    found = matches(claims, "Шымкент растёт",
                    "По данным акимата, население города Шымкента в 2024 году превысило 1,2 "
                    "миллиона человек. Половина жителей Казахстана моложе 30 лет.",
                    published="2024-05-01")
    assert "C16" in found  # by its young-population fact, so the reason below is read
    assert "population" not in found["C16"].reason


def test_the_country_named_beside_the_urban_part_keeps_the_national_count(claims) -> None:
    match = stance_of(claims, "C16", "Қазақстан халқы",
                      "Жыл басында Қазақстан халқы 20,1 миллион адамға жетті, оның ішінде қала "
                      "халқы 12,6 миллион адам (2024).", published="2024-02-01")
    assert match.stance == "updates"
    assert "population" in match.reason


# --- earlier Majilis votes (C2, C3 ``earlier_majilis_results``) -----------------------------------


def test_an_undated_report_of_an_earlier_ruling_party_result_is_not_the_2021_vote(claims) -> None:
    found = matches(claims, "Landslide for the ruling party",
                    "The ruling party Nur Otan took 88% of the vote in the Majilis election, "
                    "and the Social Democrats stayed outside parliament with under 5%.")
    assert "C2" not in found
    assert "C3" not in found


def test_the_2021_result_beside_an_earlier_one_is_still_the_claims(claims) -> None:
    found = matches(claims, "Ruling party share falls",
                    "Nur Otan won 71% in the Majilis election of January 2021, after 82% in "
                    "2016.", published="2021-01-12")
    assert "C2" in found


def test_the_osdp_at_an_earlier_vote_without_a_boycott_is_not_c3(claims) -> None:
    found = matches(claims, "The Social Democrats' campaign",
                    "In 2007 the National Social Democratic Party took part in the Majilis "
                    "election and won 4.5% of the vote, short of the barrier.")
    assert "C3" not in found


def test_the_osdp_boycott_recounted_with_its_earlier_runs_is_still_c3(claims) -> None:
    found = matches(claims, "ЖСДП бойкоты",
                    "2007 және 2016 жылдары сайлауға қатысқан ЖСДП 2021 жылғы Мәжіліс сайлауына "
                    "бойкот жариялады.", published="2021-01-05")
    assert "C3" in found


# --- C10 is its counts (``counts_only``) ----------------------------------------------------------


def test_protests_named_without_a_count_only_mention_c10(claims) -> None:
    match = stance_of(claims, "C10", "Волна протестов в Казахстане",
                      "В Казахстане растёт волна протестов: люди выходят на митинги, требуя "
                      "социальных выплат и защиты прав человека.", published="2021-06-01")
    assert match.stance == "mentions"


def test_the_protest_count_restated_still_confirms_c10(claims) -> None:
    match = stance_of(claims, "C10", "Protest tracker counts",
                      "The Oxus Society's Central Asia Protest Tracker recorded 254 protests in "
                      "Kazakhstan in 2020.", published="2021-03-01")
    assert match.stance == "confirms"


def test_an_official_saying_there_are_no_political_prisoners_contradicts(claims) -> None:
    match = stance_of(claims, "C12", "Прокуратура о заключённых",
                      "Представитель Генеральной прокуратуры Казахстана заявил, что в стране нет "
                      "политических заключенных: активисты осуждены по уголовным статьям.",
                      published="2021-04-10")
    assert match.stance == "contradicts"


def test_the_ruling_party_calling_the_osce_verdict_biased_contradicts(claims) -> None:
    match = stance_of(claims, "C15", "Amanat on the OSCE",
                      "A secretary of the Amanat party called the OSCE mission's conclusion on "
                      "the January 2021 Majilis election biased.", published="2022-06-01")
    assert match.stance == "contradicts"


def test_a_kazakh_commission_saying_not_a_single_observer_was_removed_contradicts(claims) -> None:
    match = stance_of(claims, "C9", "ОСК мүшесі бақылаушылар туралы",
                      "Орталық сайлау комиссиясының мүшесі 2021 жылғы Мәжіліс сайлауында "
                      "бірде-бір байқаушы учаскеден шығарылмағанын, хаттамалар бәріне "
                      "көрсетілгенін айтты.", published="2021-02-01")
    assert match.stance == "contradicts"


# --- the OSDP taking part in a later vote updates its boycott (C3 ``update_terms``) -------------


def test_the_osdp_filing_a_list_for_a_later_vote_updates_the_boycott(claims) -> None:
    match = stance_of(claims, "C3", "ОСДП выдвинула кандидатов",
                      "Общенациональная социал-демократическая партия выдвинула 15 кандидатов "
                      "на выборы депутатов Мажилиса.", published="2023-02-10")
    assert match.stance == "updates"


def test_the_osdp_refusing_to_file_a_list_still_restates_the_boycott(claims) -> None:
    match = stance_of(claims, "C3", "Social democrats stay away",
                      "The OSDP, the only registered opposition party, refused to field a party "
                      "list and will sit out the January 2021 Majilis vote.",
                      published="2020-12-01")
    assert match.stance == "confirms"


def test_critics_calling_a_prosecutors_charges_fabricated_is_no_official_denial(claims) -> None:
    """"Fabricated" is the critics' word for charges, even with the prosecutor named first."""
    match = stance_of(claims, "C12", "Political prisoners in Kazakhstan",
                      "Rights groups say the prosecutor's office brought fabricated charges "
                      "against the activist, one of the political prisoners still behind bars "
                      "in Kazakhstan.", published="2021-05-01")
    assert match.stance != "contradicts"


@pytest.mark.parametrize("title,text", [
    ("ЦИК о недействительных бюллетенях",
     "Председатель ЦИК сообщил, что на выборах в Мажилис 10 января 2021 года 3,8% бюллетеней "
     "были заполнены ошибочно или некорректно и признаны недействительными."),
    ("CEC on invalid ballots",
     "The CEC chairman said 3.8% of ballots in the January 2021 Majilis vote were filled in "
     "incorrectly and declared invalid."),
])
def test_ballots_filled_in_wrongly_are_c4s_own_words_not_a_denial(claims, title, text) -> None:
    match = stance_of(claims, "C4", title, text, published="2021-01-15")
    assert match.stance == "confirms"


@pytest.mark.parametrize("claim_id,title,text", [
    ("C1", "Turnout doubts",
     "Independent observers say the CEC exaggerated the 63% turnout of the January 2021 Majilis "
     "vote: they counted about a third."),
    ("C1", "Явка под вопросом",
     "Наблюдатели считают, что ЦИК накрутил явку на выборах в Мажилис 10 января 2021 года: "
     "вместо 63% пришла треть избирателей."),
    ("C11", "Arrest count",
     "Activists said the interior ministry's figure of fifty people detained in Almaty on 10 "
     "January 2021 was an invention: they counted 360."),
])
def test_critics_speaking_first_dismiss_the_official_side_not_the_claim(claims, claim_id, title,
                                                                        text) -> None:
    """A critic named first in the sentence: the dismissal is theirs (``denial_critics``)."""
    match = stance_of(claims, claim_id, title, text, published="2021-01-15")
    assert match.stance == "confirms"


@pytest.mark.parametrize("claim_id,title,text", [
    ("C14", "Самовыдвиженцы",
     "Вице-министр юстиции пояснил, что самовыдвиженцы не могут баллотироваться в Мажилис: "
     "только по партийным спискам."),
    ("C15", "OSCE",
     "The foreign ministry said the OSCE mission's report on the January 2021 Majilis election "
     "found no genuine competition, and promised reforms."),
])
def test_an_official_restating_a_negative_marker_is_no_denial(claims, claim_id, title,
                                                              text) -> None:
    """A negation far before a marker, or one that is part of another marker ("no genuine"),
    does not negate it."""
    match = stance_of(claims, claim_id, title, text, published="2021-03-20")
    assert match.stance == "confirms"
