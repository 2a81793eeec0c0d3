"""Rules of round 19b (real-page error kinds that recur across the development sets).  Each
test can fail: it names the rule's input and the answer the rule gives.  The texts are our
own."""

from __future__ import annotations

import pytest
from relevance_helpers import found_claims, stance_of

# --- a press "maslikhat" is a press conference, not a local council (``scope.not_other``) ------


def test_a_press_conference_is_not_a_local_council(claims) -> None:
    # Kazakh says "баспасөз мәслихаты" for a press conference: the turnout story stays the
    # Majilis vote's.
    text = ("Орталық сайлау комиссиясы кеше баспасөз мәслихатын өткізді. Комиссия "
            "хатшысының айтуынша, сағат түскі екіде сайлауға келген азаматтар саны "
            "тізімдегілердің жартысына жуықтады.")
    assert "C1" in found_claims(claims, "ОСК сайлауға келгендер туралы айтты", text, "kk")


def test_a_local_council_vote_is_still_another_vote(claims) -> None:
    # Guard twin: the maslikhat itself named, the same turnout words are another vote's.
    text = ("Орталық сайлау комиссиясы кеше мәслихат сайлауы туралы айтты. Комиссия "
            "хатшысының айтуынша, сағат түскі екіде сайлауға келген азаматтар саны "
            "тізімдегілердің жартысына жуықтады.")
    assert "C1" not in found_claims(claims, "ОСК сайлауға келгендер туралы айтты", text, "kk")


# --- C9: the observers' curbs told in other forms (context and terms of C9) --------------------


@pytest.mark.parametrize(("title", "text", "lang"), [
    # "The new rules restrict what observers may do at the precincts."
    ("Новые правила для наблюдателей",
     "Перед выборами в Мажилис ЦИК Казахстана ограничивает работу наблюдателей на участках: "
     "правила стали строже.", "ru"),
    # "Observers met obstacles at the precincts of the Majilis vote."
    ("Как прошёл день голосования",
     "В день выборов в Мажилис в Казахстане независимые наблюдатели столкнулись с препонами "
     "на участках.", "ru"),
    # "The CEC's resolution restricting observers' work."
    ("Байқаушылар туралы жаңа қаулы",
     "Сайлау алдында Орталық сайлау комиссиясы байқаушылар жұмысын шектейтін қаулы "
     "қабылдады.", "kk"),
])
def test_observers_curbed_in_other_words_are_c9(claims, title, text, lang) -> None:
    assert "C9" in found_claims(claims, title, text, lang)


def test_observers_trained_without_curbs_are_not_c9(claims) -> None:
    # Guard twin: observers named with the vote, nothing done to them.
    text = ("Перед выборами в Мажилис в Казахстане молодёжная лига готовит наблюдателей: "
            "занятия идут каждую неделю.")
    assert "C9" not in found_claims(claims, "Наблюдатели учатся", text, "ru")


# --- C9: an OSCE page that tells the curbs in words of pressure (C9's OSCE guard) --------------


def test_osce_page_telling_pressure_on_observers_is_c9(claims) -> None:
    text = ("ОБСЕ назвала выборы в Мажилис 2021 года в Казахстане несвободными. Миссия ОБСЕ "
            "отметила, что на местных наблюдателей оказывали давление и их не хотели допускать "
            "к участкам, где они искали нарушения.")
    assert "C9" in found_claims(claims, "Доклад о выборах", text, "ru")


def test_osce_assessment_without_curbs_is_not_c9(claims) -> None:
    # Guard twin: the OSCE and observers named, nothing done to them.
    text = ("ОБСЕ назвала выборы в Мажилис 2021 года в Казахстане несвободными. Миссия ОБСЕ "
            "направила наблюдателей в пять областей, где они искали нарушения.")
    assert "C9" not in found_claims(claims, "Доклад о выборах", text, "ru")


# --- C2: the threshold in Russian and the parties the house holds are results words ------------


@pytest.mark.parametrize(("title", "text"), [
    # A proposal to lower the threshold parties must clear to enter the Majilis.
    ("Предложение о пороге",
     "В Казахстане предложили снизить порог прохождения партий в Мажилис с 7% до 5%."),
    # Nur Otan's congress before the vote; three of the parties sit in parliament.
    ("Съезд Nur Otan",
     "Партия Nur Otan соберёт съезд перед выборами в Мажилис в Казахстане. Всего в стране "
     "шесть партий, три из них представлены в парламенте."),
])
def test_threshold_and_parties_in_the_house_are_c2(claims, title, text) -> None:
    assert "C2" in found_claims(claims, title, text, "ru")


def test_a_party_congress_alone_is_not_c2(claims) -> None:
    # Guard twin: the party and the vote named, no result of any kind.
    text = "Партия Nur Otan соберёт съезд перед выборами в Мажилис в Казахстане."
    assert "C2" not in found_claims(claims, "Съезд Nur Otan", text, "ru")


# --- C1: Kazakh turnout told as the share of listed citizens who received a ballot -------------


def test_share_of_listed_citizens_given_ballots_is_turnout(claims) -> None:
    text = ("Қазақстанда Мәжіліс сайлауында кешкі сағат сегізге қарай тізімдерге енгізілген "
            "азаматтардың жалпы санының 48,3 пайызы бюллетень алған.")
    found = stance_of(claims, "C1", "Комиссия мәлімет берді", text, "2023-03-20")
    assert "turnout 48,3" in found.reason


def test_the_level_of_coming_is_turnout(claims) -> None:
    # "The level of coming" is Kazakh for turnout.
    text = "Қазақстандағы жаңа Мәжіліс сайлауында келу деңгейі 49,6 пайыз болды деп хабарлады ОСК."
    found = stance_of(claims, "C1", "Комиссия хабарлады", text, "2023-03-20")
    assert "turnout 49,6" in found.reason


def test_ballots_printed_for_listed_citizens_is_not_turnout(claims) -> None:
    # Guard twin: the same words with no share of voters: ballots printed, not received.
    text = ("Қазақстанда Мәжіліс сайлауына тізімдерге енгізілген азаматтарға арналған "
            "бюллетеньдер басылып, учаскелерге жеткізілді.")
    assert "C1" not in found_claims(claims, "Бюллетеньдер дайын", text, "kk")


# --- C2: "pro-presidential" parties are the claim's own words about the result -----------------


def test_parties_called_pro_presidential_bear_on_c2(claims) -> None:
    text = ("An Ak Zhol deputy in Kazakhstan said the parties in the 2021 Majilis campaign were "
            "not all pro-presidential, his own among them.")
    assert "C2" in found_claims(claims, "A deputy on the old campaign", text, "en")


def test_a_party_named_with_the_vote_and_no_result_is_not_c2(claims) -> None:
    # Guard twin: the party and the vote named, nothing of the result or the parties' loyalty.
    text = ("An Ak Zhol deputy in Kazakhstan spoke about the parties in the 2021 Majilis "
            "campaign and about pensions.")
    assert "C2" not in found_claims(claims, "A deputy on the old campaign", text, "en")


# --- C16: the population told by its ages or counted by a census (C16's second context group) --


@pytest.mark.parametrize("text", [
    "A census in Kazakhstan counted a population of 20,101,000; the average age is 32.",
    "Kazakhstan's population is 20,101,000, and most people there are younger than 30.",
])
def test_population_by_age_or_census_is_c16(claims, text) -> None:
    assert "C16" in found_claims(claims, "New population figures", text, "en")


def test_a_population_count_alone_is_not_c16(claims) -> None:
    # Guard twin: a population named with nothing of its ages, youth or census.
    text = "Kazakhstan counted a population of 20,101,000, the ministry said."
    assert "C16" not in found_claims(claims, "New population figures", text, "en")


# --- C3: the OSDP named alone by its full name is a mention (``named_alone`` names) ------------


def test_the_osdp_named_in_full_with_nothing_of_the_vote_is_a_mention(claims) -> None:
    text = ("Общенациональная социал-демократическая партия провела в Караганде субботник во "
            "дворах и собрала жалобы жильцов на отопление.")
    found = stance_of(claims, "C3", "Социал-демократы и дворы", text)
    assert found.stance == "mentions"


def test_the_osdp_named_in_full_with_an_election_word_still_needs_its_topic(claims) -> None:
    # Guard twin: an election word rules out the 'named alone' reading; with nothing of the
    # boycott, seats or campaign, the claim is not reported.
    text = "Общенациональная социал-демократическая партия в Караганде обсудила выборы."
    assert "C3" not in found_claims(claims, "Социал-демократы и выборы", text, "ru")


# --- C1: Russian turnout told as the voters who received a ballot or came ----------------------


@pytest.mark.parametrize("text", [
    "По данным ЦИК Казахстана, к восьми вечера бюллетени получили 47,8 % граждан, включённых в "
    "списки, на выборах в Мажилис 2023 года.",
    "На выборы в Мажилис 2023 года в Казахстане к полудню пришли 41,2 % избирателей, сообщила "
    "комиссия.",
])
def test_voters_given_ballots_or_who_came_are_turnout(claims, text) -> None:
    found = stance_of(claims, "C1", "Итоги дня голосования", text, "2023-03-20")
    assert found.reason.startswith("reports turnout")


def test_commissions_receiving_ballots_is_not_turnout(claims) -> None:
    # Guard twin: the same words for the ballots delivered to the commissions, no share.
    text = ("Участковые комиссии Казахстана получили бюллетени для выборов в Мажилис 2023 года "
            "и проверили печати.")
    assert "C1" not in found_claims(claims, "Бюллетени доставлены", text, "ru")


# --- C8: a party refused registration, or the registration threshold, in other English words --


@pytest.mark.parametrize("text", [
    "The justice ministry in Kazakhstan has refused for the fourth time to register the new "
    "opposition party of a group of activists.",
    "Under Kazakhstan's new law a new party's registration threshold falls from 20,000 members "
    "to 5,000.",
])
def test_a_party_refused_or_the_registration_threshold_is_c8(claims, text) -> None:
    assert "C8" in found_claims(claims, "Parties and the ministry", text, "en")


def test_observers_refused_at_a_precinct_are_not_c8(claims) -> None:
    # Guard twin: refused and "to register", no party: the words alone are not C8's.
    text = "Observers in Kazakhstan were refused when they tried to register at the polling station."
    assert "C8" not in found_claims(claims, "Parties and the ministry", text, "en")


# --- C7: a rally's notice or its refusal told without the assembly law's name ------------------


@pytest.mark.parametrize(("text", "lang"), [
    ("В Семее активистам напомнили, что уведомление о митинге в Казахстане по-прежнему надо "
     "подать за пять дней.", "ru"),
    ("Activists in Kazakhstan say the city has refused permission for their Sunday rally in the "
     "centre.", "en"),
])
def test_a_rallys_notice_or_refusal_is_c7(claims, text, lang) -> None:
    assert "C7" in found_claims(claims, "Город и митинги", text, lang)


def test_a_rally_told_without_notice_or_refusal_is_not_c7(claims) -> None:
    # Guard twin: a rally held, nothing of the notice it needed or a refusal.
    text = "A rally in Almaty, Kazakhstan, drew two hundred people on Sunday."
    assert "C7" not in found_claims(claims, "City and rallies", text, "en")


# --- C5 and C10 told in other words: "supports none of the candidates", protests counted -------


def test_supporting_none_of_the_candidates_is_c5(claims) -> None:
    text = ("В Казахстане на выборах в Мажилис избиратель снова сможет указать, что не "
            "поддерживает ни одного из кандидатов.")
    assert "C5" in found_claims(claims, "Строка в бюллетене", text, "ru")


def test_a_runoff_rule_is_not_c5(claims) -> None:
    # Guard twin: "none of the candidates" in a runoff's rule is not the ballot option.
    text = "В Казахстане во втором туре голосуют, если ни один кандидат не набрал половины голосов."
    assert "C5" not in found_claims(claims, "Строка в бюллетене", text, "ru")


def test_a_years_protests_counted_are_c10(claims) -> None:
    text = "По данным исследователей, в Казахстане за год прошло 163 протестное выступление."
    assert "C10" in found_claims(claims, "Протесты за год", text, "ru")


def test_one_protest_is_not_a_count_of_protests(claims) -> None:
    # Guard twin: one protest described, no count of a year's protests.
    text = "В Казахстане исследователи описали одно протестное выступление шахтёров."
    assert "C10" not in found_claims(claims, "Протесты за год", text, "ru")


# --- C11: the 2021 election day by its name, and the cordon itself -----------------------------


def test_detentions_on_the_2021_election_day_are_c11(claims) -> None:
    text = "В Алматы в день выборов 2021 года полиция задержала десятки человек, сказал очевидец."
    assert "C11" in found_claims(claims, "День голосования", text, "ru")


def test_detentions_on_an_undated_election_day_are_not_c11(claims) -> None:
    # Guard twin: an election day with no year and no protest: another day's police news.
    text = "В Алматы в день выборов полиция задержала двух человек за кражу кошелька."
    assert "C11" not in found_claims(claims, "День голосования", text, "ru")


# --- C1: the official figure named as such or in words ----------------------------------------


@pytest.mark.parametrize(("text", "lang"), [
    ("A former election official in Kazakhstan said the official 63 per cent for the 2021 "
     "Majilis vote was right.", "en"),
    ("Бывший член ЦИК Казахстана сказал, что шестьдесят три процента на выборах в "
     "Мажилис 2021 года подтверждены протоколами.", "ru"),
])
def test_the_official_figure_named_as_such_is_c1(claims, text, lang) -> None:
    assert "C1" in found_claims(claims, "The official figure", text, lang)


def test_sixty_three_candidates_are_not_turnout(claims) -> None:
    # Guard twin: 63 and the commission in one sentence, but a count of candidates.
    text = "ЦИК Казахстана зарегистрировал 63 кандидата на выборах в Мажилис."
    assert "C1" not in found_claims(claims, "Кандидаты", text, "ru")
