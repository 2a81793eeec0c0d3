"""Rules of round 29a (claims file only): claims not found where the claim's subject is told in
its own words but not in the words the gate or the terms listed.

- C2: the five parties of the 2021 vote name the party-list vote without the house or a ballot
  word ("all five parties at the 2021 election"), and "all five parties supported the
  president" names the claim's subject without a party's name; the Kazakh "президентті
  қолдады" is told in Russian and English too.
- The Russian "спорит с тезисом / оценкой / выводами" contests what is said, as "disputes the
  view" and "пікірмен келіспейді" do.
- C11: its own count with its detentions ("over 360 were detained") tells the election-day
  detentions, dated or not.
- C14: the house "elected / formed by" a system is a supporting term in each language.
- C14: seats or deputies "elected in districts" (ru, kk, en) tell the later mixed system.
- C1: the observers' count told as "a third" of the voters who came (kk, en; not the Russian
  "треть", whose stem "две трети" shares) names the turnout and restates it.

Each rule case fails with the claims file before the round; each guard passes on both.  The
texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import matches, stance_of

PUBLISHED = "2027-03-10"


@pytest.mark.parametrize(("title", "text"), [
    ("Бывший акжоловец не согласен",
     "Бывший функционер «Ак жола» оспаривает утверждение, что все пять партий на выборах "
     "2021 года были пропрезидентскими: фракция голосовала против бюджета."),
    ("Ak Zhol veteran objects",
     "A former Ak Zhol organiser disputes the view that all five parties at the 2021 election "
     "were pro-presidential, saying his group voted against two budgets."),
    ("Ақ жол ардагері келіспейді",
     "Ақ жолдың бұрынғы мүшесі 2021 жылғы сайлауға қатысқан бес партияның бәрі билікшіл болды "
     "деген пікірге қарсы шықты."),
])
def test_the_loyal_ballot_disputed_without_the_house_contradicts_c2(claims, title, text) -> None:
    match = stance_of(claims, "C2", title, text, published=PUBLISHED)
    assert match.stance == "contradicts", match.reason


@pytest.mark.parametrize(("title", "text"), [
    ("Колонка о бюллетене",
     "Колумнист напоминает, что в 2021 году все пять партий в бюллетене поддерживали президента."),
    ("Looking back", "A columnist recalls that in 2021 all five parties on the ballot backed the "
                     "president."),
    ("Бюллетень 2021", "Шолушының айтуынша, 2021 жылы бюллетеньдегі бес партияның бәрі "
                       "президентті қолдады."),
])
def test_five_parties_backing_the_president_confirms_c2(claims, title, text) -> None:
    match = stance_of(claims, "C2", title, text, published=PUBLISHED)
    assert match.stance == "confirms", match.reason


def test_arguing_with_the_thesis_contradicts_c2(claims) -> None:
    match = stance_of(claims, "C2", "Спор о лояльности",
                      "Бывший депутат Мажилиса от «Ак жола» спорит с тезисом, что все пять "
                      "партий в бюллетене были пропрезидентскими.", published=PUBLISHED)
    assert match.stance == "contradicts", match.reason


def test_five_parties_writing_to_the_president_are_no_ballot(claims) -> None:
    # Guard: five parties and the president, with no vote, ballot or 2021, are no C2.
    found = matches(claims, "Letter to the president",
                    "Five parties sent the president a joint letter asking for a debate on the "
                    "budget.", published=PUBLISHED)
    assert "C2" not in found


def test_parties_not_arguing_with_the_government_still_confirm_c2(claims) -> None:
    # Guard: "не спорила с правительством" is no dispute of what is said; it restates C2.
    match = stance_of(claims, "C2", "Ни одна партия не спорила",
                      "В бюллетене стояли пять партий, и ни одна не спорила с правительством; "
                      "«Нур Отан» набрал 71 процент.", published=PUBLISHED)
    assert match.stance == "confirms", match.reason


@pytest.mark.parametrize(("title", "text"), [
    ("January, six years on", "Six years ago, on election day, police detained more than 360 "
                              "people."),
    ("Январь в памяти", "Шесть лет назад, в день выборов, полиция задержала более 360 человек."),
    ("Қаңтар еске", "Алты жыл бұрын сайлау күні 360-тан астам адам ұсталды."),
])
def test_the_claims_count_of_detentions_confirms_c11(claims, title, text) -> None:
    match = stance_of(claims, "C11", title, text, published=PUBLISHED)
    assert match.stance == "confirms", match.reason


@pytest.mark.parametrize(("title", "text"), [
    ("After the unrest", "In January 2022 more than 360 people were detained in Almaty after the "
                         "unrest."),
    ("Another vote", "On election day in 2024 police detained more than 360 people in Almaty."),
])
def test_the_same_count_at_another_time_is_no_c11(claims, title, text) -> None:
    # Guards: 360 detained at a later event or a later vote is another event.
    assert "C11" not in matches(claims, title, text, published=PUBLISHED)


@pytest.mark.parametrize(("title", "text"), [
    ("What changed", "The Majilis is now elected by a mixed system."),
    ("Что изменилось", "Теперь Мажилис формируется по смешанной системе."),
    ("Не өзгерді", "Енді Мәжіліс аралас жүйе бойынша сайланады."),
])
def test_the_house_elected_by_a_mixed_system_updates_c14(claims, title, text) -> None:
    match = stance_of(claims, "C14", title, text, published=PUBLISHED)
    assert match.stance == "updates", match.reason


def test_a_maslikhat_elected_by_a_mixed_system_is_no_c14(claims) -> None:
    # Guard: another body's system stays out by the scope.
    found = matches(claims, "Маслихат", "Маслихат Алматы теперь избирается по смешанной системе.",
                    published=PUBLISHED)
    assert "C14" not in found


@pytest.mark.parametrize(("title", "text"), [
    ("Polling day recalled", "Independent monitors say turnout at the 2021 vote was barely over "
                             "a third."),
    ("Сайлау еске", "Бақылаушылардың айтуынша, 2021 жылғы сайлауға халықтың үштен бірі ғана "
                    "келген."),
])
def test_a_third_of_the_voters_confirms_c1(claims, title, text) -> None:
    match = stance_of(claims, "C1", title, text, published=PUBLISHED)
    assert match.stance == "confirms", match.reason


def test_a_third_of_the_voters_backing_a_plan_is_no_turnout(claims) -> None:
    # Guard: a third of the voters with no polls or election named is no turnout.
    found = matches(claims, "Local poll", "A third of the voters in the village backed the new "
                                          "road plan, the akimat said.", published=PUBLISHED)
    assert "C1" not in found


def test_a_later_votes_turnout_beside_a_third_of_the_seats_still_updates_c1(claims) -> None:
    # Guard: "a third" of something else beside a later turnout restates nothing.
    match = stance_of(claims, "C1", "Majilis vote 2023",
                      "Turnout in the 2023 Majilis vote was 54 percent, and a third of the seats "
                      "went to single-member districts.", published=PUBLISHED)
    assert match.stance == "updates", match.reason


@pytest.mark.parametrize(("title", "text"), [
    ("Что изменилось в палате", "Теперь часть депутатов Мажилиса избирается в округах, а не "
                                "только по спискам."),
    ("The new chamber", "A third of Majilis seats are now elected in districts."),
    ("Мәжіліс", "Енді Мәжіліс депутаттарының бір бөлігі округтерден сайланады."),
])
def test_seats_elected_in_districts_update_c14(claims, title, text) -> None:
    match = stance_of(claims, "C14", title, text, published=PUBLISHED)
    assert match.stance == "updates", match.reason


def test_a_maslikhat_elected_in_districts_is_no_c14(claims) -> None:
    # Guard: another body's districts stay out by the scope.
    found = matches(claims, "Маслихат", "Депутаты маслихата Алматы теперь избираются в округах.",
                    published=PUBLISHED)
    assert "C14" not in found


def test_districts_before_2007_are_no_later_state(claims) -> None:
    # Guard: the house's districts before 2007 are its history, not the claim's later state.
    found = matches(claims, "История палаты",
                    "До 2007 года часть депутатов Мажилиса избиралась в округах.",
                    published=PUBLISHED)
    assert "C14" not in found or found["C14"].stance != "updates"
