"""Rules of round 8 (real pages, docs/LABELLING.md): a party that is not the claim's, a body
that is not the claim's, a later vote's self-nomination.  Each test can fail: it names the
rule's input and the answer the rule gives.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import matches

from kzwatch.model import FeedItem

# --- a party that is not the claim's (C8: Mamay's Democratic Party) ----------------------------


def test_the_social_democrats_full_russian_name_is_not_mamays_party(claims) -> None:
    found = matches(claims, "Оппозиция в Казахстане отказалась от выборов",
                    "Общенациональная социал-демократическая партия Казахстана решила не "
                    "участвовать в выборах, сообщил съезд партии, в которой тысячи членов.")
    assert "C8" not in found


def test_mamays_democratic_party_is_still_c8(claims) -> None:
    found = matches(claims, "Минюст снова отказал",
                    "Демократическая партия Казахстана Жанболата Мамая снова не получила "
                    "регистрацию: Минюст отказал в регистрации партии.")
    assert "C8" in found


# --- a body that is not the claim's (C14: the Majilis's party lists) ---------------------------


def test_a_maslikhat_self_nominee_is_not_the_majilis_rule(claims) -> None:
    found = matches(claims, "Самовыдвиженка проиграла выборы",
                    "Активистка из Павлодара участвовала в выборах в маслихат как "
                    "самовыдвиженка по избирательному округу №5 и проиграла 40 голосов.")
    assert "C14" not in found


def test_self_nomination_to_the_majilis_is_still_c14(claims) -> None:
    found = matches(claims, "Самовыдвиженцы вернутся в Мажилис",
                    "В Казахстане самовыдвиженцы снова смогут избираться в Мажилис по "
                    "одномандатным округам: 30% депутатов Мажилиса.")
    assert "C14" in found


# --- a later vote's self-nomination (C15: the OSCE verdict on the 2021 vote) -------------------


def test_an_osce_mission_praising_self_nomination_is_a_later_vote(claims) -> None:
    found = matches(claims, "ЕҚЫҰ миссиясы жұмысын аяқтады",
                    "ЕҚЫҰ бақылаушылары миссиясының басшысы өзін-өзі ұсыну құқығы "
                    "кандидаттар арасындағы бәсекені күшейткенін атап өтті.")
    assert "C15" not in found


def test_the_osce_verdict_on_the_majilis_vote_is_still_c15(claims) -> None:
    found = matches(claims, "ЕҚЫҰ: Мәжіліс сайлауында нақты бәсекелестік болмады",
                    "ЕҚЫҰ бақылаушылары миссиясы Қазақстандағы Мәжіліс сайлауы тыныш өтті, "
                    "бірақ сайлаушыларға нақты балама болмады деп мәлімдеді.")
    assert "C15" in found


# --- an excerpt's " ... " ends a sentence; a bound lies near its figure ------------------------


def test_an_ellipsis_ends_a_sentence_even_before_a_lowercase_word() -> None:
    from kzwatch.relevance.text import sentences_of
    item = FeedItem(url="https://example.org/x", title="t",
                    text="Amanat took more than 50 percent ... turnout was 54 percent.")
    assert sentences_of(item) == ["t", "Amanat took more than 50 percent ...",
                                  "turnout was 54 percent."]


def test_a_party_share_and_a_turnout_across_an_ellipsis_are_not_a_turnout_rule(claims) -> None:
    found = matches(claims, "Exit poll in Kazakhstan",
                    "Amanat will get more than 50 percent ... turnout was 54 percent.")
    assert "C13" not in found


@pytest.mark.parametrize(("value", "claimed", "agrees"), [
    (54.0, 63.25, False),   # "over 54%" is a rounded 54.x%, not the claim's 63.25%
    (60.0, 63.25, True),    # "more than 60%" holds 63.25% and lies near it
    (350.0, 360.0, True),
])
def test_a_lower_bound_agrees_only_near_the_claimed_value(value, claimed, agrees) -> None:
    from kzwatch.relevance.qualifiers import consistent
    assert consistent("over", value, claimed, 0.5) is agrees


# --- C7: a "peaceful rally" with a law in its sentence is the assembly law ---------------------


def test_a_peaceful_rally_under_a_bill_is_the_assembly_law(claims) -> None:
    found = matches(claims, "Министр митинг туралы түсіндірді",
                    "Әкімдік бейбіт митингке арнайы орын белгілейді деп жазылған жаңа заң жобасы.")
    assert "C7" in found


def test_a_peaceful_rally_without_a_law_is_not_the_assembly_law(claims) -> None:
    found = matches(claims, "Алматыда бейбіт митинг өтті",
                    "Алматыда белсенділер бейбіт митинг өткізді, әкімдік рұқсат берді.")
    assert "C7" not in found


# --- Kazakh Latin loanwords: "aksiia" is акция, "pensiia" stays пенсия -------------------------


@pytest.mark.parametrize(("latin", "cyrillic"), [
    ("aksiia", "акция"), ("polisiia", "полиция"), ("sanksiia", "санкция"),
    ("konstitusiia", "конституция"), ("pensiia", "пенсия"), ("komissiia", "комиссия"),
    ("partiia", "партия"), ("partiasy", "партиясы"), ("sailauy", "сайлауы"),
])
def test_kazakh_latin_loanwords_read_as_their_cyrillic(latin, cyrillic) -> None:
    from kzwatch.relevance.translit import latin_to_cyrillic
    assert latin_to_cyrillic(latin) == cyrillic


def test_an_oyan_action_in_kazakh_latin_is_a_rally_for_c11(claims) -> None:
    found = matches(claims, "Almatyda Oyan belsendılerı aksiia ötkızdı",
                    "Almaty Oyan qozǧalysynyŋ belsendılerı aksiia ötkızdı. Polisiia "
                    "belsendılerdı ūstap äkettı.")
    assert "C11" in found


# --- C8: a CEC registering candidate lists is not a party's registration -----------------------


def test_registered_candidate_lists_are_not_party_registration(claims) -> None:
    found = matches(claims, "Kazakhstan's election commission prepares the vote",
                    "The Central Election Commission registered candidate lists of five "
                    "political parties; 98 of the 107 members are elected from party lists "
                    "with a seven per cent threshold.")
    assert "C8" not in found


def test_a_refused_party_registration_is_still_c8(claims) -> None:
    found = matches(claims, "Kazakhstan's justice ministry again refused to register a party",
                    "The Ministry of Justice refused registration to the party, which needs "
                    "20,000 members; no new party has been registered in Kazakhstan.")
    assert "C8" in found


# --- a vote claim: a later vote's result in an anchor's sentence updates it ----------------------


def test_a_later_votes_share_for_the_osdp_updates_c3(claims) -> None:
    found = matches(claims, "2023 elections in Kazakhstan: six parties enter the Majilis",
                    "Amanat won 53.9%, and the National Social Democratic Party 5.2% of the "
                    "votes in the Majilis election.")
    assert found["C3"].stance == "updates"


def test_a_party_congress_before_a_later_vote_only_mentions_c3(claims) -> None:
    found = matches(claims, "Kazakh Social Democrats elect a new chairman",
                    "The OSDP congress in Almaty chose a new leader ahead of the 2023 campaign.")
    assert found["C3"].stance == "mentions"
