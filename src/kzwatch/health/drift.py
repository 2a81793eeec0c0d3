"""Content drift: is the page at a cited URL still the text that was cited?

A live URL can answer 200 and still have stopped carrying the cited work ("content drift",
Jones et al. 2016, "Scholarly Context Adrift", PLOS ONE doi:10.1371/journal.pone.0167475: three
in four URI references in scholarly articles lead to changed content).  ``compare`` measures a
current main text against the baseline main text captured earlier and puts the change in one of
three bands:

* ``unchanged`` — near-duplicate: 64-bit Charikar simhash over word shingles differs in at most
  ``unchanged_max_hamming`` = 3 bits, the near-duplicate cut-off Manku, Jain & Das Sarma
  ("Detecting near-duplicates for web crawling", WWW 2007) validated on 8 billion pages.
* ``off_topic`` — the cited content is gone: cosine similarity of the content-word counts below
  ``off_topic_max_cosine`` = 0.12 (the default cosine threshold of the Off-Topic Memento Toolkit,
  Jones, Weigle & Nelson 2018, chosen for best F1 on their gold set; AlNoamany, Weigle & Nelson
  2016, IJDL doi:10.1007/s00799-016-0183-5, found cosine < 0.10 the strongest single signal), or
  the text lost more than ``off_topic_max_word_change`` = −85 % of its words (AlNoamany et al.'s
  word-count-change threshold).  AlNoamany combine the two with AND to spot error pages in web
  archives; a citation needs either: a same-length replacement article keeps its word count but
  has a low cosine, and an article cut to a stub keeps some words but is no longer the work.
* ``edited`` — everything in between: corrections, updated figures, added paragraphs.

Cosine is computed on raw term frequencies of normalised content words (function words
removed) rather than TF-IDF: with only two documents, IDF is degenerate, and dropping
function words does the job IDF does in the OTMT (stop common words from dominating).

The field names of ``DriftSettings`` are the keys of the ``[drift]`` table of the config.
Pure functions; no I/O.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz

from kzwatch import textnorm

__all__ = [
    "DriftSettings",
    "DriftResult",
    "BANDS",
    "simhash",
    "hamming",
    "cosine",
    "jaccard",
    "word_count_change",
    "content_tokens",
    "compare",
    "title_changed",
    "notices_added",
]

BANDS = ("unchanged", "edited", "off_topic")


@dataclass(frozen=True)
class DriftSettings:
    """Drift thresholds; field names are the ``[drift]`` config keys (see module docstring)."""

    #: Word n-gram length for simhash and Jaccard (w-shingling; 3 is the usual choice for
    #: near-duplicate detection on short news texts).
    shingle_size: int = 3
    #: At most this many differing simhash bits (of 64) = unchanged.  Manku et al. 2007.
    unchanged_max_hamming: int = 3
    #: Cosine (content-word counts) below this = off_topic.  OTMT default (Jones et al. 2018).
    off_topic_max_cosine: float = 0.12
    #: Relative word-count change below this (−0.85 = lost 85 % of words) = off_topic.
    #: AlNoamany et al. 2016.
    off_topic_max_word_change: float = -0.85
    #: Title similarity (0..1, rapidfuzz ratio on normalised titles) below this = title changed.
    #: Reyes Ayala et al. 2022 use title change as a cheap drift signal; 0.9 tolerates a
    #: corrected typo or a changed site suffix.
    title_min_similarity: float = 0.90



@dataclass(frozen=True)
class DriftResult:
    """How far the current text has moved from the baseline."""

    similarity: float  # 0..1: cosine of content-word counts
    band: str  # one of BANDS
    measures: dict[str, float]
    title_changed: bool | None = None  # None when either title is unknown

    @property
    def drifted(self) -> bool:
        return self.band == "off_topic"


#: Function words of Russian, Kazakh (after textnorm's folding) and English.  They carry no topic
#: and would otherwise make any two texts in one language look alike.
STOPWORDS: frozenset[str] = frozenset(
    textnorm.normalize(word)  # compared with normalised tokens: "және" → "жане"
    for word in """
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее
    мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть
    был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть
    надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда
    кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас
    были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот
    через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед
    иногда лучше чуть том нельзя такой им более всегда конечно всю между это также которые
    который которая которых году года также
    мен бен пен және мен да де та те ол бұл осы сол бір үшін деп еді болды болып бар жоқ жане
    бул ушин деген пен мен енді тағы ғана гана ал бірақ бирак
    the a an and or of to in on at for by with from as is are was were be been it its this that
    these those not no but if then than so such into over about after before which who whom what
    has have had will would can could should may might do does did also he she they we you i
    """.split()
)


def content_tokens(text: str) -> list[str]:
    """Normalised word and number tokens of *text* minus function words and "%"."""
    return [t for t in textnorm.tokens(text) if t != "%" and t not in STOPWORDS]


def _shingles(toks: list[str], size: int) -> list[tuple[str, ...]]:
    if len(toks) < size:
        return [tuple(toks)] if toks else []
    return [tuple(toks[i : i + size]) for i in range(len(toks) - size + 1)]


def _hash64(feature: tuple[str, ...]) -> int:
    digest = hashlib.blake2b("\x1f".join(feature).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def simhash(text: str, *, shingle_size: int = 3) -> int:
    """64-bit Charikar simhash of *text* over shingles of its normalised content tokens.

    Each shingle votes +1/−1 on every bit of its 64-bit hash, weighted by how often it occurs;
    the fingerprint keeps the sign.  Similar texts get fingerprints a few bits apart.
    """
    return _simhash_counts(Counter(_shingles(content_tokens(text), shingle_size)))


def _simhash_counts(counts: Counter[tuple[str, ...]]) -> int:
    if not counts:
        return 0
    votes = [0] * 64
    total = 0
    for feature, weight in counts.items():
        h = _hash64(feature)
        total += weight
        # add the weight on set bits; unset bits are implied (vote = 2·set − total)
        bit = 0
        while h:
            if h & 1:
                votes[bit] += weight
            h >>= 1
            bit += 1
    return sum(1 << bit for bit in range(64) if 2 * votes[bit] > total)


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit fingerprints."""
    return ((a ^ b) & 0xFFFFFFFFFFFFFFFF).bit_count()


def cosine(a_text: str, b_text: str) -> float:
    """Cosine similarity (0..1) of the content-token counts of two texts; 1.0 if both are empty."""
    return _cosine_counts(Counter(content_tokens(a_text)), Counter(content_tokens(b_text)))


def jaccard(a_text: str, b_text: str, *, shingle_size: int = 3) -> float:
    """Jaccard similarity (0..1) of the shingle sets of two texts; 1.0 if both are empty."""
    return _jaccard_sets(set(_shingles(content_tokens(a_text), shingle_size)),
                         set(_shingles(content_tokens(b_text), shingle_size)))


def word_count_change(baseline: str, current: str) -> float:
    """Relative change of the word count: (current − baseline) / baseline; −1.0 = all gone."""
    return _count_change(len(textnorm.tokens(baseline)), len(textnorm.tokens(current)))


def title_changed(
    baseline_title: str | None, current_title: str | None, settings: DriftSettings = DriftSettings()
) -> bool | None:
    """Whether the title changed materially; None when either title is unknown."""
    if not baseline_title or not current_title:
        return None
    a, b = textnorm.normalize(baseline_title), textnorm.normalize(current_title)
    # token_set_ratio: a site suffix ("… | Радио Азаттык") added or dropped is not a change.
    similarity = fuzz.token_set_ratio(a, b) / 100.0
    return similarity < settings.title_min_similarity


@dataclass
class _Tokens:
    """One text's tokens and the sketches every drift measure is computed from."""

    words: int
    counts: Counter[str]
    shingles: set[tuple[str, ...]]
    simhash: int

    @classmethod
    def of(cls, text: str, shingle_size: int) -> _Tokens:
        words = textnorm.tokens(text)
        content = [t for t in words if t != "%" and t not in STOPWORDS]
        shingle_list = _shingles(content, shingle_size)
        return cls(words=len(words), counts=Counter(content), shingles=set(shingle_list),
                   simhash=_simhash_counts(Counter(shingle_list)))


def _cosine_counts(a: Counter[str], b: Counter[str]) -> float:
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    dot = sum(count * b[tok] for tok, count in a.items())
    norm = math.sqrt(sum(c * c for c in a.values())) * math.sqrt(sum(c * c for c in b.values()))
    return dot / norm


def _jaccard_sets(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _count_change(before: int, after: int) -> float:
    if before == 0:
        return 0.0 if after == 0 else math.inf
    return (after - before) / before


def compare(
    baseline: str,
    current: str,
    settings: DriftSettings = DriftSettings(),
    *,
    baseline_title: str | None = None,
    current_title: str | None = None,
) -> DriftResult:
    """Compare the current main text of a page with its baseline (see module docstring).

    An empty *current* text is ``off_topic`` (the cited content is gone).  An empty *baseline*
    cannot be compared against and raises ``ValueError``: the caller must first capture one.
    """
    if not (baseline or "").strip():
        raise ValueError("drift.compare: the baseline text is empty; capture a baseline first")
    current = current or ""
    # Tokenise each text once and derive every measure from the tokens (the measures' public
    # functions each re-normalise the text; on a 30 KB page that was most of the cycle's CPU).
    base = _Tokens.of(baseline, settings.shingle_size)
    now = base if current == baseline else _Tokens.of(current, settings.shingle_size)
    measures = {
        "cosine": round(_cosine_counts(base.counts, now.counts), 4),
        "jaccard": round(_jaccard_sets(base.shingles, now.shingles), 4),
        "simhash_hamming": float(hamming(base.simhash, now.simhash)),
        "word_count_change": round(_count_change(base.words, now.words), 4),
        "baseline_words": float(base.words),
        "current_words": float(now.words),
    }
    identical = textnorm.normalize(baseline) == textnorm.normalize(current)
    if identical or measures["simhash_hamming"] <= settings.unchanged_max_hamming:
        band = "unchanged"
    elif (
        measures["cosine"] < settings.off_topic_max_cosine
        or measures["word_count_change"] < settings.off_topic_max_word_change
    ):
        band = "off_topic"
    else:
        band = "edited"
    return DriftResult(
        similarity=1.0 if identical else measures["cosine"],
        band=band,
        measures=measures,
        title_changed=title_changed(baseline_title, current_title, settings),
    )


def same_text(text: str, title: str | None = None) -> DriftResult:
    """What :func:`compare` says of a text against itself, without comparing (a first check,
    whose baseline is the page just fetched)."""
    words = float(len(textnorm.tokens(text or "")))
    measures = {"cosine": 1.0, "jaccard": 1.0, "simhash_hamming": 0.0, "word_count_change": 0.0,
                "baseline_words": words, "current_words": words}
    return DriftResult(similarity=1.0, band="unchanged", measures=measures,
                       title_changed=False if title else None)


def notices_added(baseline_notices: tuple[str, ...] | list[str], current_notices: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Correction/update notices present now but not in the baseline (compared normalised)."""
    before = {textnorm.normalize(n) for n in baseline_notices or ()}
    added: list[str] = []
    for notice in current_notices or ():
        key = textnorm.normalize(notice)
        if key and key not in before:
            before.add(key)
            added.append(notice)
    return tuple(added)
