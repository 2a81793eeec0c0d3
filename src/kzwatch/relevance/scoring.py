"""Score one item against claims: gate (anchors, context, exclusions), evidence, score, stance."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from itertools import repeat
from operator import is_, or_

from kzwatch.model import STANCES, Claim, ClaimMatch, FeedItem
from kzwatch.relevance.compiled import _COMPILED_CACHE, Compiled, all_terms, compiled_claim
from kzwatch.relevance.numbers import (
    Number,
    SentenceNumbers,
    figure_tolerance,
    number_words_near,
)
from kzwatch.relevance.settings import DEFAULT_SETTINGS, RelevanceSettings
from kzwatch.relevance.stance import choose_stance
from kzwatch.relevance.text import (
    Doc,
    Matcher,
    Term,
    TermList,
    affirmed,
    any_hits,
    hit_positions,
    sentences_of,
    term_hits,
)
from kzwatch.relevance.translit import (
    arabic_to_cyrillic,
    has_arabic,
    is_kazakh_latin,
    latin_to_cyrillic,
)
from kzwatch.textnorm import detect_lang

#: The default minimum score (``RelevanceSettings.threshold``), kept as a name for callers.
DEFAULT_THRESHOLD = DEFAULT_SETTINGS.threshold


@dataclass
class Evidence:
    anchors: dict[str, list[tuple[int, int, int]]]
    support: dict[str, list[tuple[int, int, int]]]
    figures: list[str]
    confirmed: list[str]  # quantity values equal to the claim's
    differing: list[str]  # quantity values different from the claim's
    later_years: list[int]
    updates: list[str]
    changes: list[str]
    changes_near_anchor: list[str]
    renames: list[str]
    renames_reported: bool
    contradictions: list[str]
    confirms: list[str]  # restatement markers ("still", "remain") in an anchor's sentence
    sentence_weight: dict[int, float]


def _quantities(doc: Doc, compiled: Compiled, numbers_by_sentence: SentenceNumbers,
                weight: dict[int, float]) -> tuple[list[str], list[str]]:
    confirmed: list[str] = []
    differing: list[str] = []
    # A number equal to any of the claim's own figures is not a disagreement, even when it sits
    # next to another quantity's cue ("Ak Zhol ... cleared the 7% threshold").
    known = _claim_figures(compiled).known
    for quantity in compiled.quantities:
        cue_sentences = {s for occ in term_hits(doc, quantity["cues"]).values() for s, _, _ in occ}
        # Number words are never percentages: a "%" quantity needs only the digits.
        read = numbers_by_sentence.digits if quantity["unit"] == "%" else numbers_by_sentence.__getitem__
        for s_idx in sorted(cue_sentences):
            for number in read(s_idx):
                if number.date or (number.year and quantity["unit"] != "%"):
                    continue
                if quantity["unit"] == "%" and not number.percent:
                    continue
                if quantity["unit"] == "" and number.percent:
                    continue
                label = f"{quantity['name']} {number.text}".strip()
                if any(abs(number.value - v) <= quantity["tolerance"] + 1e-9
                       for v in quantity["values"]):
                    confirmed.append(label)
                    weight[s_idx] += 2
                elif any(abs(number.value - v) <= tol + 1e-9 for vs, tol in known for v in vs):
                    continue
                elif number.percent or number.value >= 10:
                    # Small bare counts ("3 parties", "2 days") are too ambiguous to disagree.
                    differing.append(label)
                    weight[s_idx] += 2
    return confirmed, differing


def _context_missing(doc: Doc, compiled: Compiled, renamed: bool) -> str:
    # A reported rename is specific enough on its own: only the first context group (the
    # country) is still required ("Nur Otan renamed Amanat" needs no election words for C2).
    for n, group in enumerate(compiled.context[:1] if renamed else compiled.context, 1):
        if not any_hits(doc, group):
            return f"no context term of group {n} (e.g. {group[0].text if group else '?'})"
    return ""


def _excluded(doc: Doc, compiled: Compiled) -> str:
    for excluded_terms, unless_terms in compiled.exclude:
        excluded = term_hits(doc, excluded_terms)
        n_excluded = len(hit_positions(excluded))
        if n_excluded and n_excluded > len(hit_positions(term_hits(doc, unless_terms))):
            return f"near-miss guard: {', '.join(list(excluded)[:3])}"
    negative = affirmed(doc, term_hits(doc, compiled.negative))
    if negative:
        return f"negative term for this claim: {', '.join(negative[:3])}"
    return ""


def _own_outside(own: dict[str, list[tuple[int, int, int]]],
                 other: dict[str, list[tuple[int, int, int]]]) -> int:
    """Places of own-scope terms not inside an other-scope phrase: "Majilis" in "snap Majilis
    election" names that other vote, not the claim's."""
    spans = [occ for occs in other.values() for occ in occs]
    return len({(s, start) for occs in own.values() for s, start, end in occs
                if not any(s == o_s and o_start <= start and end <= o_end
                           for o_s, o_start, o_end in spans)})


def _out_of_scope(doc: Doc, compiled: Compiled, numbers: SentenceNumbers,
                  published: int | None) -> str:
    """Another election, body or country than the claim's, or only years before its event
    (the text's years, else the year it was published), or, for an event claim with
    `scope.until`, only years after it (a later vote's detentions are another event)."""
    other = term_hits(doc, compiled.scope_other)
    n_other = len(hit_positions(other))
    if n_other and n_other > _own_outside(term_hits(doc, compiled.scope_own), other):
        return f"out of scope: about {', '.join(list(other)[:3])}"
    if compiled.scope_years:
        named = {int(n.value) for n in numbers.years()}
        years = named or ({published} if published else set())
        # Only years the text names put it after an event: a later story may recount it.
        first, until = compiled.scope_years[0], compiled.scope_until
        if years and (max(years) < first or (until is not None and min(named, default=0) > until)):
            return (f"out of scope: about {', '.join(map(str, sorted(years)))}, the claim is "
                    f"about {', '.join(map(str, compiled.scope_years))}")
    return ""


def _gate(doc: Doc, compiled: Compiled, numbers: SentenceNumbers,
          published: int | None) -> tuple[str, list[str]]:
    """Why the claim is not scored ("" when the gate passes), and the renames reported."""
    if not any_hits(doc, compiled.anchors):
        return "no anchor term", []
    renames = _renames(doc, compiled, affirmed(doc, term_hits(doc, compiled.change)),
                       require_old=True) if compiled.renames else []
    # A name only this claim's event has ("MISK", "Agadil") stands in for the context groups.
    unique = any_hits(doc, compiled.unique)
    why = ((not unique and _context_missing(doc, compiled, bool(renames)))
           or _excluded(doc, compiled) or _out_of_scope(doc, compiled, numbers, published))
    return why, renames


def _figures(compiled: Compiled, numbers: SentenceNumbers, weight: dict[int, float]
             ) -> list[str]:
    figures = []
    for figure, tolerance, words in _claim_figures(compiled).figures:
        # A sentence's number words are read only when it may name one that equals the figure
        # (*words*); without them, only the sentences with a digit can hold it.
        for s_idx in range(len(numbers)) if words else numbers.with_digits():
            found = (numbers[s_idx] if words and numbers.may_name(s_idx, words)
                     else numbers.digits(s_idx))
            if any(n.percent == figure.percent and n.year == figure.year and not n.date
                   and abs(n.value - figure.value) <= tolerance for n in found):
                figures.append(figure.text)
                weight[s_idx] += 2
                break
    return figures


def _historical(years: frozenset[float], compiled: Compiled) -> bool:
    """A sentence dated only before the claim's year, or only in years the claim itself names
    (*years*: the sentence's): a change word there is the claim's own history ("abolished in
    1998", "removed in 2005"), not news since the article ("down from 63 percent in 2021" is
    news)."""
    own = _claim_figures(compiled).own_years
    return bool(years) and (years <= own or bool(compiled.year and max(years) < compiled.year))


@dataclass(frozen=True)
class _ClaimFigures:
    """What the number checks need of a claim, worked out once per compiled claim."""

    compiled: Compiled
    #: figure, tolerance, the number words that may equal it (none for percentages, years)
    figures: list[tuple[Number, float, frozenset[str]]]
    known: list[tuple[list[float], float]]  # values (and tolerance) the claim itself has
    own_years: frozenset[float]  # the years among its figures


_CLAIM_FIGURES: dict[int, _ClaimFigures] = {}


def _claim_figures(compiled: Compiled) -> _ClaimFigures:
    cached = _CLAIM_FIGURES.get(id(compiled))
    if cached is None or cached.compiled is not compiled:
        if len(_CLAIM_FIGURES) > 512:
            _CLAIM_FIGURES.clear()
        figures = [(f, tol, frozenset() if f.percent or f.year else number_words_near(f.value, tol))
                   for f, tol in ((f, figure_tolerance(f)) for f in compiled.figures)]
        known = [(q["values"], q["tolerance"]) for q in compiled.quantities]
        known += [([f.value], tol) for f, tol, _ in figures]
        cached = _CLAIM_FIGURES[id(compiled)] = _ClaimFigures(
            compiled, figures, known, frozenset(f.value for f in compiled.figures if f.year))
    return cached


def _current(hits: dict[str, list[tuple[int, int, int]]], numbers: SentenceNumbers,
             compiled: Compiled) -> dict[str, list[tuple[int, int, int]]]:
    """Occurrences outside sentences that speak only of the claim's own past."""
    kept = {text: [o for o in occ if not _historical(numbers.years_in(o[0]), compiled)]
            for text, occ in hits.items()}
    return {text: occ for text, occ in kept.items() if occ}


def _gather(doc: Doc, compiled: Compiled, numbers: SentenceNumbers,
            now: datetime | None, published: int | None = None,
            settings: RelevanceSettings = DEFAULT_SETTINGS) -> tuple[Evidence | None, str]:
    """Evidence for one claim, or None and why when the gate fails."""
    why, renames = _gate(doc, compiled, numbers, published)
    if why:
        return None, why
    anchors = term_hits(doc, compiled.anchors)
    near = settings.change_near_sentences
    change_hits = _current(term_hits(doc, compiled.change), numbers, compiled)
    changes = affirmed(doc, change_hits)
    # With the gate passed, the new name alone says the body was renamed or replaced (for the
    # stance; it adds nothing to the score: "Amanat faction meets" is not news on C2).
    renames_reported = bool(renames)
    renames = renames or _renames(doc, compiled, changes, require_old=False)
    weight: dict[int, float] = defaultdict(float)
    anchor_sentences = {s for occ in anchors.values() for s, _, _ in occ}
    support = term_hits(doc, compiled.support)
    for occurrences, w in ((anchors, 3.0), (support, 1.0)):
        for occ in occurrences.values():
            for s_idx, _, _ in occ:
                weight[s_idx] += w
    figures = _figures(compiled, numbers, weight)
    confirmed, differing = _quantities(doc, compiled, numbers, weight)
    max_year = (now.year + 1) if now else 2100
    later_years = sorted({int(n.value) for n in numbers.years()
                          if compiled.year and compiled.year < n.value <= max_year})
    return Evidence(
        anchors=anchors, support=support, figures=figures, confirmed=confirmed,
        differing=differing, later_years=later_years,
        updates=affirmed(doc, _current(term_hits(doc, compiled.update), numbers, compiled)),
        confirms=[t for t, occ in term_hits(doc, compiled.confirm).items()
                  if any(s in anchor_sentences for s, _, _ in occ)],
        changes=changes + affirmed(doc, term_hits(doc, compiled.weak_change)),
        changes_near_anchor=[
            text for text in changes
            if any(s == 0 or any(0 <= s - a <= near for a in anchor_sentences)
                   for s, _, _ in change_hits[text])
        ],
        renames=renames, renames_reported=renames_reported,
        contradictions=[
            text for text, occ in term_hits(doc, compiled.contradict).items()
            if any(s in anchor_sentences for s, _, _ in occ)
        ],
        sentence_weight=weight,
    ), ""


def _renames(doc: Doc, compiled: Compiled, changes: list[str], *, require_old: bool) -> list[str]:
    """Renames/replacements the item names: a new name (with the old one or a change word when
    *require_old*)."""
    found = []
    for old_terms, new_terms, note in compiled.renames:
        new_hits = term_hits(doc, new_terms)
        old_hits = term_hits(doc, old_terms)
        if new_hits and (old_hits or changes or not require_old):
            old = next(iter(old_hits), old_terms[0].text if old_terms else "?")
            found.append(f"{old} → {next(iter(new_hits))}" + (f" ({note})" if note else ""))
    return found


def score_evidence(ev: Evidence, settings: RelevanceSettings = DEFAULT_SETTINGS) -> float:
    w = settings
    score = w.w_anchor
    if any(s == 0 for occ in ev.anchors.values() for s, _, _ in occ):
        score += w.w_anchor_in_title
    # Distinct places, not distinct spellings: "Amanat" and "Аманат" on one token count once.
    anchor_places = {(s, start) for occ in ev.anchors.values() for s, start, _ in occ}
    score += w.w_extra_anchor * min(2, len(anchor_places) - 1)
    score += w.w_term * min(2, len(ev.support))
    score += w.w_figure * min(2, len(ev.figures))
    if ev.confirmed or ev.differing:
        score += w.w_quantity
    if ev.renames_reported or ev.updates or ev.changes:
        score += w.w_change
    return round(min(1.0, score), 3)


@dataclass
class Prepared:
    """An item made ready for matching against any number of claims."""

    sentences: list[str]  # as written: the evidence shown to maintainers
    doc: Doc  # Arabic-script Kazakh already in Cyrillic; Latin Kazakh indexed in both
    #: Numbers per sentence (Latin Kazakh read in Cyrillic), each read on first use: an item
    #: none of whose claims' anchors occurs never needs them, and most sentences need only
    #: their digits.
    numbers: SentenceNumbers
    lang: str | None
    script_note: str  # "" or how the text was transliterated, for explanations
    published_year: int | None = None  # from the feed's date: scope when the text names no year


def prepare(item: FeedItem, matcher: Matcher | None = None) -> Prepared | None:
    """Sentences, tokens and numbers of *item*; None when it has no text at all.  *matcher*:
    the claims' compiled terms (``claim_set(claims).matcher``), for speed."""
    shown = sentences_of(item)
    if not shown:
        return None
    text = " ".join(shown)
    arabic = has_arabic(text)
    matched = [arabic_to_cyrillic(s) for s in shown] if arabic else shown
    text = " ".join(matched) if arabic else text
    latin_kazakh = is_kazakh_latin(text, item.lang)
    doc = Doc(matched, latin_kazakh=latin_kazakh, matcher=matcher)
    lang = item.lang or ("kk" if arabic else detect_lang(text))
    note = ("Arabic-script Kazakh read in Cyrillic" if arabic else
            "Latin-script Kazakh also read in Cyrillic" if latin_kazakh else "")
    year = item.published_at.year if item.published_at else None
    numbers = SentenceNumbers(matched, _latin_in_cyrillic if latin_kazakh else None)
    return Prepared(shown, doc, numbers, lang, note, year)


_LATIN_WORD_RE = re.compile(r"[^\W\d_]+")


def _latin_in_cyrillic(sentence: str) -> str:
    """A Latin-Kazakh sentence with every letter run in Cyrillic, for reading its numbers."""
    return _LATIN_WORD_RE.sub(lambda m: latin_to_cyrillic(m.group(0)), sentence)


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
    #: id(token) → [(id of a longer or "a & b" term with it, ids of the other tokens of the
    #: term or of its first part)], keyed by the token fewest terms have (fewest checks)
    longer_terms: dict[int, list[tuple[int, frozenset[int]]]]
    terms: dict[int, Term]  # id → term, for every term of every claim (parts included)
    term_ids: dict[str, frozenset[int]]  # claim id → ids of its terms (parts included)

    def term_candidates(self, doc: Doc) -> set[int]:
        """ids of the terms every token of which occurs somewhere in *doc*."""
        singles, longer = self._candidates(doc)
        return singles.union(longer)

    def _candidates(self, doc: Doc) -> tuple[set[int], list[int]]:
        """The candidate terms made of one token, and the others (``term_candidates``)."""
        hits = doc.hits
        # The one-token terms by a union of (C-level) lookups, not a Python loop per token.
        singles: set[int] = set().union(*map(self.single_terms.get, hits, repeat(())))
        present = hits.keys()
        longer = self.longer_terms
        return singles, [term_id for tok_id in longer.keys() & present
                         for term_id, rest in longer[tok_id] if present >= rest]

    def find_terms(self, doc: Doc) -> None:
        """Set *doc*'s candidate terms and find them: a one-token term occurs where its token
        does, so only the others are looked for term by term (``Doc.find_candidates``)."""
        singles, longer = self._candidates(doc)
        doc.candidates = singles.union(longer)
        doc.find_candidates(longer, self.terms, reduce(or_, map(self.bits.__getitem__, singles), 0))

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


def _term_index(terms: dict[int, Term]) -> tuple[dict[int, frozenset[int]], dict[int, int],
                                                 dict[int, list[tuple[int, frozenset[int]]]]]:
    """``ClaimSet.single_terms``, ``bits`` and ``longer_terms`` of *terms* (id → term)."""
    single_terms: dict[int, set[int]] = defaultdict(set)
    longer_terms: dict[int, list[tuple[int, frozenset[int]]]] = defaultdict(list)
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
            longer_terms[key].append((term_id, frozenset(tok_ids) - {key}))
    return ({k: frozenset(v) for k, v in single_terms.items()},
            {term_id: term.bit for term_id, term in terms.items()}, dict(longer_terms))


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
    built = ClaimSet(list(claims), compiled_list, Matcher(toks), *_term_index(by_id),
                     {id(term): term for c in compiled_list for term in all_terms(c)},
                     {c.claim.id: frozenset(id(term) for term in all_terms(c))
                      for c in compiled_list})
    _CLAIM_SETS[cache_key] = built
    return built


@dataclass
class Assessment:
    """One item against one claim: rejected at the gate (and why), or scored with a stance."""

    claim_id: str
    rejected: str = ""
    score: float = 0.0
    stance: str = ""
    reason: str = ""
    evidence: Evidence | None = None
    match: ClaimMatch | None = None  # set when the score reaches the threshold


def assess(prep: Prepared, claim: Claim, *, threshold: float | None = None,
           now: datetime | None = None,
           settings: RelevanceSettings = DEFAULT_SETTINGS) -> Assessment:
    """Score *prep* against one claim, keeping every reason (``kzwatch explain`` shows them)."""
    compiled = compiled_claim(claim)
    if not any_hits(prep.doc, compiled.anchors):  # before the numbers are read
        return Assessment(claim.id, rejected="no anchor term")
    ev, why = _gather(prep.doc, compiled, prep.numbers, now, prep.published_year, settings)
    if ev is None:
        return Assessment(claim.id, rejected=why)
    score = score_evidence(ev, settings)
    stance, reason = choose_stance(ev, compiled)
    assert stance in STANCES
    result = Assessment(claim.id, score=score, stance=stance, reason=reason, evidence=ev)
    if score >= (settings.threshold if threshold is None else threshold):
        best = max(ev.sentence_weight.items(), key=lambda kv: (kv[1], -kv[0]))[0]
        matched = tuple(dict.fromkeys([*ev.anchors, *ev.support, *ev.figures, *ev.confirmed,
                                       *ev.differing, *ev.renames, *ev.updates]))
        result.match = ClaimMatch(claim_id=claim.id, score=score, stance=stance, reason=reason,
                                  matched=matched[:16], sentence=prep.sentences[best][:500],
                                  lang=prep.lang)
    return result


def score_item(
    item: FeedItem,
    claims: Sequence[Claim],
    *,
    threshold: float | None = None,
    now: datetime | None = None,
    settings: RelevanceSettings = DEFAULT_SETTINGS,
) -> list[ClaimMatch]:
    """The claims *item* bears on, best first, each with score, stance, reason and evidence.

    *threshold* (default ``settings.threshold``) is the minimum score reported; *settings*
    holds the weights (``RelevanceSettings``).  *now*, when
    given, caps which four-digit numbers count as years (no later than next year).
    """
    compiled = claim_set(claims)
    prep = prepare(item, compiled.matcher)
    if prep is None:
        return []
    doc = prep.doc
    # Every candidate term is found once (an item names few terms of the claims that will not
    # be assessed: finding them costs less than picking out the others).
    compiled.find_terms(doc)
    claims_here = compiled.anchored(doc)
    matches = [a.match for claim in claims_here
               if (a := assess(prep, claim, threshold=threshold, now=now,
                                   settings=settings)).match is not None]
    matches.sort(key=lambda m: (-m.score, m.claim_id))
    return matches
