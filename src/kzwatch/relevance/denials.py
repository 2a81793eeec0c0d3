"""Denials, for the stance only: the state's side calling what the claim says untrue, and
anyone but the claim's critics contesting it.

The claims of the default article are criticisms (a contested turnout, observers kept away,
rallies refused, political prisoners).  When an election commission, a ministry or a prosecutor
calls such reports exaggerated, invented or wrong, or says the claim's restated fact did not
happen ("no observer was removed", "a rally cannot be refused"), the item disputes the claim
about its own time (docs/LABELLING.md ``contradicts``) even when it restates the claim's own
figure ("the 63.3% turnout is accurate; the observers' estimate is unsound").  A claim lists
who speaks for the state (``denial_speakers``), the dismissal words (``denial_terms``) and the
critics whose dismissals are theirs (``denial_critics``) in the claims file; a claim without
speakers and dismissal words is never read this way."""

from __future__ import annotations

from kzwatch.relevance.compiled import Compiled
from kzwatch.relevance.negation import (
    NEGATIONS_AFTER,
    NEGATIONS_BEFORE,
    contracted_not,
    negated,
    negated_inside,
)
from kzwatch.relevance.settings import DEFAULT_SETTINGS, RelevanceSettings
from kzwatch.relevance.text import Doc, Term, fast_tokens, russian_lemma, term_hits

#: "cannot be refused": a negation the general list (``negation.negated``) leaves out, as "cannot"
#: is in several claims' own restatement markers ("independents cannot run"); "can't" with it
#: (``negation.contracted_not``).
_CANNOT = frozenset({"cannot"})
#: Kazakh negations after what they negate (normalised): ``negation.NEGATIONS_AFTER`` ("жоқ",
#: "емес") and "there was not" ("кедергі болмады": no obstruction was), round 19a.
_KAZAKH_NOT_AFTER = NEGATIONS_AFTER | {"болмады", "болмаган", "болмайды"}


def official_denials(doc: Doc, compiled: Compiled, anchor_sentences: set[int],
                     settings: RelevanceSettings = DEFAULT_SETTINGS) -> list[str]:
    """What an official says is untrue about the claim: dismissal words (``denial_terms``)
    and the claim's restatement markers negated (``confirm_terms``: "not removed"), each in
    the title or near the claim's anchors (``settings.denial_near_sentences``), with a speaker for the state in
    the title, the sentence before, or earlier in the same sentence ("the ministry called the
    figure an invention"; not "observers rejected the CEC's figure", where the dismissal is
    the critics').  A dismissal word negated is none ("did not call it untrue").  Contesting
    words said by anyone else are ``disputed_by_anyone``'s."""
    if not compiled.denial_terms or not compiled.denial_speakers:
        return []
    dismissals = term_hits(doc, compiled.denial_terms)
    restated = term_hits(doc, compiled.confirm)
    if not (dismissals or restated):
        return []
    first_speaker = first_in_sentence(doc, compiled.denial_speakers)
    if not first_speaker or _title_tells_claim(doc, restated, dismissals, first_speaker,
                                               settings):
        return []
    first_critic = first_in_sentence(doc, compiled.denial_critics)
    near_by = settings.denial_near_sentences

    def told(s: int, start: int) -> bool:
        """Near the claim's words, by an official: one named earlier in the sentence and before
        any critic ("the ministry called the activists' count an invention"), or in the title
        or the sentence before when no critic speaks first in this one ("activists said the
        ministry's figure was an invention" is the critics' dismissal)."""
        if not _near_claim(s, anchor_sentences, near_by):
            return False
        critic = first_critic.get(s, start)
        if first_speaker.get(s, start) < min(start, critic):
            return True
        return critic >= start and (0 in first_speaker or s - 1 in first_speaker)

    # The title is the official's and names no critic ("CEC: access was full"): the claim's
    # actors in the body ("no observer was removed") are what is denied, not who denies it.
    official_title = 0 in first_speaker and 0 not in first_critic

    def denied(s: int, start: int) -> bool:
        return told(s, start) or (official_title and _near_claim(s, anchor_sentences, near_by))

    found = [text for text, occ in dismissals.items()
             if any(told(s, start) and not negated(doc, s, start, end, settings)
                    for s, start, end in occ)]
    return found + [f"not {text}" for text, occ in restated.items()
                    if any(denied(s, start) and _negated(doc, s, start, end, restated, settings)
                           for s, start, end in occ)]


def _title_tells_claim(doc: Doc, restated: dict[str, list[tuple[int, int, int]]],
                       dismissals: dict[str, list[tuple[int, int, int]]],
                       first_speaker: dict[int, int], settings: RelevanceSettings) -> bool:
    """The title restates the claim in the page's own voice (a restatement marker, not
    negated; no official and no dismissal in it): an official's denial in the body is one the
    page reports and answers ("a new name on the list of political prisoners" over a minister's
    "there are none"), not the page's dispute."""
    if 0 in first_speaker or any(s == 0 for occ in dismissals.values() for s, _, _ in occ):
        return False
    return any(s == 0 and not _negated(doc, s, start, end, restated, settings)
               for occ in restated.values() for s, start, end in occ)


def disputed_by_anyone(doc: Doc, compiled: Compiled, anchor_sentences: set[int],
                       settings: RelevanceSettings = DEFAULT_SETTINGS) -> list[str]:
    """Words of contesting a statement (``dispute_terms``: "оспорил", "disputed the
    description") in the title or near the claim's anchors (``denial_near_sentences``), by anyone
    but the claim's critics: a former member or a party's deputy contesting what the claim says
    disputes it as an official does ("a former member disputed that the council only advised").
    A critic named in the sentence may be the one contesting the state's side, which restates
    the claim ("the figure is still disputed: observers counted a third"); a contesting word
    negated is none."""
    hits = term_hits(doc, compiled.dispute_terms) if compiled.dispute_terms else {}
    if not hits:
        return []
    first_critic = first_in_sentence(doc, compiled.denial_critics)
    near_by = settings.denial_near_sentences
    return [text for text, occ in hits.items()
            if any(_near_claim(s, anchor_sentences, near_by)
                   and s not in first_critic
                   and not negated(doc, s, start, end, settings) for s, start, end in occ)]


def _near_claim(s: int, anchor_sentences: set[int], near_by: int) -> bool:
    """Sentence *s* is the title or within *near_by* sentences of one naming the claim."""
    return s == 0 or any(abs(s - a) <= near_by for a in anchor_sentences)


def first_in_sentence(doc: Doc, terms: list[Term]) -> dict[int, int]:
    """Sentence → where the first of *terms* starts in it."""
    first: dict[int, int] = {}
    for occ in term_hits(doc, terms).values():
        for s, start, _ in occ:
            first[s] = min(start, first.get(s, start))
    return first


def _negated(doc: Doc, s: int, start: int, end: int,
             restated: dict[str, list[tuple[int, int, int]]], settings: RelevanceSettings) -> bool:
    """A restatement marker said not to hold: a negation right before it ("не был удалён",
    "was not removed", "cannot be refused", "wasn't"), inside it, or in Kazakh just after it
    (``denial_negation_after_tokens``, two words: "кедергі болмады"), and no other marker over
    that negation (C15's "no genuine" is itself a marker: "no genuine competition" restates
    it).  Only a few words before count (``denial_negation_tokens``, three: "no party was
    refused"): "самовыдвиженцы не могут баллотироваться в Мажилис: только по партийным
    спискам" negates "могут", not the list rule."""
    lookback, after = settings.denial_negation_tokens, settings.denial_negation_after_tokens
    before = doc.toks[s][max(0, start - lookback):start]
    near = (any(t.norm in NEGATIONS_BEFORE or t.norm in _CANNOT for t in before)
            or contracted_not(doc.toks[s], start - lookback, start, cannot=True)
            or negated_inside(doc, s, start, end)
            or any(t.norm in _KAZAKH_NOT_AFTER for t in doc.toks[s][end + 1:end + 1 + after]))
    if not near:
        return False
    return not any(o_s == s and o_start < start <= o_end + 1 and (o_start, o_end) != (start, end)
                   for occ in restated.values() for o_s, o_start, o_end in occ)


def answers_critics(doc: Doc, compiled: Compiled, anchor_sentences: set[int],
                    settings: RelevanceSettings = DEFAULT_SETTINGS) -> list[str]:
    """The state's side answering the claim's critics: the title gives the word to one who
    speaks for the state ("Commission: …", "Ministry: …", no critic before the colon) and the
    body names the critics near the claim's words ("the observers' count …").  Whatever the
    words of the answer, an official's own piece that sets the claim's critics against it
    disputes the claim (round 21a).  A critic's word read inside another of the claim's own
    terms (its anchors and supporting terms) names no critic: the
    Kazakh "белсенділік" (turnout) reads as "белсенділер" (activists); a critic's word in
    another case ("наблюдателей") is still the critic's."""
    if not compiled.denial_speakers or not compiled.denial_critics or not doc.sentences:
        return []
    colon = doc.sentences[0].find(":")
    if colon <= 0:
        return []
    said_by = len(fast_tokens(doc.sentences[0][:colon]))
    speakers = [text for text, occ in term_hits(doc, compiled.denial_speakers).items()
                if any(s == 0 and end < said_by for s, _, end in occ)]
    critics = term_hits(doc, compiled.denial_critics)
    if not speakers or any(s == 0 and start < said_by for occ in critics.values()
                           for s, start, _ in occ):
        return []
    critic_words = {_lemma(t.text) for t in compiled.denial_critics}
    other_words = [o for terms in (compiled.anchors, compiled.support)
                   for text, occ in term_hits(doc, terms).items()
                   if _lemma(text) not in critic_words for o in occ]
    near_by = settings.denial_near_sentences

    def named(s: int, start: int, end: int) -> bool:
        return (s > 0 and _near_claim(s, anchor_sentences, near_by)
                and not any(o_s == s and o_start <= end and start <= o_end
                            for o_s, o_start, o_end in other_words))

    named_critics = [text for text, occ in critics.items()
                     if any(named(s, start, end) for s, start, end in occ)]
    return [f"{speakers[0]} answers {named_critics[0]}"] if named_critics else []


def _lemma(text: str) -> str:
    """A term's dictionary form (Russian), else its casefolded text."""
    return russian_lemma(text.casefold()) or text.casefold()
