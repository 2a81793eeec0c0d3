"""Rules of round 29b.  The rule cases fail before the round; the guards pass on both.  The
texts are our own.

1. The state's side calling the critics' count of C1's contested turnout one taken at a sample
   of stations answers the dispute C1 reports: `contradicts` (``stance_words.sampled_sentences``,
   ``stance._contested_vouched``).
2. A change word in a sentence that states the claim's own figure and names one of its own
   years ("the 50% turnout requirement was abolished in 1998") is C13's own change retold, even
   when the item names a later year beside it (another claim's "since 2005"): `confirms`
   (``stance._own_change_retold``).
3. A small count right before the quantity's cue ("два рабочих дня", "екі жұмыс күні") in a
   sentence that tells the claim's own value of that quantity is set against it: a differing
   figure, so the change words decide (C7's notice period cut from five days): `updates`
   (``quantities._set_against_own``).
4. A differing figure told in a sentence of a proposed law that names no year of its own, in an
   item published after the claim's year, is a change proposed, not a dispute of the claim's
   own time (the 1998 named elsewhere is the rule's history): C13 `updates`
   (``stance._proposed_figure``); a Kazakh bill in Latin letters ("zañ jobasy") is a proposed
   law too (``stance_words._PROPOSAL_PREFIXES``).
5. Lawmakers proposing, as the subject right before the word ("four MPs proposed a 35 per cent
   minimum turnout"), tell a proposed law: C13 `updates` (``stance_words.proposal_sentences``,
   ``_LEGISLATORS_PROPOSE_RE``)."""

from __future__ import annotations

import pytest
from relevance_helpers import stance_of


@pytest.mark.parametrize(("title", "text"), [
    ("Commission replies to the monitors",
     "The Central Election Commission said on Monday that the 35 per cent turnout the monitors "
     "gave for the January 2021 Majilis vote came from a sample of a few dozen stations."),
    ("Избирком о подсчёте МИСК",
     "В ЦИК заявили, что цифра явки в 35,10% на выборах в мажилис 2021 года получена по "
     "выборке участков и не может ставить под сомнение итоги."),
    ("ОСК жауабы",
     "Орталық сайлау комиссиясы 2021 жылғы Мәжіліс сайлауына келгендер 35 пайыз деген есеп "
     "бірнеше учаскедегі іріктемеге сүйенгенін мәлімдеді."),
])
def test_the_state_calling_the_critics_count_a_sample_contradicts_c1(claims, title,
                                                                     text) -> None:
    match = stance_of(claims, "C1", title, text, published="2026-05-04")
    assert match.stance == "contradicts", match.reason


def test_the_critics_describing_their_own_sample_restate_c1(claims) -> None:
    # Guard: the observers tell their own method; no one for the state speaks first.
    match = stance_of(claims, "C1", "How the monitors counted",
                      "MISK observers, working at a sample of 300 polling stations, counted a "
                      "35 per cent turnout in January 2021, against the official 63 per cent.",
                      published="2026-05-04")
    assert match.stance == "confirms", match.reason


def test_a_sample_of_the_official_figure_alone_is_no_answer(claims) -> None:
    # Guard: the sample word beside the contested 63% only: nothing of the critics' count.
    match = stance_of(claims, "C1", "Commission figures",
                      "The Central Election Commission said a sample of protocols was checked "
                      "again and the 2021 Majilis turnout of 63 per cent stood.",
                      published="2026-05-04")
    assert match.stance == "confirms", match.reason


@pytest.mark.parametrize(("title", "text"), [
    ("Law faculty lecture notes",
     "The lecturer reminded students that the 50 per cent turnout requirement was abolished in "
     "1998, and that ballots have had no 'against all' box since 2005."),
    ("Депутаты о правилах выборов",
     "Депутат напомнил, что порог явки в 50% отменили в 1998 году, а графы «против всех» в "
     "бюллетене нет с 2005 года."),
])
def test_the_claims_own_change_told_beside_a_later_year_confirms_c13(claims, title,
                                                                     text) -> None:
    match = stance_of(claims, "C13", title, text, published="2026-05-04")
    assert match.stance == "confirms", match.reason


def test_the_floor_brought_back_later_still_updates_c13(claims) -> None:
    # Guard: a word of restoring in the sentence is the claim's change undone.
    match = stance_of(claims, "C13", "Turnout floor brought back",
                      "Parliament restored in 2026 the 50 per cent turnout floor that was "
                      "scrapped in 1998.", published="2026-05-04")
    assert match.stance == "updates", match.reason


def test_a_later_change_in_a_sentence_of_its_own_still_updates_c13(claims) -> None:
    # Guard: the later change is told away from the claim's own figure and years.
    match = stance_of(claims, "C13", "Turnout rules in 2026",
                      "The 50 per cent turnout floor was scrapped in 1998. In 2026 deputies "
                      "abolished the remaining rule on turnout reporting for maslikhat votes.",
                      published="2026-05-04")
    assert match.stance == "updates", match.reason


@pytest.mark.parametrize(("title", "text"), [
    ("Митинги: новый срок",
     "Депутаты приняли поправки в закон о мирных собраниях: уведомлять акимат о митинге теперь "
     "надо за два рабочих дня, а не за пять."),
    ("Митингке хабарлау",
     "Заңға енгізілген түзету бойынша митинг туралы әкімдікке енді бес күн емес, екі жұмыс күні "
     "бұрын хабарлау жеткілікті."),
])
def test_a_shorter_notice_set_against_the_claims_five_days_updates_c7(claims, title,
                                                                      text) -> None:
    match = stance_of(claims, "C7", title, text, published="2026-05-04")
    assert match.stance == "updates", match.reason


@pytest.mark.parametrize(("title", "text"), [
    ("Rally requests in Taraz",
     "Organisers must notify the akimat of a rally five days ahead; the akimat turned down four "
     "of seven requests, the city's rights group says."),
    ("Митинги в Таразе",
     "Организаторы обязаны уведомлять акимат о митинге за пять дней; по словам правозащитников, "
     "из семи заявок отклонены четыре."),
])
def test_a_small_count_of_something_else_is_not_set_against_the_notice(claims, title,
                                                                        text) -> None:
    # Guard: the small counts are of requests, not of the notice's days.
    match = stance_of(claims, "C7", title, text, published="2026-05-04")
    assert match.stance == "confirms", match.reason


@pytest.mark.parametrize(("title", "text"), [
    ("A turnout floor again?",
     "Three deputies tabled a bill under which a Majilis election would be valid only if at least "
     "40 per cent of voters take part. The old turnout requirement was dropped in 1998."),
    ("Порог явки: законопроект",
     "Группа депутатов внесла законопроект о пороге явки, по которому выборы в мажилис будут "
     "признаваться состоявшимися, если в них приняли участие не менее 40% избирателей. Прежний "
     "порог явки отменили в 1998 году."),
    ("Kelu shegi turaly zañ jobasy",
     "Deputattar zañ jobasyn engızdı: Mäjılıs saiylauy saiylauşylardyñ keminde 40 paiyzy "
     "qatysqanda ğana ötti dep tanyluy ūsynylady. Būrynğy shek 1998 jyly alynyp tastalğan."),
])
def test_a_bill_with_another_turnout_floor_updates_c13(claims, title, text) -> None:
    match = stance_of(claims, "C13", title, text, published="2026-05-04")
    assert match.stance == "updates", match.reason


def test_another_floor_told_of_the_claims_own_year_still_contradicts_c13(claims) -> None:
    # Guard: no bill; the figure is told of 1998 itself.
    match = stance_of(claims, "C13", "Turnout rules recalled",
                      "A historian recalls that in 1998 a Majilis election was valid only if at "
                      "least 40 per cent of voters took part, not half.", published="2026-05-04")
    assert match.stance == "contradicts", match.reason


def test_mps_proposing_a_turnout_floor_update_c13(claims) -> None:
    match = stance_of(claims, "C13", "MPs float a turnout floor",
                      "Four MPs proposed a 35 per cent minimum turnout for Majilis elections, "
                      "below which the vote would be held again.", published="2026-05-04")
    assert match.stance == "updates", match.reason


def test_a_deputy_proposing_a_step_of_procedure_is_no_bill(claims) -> None:
    # Guard: "proposed referring …" is procedure, not a rule proposed.
    match = stance_of(claims, "C13", "Turnout floor on the agenda",
                      "At a committee hearing a deputy proposed referring the turnout floor "
                      "question to a working group.", published="2026-05-04")
    assert match.stance == "mentions", match.reason


def test_an_advisory_council_with_deputies_among_its_members_proposing_is_no_bill(
        claims) -> None:
    # Guard: the council proposes; the deputies are only among its members.
    match = stance_of(claims, "C6", "Council session",
                      "At its session the National Council of Public Trust, whose members "
                      "include two deputies, proposed new rules for public hearings.",
                      published="2026-05-04")
    assert match.stance == "confirms", match.reason
