"""Rules of round 14 (mechanisms that recur across the development sets, docs/LABELLING.md):
a claim that reports a dispute is restated by an item that tells the dispute again.  Each test
can fail: it names the rule's input and the answer the rule gives.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import ARTICLE, matches, stance_of

from kzwatch.relevance import extract_numbers, load_claims

# --- the claim's own dispute told again (C1 quantity ``contested``) ------------------------------


@pytest.mark.parametrize(("title", "text"), [
    ("Old quarrel over turnout", "Monitors from MISK say that 35.10% of voters came to "
     "the January 2021 Majilis vote, not the 63% the commission gave out."),
    ("Спор о явке не утих", "Наблюдатели МИСК снова пишут, что на выборах в Мажилис в январе "
     "2021 года явка была 35,10%, а не 63%."),
    ("Turnout still in dispute", "The commission's 63 percent for the 2021 lower-house vote is "
     "still disputed: MISK volunteers counted 35.10 percent."),
])
def test_the_observers_figure_against_the_official_one_confirms_c1(claims, title, text) -> None:
    assert stance_of(claims, "C1", title, text).stance == "confirms"


@pytest.mark.parametrize(("title", "text"), [
    # The official's side: the observers' Almaty figure denied, another figure given.
    ("Commission answers", "The commission chair said Almaty turnout in the 2021 Majilis vote "
     "was 42 percent, not 30.6 percent, and rejected the observers' count."),
    # The contested figure denied with no other side told: still a dispute of the claim.
    ("Turnout row", "Turnout at the 2021 Majilis election was not 63%, a blogger insisted."),
])
def test_one_side_alone_is_still_a_dispute(claims, title, text) -> None:
    assert stance_of(claims, "C1", title, text).stance == "contradicts"


def test_contested_must_name_one_of_the_quantitys_values() -> None:
    bad = """
[[claim]]
id = "X1"
text = "t"
anchors = ["turnout"]
[[claim.quantity]]
name = "turnout"
cues = ["turnout"]
values = [50]
unit = "%"
contested = [40]
"""
    with pytest.raises(ValueError, match=r"claim X1.*'contested' must list some of its 'values'"):
        load_claims(bad, ARTICLE)


# --- the change the claim itself reports (``_own_change``: two of its figures, no other) -------


def test_the_claims_own_cut_told_again_confirms_c8(claims) -> None:
    found = stance_of(claims, "C8", "Party bar", "Only one of seven groups that applied to "
                      "register a party got through, even though the membership bar was cut "
                      "from 40,000 to 20,000 members.")
    assert found.stance == "confirms"


def test_a_cut_to_a_new_figure_is_still_an_update(claims) -> None:
    found = stance_of(claims, "C8", "Party bar", "The membership bar for registering a party, "
                      "once 40,000 and then 20,000 members, was cut to 5,000 members.")
    assert found.stance == "updates"


# --- Kazakh communities abroad (@abroad phrases; ``text.hits_outside``) -------------------------------


#: Each community abroad, and the same sentence told of Kazakhstan (which C16 reads: the place
#: is what the rule turns on).
COMMUNITIES = [
    ("Kazakhs in Mongolia number about a hundred thousand, and half of them are young people "
     "under 30.", "Mongolia", "Kazakhstan"),
    ("Среди казахов Синьцзяна почти половина населения моложе 30 лет, пишет демограф.",
     "Синьцзяна", "Казахстана"),
    ("Баян-Өлгий аймағы халқының жартысы 30 жасқа толмаған жастар.", "Баян-Өлгий аймағы",
     "Қазақстан"),
]


@pytest.mark.parametrize(("text", "abroad", "home"), COMMUNITIES)
def test_a_kazakh_community_abroad_is_not_the_countrys_population(claims, text, abroad,
                                                                    home) -> None:
    assert "C16" not in matches(claims, "Young people", text)


@pytest.mark.parametrize(("text", "abroad", "home"), COMMUNITIES)
def test_the_same_sentence_told_of_kazakhstan_is_c16(claims, text, abroad, home) -> None:
    assert "C16" in matches(claims, "Young people", text.replace(abroad, home))


def test_the_country_named_beside_a_community_abroad_keeps_c16(claims) -> None:
    found = matches(claims, "Young country", "Half of Kazakhstan's 18 million people are under "
                    "30, the survey found; it did not count the Kazakhs of Xinjiang.")
    assert "C16" in found


# --- numbers written in several words (``numbers._compound_words``) ------------------------------


@pytest.mark.parametrize(("text", "value"), [
    ("елде он сегіз миллион адам бар", 18_000_000),
    ("порог в сорока тысяч членов", 40_000),
    ("a bar of forty thousand members", 40_000),
    ("более трёхсот сорока тысяч бюллетеней", 340_000),
    ("үш жүз қырық мыңнан астам", 340_000),
    ("сексен тоғыз мың бес жүз бес жас", 89_505),
])
def test_a_number_in_several_words_is_read_as_one_value(text, value) -> None:
    assert value in [n.value for n in extract_numbers(text)]


@pytest.mark.parametrize("text", ["Он пять лет ждал ответа.", "Он сорок минут стоял.",
                                  "шесть из семи заявок"])
def test_russian_he_and_separate_counts_make_no_compound(text) -> None:
    values = [n.value for n in extract_numbers(text)]
    assert all(v < 10 for v in values), values


def test_the_population_in_words_confirms_c16(claims) -> None:
    found = stance_of(claims, "C16", "Молодая страна", "Из восемнадцати миллионов жителей "
                      "Казахстана половина моложе 30 лет.")
    assert found.stance == "confirms"


def test_a_title_naming_the_claims_own_cut_is_not_news(claims) -> None:
    found = stance_of(claims, "C8", "Bar lowered", "The membership needed to register a party "
                      "in Kazakhstan fell from forty thousand to twenty thousand, and six of "
                      "seven groups that applied were turned away.")
    assert found.stance == "confirms"


def test_the_claims_own_word_is_not_a_dispute(claims) -> None:
    found = stance_of(claims, "C8", "Parties", "In Kazakhstan six of seven applications to "
                      "register a party were denied after the membership bar fell from 40,000 "
                      "to 20,000.")
    assert found.stance == "confirms"


# --- C12 in Kazakh: a pardon updates it, "әлі бар" restates it (claims file) ------------------


def test_a_pardon_told_in_kazakh_updates_c12(claims) -> None:
    found = stance_of(claims, "C12", "Жарлық", "Мемлекет басшысы құқық қорғаушылар саяси тұтқын "
                      "деп санаған бес азаматқа кешірім жасады.", "2027-02-01")
    assert found.stance == "updates"


def test_political_prisoners_still_held_told_in_kazakh_confirm_c12(claims) -> None:
    found = stance_of(claims, "C12", "Баяндама", "Құқық қорғаушылардың жаңа баяндамасына "
                      "қарағанда, елдің түрмелерінде саяси тұтқындар әлі бар.")
    assert found.stance == "confirms"


# --- C3: the OSDP named where no vote is spoken of (``named_alone``) -----------------------------


@pytest.mark.parametrize(("title", "text"), [
    ("ОСДП и учителя", "ОСДП провела в Актобе встречу с учителями о зарплатах и нагрузке."),
    ("OSDP spokeswoman", "The OSDP named a new spokeswoman for its Pavlodar branch, who promised "
     "to speak on heating prices."),
])
def test_an_osdp_story_on_other_matters_mentions_c3(claims, title, text) -> None:
    assert stance_of(claims, "C3", title, text).stance == "mentions"


def test_an_osdp_story_about_the_election_system_still_needs_c3s_context(claims) -> None:
    found = matches(claims, "Реформа", "Лидер ОСДП предложил перейти на смешанную систему "
                    "выборов в Мажилис.")
    assert "C3" not in found
    # With the claim's context told, the same story is C3's.
    assert "C3" in matches(claims, "Реформа", "Лидер ОСДП, бойкотировавшей выборы в Мажилис "
                           "2021 года, предложил перейти на смешанную систему выборов в Мажилис.")


def test_the_osdp_sitting_a_vote_out_is_not_a_mere_mention(claims) -> None:
    found = stance_of(claims, "C3", "ОСДП", "ОСДП заявила, что не будет участвовать в выборах "
                      "в Мажилис и объявляет бойкот.")
    assert found.stance != "mentions"


def test_named_alone_needs_names() -> None:
    bad = '[[claim]]\nid = "X1"\ntext = "t"\nanchors = ["a"]\nnamed_alone = { unless = ["b"] }\n'
    with pytest.raises(ValueError, match=r"claim X1: named_alone: must be a table"):
        load_claims(bad, ARTICLE)


# --- a body named as someone's past seat on it (C6 ``past_members``) ----------------------------


@pytest.mark.parametrize(("title", "text"), [
    ("National Council of Public Trust veteran's memoir", "A novelist who once sat on the National Council of Public Trust has "
     "published a memoir about her village childhood."),
    ("НСОД: бывший член стал директором музея", "Музей истории возглавил бывший член Национального совета "
     "общественного доверия, историк и краевед."),
])
def test_a_past_seat_on_the_council_mentions_c6(claims, title, text) -> None:
    assert stance_of(claims, "C6", title, text, "2027-02-01").stance == "mentions"


def test_the_council_named_at_work_later_still_confirms_c6(claims) -> None:
    found = stance_of(claims, "C6", "National Council of Public Trust meets", "The National "
                      "Council of Public Trust met in Astana on Monday and discussed water "
                      "prices.", "2027-02-01")
    assert found.stance == "confirms"


# --- C14 in Kazakh: independents and self-nomination (claims file anchors) ----------------------


@pytest.mark.parametrize(("title", "text"), [
    ("Тәуелсіз кандидаттар Мәжіліске түсе ала ма", "Заңгердің айтуынша, Мәжіліс сайлауына тәуелсіз кандидаттар да түсе "
     "алады."),
    ("Өзін-өзі ұсыну қайта оралды", "Мәжіліс депутаттығына өзін-өзі ұсыну енді рұқсат етілді, деді комиссия "
     "мүшесі."),
])
def test_independents_told_in_kazakh_reach_c14(claims, title, text) -> None:
    assert "C14" in matches(claims, title, text, "2023-02-01")
