"""Near-miss guards (a claim's ``exclude`` pairs) and negative terms: whether the words that
put an item out (another country, another vote, a topic next to the claim's) outweigh the words
that keep it in.  Split from ``scoring`` (round 21b) with the rule that a sentence telling the
claim of its own country or event lifts a place guard."""

from __future__ import annotations

from kzwatch.relevance.compiled import Compiled
from kzwatch.relevance.negation import affirmed
from kzwatch.relevance.settings import RelevanceSettings
from kzwatch.relevance.text import Doc, hit_positions, hits_outside, term_hits


def excluded(doc: Doc, compiled: Compiled, settings: RelevanceSettings) -> str:
    """Why a near-miss guard or a negative term of *compiled* rules the item out ("" if none)."""
    # Most items name no excluded term of any pair: one AND for all the pairs, when the
    # scorer has found the item's terms (``term_hits`` would answer each pair with nothing).
    excluded_bits, own_place = _guard_facts(compiled)
    guarded = compiled.exclude if doc.found is None or excluded_bits & doc.found_bits else ()
    for excluded_terms, unless_terms in guarded:
        hits = term_hits(doc, excluded_terms)
        if not hits:
            continue
        unless = term_hits(doc, unless_terms)
        if _guard_holds(hits, unless) and not _told_apart(hits, unless, _told(doc, compiled),
                                                          own_place):
            return f"near-miss guard: {', '.join(list(hits)[:3])}"
    negative = affirmed(doc, term_hits(doc, compiled.negative), settings)
    if negative:
        return f"negative term for this claim: {', '.join(negative[:3])}"
    return ""


def _told(doc: Doc, compiled: Compiled) -> set[int]:
    """The sentences that tell the claim (its anchors')."""
    return {s for occ in term_hits(doc, compiled.anchors).values() for s, _, _ in occ}


_GUARD_FACTS: dict[int, tuple[Compiled, int, frozenset[str]]] = {}


def _guard_facts(compiled: Compiled) -> tuple[int, frozenset[str]]:
    """The OR of the bits of every excluded term of the claim's guards (``Term.bit``), and
    its own place words (``_own_place_words``): worked out once per compiled claim."""
    cached = _GUARD_FACTS.get(id(compiled))
    if cached is None or cached[0] is not compiled:
        if len(_GUARD_FACTS) > 512:
            _GUARD_FACTS.clear()
        bits = 0
        for excluded_terms, _ in compiled.exclude:
            for term in excluded_terms:
                bits |= term.bit
        cached = _GUARD_FACTS[id(compiled)] = (compiled, bits, _own_place_words(compiled))
    return cached[1], cached[2]


def _guard_holds(excluded: dict[str, list[tuple[int, int, int]]],
                 unless: dict[str, list[tuple[int, int, int]]]) -> bool:
    """The excluded terms name more places (``_outermost``) than the `unless` terms outside
    them (``hits_outside``: the people's name in "Kazakhs of Xinjiang" (@abroad) names a
    community abroad, not the country).  Counted plainly first: an `unless` term can sit inside an
    excluded phrase only in a sentence that has one, and the plain counts settle most items."""
    if not unless:
        return True
    n_excluded = len(hit_positions(excluded))
    places = hit_positions(unless)
    sentences = {s for occs in excluded.values() for s, _, _ in occs}
    if n_excluded <= sum(s not in sentences for s, _ in places):
        return False
    return _outermost(excluded) > len(hit_positions(hits_outside(unless, excluded)))


def _own_place_words(compiled: Compiled) -> frozenset[str]:
    """The claim's country words (its first context group) and the names only its event has."""
    country = compiled.context[0] if compiled.context else []
    return frozenset(t.text for t in [*country, *compiled.unique])


def _told_apart(excluded: dict[str, list[tuple[int, int, int]]],
                unless: dict[str, list[tuple[int, int, int]]], told: set[int],
                own_place: frozenset[str]) -> bool:
    """A sentence that tells the claim (*told*: its anchors') names the claim's own country or
    event (an `unless` term among *own_place*) and no excluded term: the other places named are
    a round-up's other news ("Border guards in <a neighbour> ... In Kazakhstan, protests were
    counted ...").  Only place words lift a guard: a topic guard (the OSCE's observers for C9)
    is not lifted by a sentence that names its `unless` words without the topic."""
    with_excluded = {s for occ in excluded.values() for s, _, _ in occ}
    return any(s in told and s not in with_excluded
               for text, occ in unless.items() if text in own_place for s, _, _ in occ)


def _outermost(hits: dict[str, list[tuple[int, int, int]]]) -> int:
    """Places of *hits* not inside a longer hit ("Xinjiang" in "Kazakhs of Xinjiang": once)."""
    occs = {o for occ in hits.values() for o in occ}
    return len({(s, start) for s, start, end in occs
                if not any(o_s == s and o_start <= start and end <= o_end
                           and (o_start, o_end) != (start, end)
                           for o_s, o_start, o_end in occs)})

