"""Score one item against claims: gate (anchors, context, exclusions, scope: ``scope.py``),
evidence, score, stance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from kzwatch.model import MATCHED_SHOWN, SENTENCE_SHOWN_CHARS, STANCES, Claim, ClaimMatch, FeedItem
from kzwatch.relevance.beside import named_beside
from kzwatch.relevance.claimset import claim_set
from kzwatch.relevance.compiled import (
    Compiled,
    compiled_claim,
    country_missing,
    drop_yielded,
    figure_years,
)
from kzwatch.relevance.days import vote_years
from kzwatch.relevance.guards import excluded as _excluded
from kzwatch.relevance.negation import affirmed, said
from kzwatch.relevance.numbers import (
    Number,
    SentenceNumbers,
    figure_tolerance,
    number_words_near,
)
from kzwatch.relevance.qualifiers import among_known
from kzwatch.relevance.quantities import read_quantities, values_in_term
from kzwatch.relevance.renames import renames_named as _renames
from kzwatch.relevance.renames import reported_renames as _reported_renames
from kzwatch.relevance.revisits import without_revisits
from kzwatch.relevance.scope import out_of_scope
from kzwatch.relevance.settings import DEFAULT_SETTINGS, RelevanceSettings
from kzwatch.relevance.shares import share_told
from kzwatch.relevance.stance import choose_stance
from kzwatch.relevance.stance_words import denied_event, disputes, stance_readings, title_negates
from kzwatch.relevance.text import (
    Doc,
    Matcher,
    Term,
    any_hits,
    sentences_of,
    term_hits,
)
from kzwatch.relevance.translit import (
    arabic_to_cyrillic,
    has_arabic,
    is_kazakh_latin,
    latin_in_cyrillic,
    writes_front_letters,
)
from kzwatch.textnorm import detect_lang

if TYPE_CHECKING:
    from kzwatch.relevance.learned import SecondOpinion

#: The default minimum score (``RelevanceSettings.threshold``), kept as a name for callers.
DEFAULT_THRESHOLD = DEFAULT_SETTINGS.threshold
NO_YEAR_AFTER = 2100  # without *now*, a four-digit number above it is not a year
#: Parts of the words for thousand and million (folded), as ``SentenceNumbers.may_name`` reads.
_LARGE_NUMBER_WORDS = frozenset(("тысяч", "thousand", "мын", "миллион", "million"))


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
    # For the stance (``stance.choose_stance``): where and when things were said.
    disputed: list[str] = field(default_factory=list)  # the claim's figure denied: "а не 3,8%"
    replaced: list[str] = field(default_factory=list)  # the claim's figure as the old value
    # Numbers of the claim's own terms ("младше 30 лет"): never a disagreement (the score counts them).
    own_words: list[str] = field(default_factory=list)
    denied: list[str] = field(default_factory=list)  # a restatement marker or event negated
    official_denials: list[str] = field(default_factory=list)  # ``denials.official_denials``
    contested_by_anyone: list[str] = field(default_factory=list)  # ``denials.disputed_by_anyone``
    vouched: dict[int, list[str]] = field(default_factory=dict)  # ``stance_words.vouched_sentences``
    sampled: dict[int, list[str]] = field(default_factory=dict)  # ``stance_words.sampled_sentences``
    answered_critics: list[str] = field(default_factory=list)  # ``denials.answers_critics``
    own_dispute: list[str] = field(default_factory=list)  # ``Quantities.own_dispute``
    deliberation: list[str] = field(default_factory=list)  # ``restated.deliberation_title``
    named_alone: bool = False  # the subject's names with nothing of its topic (``named_alone``)
    on_ballot: bool = False  # several of the parties on the claim's ballot, with a vote
    own_result: list[str] = field(default_factory=list)  # the claim's result (``scope.results``)
    past_member: list[str] = field(default_factory=list)  # ``past_members`` found
    inflated: dict[int, list[str]] = field(default_factory=dict)  # ``inflated_sentences``
    quantity_sentences: dict[str, set[int]] = field(default_factory=dict)
    change_sentences: dict[str, set[int]] = field(default_factory=dict)
    update_sentences: dict[str, set[int]] = field(default_factory=dict)
    change_words_scored: bool = False  # as the score counts them (``said`` is the stance's)
    restated_sentences: set[int] = field(default_factory=set)  # any restatement marker's
    anchor_sentences: set[int] = field(default_factory=set)
    sentence_years: list[frozenset[int]] = field(default_factory=list)
    result_sentences: set[int] = field(default_factory=set)  # with a percentage: a result
    own_scope: bool = False  # names the claim's own vote or body (``scope.own``)
    proposal_sentences: set[int] = field(default_factory=set)  # a bill, draft or proposal
    published_year: int | None = None
    max_year: int = NO_YEAR_AFTER  # a four-digit number above it is not a year the item reports

    def best_sentence(self) -> int:
        """The sentence with the most weight, the first of equals: the evidence shown."""
        return max(self.sentence_weight.items(), key=lambda kv: (kv[1], -kv[0]))[0]


def _context_missing(doc: Doc, compiled: Compiled, renamed: bool) -> str:
    # A reported rename is specific enough on its own: only the first context group (the
    # country) is still required ("Nur Otan renamed Amanat" needs no election words for C2).
    country = country_missing(doc, compiled)
    if country:
        return country
    for n, group in enumerate(compiled.context[1:] if not renamed else [], 2):
        if not any_hits(doc, group):
            return f"no context term of group {n} (e.g. {group[0].text if group else '?'})"
    return ""


def _named_alone(doc: Doc, compiled: Compiled) -> bool:
    return (any_hits(doc, compiled.alone_names)
            and not any_hits(doc, compiled.alone_unless))


def _on_ballot(doc: Doc, compiled: Compiled) -> bool:
    """Several of the parties on the claim's ballot named with a vote and none of the claim's
    own words (``ballot``): the item tells of the claim's own vote (its campaign, its debate,
    its lists) and nothing of what the claim says of it.  (With the claim's words, the context
    groups decide as for any item.)"""
    if (not compiled.ballot_parties or any_hits(doc, compiled.ballot_unless)
            or any_hits(doc, compiled.support)):
        return False
    named = sum(any_hits(doc, party) for party in compiled.ballot_parties)
    return named >= compiled.ballot_at_least and any_hits(doc, compiled.ballot_vote)


def _gate(doc: Doc, compiled: Compiled, numbers: SentenceNumbers, published: int | None,
          settings: RelevanceSettings) -> tuple[str, list[str]]:
    """Why the claim is not scored ("" when the gate passes), and the renames reported."""
    if not any_hits(doc, compiled.anchors):
        return "no anchor term", []
    renames = _reported_renames(doc, compiled, settings)
    # A name only this claim's event has ("MISK", "Agadil") stands in for the context groups.
    unique = any_hits(doc, compiled.unique)
    # The claim's subject named by its own names where nothing of its topic is said (an
    # OSDP office opened): it bears on the claim as a mention; only the country is needed.
    alone = not unique and (_named_alone(doc, compiled) or _on_ballot(doc, compiled))
    # A share told with its owner's name (a party's vote share) needs only the country.
    why = ((not unique and _context_missing(doc, compiled, bool(renames) or alone)
            and _context_missing(doc, compiled, share_told(doc, compiled, numbers, settings)))
           or _excluded(doc, compiled, settings)
           or out_of_scope(doc, compiled, numbers, published, settings))
    return why, renames


def _figures(compiled: Compiled, numbers: SentenceNumbers, weight: dict[int, float],
             sentence_weight: float) -> list[str]:
    """The claim's figures the item names; the first sentence with each gains
    *sentence_weight* (``RelevanceSettings.sentence_weight_figure``)."""
    figures = []
    for figure, tolerance, words in _claim_figures(compiled).figures:
        first = numbers.first_near(figure, tolerance)  # the first sentence with it in digits
        # A sentence's number words are read only when it may name one that equals the figure
        # (*words*), and only before the first sentence that has it in digits.
        for s_idx in range(len(numbers) if first is None else first) if words else ():
            if numbers.may_name(s_idx, words) and any(
                    n.percent == figure.percent and n.year == figure.year and not n.date
                    and abs(n.value - figure.value) <= tolerance for n in numbers[s_idx]):
                first = s_idx
                break
        if first is not None:
            figures.append(figure.text)
            weight[first] += sentence_weight
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
    own_years: frozenset[int]  # the years among its figures (``compiled.figure_years``)
    counts: list[tuple[Number, float]]  # its figures that are not years, with tolerance
    large: bool  # one of them is a thousand or more (may be written "forty thousand")
    #: the anchors and supporting terms written with numbers, and their values
    numbered_terms: tuple[tuple[str, tuple[float, ...]], ...]


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
        counts = [(f, tol) for f, tol, _ in figures if not f.year]
        texts = dict.fromkeys(t.text for t in (*compiled.anchors, *compiled.support))
        numbered = tuple((text, values) for text in texts if (values := values_in_term(text)))
        cached = _CLAIM_FIGURES[id(compiled)] = _ClaimFigures(
            compiled, figures, known, figure_years(compiled),
            counts, any(f.value >= 1000 for f, _ in counts), numbered)
    return cached


def _own_change(numbers: SentenceNumbers, s_idx: int, compiled: Compiled) -> bool:
    """A change told with two of the claim's own figures and no other number ("the bar was
    halved from 40,000 to 20,000", "six of seven refused"): the change the claim itself
    reports, not news since it.  Only a standing state's claim reports a change of its own
    (a vote claim reports results)."""
    claim_figures = _claim_figures(compiled)
    figures = claim_figures.counts
    if compiled.kind != "state" or len(figures) < 2:  # before any number of the sentence
        return False
    # Number words are read only where two digit numbers, or a thousand or a million in
    # words beside a claim's figure that large, may be.
    digit_counts = sum(not n.year for n in numbers.digits(s_idx))
    if digit_counts < 2 and not (claim_figures.large
                                 and numbers.may_name(s_idx, _LARGE_NUMBER_WORDS)):
        return False
    told = [n for n in numbers[s_idx] + (numbers.in_words(s_idx) if claim_figures.large else [])
            if not (n.year or n.date)]
    own = {f.value for f, tol in figures if any(
        n.percent == f.percent and abs(n.value - f.value) <= tol for n in told)}
    known = _claim_figures(compiled).known
    return len(own) >= 2 and all(among_known(n.value, known) for n in told)


def _current(hits: dict[str, list[tuple[int, int, int]]], numbers: SentenceNumbers,
             compiled: Compiled) -> dict[str, list[tuple[int, int, int]]]:
    """Occurrences outside sentences that speak only of the claim's own past."""
    historical: dict[int, bool] = {}  # by sentence: occurrences share sentences
    own: dict[int, bool] = {}
    for s_idx in {s for occ in hits.values() for s, _, _ in occ}:
        own[s_idx] = _own_change(numbers, s_idx, compiled)
        historical[s_idx] = own[s_idx] or _historical(numbers.years_in(s_idx), compiled)
    # A title with no number over a body whose change words tell only the claim's own change
    # ("Bar cut" over "cut from 40,000 to 20,000") names that change, not news.
    if historical.get(0) is False and not numbers[0] and len(own) > 1 and all(
            v for s, v in own.items() if s):
        historical[0] = True
    kept = {text: [o for o in occ if not historical[o[0]]] for text, occ in hits.items()}
    return {text: occ for text, occ in kept.items() if occ}


def _gather(doc: Doc, compiled: Compiled, numbers: SentenceNumbers,
            now: datetime | None, published: int | None = None,
            settings: RelevanceSettings = DEFAULT_SETTINGS) -> tuple[Evidence | None, str]:
    """Evidence for one claim, or None and why when the gate fails."""
    why, renames = _gate(doc, compiled, numbers, published, settings)
    if why:
        return None, why
    return _collect(doc, compiled, numbers, now, renames, settings, published), ""


def _change_hits(doc: Doc, compiled: Compiled, numbers: SentenceNumbers, terms: list[Term]
                 ) -> dict[str, list[tuple[int, int, int]]]:
    """Change or update words (*terms*) outside the claim's own past, a return to its own
    time not counted."""
    hits = _current(term_hits(doc, terms), numbers, compiled)
    return without_revisits(doc, hits, numbers, compiled.year, compiled.revisits)


def _sentences_of(hits: dict[str, list[tuple[int, int, int]]]) -> set[int]:
    return {s for occ in hits.values() for s, _, _ in occ}


def _sentence_weights(anchors: dict[str, list[tuple[int, int, int]]],
                      support: dict[str, list[tuple[int, int, int]]],
                      settings: RelevanceSettings) -> dict[int, float]:
    """How strongly each sentence tells the claim (the best one is shown): its anchors' and
    supporting terms' places, weighted."""
    weight: dict[int, float] = defaultdict(float)
    for occurrences, w in ((anchors, settings.sentence_weight_anchor),
                           (support, settings.sentence_weight_term)):
        for occ in occurrences.values():
            for s_idx, _, _ in occ:
                weight[s_idx] += w
    return weight


def _collect(doc: Doc, compiled: Compiled, numbers: SentenceNumbers, now: datetime | None,
             renames: list[str], settings: RelevanceSettings, published: int | None,
             ungated: bool = False) -> Evidence:
    """The evidence for one claim once the item is taken to bear on it.  *ungated* (tied to it
    without anchors: the second opinion): its supporting terms' sentences stand for theirs."""
    anchors = term_hits(doc, compiled.anchors)
    near = settings.change_near_sentences
    change_hits = _change_hits(doc, compiled, numbers, compiled.change)
    changes = said(doc, change_hits, settings)  # the stance's; the score counts ``affirmed`` ones
    # With the gate passed, the new name alone says the body was renamed or replaced (for the
    # stance; it adds nothing to the score: "Amanat faction meets" is not news on C2).
    renames_reported = bool(renames)
    renames = renames or _renames(doc, compiled, changes, require_old=False,
                                  within=settings.rename_near_sentences)
    support = term_hits(doc, compiled.support)
    anchor_sentences = _sentences_of(anchors) or (_sentences_of(support) if ungated else set())
    weight = _sentence_weights(anchors, support, settings)
    figures = _figures(compiled, numbers, weight, settings.sentence_weight_figure)
    own_figures = _claim_figures(compiled)
    quantities = read_quantities(doc, compiled, numbers, weight, {**anchors, **support},
                                 own_figures.known, own_figures.numbered_terms, settings)
    max_year = (now.year + settings.years_ahead) if now else NO_YEAR_AFTER
    later_years = sorted(y for y in numbers.year_values() if compiled.year and compiled.year < y <= max_year
                         and y not in own_figures.own_years)  # not the claim's own (C13's 1999)
    update_hits = _change_hits(doc, compiled, numbers, compiled.update)
    weak_hits, confirm_hits = term_hits(doc, compiled.weak_change), term_hits(doc, compiled.confirm)
    return Evidence(
        anchors=anchors, support=support, figures=figures, confirmed=quantities.confirmed,
        differing=quantities.differing, later_years=later_years,
        updates=said(doc, update_hits, settings),
        confirms=[t for t, occ in confirm_hits.items()
                  if any(s in anchor_sentences for s, _, _ in occ)],
        changes=changes + said(doc, weak_hits, settings),
        change_words_scored=any(affirmed(doc, h, settings)
                                for h in (change_hits, update_hits, weak_hits)),
        changes_near_anchor=[text for text in changes
                             if any(s == 0 or any(0 <= s - a <= near for a in anchor_sentences)
                                    for s, _, _ in change_hits[text])],
        renames=renames, renames_reported=renames_reported,
        contradictions=disputes(doc, compiled, anchor_sentences),
        sentence_weight=weight, disputed=quantities.disputed, replaced=quantities.replaced,
        own_words=quantities.own_words, own_dispute=quantities.own_dispute,
        # ... and none of its own words ("the only registered opposition party" restates it).
        named_alone=not support and _named_alone(doc, compiled),
        on_ballot=_on_ballot(doc, compiled), own_result=list(term_hits(doc, compiled.scope_results)),
        denied=list(dict.fromkeys([*denied_event(doc, compiled, anchors, settings),
                                   *title_negates(doc, compiled, anchors)])),
        quantity_sentences=dict(quantities.sentences),
        change_sentences={text: {s for s, _, _ in occ} for text, occ in change_hits.items()},
        anchor_sentences=anchor_sentences,
        # Years and percentages are only ever written in digits.
        sentence_years=numbers.sentence_years(published),
        result_sentences=set(numbers.percent_sentences()),
        own_scope=bool(term_hits(doc, compiled.scope_own)),
        **stance_readings(doc, compiled, update_hits, confirm_hits, anchor_sentences, settings),
        published_year=published, max_year=max_year,
    )


def veto(prep: Prepared, claim: Claim, settings: RelevanceSettings = DEFAULT_SETTINGS) -> str:
    """Why the rules forbid *claim* on *prep* whatever else is said ("" when nothing does): no
    word for the claim's country while another country is named (``country_missing``; a name
    only the claim's event has lifts it), a near-miss guard or negative term, another vote,
    body, country or period.  A learned second opinion may add a claim only where this is
    empty."""
    compiled = compiled_claim(claim)
    doc = prep.doc
    if compiled.opinion_needs and not any_hits(doc, compiled.opinion_needs):
        return "none of the words the claim needs (opinion_needs)"
    country = "" if term_hits(doc, compiled.unique) else country_missing(doc, compiled)
    return (country or _excluded(doc, compiled, settings)
            or out_of_scope(doc, compiled, prep.numbers, prep.published_year, settings))


def ungated_stance(prep: Prepared, claim: Claim, now: datetime | None = None,
                   settings: RelevanceSettings = DEFAULT_SETTINGS) -> tuple[str, str]:
    """The rules' stance and reason for *claim* on an item taken to bear on it without passing
    the gate (a second opinion's flag): the same evidence and ``choose_stance``."""
    compiled = compiled_claim(claim)
    doc = prep.doc
    renames = _reported_renames(doc, compiled, settings)
    ev = _collect(doc, compiled, prep.numbers, now, renames, settings, prep.published_year,
                  ungated=True)
    return choose_stance(ev, compiled, settings)


def score_evidence(ev: Evidence, settings: RelevanceSettings = DEFAULT_SETTINGS) -> float:
    w = settings
    score = w.w_anchor
    if any(s == 0 for occ in ev.anchors.values() for s, _, _ in occ):
        score += w.w_anchor_in_title
    # Distinct places, not distinct spellings: "Amanat" and "Аманат" on one token count once.
    anchor_places = {(s, start) for occ in ev.anchors.values() for s, start, _ in occ}
    score += w.w_extra_anchor * min(w.max_extra_anchors, len(anchor_places) - 1)
    # The claim's parties named at a vote count as one supporting term: they tell its vote.
    score += w.w_term * min(w.max_terms, len(ev.support) + ev.on_ballot)
    score += w.w_figure * min(w.max_figures, len(ev.figures))
    if ev.confirmed or ev.differing or ev.disputed or ev.replaced or ev.own_words:
        score += w.w_quantity
    if ev.renames_reported or ev.updates or ev.changes or ev.change_words_scored:
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

    @property
    def number_text(self) -> list[str]:
        """The sentences numbers are read from (Latin Kazakh in Cyrillic)."""
        return [self.numbers.text(i) for i in range(len(self.numbers))]


def prepare(item: FeedItem, matcher: Matcher | None = None,
            vote_days: Mapping[tuple[int, int], int] | None = None) -> Prepared | None:
    """Sentences, tokens and numbers of *item*; None when it has no text at all.  *matcher*:
    the claims' compiled terms (``claim_set(claims).matcher``), for speed; *vote_days*: the
    claims' calendar of votes (``claim_set(claims).vote_days``), which dates a vote told by its
    day alone (none: such a vote stays undated)."""
    shown = sentences_of(item)
    if not shown:
        return None
    text = " ".join(shown)
    arabic = has_arabic(text)
    by_letter = arabic and writes_front_letters(text)
    matched = [arabic_to_cyrillic(s, by_letter) for s in shown] if arabic else shown
    text = " ".join(matched) if arabic else text
    latin_kazakh = is_kazakh_latin(text, item.lang)
    doc = Doc(matched, latin_kazakh=latin_kazakh, matcher=matcher)
    lang = item.lang or ("kk" if arabic else detect_lang(text))
    note = ("Arabic-script Kazakh read in Cyrillic" if arabic else
            "Latin-script Kazakh also read in Cyrillic" if latin_kazakh else "")
    year = item.published_at.year if item.published_at else None
    votes = (partial(vote_years, calendar=vote_days, days_at=doc.days_by_sentence.__getitem__)
             if vote_days else None)
    numbers = SentenceNumbers(matched, latin_in_cyrillic if latin_kazakh else None, votes)
    return Prepared(shown, doc, numbers, lang, note, year)


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
    stance, reason = choose_stance(ev, compiled, settings)
    assert stance in STANCES
    result = Assessment(claim.id, score=score, stance=stance, reason=reason, evidence=ev)
    if score >= (settings.threshold if threshold is None else threshold):
        matched = tuple(dict.fromkeys([*ev.anchors, *ev.support, *ev.figures, *ev.confirmed,
                                       *ev.differing, *ev.disputed, *ev.replaced,
                                       *ev.renames, *ev.updates]))
        result.match = ClaimMatch(claim_id=claim.id, score=score, stance=stance, reason=reason,
                                  matched=matched[:MATCHED_SHOWN],
                                  sentence=prep.sentences[ev.best_sentence()][:SENTENCE_SHOWN_CHARS],
                                  lang=prep.lang)
    return result


def score_item(
    item: FeedItem,
    claims: Sequence[Claim],
    *,
    threshold: float | None = None,
    now: datetime | None = None,
    settings: RelevanceSettings = DEFAULT_SETTINGS,
    second_opinion: SecondOpinion | None = None,
) -> list[ClaimMatch]:
    """The claims *item* bears on, best first, each with score, stance, reason and evidence.

    *threshold* (default ``settings.threshold``) is the minimum score reported; *settings*
    holds the weights and the rules' other policy numbers (``RelevanceSettings``).  *now*, when
    given, caps which four-digit numbers count as years (``settings.years_ahead``: no later
    than next year).
    *second_opinion* (``learned.SecondOpinion``): a model that may add claims the rules did
    not flag and their vetoes allow (``[relevance] second_opinion``); off when None.
    """
    compiled = claim_set(claims)
    prep = prepare(item, compiled.matcher, compiled.vote_days)
    if prep is None:
        return []
    doc = prep.doc
    # Every candidate term is found once, whichever claims are assessed (a second opinion
    # asks the rules' vetoes about claims without an anchor too): finding the few terms of
    # other claims an item names costs less than picking them out.
    compiled.find_terms(doc)
    claims_here = compiled.anchored(doc)
    assessed = [assess(prep, claim, threshold=threshold, now=now, settings=settings)
                for claim in claims_here]
    matches = [a.match for a in assessed if a.match is not None]
    if matches:  # the item bears on a claim: a name only another claim's event has is news
        matches += named_beside(prep, claims_here, assessed, threshold, settings)
    if second_opinion is not None:
        matches += second_opinion.matches(prep, claims, {m.claim_id for m in matches}, now=now,
                                          settings=settings)
    matches = drop_yielded(doc, matches, claims)
    matches.sort(key=lambda m: (-m.score, m.claim_id))
    return matches
