"""Rules of round 17 (mechanisms that recur across the development sets' real pages).  Each
test can fail: it names the rule's input and the answer the rule gives.  The texts are our
own."""

from __future__ import annotations

import pytest

from kzwatch.relevance.translit import is_kazakh_latin

# --- English pages are not Latin-script Kazakh on the chamber's name alone --------------------


@pytest.mark.parametrize("text", [
    # The chamber's Kazakh name twice, as English reports write it.
    "The Majilis met on Monday. Deputies of the Majilis then voted on the budget.",
    "Men queued outside the Mazhilis while the Mazhilis debated the bill.",
    # A German name's umlaut in a long English page.
    "Observer Jürgen Weber said the count in the capital went slowly and that the commission "
    "kept the room open to the press for the whole night of the vote.",
])
def test_english_page_is_not_latin_kazakh(text) -> None:
    assert not is_kazakh_latin(text, "en")


@pytest.mark.parametrize(("text", "lang"), [
    ("Mazhilis sailauy jyly otti, partiasy dauys jinady", None),  # Kazakh words beside the name
    ("Mäjılıs saılauy bıyl ötedı", "en"),  # a mislabelled item: marks in most words still count
    ("Jürgen", None),  # no language said: one mark is enough, as before
])
def test_latin_kazakh_still_read(text, lang) -> None:
    assert is_kazakh_latin(text, lang)
