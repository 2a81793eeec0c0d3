"""Words for relevance scoring: tokens with every form they may be matched by (normalised,
romanisation key, stems, Russian lemma, Kazakh in Cyrillic), and the ``Matcher`` that reads a
text by whitespace chunk against every term token of a claim set at once.  Split from
``text`` (sentences, documents, terms), which uses it."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

from kzwatch.relevance.translit import latin_to_cyrillic
from kzwatch.textnorm import latin_key, normalize, stem, tokens

log = logging.getLogger("kzwatch")

#: Shortest shared prefix for the "same word, different ending" fallback, and the longest
#: ending each side may have beyond it.
PREFIX_MIN = 6
PREFIX_MAX_TAIL = 3

# --- token matching ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _morph() -> Any:
    """pymorphy3's analyser (loads its dictionaries once, ~0.3 s); None when not installed."""
    try:
        import pymorphy3  # type: ignore[import-untyped]
    except ImportError:  # declared in pyproject; said once, not a silent downgrade
        log.warning("pymorphy3 is not installed: Russian words are matched by Snowball stems "
                    "alone, not by their lemmas (pip install pymorphy3 pymorphy3-dicts-ru)")
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


def _word_forms(word: str) -> tuple[str, tuple[tuple[str, str], ...], str, str]:
    """A word's normalised form, stems, romanisation key and Russian lemma."""
    norm = normalize(word)
    # Stemmers of the word's own script only: a Russian stemmer leaves Latin words as they
    # are (and vice versa), which would only duplicate the "n" key.
    langs = ("en",) if norm.isascii() else ("ru", "kk")
    stems = tuple((lang, s) for lang in langs if len(s := stem(norm, lang)) >= 3)
    return norm, stems, latin_key(norm), russian_lemma(word)


def _digit_forms(word: str) -> tuple[str, tuple[tuple[str, str], ...], str, str]:
    """``_word_forms`` of a word of ASCII digits, which normalising, the English stemmer and
    the romanisation key leave as it is (tested): every item brings new numbers, and the
    general path costs ~20 µs a word."""
    return word, ((("en", word),) if len(word) >= 3 else ()), word, ""


@lru_cache(maxsize=200_000)
def _tok(word: str) -> Tok:
    norm, stems, key, lemma = (_digit_forms(word) if word.isdigit() and word.isascii()
                               else _word_forms(word))
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
    return list(chain.from_iterable(map(_chunk_tokens, text.split())))  # joined in C


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


#: A chunk's tokens, and for each the ids of the term tokens it matches.
ChunkEntry = tuple[tuple["Tok", ...], tuple[tuple[int, ...], ...]]
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
        self.chunks: dict[str, ChunkEntry] = {}
        self.latin_chunks: dict[str, LatinChunk | None] = {}

    def chunk(self, chunk: str) -> ChunkEntry:
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
        if chunk in self.latin_chunks:
            return self.latin_chunks[chunk]
        if len(self.latin_chunks) > 200_000:
            self.latin_chunks.clear()
        words = _chunk_tokens(chunk)
        cyrillic = _cyrillic_chunk(chunk)
        found: LatinChunk | None = None
        if len(cyrillic) == len(words):
            toks, ids = self.chunk(chunk)
            alts = tuple((n, _tok(cyr), cyr) for n, (word, cyr) in enumerate(zip(words, cyrillic))
                         if word.isascii() and word.isalpha() and _tok(cyr).norm != toks[n].norm)
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
