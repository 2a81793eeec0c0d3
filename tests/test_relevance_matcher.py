"""The compiled matcher and the scorer's settings: the fast path must find exactly what the
per-token index finds, and the weights and threshold must come from ``RelevanceSettings``."""

from __future__ import annotations

import random
import re
import tomllib
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest

from kzwatch.model import Claim, FeedItem
from kzwatch.relevance import RelevanceSettings, load_claims, numbers, score_item, translit, words
from kzwatch.relevance import text as text_module
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


def _random_texts(alphabet: str, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) for _ in range(n)]


def test_patterns_written_for_speed_match_as_their_plain_forms(labelled) -> None:
    """The number and sentence patterns start with a character class (their lookbehinds moved
    after it) and letters are counted on UTF-8 bytes: each must give what the plain form gives."""
    plain_number = re.compile(
        r"(?<![\d.,])(?P<num>\d{1,3}(?:[ ,.]\d{3})+(?![.,]?\d)|\d+(?:[.,]\d+)?)"
        + numbers._NUMBER_RE.pattern[numbers._NUMBER_RE.pattern.index(r"(?:\s*-?"):])
    plain_split = re.compile(
        r"(?<=[.!?…])\s+(?=[\"'«(]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9])|(?<=\.\.\.)\s+|\n+")
    texts = [row["title"] + "\n" + row["text"] for row in labelled]
    digits = texts + _random_texts("0123456789 ,.-%\n\u00a0aм", 20_000, 1)
    for text in digits:
        assert [(m.span(), m.groups()) for m in numbers._NUMBER_RE.finditer(text)] == \
            [(m.span(), m.groups()) for m in plain_number.finditer(text)], text
    for text in texts + _random_texts(".!?… \n\t\u00a0AaӘә1\"«(x", 20_000, 2):
        assert text_module._SENTENCE_SPLIT_RE.split(text) == plain_split.split(text), text
    letters = "aZzáÁäǵıIñҚқЀӿԀϿ 1\ud800" + "".join(sorted(translit.KAZAKH_LATIN_MARKS))
    for text in texts + _random_texts(letters, 20_000, 3):
        assert translit._letter_counts(text) == (
            sum(map(len, translit._LATIN_LETTER_RE.findall(text))),
            sum(map(len, translit._CYRILLIC_LETTER_RE.findall(text))))


def test_numbers_read_by_sentence_equal_extract_numbers(labelled) -> None:
    checked = 0
    for row in labelled:
        item = FeedItem(url="https://example.org/x", title=row["title"], text=row["text"],
                        lang=row.get("lang"))
        prep = prepare(item)
        assert prep is not None
        read = prep.numbers
        for index in range(len(read)):
            expected = extract_numbers(read.text(index))
            # Besides what is written: the year of a vote named by its day (a text naming no
            # year, `days.vote_years`), after the digits.
            voted = read.voted().get(index, [])
            written = [n for n in expected if n.text[:1].isdigit()]
            assert read.digits(index) == written + voted
            # Numbers in several words ("сорока тысяч") are read apart (``in_words``), last.
            assert read[index] + read.in_words(index) == written + voted + [
                n for n in expected if n not in written]
            checked += len(expected)
        assert read.years() == [n for i in range(len(read)) for n in read[i] if n.year]
    assert checked > 200


def test_numbers_as_words_take_the_short_path_to_the_same_forms() -> None:
    rng = random.Random(7)
    numbers_written = [str(n) for n in range(2_100)] + ["000", "007", "0100"] + [
        "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 18))) for _ in range(2_000)]
    for word in numbers_written:
        assert words._digit_forms(word) == words._word_forms(word), word


def test_a_vote_named_by_its_day_dates_a_text_that_names_no_year() -> None:
    item = FeedItem(url="https://example.org/x", title="Итоги выборов",
                    text="Явка на выборах в Мажилис 19 марта составила 54%.", lang="ru")
    assert prepare(item).numbers.years() == []  # without the claims' calendar: undated
    read = prepare(item, vote_days={(19, 3): 2023}).numbers
    assert [n.value for n in read.years()] == [2023.0]
    (index,) = read.voted()  # the sentence that names the day (the title is sentence 0)
    assert read.years_in(index) == frozenset({2023.0}) and read.with_digits() == [index]
    # A later year named elsewhere wins over an earlier vote's day (round 16: the day is the
    # story's own); the vote's own year named elsewhere leaves the day dating its sentence.
    later = FeedItem(url="https://example.org/y", title="Итоги выборов 2027 года",
                     text="Явка на выборах в Мажилис 19 марта составила 54%.", lang="ru")
    assert prepare(later, vote_days={(19, 3): 2023}).numbers.voted() == {}
    same = FeedItem(url="https://example.org/z", title="Итоги выборов 2023 года",
                    text="Явка на выборах в Мажилис 19 марта составила 54%.", lang="ru")
    assert list(prepare(same, vote_days={(19, 3): 2023}).numbers.voted().values()) == [
        [numbers.Number(2023.0, False, True, "2023")]]


def test_a_missing_pymorphy3_is_said_not_silent(monkeypatch, caplog) -> None:
    """Without pymorphy3 Russian words are matched by stems alone: one warning says so."""
    import sys

    monkeypatch.setitem(sys.modules, "pymorphy3", None)  # import fails
    words._morph.cache_clear()
    try:
        with caplog.at_level("WARNING", logger="kzwatch"):
            assert words._morph() is None
        assert any("pymorphy3 is not installed" in r.getMessage() for r in caplog.records)
    finally:
        monkeypatch.undo()
        words._morph.cache_clear()
    assert words._morph() is not None  # installed here: the analyser is back
