"""A learned second opinion for recall: nearest labelled exemplars by character n-grams.

The rules (``scoring``) miss items that paraphrase a claim without its keywords ("almost two
thirds" for the turnout, "a line rejecting every candidate" for "against all").  This model
compares an item with the labelled items written for the evaluation (our own prose, packaged
in ``kzwatch/data/second_opinion.json`` by ``bench/train_second_opinion.py``): TF-IDF vectors
of word stems and character 3-5-grams of every token (Latin and Arabic-script Kazakh read in
Cyrillic first, as the rules read them), cosine similarity, and for each claim

* ``pos`` — the similarity of the nearest exemplar labelled with the claim, and
* ``neg`` — that of the nearest exemplar *not* labelled with it (near-misses, other claims);

it adds the claim when ``pos >= min_similarity`` and ``pos - neg >= margin``.  It only adds,
and only to items the rules flagged for nothing: the rules stay in charge of scope and
precision — what they flagged is left as it is, and a claim their vetoes forbid (no word for the country, a near-miss guard, another vote or
period: ``scoring.veto``) is never added.  The stance of an added claim is the rules' own
(``scoring.ungated_stance``); where the rules find nothing (``mentions``), the item's years
decide: a year after the claim's (up to the year after publication) is a later state, the
claim's own year alone restates it (``_dated``).

It applies only to the article and claims it was trained for (claim texts are checked).  Pure
NumPy; nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from itertools import chain, repeat
from operator import is_
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from kzwatch.model import SENTENCE_SHOWN_CHARS, Claim, ClaimMatch
from kzwatch.relevance.compiled import compiled_claim
from kzwatch.relevance.text import fast_tokens
from kzwatch.textnorm import stem

if TYPE_CHECKING:
    from kzwatch.relevance.scoring import Prepared
    from kzwatch.relevance.settings import RelevanceSettings

NGRAMS = (3, 4, 5)
PACKAGED = "second_opinion.json"
FORMAT = 1


@lru_cache(maxsize=200_000)
def _token_features(token: str, lang: str) -> tuple[str, ...]:
    features = ["w:" + stem(token, lang or None)]
    if token.isalpha():
        word = f"<{token}>"
        features += [word[i:i + n] for n in NGRAMS for i in range(len(word) - n + 1)]
    return tuple(features)


def features(sentences: Iterable[str], lang: str | None) -> Counter[str]:
    """Feature counts of a text: each token's stem and its character 3-5-grams."""
    counts: Counter[str] = Counter()
    for sentence in sentences:
        for token in fast_tokens(sentence):
            counts.update(_token_features(token, lang or ""))
    return counts


def claim_key(claim: Claim) -> str:
    """What ties a model to the claims it was trained on: article, id and the claim's text."""
    digest = hashlib.sha256(claim.text.encode("utf-8")).hexdigest()[:16]
    return f"{claim.article_id}/{claim.id}/{digest}"


@dataclass(frozen=True)
class Exemplar:
    """One labelled item the model compares with: its id, language, claims and text as the
    rules read it (sentences, Kazakh in Cyrillic)."""

    id: str
    lang: str
    claims: frozenset[str]
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Opinion:
    """Why the model adds one claim: its nearest exemplar for and against."""

    claim_id: str
    similarity: float  # to the nearest exemplar labelled with the claim
    exemplar: str  # that exemplar's id
    against: float  # to the nearest exemplar not labelled with it
    against_exemplar: str

    def describe(self) -> str:
        return (f"second opinion: similarity {self.similarity:.2f} to exemplar {self.exemplar} "
                f"(nearest without {self.claim_id}: {self.against_exemplar} "
                f"{self.against:.2f})")


class SecondOpinion:
    """Exemplars as a TF-IDF matrix held by feature (column → exemplar rows, weights)."""

    def __init__(self, exemplars: Sequence[Exemplar], claim_keys: Sequence[str], *,
                 min_similarity: float, margin: float) -> None:
        if not exemplars:
            raise ValueError("second opinion: no exemplars")
        self.exemplars = list(exemplars)
        self.claim_keys = frozenset(claim_keys)
        self.min_similarity = min_similarity
        self.margin = margin
        #: language → token → the columns of its features the vocabulary has
        self._token_columns: dict[str, dict[str, tuple[int, ...]]] = {}
        self._applies: dict[int, tuple[Claim, bool]] = {}  # id(claim) → (claim, applies_to)
        #: claim ids → their exemplar masks stacked (``opinions``; the claim lists are few)
        self._masks: dict[tuple[str, ...], np.ndarray] = {}
        counted = [features(e.sentences, e.lang) for e in self.exemplars]
        df: Counter[str] = Counter()
        for counts in counted:
            df.update(counts.keys())
        n = len(counted)
        self.vocab = {f: i for i, f in enumerate(sorted(df))}
        self.idf = np.array([math.log((1 + n) / (1 + df[f])) + 1 for f in sorted(df)])
        self._index(counted)
        ids = sorted({c for e in self.exemplars for c in e.claims})
        self.labelled = {c: np.array([c in e.claims for e in self.exemplars]) for c in ids}
        self._with_exemplars = frozenset(c for c, mask in self.labelled.items() if mask.any())

    def _index(self, counted: list[Counter[str]]) -> None:
        cols, rows, weights = [], [], []
        for row, counts in enumerate(counted):
            col, w = self._vector(counts)
            cols.append(col)
            rows.append(np.full(len(col), row))
            weights.append(w)
        col_all, row_all, w_all = (np.concatenate(cols), np.concatenate(rows),
                                   np.concatenate(weights))
        order = np.argsort(col_all, kind="stable")
        self._rows, self._weights = row_all[order], w_all[order]
        self._indptr = np.searchsorted(col_all[order], np.arange(len(self.vocab) + 1))

    def _vector(self, counts: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        """Known features' columns and (1 + log tf) * idf weights, L2-normalised."""
        known = [(self.vocab[f], c) for f, c in counts.items() if f in self.vocab]
        if not known:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return self._weighted(np.array([k for k, _ in known], dtype=np.int64),
                              np.array([c for _, c in known], dtype=float))

    def _weighted(self, col: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w = (1 + np.log(count)) * self.idf[col]
        return col, w / (np.linalg.norm(w) or 1.0)

    def text_vector(self, sentences: Sequence[str], lang: str | None
                    ) -> tuple[np.ndarray, np.ndarray]:
        """``_vector(features(sentences, lang))`` without a Python step per feature: each
        token's known columns are worked out once per model (cached by word) and a text's
        columns counted by ``Counter`` in C, which keeps them in the order ``features`` first
        meets them (first occurrence), so the weights, their norm and every sum over them are
        added up in the same order, to the last bit."""
        lang_key = lang or ""
        cache = self._token_columns.setdefault(lang_key, {})
        tokens = list(chain.from_iterable(map(fast_tokens, sentences)))
        per_token = list(map(cache.get, tokens))  # looked up in C; new words filled in below
        if any(map(is_, per_token, repeat(None))):
            if len(cache) > 100_000:  # ~0.2 kB a word
                cache.clear()
            for n, token in enumerate(tokens):
                if per_token[n] is None:
                    per_token[n] = cache[token] = tuple(
                        self.vocab[f] for f in _token_features(token, lang_key) if f in self.vocab)
        counts = Counter(chain.from_iterable(cast(list[tuple[int, ...]], per_token)))
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return self._weighted(np.fromiter(counts.keys(), dtype=np.int64, count=len(counts)),
                              np.fromiter(counts.values(), dtype=float, count=len(counts)))

    def similarities(self, sentences: Sequence[str], lang: str | None) -> np.ndarray:
        """Cosine similarity of a text with every exemplar."""
        col, w = self.text_vector(sentences, lang)
        starts = self._indptr[col]
        lengths = self._indptr[col + 1] - starts
        total = int(lengths.sum())
        if not total:
            return np.zeros(len(self.exemplars))
        # Positions of every (feature, exemplar) entry of the item's columns, vectorised (in
        # place and by ``take``: tens of thousands of entries an item, the model's main cost).
        idx = np.arange(total)
        idx += np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        contrib = np.take(self._weights, idx)
        contrib *= np.repeat(w, lengths)
        return np.bincount(np.take(self._rows, idx), contrib, minlength=len(self.exemplars))

    def opinions(self, sims: np.ndarray, claim_ids: Sequence[str]) -> list[Opinion | None]:
        """The model's case for each of *claim_ids* given the similarities (None: no exemplar
        has it): the nearest exemplars with and without each
        claim found for all of them by one ``where``/``argmax`` per side over a stacked mask
        (the same maxima and first indices as claim by claim, without NumPy calls per claim)."""
        known = [c for c in claim_ids if c in self._with_exemplars]
        if not known:
            return [None] * len(claim_ids)
        masks = self._masks.get(tuple(known))
        if masks is None:
            if len(self._masks) > 256:
                self._masks.clear()
            masks = self._masks[tuple(known)] = np.stack([self.labelled[c] for c in known])
        pos = np.argmax(np.where(masks, sims, -1.0), axis=1)
        neg = np.argmax(np.where(masks, -1.0, sims), axis=1)
        found = {}
        for claim_id, pos_i, neg_i in zip(known, pos.tolist(), neg.tolist()):
            found[claim_id] = Opinion(
                claim_id, round(float(sims[pos_i]), 3), self.exemplars[pos_i].id,
                round(float(max(sims[neg_i], 0.0)), 3), self.exemplars[neg_i].id)
        return [found.get(c) for c in claim_ids]

    def agrees(self, opinion: Opinion) -> bool:
        return (opinion.similarity >= self.min_similarity
                and opinion.similarity - opinion.against >= self.margin)

    def applies_to(self, claim: Claim) -> bool:
        # Asked for every claim of every item the rules flag nothing on: the key (a SHA-256
        # of the claim's text) is worked out once per claim object.
        cached = self._applies.get(id(claim))
        if cached is None or cached[0] is not claim:
            if len(self._applies) > 4096:
                self._applies.clear()
            cached = self._applies[id(claim)] = (claim, claim_key(claim) in self.claim_keys)
        return cached[1]

    def matches(self, prep: Prepared, claims: Sequence[Claim], flagged: set[str], *,
                now: datetime | None = None,
                settings: RelevanceSettings | None = None) -> list[ClaimMatch]:
        """Claims the model adds to an item the rules flagged for nothing (*flagged* empty),
        with the rules' stance.  On an item the rules already tie to a claim the model keeps
        quiet: there its nearest exemplars are that claim's neighbours (turnout next to
        invalid ballots), and on the tuning folds none of its additions there was right."""
        from kzwatch.relevance.scoring import ungated_stance, veto
        from kzwatch.relevance.settings import DEFAULT_SETTINGS

        if flagged:
            return []
        settings = settings or DEFAULT_SETTINGS
        # The rules' vetoes are asked lazily (each costs a gate's checks): up to the first
        # claim open to the model (none open: no similarities at all), then only for the
        # claims the model agrees on.  The same claims, in the same order, as vetoing first.
        applicable = [c for c in claims if self.applies_to(c)]
        vetoes: dict[int, bool] = {}  # id(claim) → the rules forbid it

        def open_to_model(claim: Claim) -> bool:
            if id(claim) not in vetoes:
                vetoes[id(claim)] = bool(veto(prep, claim, settings))
            return not vetoes[id(claim)]

        if not any(map(open_to_model, applicable)):
            return []
        sims = self.similarities(prep.number_text, prep.lang)
        added = []
        for claim, opinion in zip(applicable, self.opinions(sims, [c.id for c in applicable])):
            if opinion is None or not self.agrees(opinion) or not open_to_model(claim):
                continue
            stance, reason = _dated(prep, claim, settings.years_ahead,
                                    *ungated_stance(prep, claim, now, settings))
            added.append(ClaimMatch(
                claim_id=claim.id, score=opinion.similarity, stance=stance,
                reason=f"{opinion.describe()}; {reason}", matched=(f"~{opinion.exemplar}",),
                sentence=self.best_sentence(prep, opinion.exemplar)[:SENTENCE_SHOWN_CHARS],
                lang=prep.lang))
        return added

    def best_sentence(self, prep: Prepared, exemplar_id: str) -> str:
        """The item's sentence most like the exemplar (the evidence shown to maintainers)."""
        row = next(i for i, e in enumerate(self.exemplars) if e.id == exemplar_id)
        scores = [float(self.similarities([s], prep.lang)[row]) for s in prep.number_text]
        return prep.sentences[int(np.argmax(scores))] if scores else ""


def exemplar_records(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Labelled rows as the packaged file stores them: id, lang, claims and sentences as the
    rules read them (``scoring.prepare``)."""
    from kzwatch.relevance.evaluation import item_of
    from kzwatch.relevance.scoring import prepare

    out = []
    for row in rows:
        prep = prepare(item_of(row))
        if prep is None:
            continue
        out.append({"id": str(row["id"]), "lang": prep.lang or "", "claims": sorted(
            row.get("claims", [])), "sentences": prep.number_text})
    return out


def from_records(records: Sequence[dict[str, Any]], claim_keys: Sequence[str], *,
                 min_similarity: float, margin: float) -> SecondOpinion:
    return SecondOpinion([Exemplar(r["id"], r["lang"], frozenset(r["claims"]),
                                   tuple(r["sentences"])) for r in records],
                         claim_keys, min_similarity=min_similarity, margin=margin)


def load(path: Path | None = None) -> SecondOpinion:
    """The packaged model (or the one at *path*); a ValueError with one clear line when the
    file is missing or not a model of this format."""
    try:
        text = (path.read_text(encoding="utf-8") if path is not None else
                resources.files("kzwatch.data").joinpath(PACKAGED).read_text(encoding="utf-8"))
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        raise ValueError(f"second opinion: cannot read {path or PACKAGED}: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"second opinion: {path or PACKAGED} is not a format-{FORMAT} model")
    return from_records(data["exemplars"], data["claim_keys"],
                        min_similarity=float(data["min_similarity"]),
                        margin=float(data["margin"]))


@lru_cache(maxsize=1)
def packaged() -> SecondOpinion:
    """The packaged model, built once per process."""
    return load()


def _dated(prep: Prepared, claim: Claim, years_ahead: int, stance: str, reason: str
           ) -> tuple[str, str]:
    """The rules' stance on a claim the model adds; where they read nothing (``mentions``),
    the years the item names: a year after the claim's, alone or beside it, is a later state
    of it (`updates`: told since then; docs/LABELLING.md), the claim's own year alone the claim
    told again (`confirms`).  A year more than *years_ahead* after the item's publication is
    a target ("by 2030"), not news, and is not counted.  Years are what the rules lack here:
    the model adds claims to items that paraphrase them."""
    year = compiled_claim(claim).year
    until = None if prep.published_year is None else prep.published_year + years_ahead
    years = [y for y in prep.numbers.year_values() if until is None or y <= until]
    if stance != "mentions" or year is None or not years:
        return stance, reason
    if max(years) > year:  # a later year, alone or beside the claim's: told since then
        return "updates", f"{reason}; dated after the claim ({', '.join(map(str, sorted(years)))})"
    if year in years:
        return "confirms", f"{reason}; dated to the claim's year {year}"
    return stance, reason
