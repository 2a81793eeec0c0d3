"""Rules of round 16 (mechanisms that recur across the development sets, docs/LABELLING.md).
Each test can fail: it names the rule's input and the answer the rule gives.  The texts are our
own."""

from __future__ import annotations

import pytest

from kzwatch.relevance.translit import arabic_to_cyrillic

# --- the hamza joined to its letter in Arabic-script Kazakh (ٸ = і) -----------------------------


@pytest.mark.parametrize(("arabic", "cyrillic"), [
    ("بٸرلٸك", "бірлік"),  # ٸ is і
    ("تٸلدى", "тілді"),  # and marks a front word: its ى is і, not ы
])
def test_high_hamza_yeh_reads_as_i(arabic, cyrillic) -> None:
    assert arabic_to_cyrillic(arabic) == cyrillic
