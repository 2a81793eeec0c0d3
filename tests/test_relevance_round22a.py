"""Rules of round 22a (near-miss precision: the item's own date).  The rule case fails on the
scorer before the round; its guard twins pass on both.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import ARTICLE, matches

from kzwatch.relevance import load_claims

# --- An item published before the claim's subject came to be (scope.published_from) -------

_REFUSAL_EN = ("In Kazakhstan the Ministry of Justice refused to register the new party for a "
               "third time; its founders blame the registration threshold.")
_REFUSAL_RU = ("Министерство юстиции Казахстана вновь отказало инициативной группе: "
               "регистрация партии опять отложена.")


@pytest.mark.parametrize(("title", "text"), [
    ("A party turned away again", _REFUSAL_EN),
    ("Партии снова отказали", _REFUSAL_RU),
])
def test_a_refusal_published_before_2019_is_not_c8(claims, title, text) -> None:
    assert "C8" not in matches(claims, title, text, published="2009-06-01")


@pytest.mark.parametrize(("title", "text"), [
    ("A party turned away again", _REFUSAL_EN),
    ("Партии снова отказали", _REFUSAL_RU),
])
def test_the_same_refusal_published_after_2019_is_c8(claims, title, text) -> None:
    # Guard twin: the same story published once the rule the claim is about stands.
    assert "C8" in matches(claims, title, text, published="2021-06-01")


def test_an_undated_refusal_is_still_c8(claims) -> None:
    # Guard twin: without a publication date, the rule does not guess one.
    assert "C8" in matches(claims, "A party turned away again", _REFUSAL_EN)


def test_published_from_must_be_a_year() -> None:
    text = ('[[claim]]\nid = "X1"\ntext = "A claim."\nanchors = ["a"]\n'
            'scope = { published_from = "2019" }\n')
    with pytest.raises(ValueError, match="published_from"):
        load_claims(text, ARTICLE)
