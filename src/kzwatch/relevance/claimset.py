"""A claim list compiled once for scoring many items (``claim_set``): one matcher over all its
terms' tokens, which terms each token can start, and which claims an item's found terms
anchor.  Split from ``scoring``, which uses it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import is_, itemgetter, or_

from kzwatch.model import Claim
from kzwatch.relevance.compiled import _COMPILED_CACHE, Compiled, all_terms, compiled_claim
from kzwatch.relevance.days import parse_vote_days
from kzwatch.relevance.text import Doc, LongerTerm, Matcher, Term, TermList, longer_term

_THIRD = itemgetter(2)


@dataclass
class ClaimSet:
    """A claim list compiled once for scoring many items: one matcher over all its terms'
    tokens, and which terms and claims each token can start."""

    claims: Sequence[Claim]
    compiled: list[Compiled]  # keeps the terms whose ids the maps below hold alive
    matcher: Matcher
    #: id(token) → ids of the terms made of it alone
    single_terms: dict[int, frozenset[int]]
    bits: dict[int, int]  # id(term) → ``Term.bit``
    #: id(token) → the OR of the bits of the terms made of it alone
    single_bits: dict[int, int]
    #: id(token) → [(id of a longer or "a & b" term with it, ids of the other tokens of the
    #: term or of its first part, what finding it needs: ``LongerTerm``)], keyed by the token
    #: fewest terms have (fewest checks)
    longer_terms: dict[int, list[tuple[int, frozenset[int], LongerTerm]]]
    terms: dict[int, Term]  # id → term, for every term of every claim (parts included)
    #: (day, month) → year of the country's national votes (the claims file's ``vote_days``)
    vote_days: dict[tuple[int, int], int]

    def _longer_candidates(self, doc: Doc) -> list[tuple[int, frozenset[int], LongerTerm]]:
        """The ``longer_terms`` entries of *doc*: the terms of more than one token (or "a & b")
        every token of which occurs in it."""
        present = doc.hits.keys()
        longer = self.longer_terms
        return [entry for tok_id in longer.keys() & present
                for entry in longer[tok_id] if present >= entry[1]]

    def find_terms(self, doc: Doc) -> None:
        """Set *doc*'s candidate terms and find them: a one-token term occurs where its token
        does, so only the others are looked for term by term (``Doc.find_longer``, with what
        finding each needs worked out once per claim set).  The set of candidate ids is put
        together only if a term is later looked up on its own; the one-token terms' bits come
        by token (``single_bits``)."""
        chosen = self._longer_candidates(doc)
        doc.candidates_from(self.single_terms, [entry[0] for entry in chosen])
        doc.find_longer(map(_THIRD, chosen),
                        reduce(or_, filter(None, map(self.single_bits.get, doc.hits)), 0))

    def anchored(self, doc: Doc) -> list[Claim]:
        """The claims one of whose anchors occurs in *doc*, once its terms are found
        (``find_terms``): one AND of bits per claim.  Every other claim would be rejected
        for want of an anchor, so only these need assessing."""
        found = doc.found_bits
        return [claim for claim, compiled in zip(self.claims, self.compiled)
                if _bits_of(compiled.anchors) & found]


def _bits_of(terms: Sequence[Term]) -> int:
    return terms.bits if isinstance(terms, TermList) else reduce(or_, (t.bit for t in terms), 0)


_CLAIM_SETS: dict[tuple[int, ...], ClaimSet] = {}


def _term_index(terms: dict[int, Term]) -> tuple[
        dict[int, frozenset[int]], dict[int, int], dict[int, int],
        dict[int, list[tuple[int, frozenset[int], LongerTerm]]]]:
    """``ClaimSet.single_terms``, ``bits``, ``single_bits`` and ``longer_terms`` of *terms*
    (id → term)."""
    single_terms: dict[int, set[int]] = defaultdict(set)
    longer_terms: dict[int, list[tuple[int, frozenset[int], LongerTerm]]] = defaultdict(list)
    having: dict[int, int] = defaultdict(int)  # id(token) → how many terms have it
    for term in terms.values():
        for tok_id in {id(t) for t in term.toks}:
            having[tok_id] += 1
    for term_id, term in terms.items():
        if len(term.toks) == 1 and not term.parts:
            single_terms[id(term.toks[0])].add(term_id)
        elif term.toks:
            tok_ids = [id(t) for t in term.toks]
            key = min(tok_ids, key=having.__getitem__)
            longer_terms[key].append((term_id, frozenset(tok_ids) - {key}, longer_term(term)))
    return ({k: frozenset(v) for k, v in single_terms.items()},
            {term_id: term.bit for term_id, term in terms.items()},
            {k: reduce(or_, (terms[t].bit for t in v), 0) for k, v in single_terms.items()},
            dict(longer_terms))


def claim_set(claims: Sequence[Claim]) -> ClaimSet:
    """The compiled form of *claims*, built once per list of claim objects."""
    cache_key = tuple(map(id, claims))
    cached = _CLAIM_SETS.get(cache_key)
    # The ids below are only valid for the same compiled objects (a claim recompiled after the
    # compile cache was cleared has new terms): check both (``compiled_claim(a) is c``, by
    # C-level maps: this runs once per item).
    if (cached is not None and all(map(is_, cached.claims, claims))
            and all(map(is_, map(_COMPILED_CACHE.get, cache_key), cached.compiled))):
        return cached
    if len(_CLAIM_SETS) > 8:  # each holds a per-word cache: keep few (claims change rarely)
        _CLAIM_SETS.clear()
    compiled_list = [compiled_claim(claim) for claim in claims]
    by_id = {id(term): term for c in compiled_list for term in all_terms(c)}
    toks = [tok for c in compiled_list for term in all_terms(c) for tok in term.toks]
    built = ClaimSet(list(claims), compiled_list, Matcher(toks), *_term_index(by_id), by_id,
                     vote_days_of(claims))
    _CLAIM_SETS[cache_key] = built
    return built


def vote_days_of(claims: Sequence[Claim]) -> dict[tuple[int, int], int]:
    """The national votes by day that *claims* carry (their file's ``vote_days``)."""
    calendar: dict[tuple[int, int], int] = {}
    for claim in claims:
        calendar.update(parse_vote_days(claim.extra.get("vote_days", {})))
    return calendar
