"""Text features for relevance scoring: sentences, tokens with every form they may be matched
by (normalised, romanisation key, stems, Russian lemma, Kazakh in Cyrillic), term matching
and negation (numbers are in ``numbers``).  Pure functions on plain data."""

from __future__ import annotations

import itertools
import re
from itertools import chain, compress, count, repeat
from operator import itemgetter
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kzwatch.model import FeedItem
from kzwatch.relevance.translit import latin_to_cyrillic
from kzwatch.textnorm import latin_key, normalize, stem, tokens

#: Shortest shared prefix for the "same word, different ending" fallback, and the longest
#: ending each side may have beyond it.
PREFIX_MIN = 6
PREFIX_MAX_TAIL = 3

#: Words that negate a nearby update term: before it in Russian/English ("не будет", "no new
#: party has been registered"), after it in Kazakh ("тіркелген жоқ", "өткен емес").
_NEGATIONS_BEFORE = frozenset({"не", "нет", "ни", "not", "no", "never", "without", "без"})
_NEGATIONS_AFTER = frozenset({"жок", "емес"})  # normalised "жоқ", "емес"
_NEGATION_WINDOW = 5
# --- token matching ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _morph() -> Any:
    """pymorphy3's analyser (loads its dictionaries once, ~0.3 s); None when not installed."""
    try:
        import pymorphy3  # type: ignore[import-untyped]
    except ImportError:  # declared in pyproject; matching then falls back to Snowball stems
        return None
    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=200_000)
def russian_lemma(word: str) -> str:
    """The dictionary form of a Russian word ("выборах" → "выбор", "партии" → "партия"),
    normalised; "" for words that are not Russian Cyrillic (Kazakh letters, Latin, digits)."""
    lowered = word.casefold()
    if not _RUSSIAN_WORD_RE.fullmatch(lowered):
        return ""
    morph = _morph()
    return normalize(morph.parse(lowered)[0].normal_form) if morph is not None else ""


_RUSSIAN_WORD_RE = re.compile(r"[а-яё]{3,}(?:-[а-яё]+)*")


@dataclass(frozen=True)
class Tok:
    """One token with every form it may be matched by."""

    norm: str
    key: str
    stems: tuple[tuple[str, str], ...]  # (lang, stem) for ru, kk, en, when informative
    lemma: str = ""  # Russian dictionary form (pymorphy3), "" when not Russian
    #: The index keys under which a document token matching this one must appear: a term
    #: token none of whose keys a document has cannot match it (a dict lookup, not a scan).
    keys: tuple[tuple[str, str], ...] = ()
    #: The keys a document indexes this token under (every form, plus the prefix buckets the
    #: "same word, other ending" and abbreviation fallbacks scan).
    index_keys: tuple[tuple[str, str], ...] = ()
    word: str = ""  # the token it was made from (the matcher's cache key)

    @classmethod
    def of(cls, word: str) -> "Tok":
        return _tok(word)


@lru_cache(maxsize=200_000)
def _tok(word: str) -> Tok:
    norm = normalize(word)
    # Stemmers of the word's own script only: a Russian stemmer leaves Latin words as they
    # are (and vice versa), which would only duplicate the "n" key.
    langs = ("en",) if norm.isascii() else ("ru", "kk")
    stems = tuple((lang, s) for lang in langs if len(s := stem(norm, lang)) >= 3)
    key = latin_key(norm)
    lemma = russian_lemma(word)
    if len(norm) <= 3:
        keys = [("n", norm), ("short", norm[:2])] + ([("k", key)] if len(key) >= 3 else [])
    else:
        keys = [("n", norm), ("k", key), *stems] + ([("l", lemma)] if lemma else [])
        keys += [("p", norm[:PREFIX_MIN])] if len(norm) >= PREFIX_MIN else []
        keys += [("pk", key[:PREFIX_MIN])] if len(key) >= PREFIX_MIN else []
    index_keys = [("n", norm), ("k", key), *stems] + ([("l", lemma)] if lemma else [])
    index_keys += [("p", norm[:PREFIX_MIN])] if len(norm) >= PREFIX_MIN else []
    index_keys += [("pk", key[:PREFIX_MIN])] if len(key) >= PREFIX_MIN else []
    index_keys += [("short", norm[:2])] if len(norm) <= 6 else []
    return Tok(norm=norm, key=key, stems=stems, lemma=lemma, keys=tuple(keys),
               index_keys=tuple(index_keys), word=word)


@lru_cache(maxsize=200_000)
def _prefix_compatible(a: str, b: str) -> bool:
    """Same word with a different ending: long shared prefix, short tails."""
    if len(a) < PREFIX_MIN or len(b) < PREFIX_MIN or a[:PREFIX_MIN] != b[:PREFIX_MIN]:
        return False
    common = PREFIX_MIN
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return len(a) - common <= PREFIX_MAX_TAIL and len(b) - common <= PREFIX_MAX_TAIL


#: Endings an abbreviation takes in Russian/Kazakh running text ("ЦИКа", "ОСДП-ның").
_ABBREV_ENDINGS = frozenset({"а", "у", "ом", "е", "ы", "ов", "нын", "нин", "га", "ге", "ка", "ке",
                             "на", "не", "та", "те", "да", "де", "дан", "ден", "тан", "тен"})


_WORD_RE = re.compile(r"[^\W\d_]+")


def fast_tokens(text: str) -> list[str]:
    """``tokens(text)``, computed per whitespace-separated chunk with a cache: normalising a
    whole sentence (Latin-diacritic folding looks at every character) cost more than all the
    matching.  Tokens never span whitespace and normalisation never joins chunks, so the
    result is the same list."""
    out: list[str] = []
    for chunk in text.split():
        out += _chunk_tokens(chunk)
    return out


@lru_cache(maxsize=200_000)
def _chunk_tokens(chunk: str) -> tuple[str, ...]:
    return tuple(tokens(chunk))


def _cyrillic_tokens(sentence: str, n: int) -> list[str] | None:
    """The tokens of *sentence* with its Latin Kazakh words in Cyrillic, transliterated from
    the raw text (``tokens`` folds ý to y, which would lose the 2018 alphabet's у); None when
    the count differs from the *n* original tokens, so positions cannot be paired."""
    words = [word for chunk in sentence.split() for word in _cyrillic_chunk(chunk)]
    return words if len(words) == n else None


@lru_cache(maxsize=200_000)
def _cyrillic_chunk(chunk: str) -> tuple[str, ...]:
    """The tokens of one whitespace-separated chunk with its Latin letter runs in Cyrillic.
    A letter run never spans whitespace and its transliteration has none, so the chunks'
    tokens in order are the sentence's."""
    return tuple(fast_tokens(_WORD_RE.sub(lambda m: latin_to_cyrillic(m.group(0))
                                          if m.group(0).isascii() or not _has_cyrillic(m.group(0))
                                          else m.group(0), chunk)))


def _has_cyrillic(word: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in word)


def _forms_match(forms: tuple[Tok, ...], term_tok: Tok, keys: frozenset[tuple[str, str]]
                 ) -> bool:
    """Does a document token (its *forms*: as written, and its transliteration; *keys*: their
    index keys) match *term_tok*?  The rules of ``Doc.index_positions``, for one position."""
    if ("n", term_tok.norm) in keys:
        return True
    if len(term_tok.norm) <= 3:
        # Short words and abbreviations: exact, or the abbreviation with a case ending.
        if len(term_tok.key) >= 3 and ("k", term_tok.key) in keys:
            return True
        return ("short", term_tok.norm[:2]) in keys and any(
            t.norm.startswith(term_tok.norm) and t.norm[len(term_tok.norm):] in _ABBREV_ENDINGS
            for t in forms)
    if ("k", term_tok.key) in keys or any(s in keys for s in term_tok.stems):
        return True
    if term_tok.lemma and ("l", term_tok.lemma) in keys:
        return True
    if (len(term_tok.norm) >= PREFIX_MIN and ("p", term_tok.norm[:PREFIX_MIN]) in keys
            and any(_prefix_compatible(t.norm, term_tok.norm) for t in forms)):
        return True
    return (len(term_tok.key) >= PREFIX_MIN and ("pk", term_tok.key[:PREFIX_MIN]) in keys
            and any(_prefix_compatible(t.key, term_tok.key) for t in forms))


#: A Latin-Kazakh chunk's tokens, the term-token ids each matches in either script, and its
#: Latin words' other forms (offset, Cyrillic token, Cyrillic word).
LatinChunk = tuple[tuple["Tok", ...], tuple[tuple[int, ...], ...], tuple[tuple[int, "Tok", str], ...]]


_FIRST, _SECOND, _THIRD = itemgetter(0), itemgetter(1), itemgetter(2)


class Matcher:
    """Every token of a set of terms compiled into one lookup: a document word is compared
    with all of them once (cached per word), so an item costs one dictionary lookup per word
    instead of an index of seven keys per word and a scan per term token."""

    def __init__(self, term_toks: Iterable[Tok]) -> None:
        self.toks: dict[int, Tok] = {id(t): t for t in term_toks}  # keeps the ids valid
        self.by_key: dict[tuple[str, str], list[Tok]] = defaultdict(list)
        for tok in self.toks.values():
            for key in tok.keys:
                self.by_key[key].append(tok)
        self._cache: dict[tuple[str, str], tuple[int, ...]] = {}
        self._cache_word: dict[str, tuple[int, ...]] = {}
        self.chunks: dict[str, tuple[tuple[Tok, ...], tuple[tuple[int, ...], ...]]] = {}
        self.latin_chunks: dict[str, LatinChunk | None] = {}

    def chunk(self, chunk: str) -> tuple[tuple[Tok, ...], tuple[tuple[int, ...], ...]]:
        """The tokens of a whitespace-separated *chunk*, and for each the ids of the term
        tokens it matches: a document is read with one cached lookup per chunk."""
        found = self.chunks.get(chunk)
        if found is None:
            if len(self.chunks) > 200_000:
                self.chunks.clear()
            words = _chunk_tokens(chunk)
            found = self.chunks[chunk] = (tuple(_tok(word) for word in words),
                                          tuple(self.matched_word(word) for word in words))
        return found

    def latin_chunk(self, chunk: str) -> LatinChunk | None:
        """What a chunk of a Latin-Kazakh text is read as: its tokens, for each the ids of the
        term tokens it matches in either script, and (offset, token, word) of each Latin word
        with another Cyrillic form; None when the chunk's Cyrillic tokens do not pair with its
        tokens one for one (the sentence is then paired as a whole, as ``Doc`` always did)."""
        found = self.latin_chunks.get(chunk, False)
        if found is False:
            if len(self.latin_chunks) > 200_000:
                self.latin_chunks.clear()
            words = _chunk_tokens(chunk)
            cyrillic = _cyrillic_chunk(chunk)
            found = None
            if len(cyrillic) == len(words):
                toks, ids = self.chunk(chunk)
                alts = tuple((n, _tok(cyr), cyr) for n, (word, cyr) in enumerate(zip(words, cyrillic))
                             if word.isascii() and word.isalpha()
                             and _tok(cyr).norm != toks[n].norm)
                both = list(ids)
                for n, _, cyr in alts:
                    both[n] = self.matched(words[n], cyr)
                found = (toks, tuple(both), alts)
            self.latin_chunks[chunk] = found
        return found

    def knows(self, term_tok: Tok) -> bool:
        return id(term_tok) in self.toks

    def matched_word(self, word: str) -> tuple[int, ...]:
        """``matched(word, "")``, with a cache keyed by the word alone (the common case)."""
        found = self._cache_word.get(word)
        if found is None:
            if len(self._cache_word) > 200_000:
                self._cache_word.clear()
            found = self._cache_word[word] = self.matched(word, "")
        return found

    def matched(self, word: str, alt: str) -> tuple[int, ...]:
        """ids of the term tokens that *word* (or its transliteration *alt*, "" if none)
        matches."""
        found = self._cache.get((word, alt))
        if found is None:
            if len(self._cache) > 200_000:
                self._cache.clear()
            forms = (Tok.of(word), Tok.of(alt)) if alt else (Tok.of(word),)
            keys = frozenset(k for f in forms for k in f.index_keys)
            seen: dict[int, Tok] = {}
            for key in keys:
                for tok in self.by_key.get(key, ()):
                    seen[id(tok)] = tok
            found = self._cache[(word, alt)] = tuple(
                i for i, tok in seen.items() if _forms_match(forms, tok, keys))
        return found


class Doc:
    """An item's text split into sentences of tokens, with where each term token matches."""

    def __init__(self, sentences: list[str], *, latin_kazakh: bool = False,
                 matcher: Matcher | None = None) -> None:
        """*latin_kazakh*: also match each Latin word's Cyrillic transliteration.  *matcher*:
        the compiled tokens of the terms to be looked up (others fall back to an index)."""
        self.sentences = sentences
        self.toks: list[list[Tok]] = []
        self.alts: dict[tuple[int, int], Tok] = {}  # transliterated forms of Latin Kazakh
        self._alt_words: dict[tuple[int, int], str] = {}  # the transliterations as words
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
        self.candidates: set[int] | None = None
        #: id(term) → occurrences of the candidate terms that occur (``find_candidates``); None
        #: until the scorer sets the candidates.
        self.found: dict[int, list[tuple[int, int, int]]] | None = None
        #: the ``Term.bit`` of every term in ``found``, and of the one-token terms whose token
        #: occurs (their occurrences are their token's ``hits``)
        self.found_bits = 0
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
                    self.alts[(s_idx, t_idx)] = alt
                    self._alt_words[(s_idx, t_idx)] = cyrillic[t_idx]

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
            entries = list(map(cached, chunks))
            if not all(entries):
                entries = [entry or read(chunk) for entry, chunk in zip(entries, chunks)]
            self.toks.append(list(chain.from_iterable(map(_FIRST, entries))))
            self._add_hits(s_idx, list(chain.from_iterable(map(_SECOND, entries))))

    def _add_hits(self, s_idx: int, ids: list[tuple[int, ...]]) -> None:
        """Record where term tokens occur in sentence *s_idx* (*ids*: per token, the ids of
        the term tokens it matches), in text order."""
        hits = self.hits
        for pos in compress(count(), ids):
            for tok_id in ids[pos]:
                hits[tok_id].append((s_idx, pos, pos))

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
            base = 0
            for toks, _, alts in entries:  # type: ignore[misc]
                for offset, tok, word in alts:
                    self.alts[(s_idx, base + offset)] = tok
                    self._alt_words[(s_idx, base + offset)] = word
                base += len(toks)
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
                    self.alts[(s_idx, t_idx)] = alt
                    self._alt_words[(s_idx, t_idx)] = cyrillic[t_idx]
                    found_at[t_idx] = matcher.matched(word, cyrillic[t_idx])

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

    def find_candidates(self, ids: Iterable[int], terms: Mapping[int, "Term"],
                        single_bits: int = 0) -> None:
        """Find the candidate terms *ids* (*terms*: id → term) once, for all claims: a term
        list made of them is then looked up as a set intersection (``term_hits``), not term
        by term.  ``candidates`` must be set first; *ids* is a subset of it.  *single_bits*:
        the bits of candidate terms of one token left out of *ids*: they occur where their
        token does (``hits``)."""
        hits, cache = self.hits, self._found
        found = {}
        bits = single_bits
        combined = []  # "a & b" terms, found from their parts' occurrences
        for term_id in ids:
            term = terms[term_id]
            if term.parts:
                combined.append(term)
                continue
            # What ``_find`` does, without its checks: a candidate's tokens are all the
            # matcher's, and all occur.  A one-token term's occurrences are its token's.
            toks = term.toks
            occurrences = cache[term_id] = (
                hits[id(toks[0])] if len(toks) == 1
                else self._chain(hits[id(toks[0])], [hits[id(t)] for t in toks[1:]]))
            if occurrences:
                found[term_id] = occurrences
                bits |= term.bit
        for term in combined:
            if occurrences := find_term(self, term):
                found[id(term)] = occurrences
                bits |= term.bit
        self.found = found
        self.found_bits = bits

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


@lru_cache(maxsize=50_000)
def _term(text: str) -> Term:
    if " & " in text:
        parts = tuple(_term(p) for p in text.split(" & ") if p.strip())
        return Term(text=text, toks=parts[0].toks if parts else (), parts=parts)
    return Term(text=text, toks=tuple(Tok.of(w) for w in tokens(text) if w != "%"))


# --- sentences and term hits -----------------------------------------------------------------------------------

#: A split after ".", "!", "?" or "…" and whitespace, before a capital or a digit, or at a
#: run of newlines.  Written to start with ``\s`` (the lookbehinds come after the first
#: whitespace character) so that the regex engine jumps from whitespace to whitespace: twice
#: as fast as ``(?<=[.!?…])\s+(?=…)|\n+``, with the same splits.
_SENTENCE_SPLIT_RE = re.compile(
    r"\s(?:(?<=[.!?…]\s)\s*(?=[\"'«(]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9])|(?<=\n)\n*)")


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
        # Every candidate term was found once (``Doc.find_candidates``): the list's hits are
        # its terms whose bits the document has, in the list's order.
        bits, order = _list_bits(terms)
        present = bits & doc.found_bits
        if not present:
            return {}
        hits = doc.hits
        if not present & (present - 1):  # one term
            term = order[present][1]
            return {term.text: found_by_id.get(id(term)) or hits[id(term.toks[0])]}
        rows = []
        while present:
            low = present & -present
            rows.append(order[low])
            present ^= low
        rows.sort()
        return {term.text: found_by_id.get(id(term)) or hits[id(term.toks[0])]
                for _, term in rows}
    cached = doc.lists.get(id(terms))
    if cached is not None and cached[0] is terms:
        return cached[1]
    found = {}
    looked_up: Sequence[Term] = terms
    if doc.candidates is not None:
        # Only the terms whose first token occurs in the document can occur: a set
        # intersection instead of a walk over every term of the list, in the list's order.
        ids, order = _list_ids(terms)
        present = ids & doc.candidates
        looked_up = ([term for _, term in sorted(order[t] for t in present)] if len(present) > 1
                     else [order[t][1] for t in present])
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
        return bool(_list_bits(terms)[0] & doc.found_bits)
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


def negated(doc: Doc, s_idx: int, start: int, end: int) -> bool:
    row = doc.toks[s_idx]
    before = row[max(0, start - _NEGATION_WINDOW) : start]
    after = row[end + 1 : end + 3]
    return any(t.norm in _NEGATIONS_BEFORE for t in before) or any(
        t.norm in _NEGATIONS_AFTER for t in after
    )


def affirmed(doc: Doc, hits: Mapping[str, list[tuple[int, int, int]]]) -> list[str]:
    """Terms with at least one occurrence that is not negated."""
    return [
        text
        for text, occurrences in hits.items()
        if any(not negated(doc, s, start, end) for s, start, end in occurrences)
    ]

