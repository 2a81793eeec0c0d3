"""Per-item and shared machinery the scorer reads once instead of once per claim (speed
round 6): each must give exactly what the per-claim or per-word code it replaces gives."""

from __future__ import annotations

import random
import re
import tomllib
from pathlib import Path

import pytest
from relevance_helpers import packaged_claims

from kzwatch.model import FeedItem
from kzwatch.relevance import days, stance_words
from kzwatch.relevance.claimset import vote_days_of
from kzwatch.relevance.compiled import compile_terms
from kzwatch.relevance.negation import negated
from kzwatch.relevance.scoring import prepare
from kzwatch.relevance.settings import DEFAULT_SETTINGS
from kzwatch.relevance.translit import _LATIN_WORD_RE, latin_in_cyrillic, latin_to_cyrillic

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def texts() -> list[str]:
    rows = []
    for name in ("labelled_items.toml", "labelled_items_test.toml"):
        rows += tomllib.loads((DATA / name).read_text(encoding="utf-8"))["item"]
    return [r["title"] + ". " + r["text"] for r in rows]


def test_the_same_terms_compile_to_one_shared_list() -> None:
    a = compile_terms(["Казахстан", "Kazakhstan", "Қазақстан"])
    b = compile_terms(["Казахстан", "Kazakhstan", "Қазақстан"])
    other = compile_terms(["Казахстан", "Kazakhstan"])
    assert a is b and a is not other  # a document answers a once for every claim listing it
    assert [t.text for t in a] == ["Казахстан", "Kazakhstan", "Қазақстан"]


def test_latin_kazakh_numbers_text_by_chunk_is_the_whole_sentence_substitution(texts) -> None:
    def whole(sentence: str) -> str:
        return _LATIN_WORD_RE.sub(lambda m: latin_to_cyrillic(m.group(0)), sentence)

    rng = random.Random(6)
    alphabet = "aáǵıńóúýşğäöüñū jJ1 2\n\t\u00a0,.-%Ж ж"
    samples = texts + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
                       for _ in range(5000)]
    assert all(latin_in_cyrillic(s) == whole(s) for s in samples)
    assert latin_in_cyrillic("Saılau  2023\tjyly") == "сайлау  2023\tжылы"  # spacing kept


def test_proposal_search_is_the_per_token_test(texts) -> None:
    def per_token(norms: list[str]) -> bool:
        return any(n in stance_words._PROPOSAL_WORDS
                   or n.startswith(stance_words._PROPOSAL_PREFIXES) for n in norms)

    extra = ["Депутаты внесли законопроект о выборах", "tabled a bill", "the bills passed",
             "a billion tenge", "жаңа заң жобасы", "Проектом не предусмотрено", "draft law"]
    checked = found = 0
    for text in texts + extra:
        prep = prepare(FeedItem(url="https://example.test/x", title="", text=text))
        assert prep is not None
        for s in range(len(prep.doc.toks)):
            expected = per_token([t.norm for t in prep.doc.toks[s]])
            assert stance_words.proposal_sentences(prep.doc, {s}) == ({s} if expected else set())
            checked, found = checked + 1, found + expected
    assert checked > 500 and found >= 5  # both answers were exercised


def test_days_need_a_digit_and_are_read_as_before() -> None:
    assert days.named_days(["9 и 10 июня", "on March 19", "в июне"]) == {(9, 6), (10, 6),
                                                                         (19, 3)}
    assert days._days_at("в июне и марте") == ()
    assert days._days_at("21 February") != ()
    assert all(days._days_at(s) == () for s in ["май", "в мае", "February", "twenty-first of May"])


def test_per_item_number_facts_are_the_per_sentence_reads() -> None:
    item = FeedItem(url="https://example.test/y", title="Явка в 2023 году — 54,19%",
                    text="В 2021 году было 63,3%. Партий пять. В 2019 и 2022 годах прошли "
                         "референдум и выборы.")
    prep = prepare(item)
    assert prep is not None
    numbers = prep.numbers
    assert numbers.year_values() == {2019, 2021, 2022, 2023}
    assert numbers.sentence_years() == [frozenset({2023}), frozenset({2021}), frozenset(),
                                        frozenset({2019, 2022})]
    assert numbers.sentence_years() is not numbers.sentence_years()  # each claim's own list
    assert numbers.percent_sentences() == {0, 1}


def test_negation_is_cached_per_document_and_occurrence() -> None:
    prep = prepare(FeedItem(url="https://example.test/z", title="",
                            text="Партия не будет участвовать. Партия будет участвовать."))
    assert prep is not None
    doc = prep.doc
    assert negated(doc, 0, 2, 3) and not negated(doc, 1, 1, 2)
    windows = (DEFAULT_SETTINGS.negation_before_tokens, DEFAULT_SETTINGS.negation_after_tokens)
    assert doc.negations == {(0, 2, 3, *windows): True, (1, 1, 2, *windows): False}
    assert negated(doc, 0, 2, 3)  # answered from the cache


def test_day_patterns_match_what_the_plain_patterns_match() -> None:
    # The plain forms of ``days``' two patterns (before they were written to let the engine
    # skip ahead): every match, span and group must be the same.
    plain_day_month = re.compile(
        rf"(?<![\d.:,])(\d{{1,2}})(?:\s*(?:и|and|,|-|–|мен|және)\s*(\d{{1,2}}))?\s+"
        rf"({days._STEMS})\w*", re.IGNORECASE)
    plain_month_day = re.compile(rf"\b({days._STEMS})\w*\s+(\d{{1,2}})(?![\d:.,]\d)",
                                 re.IGNORECASE)
    stems = list(days._STEM_MONTH)
    pieces = stems + [s.upper() for s in stems] + [s.title() for s in stems] + [
        "1", "12", "123", "9 и 10", "3,", ".5", ":", "x", "ы", "_", "2023", "İyun", "ſeptember"]
    rng = random.Random(15)
    samples = ["".join(rng.choice(pieces) + rng.choice(["", " ", "  ", "\n"])
                       for _ in range(rng.randint(1, 12))) for _ in range(20_000)]

    def found(pattern: re.Pattern[str], text: str) -> list:
        return [(m.span(), m.groups()) for m in pattern.finditer(text)]

    matched = 0
    for text in samples:
        assert found(days._DAY_MONTH_RE, text) == found(plain_day_month, text), text
        assert found(days._MONTH_DAY_RE, text) == found(plain_month_day, text), text
        matched += bool(found(plain_month_day, text)) and bool(found(plain_day_month, text))
    assert matched > 100  # the samples exercise both patterns


def test_first_near_is_the_sentence_by_sentence_figure_check() -> None:
    from kzwatch.relevance.numbers import figure_tolerance, parse_figure

    item = FeedItem(url="https://example.test/f", title="Явка 54,19% в 2023 году",
                    text="Не 63%, а 62,6%. Набрали 7 процентов 25 мая. Было 340 000 человек, "
                         "затем 340 тысяч и 1,2 млрд тенге. В 2021 году 63,3%.")
    prep = prepare(item)
    assert prep is not None
    numbers = prep.numbers
    hits = 0
    for text in ["63%", "62.6%", "54,19%", "7%", "25", "340 000", "1.2 млрд", "2021", "2023",
                 "63.3%", "64%", "5"]:
        figure = parse_figure(text)
        assert figure is not None
        tolerance = figure_tolerance(figure)
        slow = next((s for s in numbers.with_digits() for n in numbers.digits(s)
                     if n.percent == figure.percent and n.year == figure.year and not n.date
                     and abs(n.value - figure.value) <= tolerance), None)
        assert numbers.first_near(figure, tolerance) == slow, text
        hits += slow is not None
    assert hits >= 8  # most figures are found, "64%" and the date "25" are not


def test_vote_years_without_the_sentence_scan_are_as_before(texts) -> None:
    calendar = vote_days_of(packaged_claims())
    assert calendar[(19, 3)] == 2023

    def with_scan(sentences: list[str]) -> list[frozenset[int]]:
        return [frozenset(calendar[(d, m)] for d, m, start, end in days._days_at(s)
                          if (d, m) in calendar and days._vote_word_near(s, start, end))
                if days._VOTE_WORD_RE.search(s) else frozenset() for s in sentences]

    extra = ["Депутатов избрали 19 марта на выборах.", "19 марта прошло заседание.",
             "Elections on March 19 (vote).", "Сайлау 19 наурызда өтті.", "19 марта, выборы"]
    samples = [re.split(r"(?<=[.!?])\s+", text) for text in texts] + [extra]
    named = 0
    for sentences in samples:
        assert days.vote_years(sentences, calendar=calendar) == with_scan(sentences)
        named += sum(map(bool, with_scan(sentences)))
    assert named >= 3  # votes by their day were found, not only empty sets compared


def test_latin_kazakh_alternative_forms_put_together_on_first_use(texts) -> None:
    from kzwatch.relevance import load_claims
    from kzwatch.relevance.claimset import claim_set
    from kzwatch.relevance.text import Doc

    claims = load_claims((Path(__file__).parent.parent / "src/kzwatch/data/claims.toml")
                         .read_text(encoding="utf-8"), "beimenbetov-2021")
    matcher = claim_set(claims).matcher
    compared = 0
    for text in texts:
        prep = prepare(FeedItem(url="https://example.test/k", title="", text=text))
        assert prep is not None
        if not prep.script_note.startswith("Latin"):
            continue
        fast = Doc(prep.doc.sentences, latin_kazakh=True, matcher=matcher)
        slow = Doc(prep.doc.sentences, latin_kazakh=True)  # transliterated as it reads
        assert {k: t.norm for k, t in fast.alts.items()} == {k: t.norm
                                                             for k, t in slow.alts.items()}
        assert fast.alts is fast.alts  # put together once
        compared += bool(slow.alts)
    assert compared >= 5


# --- speed round 28: per-item reads shared by the claims ----------------------------------------


def test_each_sentences_days_are_read_once_per_item_and_as_before(monkeypatch) -> None:
    """``days.DaysBySentence`` gives the vote calendar and the scope's named days what
    ``_days_at`` gives, reading each sentence once however often it is asked."""
    calendar = vote_days_of(packaged_claims())
    sentences = ["Депутатов избрали 19 марта на выборах.", "Митинги прошли 9 и 10 июня.",
                 "Elections on March 19 (vote).", "Сайлау 19 наурызда өтті.", "Без дат.",
                 "Депутатов избрали 19 марта на выборах."]
    expected_days = days.named_days(sentences)
    expected_years = days.vote_years(sentences, calendar=calendar)
    read: list[str] = []
    plain = days._days_at

    def counted(sentence: str) -> days.DaysAt:
        read.append(sentence)
        return plain(sentence)

    monkeypatch.setattr(days, "_days_at", counted)
    shared = days.DaysBySentence()
    assert days.vote_years(sentences, calendar=calendar, days_at=shared.__getitem__) \
        == expected_years
    assert days.named_days(sentences, shared.__getitem__) == expected_days
    assert expected_days >= {(19, 3), (9, 6), (10, 6)} and any(expected_years)
    assert sorted(read) == sorted(set(sentences))  # each distinct sentence read once


def test_guards_skipped_by_one_and_say_what_the_pair_by_pair_check_says(texts) -> None:
    """``guards.excluded`` on a document whose terms the scorer found (the pairs skipped when
    none of their excluded terms occurs) gives what it gives term list by term list."""
    from kzwatch.relevance.claimset import claim_set
    from kzwatch.relevance.compiled import compiled_claim
    from kzwatch.relevance.guards import excluded

    claims = packaged_claims()
    compiled_set = claim_set(claims)
    guarded = [compiled_claim(c) for c in claims if compiled_claim(c).exclude]
    assert guarded
    ruled_out = 0
    for text in texts[:250]:
        item = FeedItem(url="https://example.test/g", title="", text=text)
        fast = prepare(item, compiled_set.matcher, compiled_set.vote_days)
        slow = prepare(item)
        assert fast is not None and slow is not None
        compiled_set.find_terms(fast.doc)
        for compiled in guarded:
            why = excluded(fast.doc, compiled, DEFAULT_SETTINGS)
            assert why == excluded(slow.doc, compiled, DEFAULT_SETTINGS)
            ruled_out += why.startswith("near-miss guard")
    assert ruled_out >= 3  # guards that hold were compared too, not only empty answers


def test_proposal_sentences_asked_again_answer_as_on_a_fresh_document(texts) -> None:
    """``stance_words.proposal_sentences`` keeps each sentence's answer per document: asked
    sentence by sentence and then all at once, it answers as a fresh document does."""
    for text in texts[:120] + ["Депутаты внесли законопроект. Проект обсудят. Других новостей нет."]:
        item = FeedItem(url="https://example.test/p", title="", text=text)
        asked, fresh = prepare(item), prepare(item)
        assert asked is not None and fresh is not None
        every = set(range(len(fresh.doc.toks) + 1))  # one index past the last sentence too
        singly = set().union(*(stance_words.proposal_sentences(asked.doc, {s}) for s in every))
        assert stance_words.proposal_sentences(asked.doc, every) == singly \
            == stance_words.proposal_sentences(fresh.doc, every)
