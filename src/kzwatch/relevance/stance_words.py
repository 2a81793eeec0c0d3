"""What the words around an item's evidence say, for the stance only (never for the score):
proposed laws, outright denials and disputes, where update and restatement words stand."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from kzwatch.relevance.compiled import Compiled
from kzwatch.relevance.denials import (
    answers_critics,
    disputed_by_anyone,
    first_in_sentence,
    official_denials,
)
from kzwatch.relevance.negation import NEGATIONS_BEFORE, contracted_not, negated
from kzwatch.relevance.numbers import (
    extract_numbers,
    figure_tolerance,
    numbers_and_shares_in_words,
    parse_figure,
)
from kzwatch.relevance.qualifiers import within
from kzwatch.relevance.quantities import values_in_term
from kzwatch.relevance.restated import deliberation_title
from kzwatch.relevance.settings import DEFAULT_SETTINGS, RelevanceSettings
from kzwatch.relevance.text import Doc, Term, term_hits
from kzwatch.relevance.words import _tok

Hits = Mapping[str, list[tuple[int, int, int]]]

#: Words that make a sentence a proposed law: a bill or a draft (normalised prefixes, Kazakh
#: letters folded): "tabled a bill that would…", "по проекту новой Конституции", "заң жобасы".
#: Not "propose" or "предложить": an advisory body's proposals are what it does, not a change.
#: Kazakh in Latin letters too ("zañ jobasy", "zang zhobasy": round 29b).
_PROPOSAL_PREFIXES = ("законопроект", "проект", "draft", "жоба", "zhoba", "joba")
_PROPOSAL_WORDS = frozenset({"bill", "bills"})  # not "billion"

#: Words that deny outright that something happened at all, right before its word: "никакого
#: бойкота не было"; "вовсе" and "отнюдь" only with "не" ("вовсе не бойкотировала"; "вовсе
#: отказалась" intensifies instead).
_FLAT_DENIALS = frozenset({"никакого", "никакой", "никаких", "ешкандай"})
_NOT_AT_ALL = frozenset({"вовсе", "отнюдь"})
_FLAT_DENIAL_KEYS = frozenset(_tok(word).key for word in _FLAT_DENIALS)


def proposal_sentences(doc: Doc, sentences: set[int]) -> set[int]:
    """Which of *sentences* tell of a proposed law (``_PROPOSAL_PREFIXES``)."""
    known = doc.proposals
    for s in sentences - known.keys():  # each sentence searched once per item
        known[s] = s < len(doc.toks) and (
            _PROPOSAL_RE.search(doc.norm_text(s)) is not None
            or _LEGISLATORS_PROPOSE_RE.search(doc.sentences[s]) is not None)
    return {s for s in sentences if known[s]}


#: A token that starts with one of ``_PROPOSAL_PREFIXES`` or is one of ``_PROPOSAL_WORDS``,
#: in a sentence's norms between spaces (``Doc.norm_text``): one C-level search per sentence
#: instead of a Python call per token (starting with a space, it skips from space to space).
_PROPOSAL_RE = re.compile(
    " (?:" + "|".join(map(re.escape, _PROPOSAL_PREFIXES)) + ")"
    "| (?:" + "|".join(map(re.escape, sorted(_PROPOSAL_WORDS))) + ") ")


#: Lawmakers proposing, as the subject right before the word ("a group of deputies proposed a
#: 40 per cent minimum turnout", "four MPs have proposed that …"): a legislator's proposal is a
#: bill in the making, where an advisory body's proposals are only what it does; not "proposed
#: referring it to a working group" (a step of procedure), nor "a council whose members include
#: two deputies, proposed …" (round 29b).
_LEGISLATORS_PROPOSE_RE = re.compile(
    r"\b(?:deputies|deputy|MPs|MP|lawmakers|lawmaker|legislators)\s+(?:(?:has|have)\s+)?"
    r"propos\w*\b(?!\s+\w+ing\b)", re.IGNORECASE)


def flatly_denied(doc: Doc, terms: Sequence[Term],
                  settings: RelevanceSettings = DEFAULT_SETTINGS) -> list[str]:
    """The *terms* (a vote claim's words: what happened at that vote, "boycott") denied
    outright: the item says it did not happen.  Only outright denials: a plain "не" is in
    several claims' own words ("не будет участвовать").  A flat denial may stand up to
    ``settings.flat_denial_tokens`` tokens before the term; "вовсе не" is the pattern's own
    two tokens."""
    return _flat_denials(doc, term_hits(doc, terms), settings.flat_denial_tokens)


def _flat_denials(doc: Doc, hits: Hits, reach: int) -> list[str]:
    """The terms of *hits* with an occurrence a flat denial stands before (``flatly_denied``).
    Read by the words' romanisation keys: a Latin-Kazakh "eshqanday" or "eşqandai" is
    "ешқандай" (the tokens keep the Latin spelling)."""
    def denied(s: int, start: int) -> bool:
        row = doc.toks[s]
        if any(row[i].key in _FLAT_DENIAL_KEYS for i in range(max(0, start - reach), start)):
            return True
        before = [t.norm for t in row[max(0, start - 2):start]]
        return len(before) == 2 and before[0] in _NOT_AT_ALL and before[1] == "не"

    return [text for text, occ in hits.items() if any(denied(s, start) for s, start, _ in occ)]


@lru_cache(maxsize=64)
def _claim_words(claim_text: str) -> frozenset[str]:
    """The (English) words of a claim's text, casefolded: read once per claim."""
    return frozenset(re.findall(r"[a-z]+", claim_text.casefold()))


def _says_none(claim_text: str) -> bool:
    """The claim's own text says something is absent ("no genuine competition", "no new
    party", "no longer needs"): "no ... at all" in an item restates it, it does not deny it."""
    return not _ABSENCE_WORDS.isdisjoint(_claim_words(claim_text))


#: Words of absence in a claim's (English) text.
_ABSENCE_WORDS = frozenset({"no", "not", "never", "without", "none"})


def stance_readings(doc: Doc, compiled: Compiled, update_hits: Hits, confirm_hits: Hits,
                    anchor_sentences: set[int],
                    settings: RelevanceSettings = DEFAULT_SETTINGS) -> dict[str, Any]:
    """The ``Evidence`` fields only the stance reads: where update words and restatement
    markers stand, which of the title and the claim's sentences tell of a proposed law, and
    what an official calls untrue (``denials``)."""
    return {
        "official_denials": official_denials(doc, compiled, anchor_sentences, settings),
        "contested_by_anyone": disputed_by_anyone(doc, compiled, anchor_sentences, settings),
        "answered_critics": answers_critics(doc, compiled, anchor_sentences, settings),
        "update_sentences": {text: {s for s, _, _ in occ} for text, occ in update_hits.items()},
        "restated_sentences": {s for occ in confirm_hits.values() for s, _, _ in occ},
        "proposal_sentences": proposal_sentences(doc, anchor_sentences | {0}),
        "past_member": list(term_hits(doc, compiled.past_members)),
        "inflated": inflated_sentences(doc, compiled, settings),
        "vouched": vouched_sentences(doc, compiled, settings),
        "sampled": sampled_sentences(doc, compiled, settings),
        "deliberation": deliberation_title(doc, compiled),
    }


#: Words of vouching for a figure (romanisation keys: stems, and whole words where a stem
#: would take in others: "real" not "realise", "шын" not "шындық", the forms of "верный" not
#: "вернуть"): "63 per cent was the real number", "явка была настоящей", "нақты саны 63 пайыз",
#: "the official figure was backed by every protocol", "defends the 63 per cent".
_VOUCHING_STEMS = tuple(_tok(w).key for w in (
    "настоящ", "реальн", "достоверн", "правильн", "точн", "accurat", "genuin", "шынайы", "дұрыс",
    "нақты"))
_VOUCHING_KEYS = frozenset(_tok(w).key for w in (
    "real", "true", "sound", "backed", "defend", "defends", "defended", "шын", "верный",
    "верная", "верной", "верно", "верна", "верны"))


def vouched_sentences(doc: Doc, compiled: Compiled,
                      settings: RelevanceSettings = DEFAULT_SETTINGS) -> dict[int, list[str]]:
    """The sentences where the state's side vouches for the claim's contested value (a
    ``contested`` quantity's: the official 63%), each with that value as written: a word of
    ``_VOUCHING_STEMS``/``_VOUCHING_KEYS``, not negated, with no critic of the claim named
    before it, its speaker (``denial_speakers``) named before the word, in the title or in the
    sentence before ("a former member of the CEC … 'the official 63 per cent was backed by
    every protocol'"), and no other value of the quantity in the sentence (both sides told
    together are the claim's own dispute).  ``stance._contested_vouched`` reads them (round
    28d)."""
    words = _words_in(doc, _VOUCHING_STEMS, _VOUCHING_KEYS)
    return _said_of_side(doc, compiled, words, contested=True, settings=settings)


#: Stems (romanisation keys) of a count taken at a sample of places: "a sample of stations",
#: "основана на выборке", "выборочный", Kazakh "іріктеме" (a sample).
_SAMPLE_STEMS = tuple(_tok(w).key for w in ("sample", "выборк", "выборочн", "іріктеме"))


def sampled_sentences(doc: Doc, compiled: Compiled,
                      settings: RelevanceSettings = DEFAULT_SETTINGS) -> dict[int, list[str]]:
    """The sentences where the state's side calls the critics' count of a ``contested``
    quantity (the observers' 35%, the value set against the official 63%) one taken at a
    sample of stations (``_SAMPLE_STEMS``, not negated): "the CEC said the 35 per cent estimate
    rests on a sample of a few stations", "ОСК … 35 пайызы … шағын іріктемесіне негізделген".
    The speaker for the state is named before the word and before any critic in the sentence,
    or in the title or the sentence before with no critic before the word; the sentence tells
    the critics' value and not the contested one alone.  The critics' own account of their
    method ("observers at a sample of 300 stations counted 35%") has its critic first
    (round 29b)."""
    words = _words_in(doc, _SAMPLE_STEMS)
    return _said_of_side(doc, compiled, words, contested=False, settings=settings)


def _said_of_side(doc: Doc, compiled: Compiled, words: list[tuple[int, int]], *,
                  contested: bool, settings: RelevanceSettings) -> dict[int, list[str]]:
    """Sentences of *words* said by the state's side (a speaker before the word with no critic
    before it, or in the title or the sentence before; for the critics' value, a speaker named
    before the word and before any critic, whose count it names, will do), not negated, each
    with the values of a ``contested`` quantity it tells: only the contested value
    (*contested*), or the other side's (not *contested*)."""
    quantities = [q for q in compiled.quantities if q["contested"]]
    if not words or not compiled.denial_speakers or not quantities:
        return {}
    speakers = first_in_sentence(doc, compiled.denial_speakers)
    critics = first_in_sentence(doc, compiled.denial_critics)
    found: dict[int, list[str]] = {}

    def said(s: int, i: int) -> bool:
        critic = critics.get(s, i)
        if not contested and speakers.get(s, i) < min(i, critic):
            return True  # "the CEC said the observers' 35% rests on a sample"
        return critic >= i and (speakers.get(s, i) < i or 0 in speakers or s - 1 in speakers)

    for s in {s for s, i in words if said(s, i) and not negated(doc, s, i, i, settings)}:
        numbers = numbers_and_shares_in_words(doc.sentences[s])
        for q in quantities:
            told = [n for n in numbers if within(n.value, q["values"], q["tolerance"])]
            sides = [within(n.value, q["contested"], q["tolerance"]) for n in told]
            if told and (all(sides) if contested else not all(sides)):
                found.setdefault(s, []).extend(
                    n.text for n, side in zip(told, sides, strict=True) if side == contested)
    return found


#: Stems (romanisation keys) of calling a figure too large: "inflated", "exaggerated",
#: "overstated", "преувеличена", "завышены", "раздуты", Kazakh "асыра" ("асыра көрсетілген").
_INFLATED_STEMS = tuple(_tok(w).key for w in (
    "inflated", "inflating", "exaggerat", "overstat", "overestimat", "преувелич", "завыш",
    "раздут", "асыра"))


def inflated_sentences(doc: Doc, compiled: Compiled,
                       settings: RelevanceSettings = DEFAULT_SETTINGS) -> dict[int, list[str]]:
    """The sentences that call something too large (``_INFLATED_STEMS``, not negated) with no
    critic of the claim named before the word, each with the claim's figures it names: with the
    claim's own figure in the sentence, "the 360 detained is much exaggerated" disputes it
    (``stance._figure_called_inflated``); "observers say the official figure is inflated" is
    the critics' own charge."""
    words = _words_in(doc, _INFLATED_STEMS)
    if not words:  # most items have no such word: their critics need not be looked up
        return {}
    critics = first_in_sentence(doc, compiled.denial_critics)
    found = {s for s, i in words
             if critics.get(s, i) >= i and not negated(doc, s, i, i, settings)}
    if not found:  # most items: the claim's figures are not parsed at all
        return {}
    # Every figure of the claim, small counts too (``Compiled.figures`` leaves out those its
    # quantities read): any of them called too large is the claim's figure disputed.
    figures = [(f, figure_tolerance(f)) for f in map(parse_figure, compiled.claim.figures) if f]
    return {s: [f.text for f, near in figures
                if any(abs(n.value - f.value) <= near and n.percent == f.percent
                       for n in extract_numbers(doc.sentences[s]))] for s in found}


def _words_in(doc: Doc, stems: tuple[str, ...],
              keys: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """(sentence, token) of every word of *doc* whose romanisation key starts with one of
    *stems* or is one of *keys*, in text order: found once per item and word list
    (``Doc.stance_words``), not once per assessed claim."""
    found = doc.stance_words.get(stems)
    if found is None:
        found = doc.stance_words[stems] = [
            (s, i) for s, row in enumerate(doc.toks) for i, tok in enumerate(row)
            if tok.key in keys or tok.key.startswith(stems)]
    return found


def disputes(doc: Doc, compiled: Compiled, anchor_sentences: set[int]) -> list[str]:
    """Dispute words in an anchor's sentence, except inside one of the claim's restatement
    markers ("denied registration" restates C8, it does not dispute it) and except the claim's
    own supporting terms."""
    found = term_hits(doc, compiled.contradict)
    if not found:
        return []
    restating = [occ for occs in term_hits(doc, compiled.confirm).values() for occ in occs]
    # A dispute word that is one of the claim's own supporting terms, written the same
    # ("denied": C8's applications denied), tells what the claim says.
    restating += [occ for t in compiled.support if t.text in found for occ in found[t.text]]
    return [text for text, occ in found.items()
            if any(s in anchor_sentences and not any(
                c_s == s and c_start <= end and start <= c_end
                for c_s, c_start, c_end in restating) for s, start, end in occ)]


#: Words that deny an event the claim reports ("nobody was detained", "никого не задержали"):
#: the general negations are in ``negation.negated``.
_NOBODY = frozenset({"nobody", "никто", "никого", "ешким", "ешкимди"})


def denied_event(doc: Doc, compiled: Compiled, anchors: dict[str, list[tuple[int, int, int]]],
                 settings: RelevanceSettings = DEFAULT_SETTINGS) -> list[str]:
    """For a claim about one event, the event's own words (its anchors) negated wherever they
    occur ("police said nobody was detained"): the item denies that it happened.  (Negated
    restatement markers are no such sign: several are negative themselves, "не допускали".)"""
    if compiled.kind != "event":  # a vote claim's words can only be denied outright
        return flatly_denied(doc, compiled.support, settings) if compiled.kind == "vote" else []
    lookback = settings.nobody_tokens

    def denied(s: int, start: int, end: int) -> bool:
        before = doc.toks[s][max(0, start - lookback):start]
        return negated(doc, s, start, end, settings) or any(t.norm in _NOBODY for t in before)

    found = [text for text, occ in anchors.items()
             if occ and all(denied(s, start, end) for s, start, end in occ)]
    if _says_none(compiled.claim.text):
        return found
    # What the claim says happened denied outright ("никакого оцепления не было", "ешқандай
    # шектеу қойылмаған"): said of any of its words, not only of every anchor.
    flat = _flat_denials(doc, {**term_hits(doc, compiled.support), **anchors},
                         settings.flat_denial_tokens)
    return found + [text for text in flat if text not in found]


#: Negations right before a title's word ("no boycott", "not protests", "а не протест") and
#: the words between that leave it negated ("not a protest", "weren't a"): the scorer's own
#: (``NEGATIONS_BEFORE``) but "without"/"без": a title's "выборы без конкуренции" describes
#: the vote, as the claims do, rather than says a thing did not happen.
_TITLE_NOT_BEFORE = NEGATIONS_BEFORE - {"without", "без"}
_ARTICLES = frozenset({"a", "an", "the"})
#: "There was none" after the word: Russian "бойкота не было", "отказов почти нет",
#: "политзаключённых в стране нет"; Kazakh "бойкот болған жоқ", "наразылық емес".  Read by
#: romanisation keys: a Latin-Kazakh "bolǵan joq" is "болған жоқ".
_KAZAKH_NONE = frozenset(_tok(w).key for w in ("жоқ", "емес"))
_NONE_KEY = _tok("нет").key
_WAS_AFTER_NOT = frozenset(_tok(w).key for w in ("было", "был", "была", "были", "будет"))
_NOT_KEY = _tok("не").key
#: How far after a title's word its "none" may stand: a place between ("политзаключённых в
#: стране нет") and no further (a title's later "нет" is another clause's).
_NONE_AFTER_TOKENS = 3
#: "No longer", "больше не", "уже не": a change, not a denial (``updates``).
_NO_LONGER = frozenset({"longer", "больше", "уже"})
#: Words of keeping out, or of "only these", in a claim's text ("kept out", "hampered", "only
#: these three cleared"): like ``_ABSENCE_WORDS``, its restatements are often negations
#: ("independents cannot run", "no filming allowed", "Auyl did not get in").
_KEEPING_OUT = frozenset({"kept", "hampered", "only"})


def title_negates(doc: Doc, compiled: Compiled,
                  anchors: Mapping[str, list[tuple[int, int, int]]]) -> list[str]:
    """The claim's own words said not to hold in the title ("Social Democrat: there was no
    boycott", "mistakes, not protests", "МВД: политзаключённых нет"), with no critic in it
    before the negation: the page's headline denies what the claim says (round 25b).  Not for
    a claim whose text says something is absent, kept out or only so (its restatements are
    negations: "two parties did not get in"), nor a term that holds a negation itself ("will
    not take part") or a figure ("бес күн емес, үш": a figure replaced), nor "no longer" (a
    change).  Only the title: in the body such negations are as often the claim's own or a
    denial the page reports and answers (real 4, 5 and 12 in a first version)."""
    words = _claim_words(compiled.claim.text)
    if not doc.toks or _says_none(compiled.claim.text) or not _KEEPING_OUT.isdisjoint(words):
        return []
    row = doc.toks[0]
    hits = {text: [o for o in occ if o[0] == 0]
            for text, occ in {**term_hits(doc, compiled.support), **anchors}.items()
            if not values_in_term(text)}  # (cached per term text)
    if not any(hits.values()):  # none of the claim's words in the title: nothing to negate
        return []
    critic = first_in_sentence(doc, compiled.denial_critics).get(0, len(row))
    starts = sorted({start for occ in hits.values() for _, start, _ in occ})

    def negated_here(start: int, end: int) -> bool:
        # "Акимат: отказов не было": the "none" after a word belongs to the next claim word.
        stop = next((b for b in starts if b > end), len(row))
        return critic >= start and _negated_word(row[:min(stop, end + 1 + _NONE_AFTER_TOKENS)],
                                                 start, end)

    return [text for text, occ in hits.items()
            if any(negated_here(start, end) for _, start, end in occ)]


def _negated_word(row: Sequence[Any], start: int, end: int) -> bool:
    """A negation right before the word at ``row[start:end + 1]`` (past an article), or "none
    there" after it in what *row* holds after it: "жоқ"/"емес" right after (or after "болған"),
    "нет" anywhere ("в стране нет"), "не было" right after."""
    if any(t.norm in _TITLE_NOT_BEFORE for t in row[start + 1:end + 1]):
        return False  # the term holds a negation itself
    i = start - 1
    while i >= 0 and row[i].norm in _ARTICLES:
        i -= 1
    before = i >= 0 and (row[i].norm in _TITLE_NOT_BEFORE
                         or (row[i].norm == "t" and contracted_not(row, i, i + 1)))
    if before:
        return not (i > 0 and row[i - 1].norm in _NO_LONGER)
    after = [t.key for t in row[end + 1:]] + ["", ""]
    kazakh = after[0] in _KAZAKH_NONE or (after[0].startswith("bol") and after[1] in _KAZAKH_NONE)
    return kazakh or _NONE_KEY in after or (after[0] == _NOT_KEY and after[1] in _WAS_AFTER_NOT)
