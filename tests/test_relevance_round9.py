"""Rules of round 9 (real pages, docs/LABELLING.md): scope vetoes that misfired on a renaming
story and on a referendum story about the successor chamber, and the words of that chamber.
Each test can fail: it names the rule's input and the answer the rule gives.  The texts are
our own."""

from __future__ import annotations

from relevance_helpers import matches, stance_of

# --- a renaming story recounts the party's history (C2) -----------------------------------------


def test_a_renaming_with_the_partys_founding_years_is_c2_updates(claims) -> None:
    match = stance_of(claims, "C2", "Партия Nur Otan сменила название на Amanat",
                      "Съезд переименовал партию Нур Отан в Аманат. Партию основали в 1999 "
                      "году, в 2006 году она сменила имя.", published="2022-03-01")
    assert match.stance == "updates"


def test_the_partys_history_without_the_rename_is_still_out_of_scope(claims) -> None:
    found = matches(claims, "История партии Нур Отан",
                    "Нур Отан набрала большинство голосов на выборах в Мажилис в 2004 и 2007 "
                    "годах.", published="2022-03-01")
    assert "C2" not in found


# --- the one-chamber parliament that would replace the Majilis (C14) ----------------------------


def test_a_referendum_on_a_one_chamber_parliament_elected_by_lists_is_c14_updates(claims) -> None:
    match = stance_of(claims, "C14", "Президент назначил референдум",
                      "В 2025 году Токаев предложил сделать парламент Казахстана однопалатным и "
                      "избирать его только по партийным спискам.", published="2026-02-11")
    assert match.stance == "updates"


def test_a_referendum_that_does_not_say_how_deputies_are_elected_stays_another_vote(
        claims) -> None:
    found = matches(claims, "Референдум в Казахстане",
                    "На референдуме граждане голосуют за однопалатный парламент; эксперты "
                    "вспоминают смешанную систему.", published="2026-03-15")
    assert "C14" not in found


def test_proportional_representation_in_russian_long_form_anchors_c14(claims) -> None:
    found = matches(claims, "Выборы в новый парламент Казахстана",
                    "Депутатов парламента будут избирать по системе пропорционального "
                    "представительства по единому округу.", published="2026-02-11")
    assert "C14" in found


# --- the People's Council, the Kurultai's proposed successor (C6) -------------------------------


def test_the_peoples_council_in_a_draft_constitution_is_c6_updates(claims) -> None:
    match = stance_of(claims, "C6", "Проект новой Конституции Казахстана",
                      "В проекте появился раздел о Халық кеңесі: орган сможет вносить "
                      "законопроекты.", published="2026-02-01")
    assert match.stance == "updates"


def test_the_peoples_council_called_consultative_is_still_an_update(claims) -> None:
    match = stance_of(claims, "C6", "Референдум по новой Конституции",
                      "Вместо Национального курултая Казахстана проект создает Халык "
                      "кенесы, новый консультативный орган.", published="2026-02-01")
    assert match.stance == "updates"


def test_the_kurultai_elected_by_proportional_representation_is_c14_updates(claims) -> None:
    match = stance_of(claims, "C14", "Выборы в Курултай",
                      "Нынешний двухпалатный парламент Казахстана уйдёт в отставку в 2026 году. "
                      "Все 150 мест в Курултае распределят между партийными списками по системе "
                      "пропорционального представительства.", published="2026-02-11")
    assert match.stance == "updates"


# --- stance: the claim's own figure, a call to free prisoners -----------------------------------


def test_the_claims_own_membership_figure_with_a_count_of_registered_parties_confirms(
        claims) -> None:
    match = stance_of(claims, "C8", "New parties in Kazakhstan",
                      "Three political parties are being formed in Kazakhstan. For its "
                      "registration a party needs at least 20 thousand members. So far the country has "
                      "registered six political parties.", published="2021-06-01")
    assert match.stance == "confirms"


def test_a_call_to_free_political_prisoners_is_not_their_release(claims) -> None:
    match = stance_of(claims, "C12", "Акция в Астане",
                      "Активисты в Астане призвали освободить политических заключённых "
                      "Казахстана.", published="2024-05-01")
    assert match.stance == "confirms"


def test_the_nsod_named_with_no_change_still_stands(claims) -> None:
    match = stance_of(claims, "C6", "Национальный совет общественного доверия собрался снова",
                      "В Нур-Султане прошло заседание НСОД.", published="2020-02-01")
    assert match.stance == "confirms"


def test_a_person_the_claim_names_is_not_read_as_a_state_that_stands(claims) -> None:
    found = matches(claims, "Жанболат Мамай выступил в Алматы",
                    "Лидер Демократической партии Казахстана Жанболат Мамай провел встречу "
                    "с журналистами в Алматы.", published="2022-02-01")
    assert "C8" in found, sorted(found)  # the rule is about C8's stance: it must be flagged
    assert "named later" not in found["C8"].reason
