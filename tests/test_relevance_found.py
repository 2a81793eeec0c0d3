"""Terms found once per item for all claims (``ClaimSet.find_terms``, speed round 7): each
shortcut must find exactly what the term-by-term lookup of a document read without the
matcher finds."""

from __future__ import annotations

import gc
import random
import tomllib
import weakref
from collections import defaultdict
from pathlib import Path

import pytest
from relevance_helpers import packaged_claims

from kzwatch.model import FeedItem
from kzwatch.relevance import qualifiers
from kzwatch.relevance.claimset import ClaimSet, claim_set
from kzwatch.relevance.numbers import SentenceNumbers, extract_numbers, fold_text
from kzwatch.relevance.qualifiers import qualifier
from kzwatch.relevance.quantities import numbers_in_terms, values_in_term
from kzwatch.relevance.scoring import _claim_figures, prepare
from kzwatch.relevance.text import Doc, find_term, term_hits
from kzwatch.relevance.translit import latin_in_cyrillic

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def compiled() -> ClaimSet:
    return claim_set(packaged_claims())


@pytest.fixture(scope="module")
def docs(compiled: ClaimSet) -> list[tuple[Doc, Doc]]:
    """(read by the matcher with its terms found, read without the matcher) per labelled
    development and test item."""
    rows = []
    for name in ("labelled_items.toml", "labelled_items_test.toml"):
        rows += tomllib.loads((DATA / name).read_text(encoding="utf-8"))["item"]
    pairs = []
    for row in rows:
        item = FeedItem(url="https://example.org/x", title=row["title"], text=row["text"],
                        lang=row.get("lang"))
        prep = prepare(item, compiled.matcher)
        assert prep is not None
        compiled.find_terms(prep.doc)
        pairs.append((prep.doc, Doc(prep.doc.sentences, latin_kazakh=bool(prep.doc.alts))))
    return pairs


def test_combined_terms_found_from_their_parts_equal_find_term(compiled, docs) -> None:
    combined = [term for term in compiled.terms.values() if term.parts]
    assert len(combined) > 20
    found = 0
    for fast, slow in docs:
        assert fast.found is not None
        for term in combined:
            expected = find_term(slow, term)
            assert fast.found.get(id(term), []) == expected, term.text
            found += bool(expected)
            for part in term.parts:  # what is left for later asks is unchanged too
                assert fast.find(part) == slow.find(part), part.text
    assert found > 100  # real occurrences were compared, not only empty lists


def test_candidates_made_on_first_use_and_bits_by_token_equal_the_eager_ones(compiled,
                                                                            docs) -> None:
    for fast, _ in docs:
        singles = {term_id for tok_id in fast.hits
                   for term_id in compiled.single_terms.get(tok_id, ())}
        longer = {entry[0] for entry in compiled._longer_candidates(fast)}
        assert fast.found is not None
        eager_bits = 0
        for term_id in singles:
            eager_bits |= compiled.terms[term_id].bit
        for term_id in fast.found:
            eager_bits |= compiled.terms[term_id].bit
        assert fast.found_bits == eager_bits
        assert fast.candidates == singles | longer
    assert sum(bool(fast.found) for fast, _ in docs) > 100


def test_the_sentence_folded_once_is_the_sentence_folded(docs) -> None:
    """A quantity's numbers are qualified on the item's folded sentence
    (``SentenceNumbers.folded_sentence``, cached per item), Latin Kazakh included: it must be
    what folding the sentence as written gives (``qualifier`` and ``change_target`` fold it
    themselves when not given it)."""
    read = 0
    for fast, _ in docs:
        for latin in (False, True):
            numbers = SentenceNumbers(fast.sentences, latin_in_cyrillic if latin else None)
            for s_idx, sentence in enumerate(fast.sentences):
                assert numbers.folded_sentence(s_idx) == fold_text(sentence)
                read += 1
    assert read > 1000


def test_a_scored_item_is_freed_without_the_cyclic_garbage_collector(compiled) -> None:
    """A document holds no reference cycle (a closure over it did, in an earlier draft of
    the lazy candidates): the cyclic collector would then have to free every item, and its
    passes over the scorer's large caches cost more than the work saved."""
    item = FeedItem(url="https://example.org/x", title="Явка на выборах в Мажилис 63,3%",
                    text="ЦИК Казахстана сообщил, что явка составила 63,3 процента.")
    prep = prepare(item, compiled.matcher)
    assert prep is not None
    compiled.find_terms(prep.doc)
    assert prep.doc.candidates  # made on first use
    held = [weakref.ref(prep.doc), weakref.ref(prep.numbers)]
    gc.disable()
    try:
        del prep
        assert [ref() for ref in held] == [None, None]
    finally:
        gc.enable()


def _qualifier_running_every_pattern(sentence: str, number_text: str) -> str:
    """``qualifiers.qualifier`` as it was: the ten patterns run for every number."""
    folded = fold_text(sentence)
    found = qualifiers._written(number_text).search(folded)
    if found is None:
        return ""
    at = found.start()
    before = folded[max(0, at - 24):at].rstrip(" ~≈-—–:")
    for name, pattern in qualifiers._QUALIFIER_BEFORE:
        if pattern.search(before):
            return name
    if folded[max(0, at - 1):at] in ("~", "≈"):
        return "about"
    after = folded[at + len(number_text):at + len(number_text) + 24]
    for name, pattern in qualifiers._QUALIFIER_AFTER:
        if pattern.search(after):
            return name
    return ""


def test_qualifier_prefilter_finds_what_every_pattern_finds(docs) -> None:
    rng = random.Random(7)
    words = ["более", "не менее", "наиболее", "less than", "at most", "около", "some", "а не",
             "не", "нет", "not", "rather than", "instead of", "up from", "вместо", "кем дегенде",
             "астам", "аса", "кем", "аз", "азат", "жуык", "емес", "орнына", "пайыз", "%", "~",
             "≈", "—", ":", "(", ",", "\n", "\t", " ", "  ", "x", "Более", "ОКОЛО"]
    cases = [(s, n.text) for fast, _ in docs for s in fast.sentences[:4]
             for n in extract_numbers(s)]
    for _ in range(20_000):
        number = rng.choice(["63,3", "5", "20 000", "7%", "12"])
        text = "".join(rng.choice(words) + rng.choice(["", " "]) for _ in range(rng.randint(0, 6)))
        tail = "".join(rng.choice(words) + rng.choice(["", " "]) for _ in range(rng.randint(0, 4)))
        cases.append((f"{text}{number}{tail}", number))
    named = 0
    for sentence, number_text in cases:
        expected = _qualifier_running_every_pattern(sentence, number_text)
        assert qualifier(sentence, number_text) == expected, (sentence, number_text)
        named += bool(expected)
    assert named > 2000  # qualifiers were found, not only plain numbers compared


def test_numbers_in_own_terms_are_those_of_every_own_term(compiled, docs) -> None:
    """``quantities.numbers_in_terms`` looks only at the terms written with a number; it must
    give what reading every found anchor and supporting term gives."""
    seen = 0
    for fast, _ in docs:
        for claim_compiled in compiled.compiled:
            own = {**term_hits(fast, claim_compiled.anchors),
                   **term_hits(fast, claim_compiled.support)}
            expected: dict[int, set[float]] = defaultdict(set)
            for text, occ in own.items():
                for value in values_in_term(text):
                    expected.update({s: expected[s] | {value} for s, _, _ in occ})
            got = numbers_in_terms(_claim_figures(claim_compiled).numbered_terms, own)
            assert {s: v for s, v in got.items() if v} == {s: v for s, v in expected.items() if v}
            seen += bool(expected)
    assert seen > 20


def test_second_opinion_text_vector_counted_by_word_is_the_feature_count_to_the_last_bit(
        docs) -> None:
    """The second opinion's columns counted by ``Counter`` over cached per-word columns must
    be the columns and weights of counting every feature, in the same (first-seen) order."""
    import numpy as np

    from kzwatch.relevance.learned import features, packaged

    model = packaged()
    compared = 0
    for fast, _ in docs[::3]:
        for lang in ("ru", None):
            counted = model._vector(features(fast.sentences, lang))
            cached = model.text_vector(fast.sentences, lang)
            assert np.array_equal(counted[0], cached[0])
            assert np.array_equal(counted[1], cached[1])  # to the last bit
            compared += len(cached[0]) > 50
    assert compared > 100
