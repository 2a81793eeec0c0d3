"""Text features for relevance scoring: sentences, documents read into tokens (the tokens and
the matcher are in ``words``), term matching and negation (numbers are in ``numbers``)."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from itertools import chain, compress, count, repeat
from operator import attrgetter, or_
from typing import cast

from kzwatch.model import FeedItem
from kzwatch.relevance.days import DaysBySentence
from kzwatch.relevance.words import (
    _FIRST,
    _SECOND,
    _THIRD,
    ChunkEntry,
    LatinChunk,
    Matcher,
    Tok,
    _chunk_tokens,
    _cyrillic_chunk,
    _cyrillic_tokens,
    _forms_match,
    _tok,
    fast_tokens,
    russian_lemma,
)
from kzwatch.textnorm import tokens

__all__ = ["ChunkEntry", "LatinChunk", "Matcher", "Tok", "fast_tokens", "russian_lemma"]

_NORM = attrgetter("norm")


class Doc:
    """An item's text split into sentences of tokens, with where each term token matches."""

    def __init__(self, sentences: list[str], *, latin_kazakh: bool = False,
                 matcher: Matcher | None = None) -> None:
        """*latin_kazakh*: also match each Latin word's Cyrillic transliteration.  *matcher*:
        the compiled tokens of the terms to be looked up (others fall back to an index)."""
        self.sentences = sentences
        self.toks: list[list[Tok]] = []
        self._alts: dict[tuple[int, int], Tok] = {}  # ``alts`` found so far
        #: (sentence, its chunks' ``LatinChunk`` entries) whose alternative forms ``alts`` has
        #: yet to take in: only the index (terms the matcher lacks) reads them
        self._pending_alts: list[tuple[int, list[LatinChunk]]] = []
        self._index: dict[tuple[str, str], list[tuple[int, int]]] | None = None
        self._found: dict[int, list[tuple[int, int, int]]] = {}  # id(Term) → occurrences
        #: id(term list) → (the list, its hits): see ``term_hits``.
        self.lists: dict[int, tuple[Sequence[Term], dict[str, list[tuple[int, int, int]]]]] = {}
        self.matcher = matcher
        #: id(term token) → where it matches (for the matcher's tokens) as occurrences (sentence,
        #: token, token), in text order: a one-token term's occurrences are its token's.
        self.hits: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        #: ids of the terms every token of which occurs in this document (set by the scorer
        #: from its claims' terms; other terms are then not found); None: check each term.
        self._candidates: set[int] | None = None
        #: what ``candidates`` is made of on first use: id(token) → the terms made of it
        #: alone, and the candidates of several tokens (``candidates_from``)
        self._candidates_of: tuple[Mapping[int, Collection[int]], list[int]] | None = None
        #: id(term) → occurrences of the candidate terms that occur (``find_longer``); None
        #: until the scorer sets the candidates.
        self.found: dict[int, list[tuple[int, int, int]]] | None = None
        #: the ``Term.bit`` of every term in ``found``, and of the one-token terms whose token
        #: occurs (their occurrences are their token's ``hits``)
        self.found_bits = 0
        self._norm_texts: dict[int, str] = {}  # ``norm_text`` by sentence
        #: ``negated``, by occurrence and windows
        self.negations: dict[tuple[int, int, int, int, int], bool] = {}
        #: the days of a month the text names (``days.named_days``), read on first use: every
        #: event claim's scope check asks
        self.days: set[tuple[int, int]] | None = None
        #: each sentence's days as ``days._days_at`` reads them, shared by the scope's
        #: ``named_days`` and the numbers' vote calendar (``scoring.prepare``)
        self.days_by_sentence = DaysBySentence()
        #: sentence → whether it tells of a proposed law (``stance_words.proposal_sentences``),
        #: filled as claims ask: they ask about the title and their anchors' sentences
        self.proposals: dict[int, bool] = {}
        #: word list → (sentence, token) of this text's words in it (``stance_words``: words
        #: that call a figure too large, vouch for one, or call a count a sample), found on
        #: first use: the scan is the same for every assessed claim, only the critics and
        #: figures checked after it are not
        self.stance_words: dict[object, list[tuple[int, int]]] = {}
        if matcher is not None:
            self._read_matched(matcher, latin_kazakh)
            return
        for s_idx, sentence in enumerate(sentences):
            words = fast_tokens(sentence)
            self.toks.append([_tok(word) for word in words])
            if latin_kazakh:
                self._add_transliterations(s_idx, sentence, words)

    def _add_transliterations(self, s_idx: int, sentence: str, words: list[str]) -> None:
        cyrillic = _cyrillic_tokens(sentence, len(words))
        if not cyrillic:
            return
        row = self.toks[s_idx]
        for t_idx, word in enumerate(words):
            if word.isascii() and word.isalpha():
                alt = _tok(cyrillic[t_idx])
                if alt.norm != row[t_idx].norm:
                    self._alts[(s_idx, t_idx)] = alt

    def _read_matched(self, matcher: Matcher, latin_kazakh: bool) -> None:
        """Tokens, and where each of the matcher's term tokens occurs, by whitespace chunk
        (``fast_tokens``, ``_add_transliterations`` and ``_match`` in one cached lookup per
        chunk).  A sentence's chunks are looked up, and its tokens and matches joined, by
        C-level ``map``/``chain``; Python code runs only for the tokens that match a term."""
        cached, read = matcher.chunks.get, matcher.chunk
        for s_idx, sentence in enumerate(self.sentences):
            chunks = sentence.split()
            if latin_kazakh and self._read_latin(s_idx, chunks, matcher):
                continue
            looked_up = list(map(cached, chunks))
            entries = (cast(list[ChunkEntry], looked_up) if all(looked_up) else
                       [entry or read(chunk) for entry, chunk in zip(looked_up, chunks)])
            self.toks.append(list(chain.from_iterable(map(_FIRST, entries))))
            self._add_hits(s_idx, list(chain.from_iterable(map(_SECOND, entries))))

    def _add_hits(self, s_idx: int, ids: list[tuple[int, ...]]) -> None:
        """Record where term tokens occur in sentence *s_idx* (*ids*: per token, the ids of
        the term tokens it matches), in text order."""
        hits = self.hits
        for pos in compress(count(), ids):
            occurrence = (s_idx, pos, pos)  # one tuple for every term token matched there
            for tok_id in ids[pos]:
                hits[tok_id].append(occurrence)

    def _read_latin(self, s_idx: int, chunks: list[str], matcher: Matcher) -> bool:
        """A sentence of a Latin-Kazakh text, its Latin words matched in both scripts
        (``_add_transliterations``)."""
        entries = list(map(matcher.latin_chunks.get, chunks, repeat(False)))
        if not all(entries):
            entries = [entry if entry is not False else matcher.latin_chunk(chunk)
                       for entry, chunk in zip(entries, chunks)]
            if not all(entries):
                return self._read_latin_whole(s_idx, chunks, matcher)
        row = list(chain.from_iterable(map(_FIRST, entries)))  # type: ignore[arg-type]
        self.toks.append(row)
        if any(map(_THIRD, entries)):  # type: ignore[arg-type]
            self._pending_alts.append((s_idx, entries))  # type: ignore[arg-type]
        self._add_hits(s_idx, list(chain.from_iterable(map(_SECOND, entries))))  # type: ignore[arg-type]
        return True

    def _read_latin_whole(self, s_idx: int, chunks: list[str], matcher: Matcher) -> bool:
        """A sentence some chunk of which transliterates to another number of tokens: its
        Cyrillic tokens are paired with its tokens by position over the whole sentence."""
        row: list[Tok] = []
        found_at: list[tuple[int, ...]] = []
        for chunk in chunks:
            words = _chunk_tokens(chunk)
            row += matcher.chunk(chunk)[0]
            found_at += [matcher.matched_word(word) for word in words]
        self.toks.append(row)
        self._transliterate_chunks(s_idx, chunks, found_at, matcher)
        for t_idx, tok_ids in enumerate(found_at):
            for tok_id in tok_ids:
                self.hits[tok_id].append((s_idx, t_idx, t_idx))
        return True

    def _transliterate_chunks(self, s_idx: int, chunks: list[str],
                              found_at: list[tuple[int, ...]], matcher: Matcher) -> None:
        """``_add_transliterations`` by chunk; a Latin word with another Cyrillic form is
        matched in both (*found_at* updated)."""
        row = self.toks[s_idx]
        cyrillic = [word for chunk in chunks for word in _cyrillic_chunk(chunk)]
        if len(cyrillic) != len(row):
            return
        for t_idx, tok in enumerate(row):
            word = tok.word
            if word.isascii() and word.isalpha():
                alt = _tok(cyrillic[t_idx])
                if alt.norm != tok.norm:
                    self._alts[(s_idx, t_idx)] = alt
                    found_at[t_idx] = matcher.matched(word, cyrillic[t_idx])

    def norm_text(self, s_idx: int) -> str:
        """The ``norm`` of every token of sentence *s_idx*, each with a space either side
        (" a b c ": a norm has none, tokens being letter or digit runs or "%"), so that one
        regex search that starts with a space can ask about all of a sentence's words.  Cached
        per document: every assessed claim asks about the title and its anchors' sentences,
        which claims share."""
        found = self._norm_texts.get(s_idx)
        if found is None:
            found = self._norm_texts[s_idx] = " " + " ".join(map(_NORM, self.toks[s_idx])) + " "
        return found

    @property
    def alts(self) -> dict[tuple[int, int], Tok]:
        """The transliterated forms of a Latin-Kazakh text's Latin words, by (sentence, token),
        put together on first use (most items never need them: the matcher already matched
        both forms)."""
        for s_idx, entries in self._pending_alts:
            base = 0
            for toks, _, alts in entries:
                for offset, tok, _word in alts:
                    self._alts[(s_idx, base + offset)] = tok
                base += len(toks)
        self._pending_alts = []
        return self._alts

    @property
    def index(self) -> dict[tuple[str, str], list[tuple[int, int]]]:
        """Positions by every index key of every token, built on first use: only terms the
        matcher was not compiled with need it."""
        if self._index is None:
            index: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
            positions = [(s, t) for s, row in enumerate(self.toks) for t in range(len(row))]
            for pos in positions:
                for tok in self._forms(pos):
                    for key in tok.index_keys:
                        index[key].append(pos)
            self._index = index
        return self._index

    def _forms(self, pos: tuple[int, int]) -> tuple[Tok, ...]:
        tok = self.toks[pos[0]][pos[1]]
        alt = self.alts.get(pos)
        return (tok, alt) if alt else (tok,)

    def positions(self, term_tok: Tok) -> Collection[tuple[int, int, int]]:
        """Where a single term token matches, as occurrences (sentence, token, token)."""
        if self.matcher is not None and self.matcher.knows(term_tok):
            return self.hits.get(id(term_tok), [])
        return self.index_positions(term_tok)

    def index_positions(self, term_tok: Tok) -> set[tuple[int, int, int]]:
        """Where a term token matches, looked up in the index (tokens the matcher lacks)."""
        index = self.index
        found: set[tuple[int, int, int]] = set()
        for pos in {p for key in term_tok.keys for p in index.get(key, ())}:
            forms = self._forms(pos)
            if _forms_match(forms, term_tok,
                            frozenset(k for f in forms for k in f.index_keys)):
                found.add((pos[0], pos[1], pos[1]))
        return found

    def find(self, term: "Term") -> list[tuple[int, int, int]]:
        """Occurrences of a (multi-word) term as (sentence, first token, last token).  Cached
        per document: claims share term groups (the country, the vote)."""
        found = self._found.get(id(term))
        if found is None:
            found = self._found[id(term)] = self._find(term)
        return found

    def could_match(self, tok: Tok) -> bool:
        if self.matcher is not None and self.matcher.knows(tok):
            return id(tok) in self.hits
        index = self.index
        return any(k in index for k in tok.keys)

    @property
    def candidates(self) -> set[int] | None:
        """ids of the terms every token of which occurs in this document (set by the scorer
        from its claims' terms; other terms are then not found); None: check each term.
        Put together on first use: once the candidates are found (``find_longer``), only
        a term looked up on its own (``find``) needs the set."""
        if self._candidates is None and self._candidates_of is not None:
            single_terms, longer = self._candidates_of
            # The one-token terms by a union of (C-level) lookups, not a loop per token.
            self._candidates = set().union(*map(single_terms.get, self.hits, repeat(())),
                                           longer)
        return self._candidates

    @candidates.setter
    def candidates(self, ids: set[int] | None) -> None:
        self._candidates, self._candidates_of = ids, None

    def candidates_from(self, single_terms: Mapping[int, Collection[int]],
                        longer: list[int]) -> None:
        """Set ``candidates`` to the terms of one token that occurs (*single_terms*: id(token)
        → ids of the terms made of it alone) and *longer* (the other candidates), made on
        first use.  (Held as data, not as a closure over the document: a closure would make
        each document a reference cycle, freed only by the cyclic garbage collector.)"""
        self._candidates, self._candidates_of = None, (single_terms, longer)

    def find_longer(self, longer: Iterable[LongerTerm], single_bits: int = 0) -> None:
        """Find the candidate terms of more than one token (*longer*: ``longer_term`` entries,
        which a claim set works out once, not once per item and term) once, for all claims: a
        term list made of them is then looked up as a set intersection (``term_hits``), not
        term by term.  ``candidates`` must be set first; *longer* is a subset of it.
        *single_bits*: the bits of candidate terms of one token: they occur where their token
        does (``hits``)."""
        hits, cache, chain_after = self.hits, self._found, self._chain
        found = {}
        bits = single_bits
        combined = []  # "a & b" terms, found from their parts' occurrences
        for term_id, bit, first, later, term in longer:
            if later is None:
                combined.append(term)
                continue
            # What ``_find`` does, without its checks: a candidate's tokens are all the
            # matcher's, and all occur.  A one-token term's occurrences are its token's.
            occurrences = cache[term_id] = (
                chain_after(hits[first], [hits[t] for t in later]) if later else hits[first])
            if occurrences:
                found[term_id] = occurrences
                bits |= bit
        for term in combined:
            if occurrences := self._find_combined(term):
                found[id(term)] = occurrences
                bits |= term.bit
        self.found = found
        self.found_bits = bits

    def _find_combined(self, term: "Term") -> list[tuple[int, int, int]]:
        """``find_term`` of a candidate "a & b" term once ``find_longer`` has found the
        candidates of several tokens: a part that is no candidate occurs nowhere (the term
        then neither), a part of one token occurs where its token does (``hits``, in text
        order: what ``_find`` returns; it is a candidate when its token occurs), a longer part
        was found already if it is a candidate (``_found``: every candidate of several tokens
        is, before the "a & b" terms)."""
        cache, hits = self._found, self.hits
        per_part = []
        for part in term.parts:
            occurrences = cache.get(id(part))
            if occurrences is None:
                occurrences = (hits.get(id(part.toks[0])) if len(part.toks) == 1
                               and not part.parts else None)
                if occurrences is None:  # no candidate
                    return []
            per_part.append(occurrences)
        shared = {s for s, _, _ in per_part[0]}
        for occurrences in per_part[1:]:
            shared.intersection_update([s for s, _, _ in occurrences])
        return [occ for occ in per_part[0] if occ[0] in shared] if shared else []

    def _find(self, term: "Term") -> list[tuple[int, int, int]]:
        if not term.toks:
            return []
        if self.candidates is not None:
            if id(term) not in self.candidates:  # every token of a candidate occurs
                return []
        elif not all(self.could_match(t) for t in term.toks):
            return []
        first = sorted(self.positions(term.toks[0]))
        if len(term.toks) == 1:
            return first
        return self._chain(first, [self.positions(t) for t in term.toks[1:]])

    def _chain(self, first: list[tuple[int, int, int]],
               later: list[Collection[tuple[int, int, int]]]) -> list[tuple[int, int, int]]:
        """Occurrences of a term of several tokens: from each position of its first token
        (*first*, sorted), the next tokens' positions (*later*) must follow."""
        hits = []
        for s_idx, start, _ in first:
            pos = start
            for nxt in later:
                if (s_idx, pos + 1, pos + 1) in nxt:
                    pos += 1
                elif ((s_idx, pos + 2, pos + 2) in nxt
                      and len(self.toks[s_idx][pos + 1].norm) <= 3):
                    pos += 2  # one short function word between: "закон «О мирных собраниях»"
                else:
                    break
            else:
                hits.append((s_idx, start, pos))
        return hits


_TERM_NUMBERS = itertools.count()


@dataclass(frozen=True)
class Term:
    text: str
    toks: tuple[Tok, ...]
    parts: tuple["Term", ...] = ()  # "a & b": parts that must share a sentence
    #: 1 << (a number unique to this term object): a term list is answered as one AND of
    #: its terms' bits with the bits of the terms a document has (``term_hits``).
    bit: int = field(default_factory=lambda: 1 << next(_TERM_NUMBERS), compare=False,
                     repr=False)

    @classmethod
    def of(cls, text: str) -> "Term":
        """One shared object per text, so that claims sharing a term group share its lookups."""
        return _term(text)


#: What finding a candidate term needs (``Doc.find_longer``): its id, its bit, the id of its
#: first token, the ids of its other tokens (None for an "a & b" term), and the term.
LongerTerm = tuple[int, int, int, "tuple[int, ...] | None", Term]


def longer_term(term: Term) -> LongerTerm:
    return (id(term), term.bit, id(term.toks[0]) if term.toks else 0,
            None if term.parts else tuple(id(t) for t in term.toks[1:]), term)


class TermList(list[Term]):
    """A compiled term list (never changed after it is made) with the OR of its terms' bits
    and bit → (position, term), so that ``term_hits`` needs no look-up to answer it."""

    def __init__(self, terms: Iterable[Term] = ()) -> None:
        super().__init__(terms)
        self.order = {term.bit: (n, term) for n, term in enumerate(self)}
        self.bits = reduce(or_, self.order, 0)


@lru_cache(maxsize=50_000)
def _term(text: str) -> Term:
    if " & " in text:
        parts = tuple(_term(p) for p in text.split(" & ") if p.strip())
        return Term(text=text, toks=parts[0].toks if parts else (), parts=parts)
    return Term(text=text, toks=tuple(Tok.of(w) for w in tokens(text) if w != "%"))


# --- sentences and term hits -----------------------------------------------------------------------------------

#: A split after ".", "!", "?" or "…" and whitespace, before a capital or a digit; after
#: " ... " whatever follows (an excerpt's mark of omitted text: the words either side were
#: not one sentence); or at a run of newlines.  Written to start with ``\s`` (the lookbehinds come after the first
#: whitespace character) so that the regex engine jumps from whitespace to whitespace: twice
#: as fast as ``(?<=[.!?…])\s+(?=…)|\n+``, with the same splits.
_SENTENCE_SPLIT_RE = re.compile(
    r"\s(?:(?<=[.!?…]\s)\s*(?=[\"'«(]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9])|(?<=\.\.\.\s)\s*|(?<=\n)\n*)")


def sentences_of(item: FeedItem) -> list[str]:
    """Title first (a sentence of its own), then summary and text split into sentences."""
    parts = [item.title.strip()] if item.title.strip() else []
    seen = {_dedupe_key(item.title)}
    for block in (item.summary, item.text):
        for sentence in _SENTENCE_SPLIT_RE.split(block or ""):
            sentence = sentence.strip()
            key = _dedupe_key(sentence)
            if sentence and key not in seen:  # summaries repeat the lead
                seen.add(key)
                parts.append(sentence)
    return parts


def _dedupe_key(sentence: str) -> str:
    # casefold + whitespace: enough to spot a repeated lead, and far cheaper than normalize().
    return " ".join(sentence.casefold().split())


def find_term(doc: Doc, term: Term) -> list[tuple[int, int, int]]:
    """Occurrences of a term; a term "a & b" needs every part inside one sentence (Kazakh puts
    the figure between subject and verb: "сайлаушылардың 63 пайызы қатысты")."""
    if not term.parts:
        return doc.find(term)
    per_part = [doc.find(part) for part in term.parts]
    shared = set.intersection(*({s for s, _, _ in occ} for occ in per_part))
    return [occ for occ in per_part[0] if occ[0] in shared]


def term_hits(doc: Doc, terms: Sequence[Term]) -> dict[str, list[tuple[int, int, int]]]:
    """term text → occurrences, for the terms that occur (callers must not change it: it is
    cached per document and term list, as the gate and the evidence ask for the same lists)."""
    found_by_id = doc.found
    if found_by_id is not None:
        # Every candidate term was found once (``Doc.find_longer``): the list's hits are
        # its terms whose bits the document has, in the list's order.  (Most asks find none:
        # they cost one AND.)
        if isinstance(terms, TermList):
            present = terms.bits & doc.found_bits
            if not present:
                return {}
            order = terms.order
        else:
            bits, order = _list_bits(terms)
            present = bits & doc.found_bits
            if not present:
                return {}
        hits = doc.hits
        if not present & (present - 1):  # one term
            term = order[present][1]
            return {term.text: found_by_id.get(id(term)) or hits[id(term.toks[0])]}
        cached = doc.lists.get(id(terms))  # several terms: worth keeping for the next ask
        if cached is not None and cached[0] is terms:
            return cached[1]
        rows = []
        while present:
            low = present & -present
            rows.append(order[low])
            present ^= low
        rows.sort()
        found = {term.text: found_by_id.get(id(term)) or hits[id(term.toks[0])]
                 for _, term in rows}
        doc.lists[id(terms)] = (terms, found)
        return found
    cached = doc.lists.get(id(terms))
    if cached is not None and cached[0] is terms:
        return cached[1]
    found = {}
    looked_up: Sequence[Term] = terms
    if doc.candidates is not None:
        # Only the terms whose first token occurs in the document can occur: a set
        # intersection instead of a walk over every term of the list, in the list's order.
        ids, order = _list_ids(terms)
        present_ids = ids & doc.candidates
        looked_up = ([term for _, term in sorted(order[t] for t in present_ids)]
                     if len(present_ids) > 1 else [order[t][1] for t in present_ids])
    for term in looked_up:
        occurrences = doc.find(term) if not term.parts else find_term(doc, term)
        if occurrences:
            found[term.text] = occurrences
    doc.lists[id(terms)] = (terms, found)
    return found


_LIST_IDS: dict[int, tuple[Sequence[Term], frozenset[int], dict[int, tuple[int, Term]]]] = {}


def _list_ids(terms: Sequence[Term]) -> tuple[frozenset[int], dict[int, tuple[int, Term]]]:
    """The term ids of a (long-lived, compiled) term list, and id → (position, term)."""
    cached = _LIST_IDS.get(id(terms))
    if cached is None or cached[0] is not terms:
        if len(_LIST_IDS) > 20_000:
            _LIST_IDS.clear()
        order = {id(t): (n, t) for n, t in enumerate(terms)}
        cached = _LIST_IDS[id(terms)] = (terms, frozenset(order), order)
    return cached[1], cached[2]


def any_hits(doc: Doc, terms: Sequence[Term]) -> bool:
    """Does any term of *terms* occur (``bool(term_hits(doc, terms))``, without building
    the hits when the scorer found the candidate terms)?"""
    if doc.found is not None:
        bits = terms.bits if isinstance(terms, TermList) else _list_bits(terms)[0]
        return bool(bits & doc.found_bits)
    return bool(term_hits(doc, terms))


_LIST_BITS: dict[int, tuple[Sequence[Term], int, dict[int, tuple[int, Term]]]] = {}


def _list_bits(terms: Sequence[Term]) -> tuple[int, dict[int, tuple[int, Term]]]:
    """The OR of the bits of a (long-lived, compiled) term list, and bit → (position, term)."""
    cached = _LIST_BITS.get(id(terms))
    if cached is None or cached[0] is not terms:
        if len(_LIST_BITS) > 20_000:
            _LIST_BITS.clear()
        order = {t.bit: (n, t) for n, t in enumerate(terms)}
        bits = 0
        for bit in order:
            bits |= bit
        cached = _LIST_BITS[id(terms)] = (terms, bits, order)
    return cached[1], cached[2]


def hit_positions(hits: Mapping[str, list[tuple[int, int, int]]]) -> set[tuple[int, int]]:
    return {(s, start) for occurrences in hits.values() for s, start, _ in occurrences}


def hits_outside(hits: Mapping[str, list[tuple[int, int, int]]],
                 enclosing: Mapping[str, list[tuple[int, int, int]]]
                 ) -> dict[str, list[tuple[int, int, int]]]:
    """The occurrences of *hits* not inside an occurrence of *enclosing* ("Majilis" in "snap
    Majilis election", "Kazakhs" in "Kazakhs of Xinjiang"); terms left with none are dropped.
    Only a phrase in the same sentence can hold one: spans are looked up by sentence (an item
    has dozens of each; comparing every pair cost ~9% of the assessment)."""
    if not enclosing:
        return dict(hits)
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for occs in enclosing.values():
        for s, start, end in occs:
            spans[s].append((start, end))
    kept = {text: [(s, start, end) for s, start, end in occs
                   if not any(lo <= start and end <= hi for lo, hi in spans.get(s, ()))]
            for text, occs in hits.items()}
    return {text: occs for text, occs in kept.items() if occs}
