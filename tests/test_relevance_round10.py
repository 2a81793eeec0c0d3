"""Rules of round 10 (real pages about later states, docs/LABELLING.md): the successor chamber's
election rule told beside a senator or the maslikhats, the People's Council by its short name,
party registration in other words, a party's taking part read as turnout, a state told at
later years only, and a claim's actors named without what happened.  Each test can fail: it
names the rule's input and the answer the rule gives.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import ARTICLE, matches, stance_of

from kzwatch.model import FeedItem
from kzwatch.relevance import load_claims
from kzwatch.relevance.scoring import prepare, veto

# --- the chamber's election rule, told beside other bodies (C14) --------------------------------


def test_a_senator_on_how_the_new_chamber_is_elected_is_c14(claims) -> None:
    found = matches(claims, "Как будут избирать новый парламент",
                    "Сенатор пояснил, что депутаты однопалатного парламента Казахстана будут "
                    "избираться по пропорциональной системе в едином округе.",
                    published="2026-02-02")
    assert "C14" in found and found["C14"].stance == "updates"


def test_the_maslikhats_keeping_their_own_system_stay_another_body(claims) -> None:
    found = matches(claims, "Маслихаты сохранят мажоритарную систему",
                    "Сенатор сообщил, что маслихаты Казахстана по-прежнему будут избираться по "
                    "мажоритарной системе.", published="2026-02-02")
    assert "C14" not in found


def test_a_baltic_parliament_held_up_as_a_model_is_vetoed_for_c14(claims) -> None:
    """The rules' veto (which also bounds the learned second opinion): an Astana dateline and
    Estonia's proportional vote are another country's rule."""
    item = FeedItem(url="https://example.org/x", title="Еуропадағы бір палаталы парламенттер",
                    text="Астана. Эстонияда парламент депутаттары пропорционалды сайлау жүйесі "
                         "арқылы сайланады.")
    prep = prepare(item)
    assert prep is not None
    assert "Эстония" in veto(prep, next(c for c in claims if c.id == "C14"))


# --- the People's Council and the National Kurultai (C6) ----------------------------------------


def test_the_peoples_council_by_its_short_russian_name_is_c6_updates(claims) -> None:
    match = stance_of(claims, "C6", "Президент предложил создать Народный совет",
                      "Народный совет Казахстана, по замыслу, заменит нынешний курултай и "
                      "соберёт представителей общественных объединений.",
                      published="2026-01-25")
    assert match.stance == "updates"


def test_the_peoples_council_called_consultative_is_an_update_not_a_restatement(claims) -> None:
    match = stance_of(claims, "C6", "Конституционная комиссия обсудила новый орган",
                      "Халык Кенеси Казахстана станет консультативным органом. Его члены будут "
                      "представлять гражданское общество.", published="2026-01-25")
    assert match.stance == "updates", match.reason


def test_a_speech_at_the_national_kurultai_is_c6(claims) -> None:
    found = matches(claims, "Токаев выступил в Туркестане",
                    "Выступая на Национальном курултае, Токаев сказал, что курултай обсудил "
                    "водную политику Казахстана.", published="2025-03-14")
    assert "C6" in found and found["C6"].stance == "updates"


# --- taking part in an election is not turnout (C1) ---------------------------------------------


def test_parties_that_may_take_part_in_the_election_are_not_c1(claims) -> None:
    found = matches(claims, "Партиялар сайлауға қатыса алады",
                    "Орталық сайлау комиссиясы тіркелген партиялар Мәжіліс сайлауына қатыса "
                    "алатынын хабарлады.", published="2023-01-20")
    assert "C1" not in found


def test_voters_taking_part_at_a_level_is_still_c1(claims) -> None:
    found = matches(claims, "Мәжіліс сайлауы",
                    "Орталық сайлау комиссиясының мәліметінше, сайлаушылардың сайлауға "
                    "қатысуы 63 пайыз болды.", published="2021-01-11")
    assert "C1" in found


# --- a party's registration in other words (C8) -------------------------------------------------


def test_a_party_in_state_registration_is_c8(claims) -> None:
    found = matches(claims, "Три политпартии проходят регистрацию",
                    "По словам вице-министра, три новые политпартии проходят госрегистрацию.",
                    published="2025-04-02")
    assert "C8" in found


def test_a_new_partys_founding_congress_is_an_update(claims) -> None:
    match = stance_of(claims, "C8", "Новая партия провела учредительный съезд",
                      "Минюст принял уведомление о создании новой партии, и она провела "
                      "учредительный съезд в Астане.", published="2025-04-02")
    assert match.stance == "updates", match.reason


def test_parties_unable_to_register_restate_the_claim(claims) -> None:
    match = stance_of(claims, "C8", "Новые партии не могут пройти регистрацию",
                      "В 2024 году новые партии в Казахстане снова не могут пройти регистрацию "
                      "в министерстве юстиции.", published="2024-06-02")
    assert match.stance == "confirms", match.reason


# --- a state told at later years only (stance) ---------------------------------------------------


def test_a_state_told_only_at_later_years_is_its_later_state(claims) -> None:
    match = stance_of(claims, "C5", "Графа «против всех» в бюллетене",
                      "На выборах 2023 года избиратели увидели в бюллетене графу «против всех».",
                      published="2023-03-20")
    assert match.stance == "updates", match.reason


def test_the_same_terms_at_the_claims_own_time_still_restate(claims) -> None:
    match = stance_of(claims, "C5", "Графа «против всех» в бюллетене",
                      "На выборах 2021 года избиратели не нашли в бюллетене графу «против всех».",
                      published="2021-01-12")
    assert match.stance == "confirms", match.reason


# --- a claim's actors named are no restatement (stance) -----------------------------------------


def test_activists_and_police_named_without_the_event_only_mention_c11(claims) -> None:
    match = stance_of(claims, "C11", "Активисты Oyan, Qazaqstan провели встречу",
                      "Активисты молодежного движения Oyan, Qazaqstan встретились со "
                      "студентами Алматы; полиция на встрече не появлялась.")
    assert match.stance == "mentions", match.reason


def test_election_day_detentions_still_restate_c11(claims) -> None:
    match = stance_of(claims, "C11", "Задержания в Алматы",
                      "В день выборов полиция задержала участников митинга на площади "
                      "Республики и держала людей на морозе несколько часов.")
    assert match.stance == "confirms", match.reason


def test_deputies_named_with_the_system_do_not_restate_c14(claims) -> None:
    """"Депутаты" is read as both the Russian and the Kazakh term: two terms, one actor."""
    match = stance_of(claims, "C14", "Как избирают депутатов",
                      "По пропорциональной системе сейчас выбирают всех депутатов Мажилиса.")
    assert match.stance == "mentions", match.reason


def test_actors_with_a_term_of_the_event_still_restate_it(claims) -> None:
    match = stance_of(claims, "C11", "Police detained protesters in Almaty",
                      "On election day police and activists said dozens were detained at the "
                      "rally.", published="2021-01-11")
    assert match.stance == "confirms", match.reason


def test_actor_terms_must_be_among_the_claims_terms() -> None:
    bad = ('[[claim]]\nid = "X1"\ntext = "t"\nactor_terms = ["police"]\n'
           '[claim.terms]\nen = ["rally"]\n')
    with pytest.raises(ValueError, match="X1: actor_terms not among its terms: police"):
        load_claims(bad, ARTICLE)


# --- students abroad and the population (C16) ---------------------------------------------------


def test_the_countrys_students_in_another_countrys_universities_are_c16(claims) -> None:
    found = matches(claims, "Где учатся казахстанские студенты",
                    "Казахстанские студенты чаще всего выбирают вузы Польши и Чехии, пишет "
                    "министерство.", published="2025-09-01")
    assert "C16" in found


def test_students_named_alone_do_not_restate_c16(claims) -> None:
    match = stance_of(claims, "C16", "Kazakhstani students choose Czech universities",
                      "More Kazakhstani students now pick Czech universities, the ministry said.")
    assert match.stance == "mentions", match.reason


def test_thousands_of_people_are_not_a_population_figure(claims) -> None:
    found = matches(claims, "Kazakhstani students at foreign universities",
                    "Some 4.4 thousand of them were enrolled abroad in 2023, and 29.5 thousand "
                    "people have joined the scheme since it started.",
                    published="2024-02-01")
    assert "C16" in found
    assert "population" not in found["C16"].reason, found["C16"].reason


# --- a spoiled ballot replaced (C4) and the parties that got in (C2) ----------------------------


def test_a_spoiled_ballot_replaced_at_the_polling_station_is_not_c4(claims) -> None:
    found = matches(claims, "Что делать, если испортил бюллетень",
                    "В Казахстане испорченный бюллетень признается недействительным, а "
                    "избирателю выдается новый бюллетень взамен испорченного.",
                    published="2023-03-18")
    assert "C4" not in found


def test_the_share_of_invalid_ballots_is_still_c4_beside_a_new_ballot(claims) -> None:
    found = matches(claims, "Недействительные бюллетени",
                    "По данным МИСК, недействительными в Казахстане признаны 3,8 процента "
                    "бюллетеней; кто испортил свой, получал новый бюллетень.",
                    published="2021-01-12")
    assert "C4" in found


def test_three_parties_got_into_the_majilis_in_either_word_order_is_c2(claims) -> None:
    found = matches(claims, "Кто попал в нижнюю палату Казахстана",
                    "Нур Отан, Ак жол и Народная партия Казахстана — три партии, которые в "
                    "Мажилис прошли по итогам голосования.", published="2021-01-11")
    assert "C2" in found


def test_a_wave_of_protests_that_did_not_subside_is_c10(claims) -> None:
    found = matches(claims, "Социолог о протестах",
                    "По словам социолога, в 2019–2020 годах протестная волна в Казахстане "
                    "только росла, люди выходили из-за цен и пособий.", published="2021-05-01")
    assert "C10" in found
