"""Does a news item bear on one of the article's claims, and how?  (pure core)

Discovery finds items in feeds and listing pages; this module decides, for each item and each
claim, whether the item bears on the claim and with what stance:

* ``confirms``    — it repeats the claim's figures or substance;
* ``updates``     — it reports a change since the article: a newer figure, an amended law, a
                    body renamed or replaced;
* ``contradicts`` — it gives a different figure for the same event, or disputes the claim;
* ``mentions``    — it bears on the claim without saying which way.

Precision comes first, so a claim is only scored when a *gate* passes:

1. at least one of the claim's **anchors** (claim-specific names and phrases) occurs;
2. every **context** group matches at least once (this is Kazakhstan; this is the Majilis vote);
   the first (the country) also counts as met when the item names no other country (the
   claim's ``elsewhere`` terms): Kazakh outlets report "the CEC" without naming their own;
3. no **exclude** guard fires (an item about Kyrgyz elections, Russia's "против всех" debate or
   the presidential turnout shares words with a claim but not the claim).

Then supporting terms, the claim's figures and measured quantities add to a score in [0, 1];
items at or above ``threshold`` are returned with their evidence and a stance with its reason.

Matching works on ``textnorm`` tokens and is inflection- and script-insensitive: two tokens
match when their normalised forms, their romanisation keys or their Russian/Kazakh/English stems
agree, or when they share a long prefix with short endings (``курултай``/``курултая``).  Terms of
several words must match consecutive tokens (one short function word may intervene).

The claims file format is documented at the top of ``kzwatch/data/claims.toml``.

Package layout: ``claimsfile`` (parsing the claims file), ``translit`` (Latin and Arabic-script
Kazakh into Cyrillic), ``words`` (tokens, lemmas, the matcher), ``text`` (sentences, documents,
term matching), ``numbers``, ``compiled`` (claims
compiled for matching), ``claimset`` (claims compiled for many items), ``scoring`` (gate, evidence, score), ``stance``, ``explain`` (why an
item scored as it did), ``evaluation`` (precision/recall on labelled items), ``learned`` (an
optional second opinion for recall: nearest labelled exemplars, within the rules' vetoes).
"""

from kzwatch.relevance.claimsfile import load_claims
from kzwatch.relevance.evaluation import evaluate
from kzwatch.relevance.numbers import Number, extract_numbers
from kzwatch.relevance.scoring import DEFAULT_THRESHOLD, score_item
from kzwatch.relevance.settings import DEFAULT_SETTINGS, RelevanceSettings, second_opinion_model

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEFAULT_SETTINGS",
    "RelevanceSettings",
    "load_claims",
    "score_item",
    "evaluate",
    "extract_numbers",
    "Number",
    "second_opinion_model",
]
