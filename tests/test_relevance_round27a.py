"""Rule of round 27a: the Majilis seats won in districts, told with any words between ("мест …
в округах", "орны … округтерде"), are the later mixed system: C14 `updates`.  The rule cases
fail on the claims file before the round; the guard twins pass on both.  The texts are our
own."""

from __future__ import annotations

import pytest
from relevance_helpers import matches


@pytest.mark.parametrize(("title", "text"), [
    ("Итоги выборов в Мажилис",
     "Из 98 мест в Мажилисе Казахстана 29 мест достались кандидатам, победившим по "
     "одномандатным избирательным округам."),
    ("Пять лет спустя",
     "С тех пор треть мест в Мажилисе Казахстана стали разыгрывать в округах."),
    ("Бес жылдан кейін",
     "Содан бері Қазақстандағы сайлауда Мәжілістің үштен бір орны округтерде ойналатын болды."),
])
def test_majilis_seats_won_in_districts_update_c14(claims, title, text) -> None:
    found = matches(claims, title, text)
    assert "C14" in found
    assert found["C14"].stance == "updates"


def test_seats_without_districts_are_not_the_mixed_system(claims) -> None:
    # Guard twin: seats told alone (the party-list result) say nothing of the later system.
    text = "Партия «Ак жол» получила 12 мест в Мажилисе Казахстана."
    found = matches(claims, "Итоги выборов в Мажилис", text)
    assert "C14" not in found or found["C14"].stance != "updates"


def test_maslikhat_seats_in_districts_stay_another_body(claims) -> None:
    # Guard twin: a maslikhat's seats in districts are the local councils' rule, not the Majilis's.
    text = ("В маслихат Алматы 20 мест разыгрываются в округах; маслихаты избирают по "
            "смешанной системе.")
    assert "C14" not in matches(claims, "Выборы в маслихат", text)


def test_another_countrys_seats_in_districts_stay_foreign(claims) -> None:
    # Guard twin: Kyrgyzstan's parliament, its seats won in districts.
    text = "В Жогорку Кенеше Кыргызстана половина мест разыгрывается в одномандатных округах."
    assert "C14" not in matches(claims, "Выборы в Кыргызстане", text)
