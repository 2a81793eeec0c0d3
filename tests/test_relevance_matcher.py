"""The compiled matcher and the scorer's settings: the fast path must find exactly what the
per-token index finds, and the weights and threshold must come from ``RelevanceSettings``."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest

from kzwatch.model import Claim, FeedItem
from kzwatch.relevance import RelevanceSettings, load_claims, score_item
from kzwatch.relevance.compiled import Compiled, all_terms, compiled_claim
from kzwatch.relevance.numbers import extract_numbers
from kzwatch.relevance.scoring import claim_set, prepare
from kzwatch.relevance.text import Doc, Term, fast_tokens, find_term, term_hits
from kzwatch.textnorm import tokens

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def claims() -> list[Claim]:
    text = resources.files("kzwatch.data").joinpath("claims.toml").read_text(encoding="utf-8")
    return load_claims(text, "beimenbetov-2021")


@pytest.fixture(scope="module")
def labelled() -> list[dict]:
    return tomllib.loads((DATA / "labelled_items.toml").read_text(encoding="utf-8"))["item"]


def test_matcher_finds_what_the_token_index_finds(claims, labelled) -> None:
    terms = list(dict.fromkeys(t for c in claims for t in all_terms(compiled_claim(c))))
    matcher = claim_set(claims).matcher
    checked = 0
    for row in labelled:
        item = FeedItem(url="https://example.org/x", title=row["title"], text=row["text"],
                        lang=row.get("lang"))
        prep = prepare(item, matcher)
        assert prep is not None
        slow = Doc(prep.doc.sentences, latin_kazakh=bool(prep.doc.alts))
        assert slow.matcher is None
        for term in terms:
            fast_hits = find_term(prep.doc, term)
            assert fast_hits == find_term(slow, term), (row["id"], term.text)
            checked += bool(fast_hits)
    assert checked > 500  # the comparison saw real matches, not only empty lists


def _term_lists(c: Compiled) -> list[list[Term]]:
    lists = [c.anchors, c.support, c.update, c.change, c.weak_change, c.contradict, c.negative,
             c.unique, c.confirm, c.scope_own, c.scope_other, *c.context]
    lists += [t for pair in c.exclude for t in pair]
    lists += [t for old, new, _ in c.renames for t in (old, new)]
    return lists + [q["cues"] for q in c.quantities]


def test_term_lists_looked_up_as_id_sets_equal_the_term_by_term_lookup(claims, labelled) -> None:
    """The scorer finds every candidate term once per item and answers a claim's term list
    by intersecting ids; each list must get exactly what the per-term index lookup gets."""
    compiled = claim_set(claims)
    lists = [terms for c in compiled.compiled for terms in _term_lists(c)]
    non_empty = 0
    for row in labelled:
        item = FeedItem(url="https://example.org/x", title=row["title"], text=row["text"],
                        lang=row.get("lang"))
        prep = prepare(item, compiled.matcher)
        assert prep is not None
        fast = prep.doc
        compiled.find_terms(fast)
        slow = Doc(fast.sentences, latin_kazakh=bool(fast.alts))
        for terms in lists:
            got = term_hits(fast, terms)
            assert got == term_hits(slow, terms), (row["id"], [t.text for t in terms][:3])
            assert list(got) == list(term_hits(slow, terms))  # the list's order too
            non_empty += bool(got)
    assert non_empty > 1000


def test_chunked_tokens_equal_whole_text_tokens(labelled) -> None:
    for row in labelled:
        text = row["title"] + " " + row["text"]
        assert fast_tokens(text) == tokens(text)
    assert fast_tokens("Явка — 63,3 % (Нұр Отан)") == ["явка", "63,3", "%", "нур", "отан"]


def test_number_words_are_whole_words_only() -> None:
    assert [n.value for n in extract_numbers("шесть из семи")] == [6, 7]
    assert extract_numbers("стратегия партии") == []  # "три" inside a word is not a number


def test_threshold_and_weights_come_from_the_settings(claims) -> None:
    item = FeedItem(url="https://example.org/x",
                    title="Явка на выборах в Мажилис составила 63,3 процента",
                    text="ЦИК Казахстана сообщил о явке на парламентских выборах.")
    found = score_item(item, claims)
    assert found
    best = found[0]
    assert score_item(item, claims, settings=RelevanceSettings(threshold=best.score + 0.01)) \
        != found
    only_anchor = RelevanceSettings(threshold=0.0, w_anchor=0.5, w_anchor_in_title=0.0,
                                    w_extra_anchor=0.0, w_term=0.0, w_figure=0.0,
                                    w_quantity=0.0, w_change=0.0)
    scores = {m.claim_id: m.score for m in score_item(item, claims, settings=only_anchor)}
    assert scores[best.claim_id] == 0.5 and set(scores.values()) == {0.5}
    assert replace(only_anchor, w_anchor=0.3).w_anchor == 0.3


def test_cleared_compile_caches_rebuild_the_compiled_claim_set(claims) -> None:
    from kzwatch.relevance import compiled, text

    item = FeedItem(url="https://example.org/x", title="Nur Otan renamed Amanat",
                    text="Kazakhstan's ruling party Nur Otan was renamed Amanat in 2022.")
    before = score_item(item, claims)
    assert before
    compiled._COMPILED_CACHE.clear()  # a long run with many articles clears these caches
    text._term.cache_clear()
    text._tok.cache_clear()
    assert score_item(item, claims) == before
