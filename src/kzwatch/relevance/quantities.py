"""The claim's measured quantities (``[[claim.quantity]]``) read in an item's numbers: each
number in a cue's sentence filed as confirming, differing from, denying or replacing the
claim's value, and a count told in words under it as the whole count (``fewer``:
``told_fewer``) filed as denying it; a ``words_only`` quantity reads only the latter."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

from kzwatch.relevance.compiled import Compiled, other_place_sentences
from kzwatch.relevance.numbers import Number, SentenceNumbers, extract_numbers
from kzwatch.relevance.qualifiers import among_known, changed_from, consistent, qualifier, within
from kzwatch.relevance.settings import DEFAULT_SETTINGS, RelevanceSettings
from kzwatch.relevance.text import Doc, term_hits
from kzwatch.relevance.words import _tok


def read_quantities(doc: Doc, compiled: Compiled, numbers_by_sentence: SentenceNumbers,
                    weight: dict[int, float], own_terms: dict[str, list[tuple[int, int, int]]],
                    known: list[tuple[list[float], float]],
                    numbered_terms: tuple[tuple[str, tuple[float, ...]], ...],
                    settings: RelevanceSettings = DEFAULT_SETTINGS) -> Quantities:
    """The numbers of *doc* read as the claim's quantities; *weight* (by sentence) gains
    ``settings.sentence_weight_quantity`` for each one read.  *known*: every value the claim itself has (with tolerance): a
    number equal to one is not a disagreement, even when it sits next to another quantity's
    cue ("Ak Zhol ... cleared the 7% threshold").  *numbered_terms*: the claim's anchors and
    supporting terms written with a number, with those numbers' values."""
    found = Quantities()
    gain = settings.sentence_weight_quantity
    # Numbers written inside the claim's own terms ("younger than 30") are its words, not a
    # figure that could disagree with it.
    in_terms = numbers_in_terms(numbered_terms, own_terms)
    for quantity in compiled.quantities:
        cue_hits = term_hits(doc, quantity["cues"])
        cue_sentences = {s for occ in cue_hits.values() for s, _, _ in occ}
        cue_sentences -= other_place_sentences(doc, quantity)
        for s_idx in told_fewer(doc, quantity, cue_sentences, found):
            weight[s_idx] += gain
        if quantity.get("words_only"):
            continue
        read = _reader(quantity, numbers_by_sentence)
        for s_idx in sorted(cue_sentences):
            small: list[Number] = []
            for number in read(s_idx):
                if (number.date or (number.year and quantity["unit"] != "%")
                        or not quantity["min"] <= number.value <= quantity["max"]):
                    continue
                if quantity["unit"] == "%" and not number.percent:
                    continue
                if quantity["unit"] == "" and number.percent:
                    continue
                # A number read in words is found again in the text it was read from.
                folded = (numbers_by_sentence.folded_read_text if number.text[:1].isalpha()
                          else numbers_by_sentence.folded_sentence)
                if _read_quantity(found, quantity, number, known, doc.sentences[s_idx],
                                  s_idx, in_terms[s_idx], folded, settings):
                    weight[s_idx] += gain
                elif _small_count(number, known, in_terms[s_idx], settings):
                    small.append(number)
            small = [n for n in small if _just_before_cue(doc, s_idx, n, quantity, cue_hits)]
            _set_against_own(found, quantity, small, s_idx)
    _own_dispute(found)
    return found


def _small_count(number: Number, known: list[tuple[list[float], float]], in_terms: set[float],
                 settings: RelevanceSettings) -> bool:
    """A bare count below ``differing_count_floor`` that is none of the claim's values nor a
    number of its own terms: too ambiguous to disagree on its own ("3 parties", "2 days")."""
    return (not number.percent and number.value < settings.differing_count_floor
            and not among_known(number.value, known) and number.value not in in_terms)


def _just_before_cue(doc: Doc, s_idx: int, number: Number, quantity: dict[str, Any],
                     cue_hits: Mapping[str, list[tuple[int, int, int]]]) -> bool:
    """The number's last word stands right before one of the quantity's cues, or one word
    before it ("три рабочих дня", "үш жұмыс күні", "3 working days"): the count is of the
    cue's unit, not of anything else in the sentence ("nine of twelve requests").  A cue is
    where the cue terms were found, or a word that starts with a cue's own word (the Kazakh
    "күні" of "күн")."""
    words = number.text.split()
    if not words:
        return False
    last = _tok(words[-1]).key
    row = doc.toks[s_idx]
    stems = tuple(key for key in (_tok(t.text).key for t in quantity["cues"]) if len(key) >= 3)
    cues = {start for occ in cue_hits.values() for s, start, _ in occ if s == s_idx}
    cues |= {j for j, tok in enumerate(row) if tok.key.startswith(stems)}
    return any(row[i].key == last for j in cues for i in range(max(0, j - 2), j))


def _set_against_own(found: Quantities, quantity: dict[str, Any], small: list[Number],
                     s_idx: int) -> None:
    """Small counts (``_small_count``) in a sentence that tells the claim's own value of the
    same quantity are set against it ("три рабочих дня, а не пять", "бес күн емес, үш жұмыс
    күні", "теперь три дня — раньше было пять"): a differing figure, which the time and the
    change words around decide (round 29b)."""
    if not small:
        return
    name = quantity["name"] + " "
    own = [label for label in (*found.confirmed, *found.disputed, *found.replaced)
           if label.startswith(name) and s_idx in found.sentences.get(label, ())]
    if not own:
        return
    for number in small:
        label = f"{quantity['name']} {number.text}"
        found.differing.append(label)
        found.sentences[label].add(s_idx)


def told_fewer(doc: Doc, quantity: dict[str, Any], cue_sentences: set[int],
               found: Quantities) -> list[int]:
    """Sentences that tell the quantity's count in words below all its values and as the
    speaker's whole count ("only a few dozen were detained", "ондаған ғана", "несколько
    десятков, а не сотни" beside the claim's 360): the claim's count disputed by a lower one,
    filed under ``disputed``.  The count words alone ("police detained dozens") may be a part
    told on the day, so one of the quantity's ``fewer.needs`` words ("only", "not hundreds")
    must be in the sentence too; words that could reach a claimed value dispute nothing."""
    fewer = quantity.get("fewer") or {}
    below = fewer.get("below", 0.0)
    if not below or not quantity["values"] or min(quantity["values"]) < below:
        return []
    said = {s for occ in term_hits(doc, quantity["fewer_terms"]).values() for s, _, _ in occ}
    needed = {s for occ in term_hits(doc, quantity["fewer_needs"]).values()
              for s, _, _ in occ}
    read = sorted(cue_sentences & said & needed)
    for s_idx in read:
        label = f"{quantity['name']} fewer than {below:g}"
        if label not in found.disputed:
            found.disputed.append(label)
        found.sentences[label].add(s_idx)
    return read


def _reader(quantity: dict[str, Any], numbers: SentenceNumbers
            ) -> Callable[[int], list[Number]]:
    """How a quantity reads a sentence's numbers: a "%" quantity the digits and the shares
    written in words before a percent word ("меньше одного процента"; lone number words are
    never percentages); a count that may be written in several words ("сорока тысяч") those
    too; a quantity of either unit ("any") its shares in words as well."""
    large = max(quantity["values"], default=0) >= 1000
    if quantity["unit"] == "%":
        return partial(_with_percent_words, numbers)
    if quantity["unit"] == "any":
        return partial(_any_unit, numbers, large)
    return partial(_with_words, numbers) if large else numbers.__getitem__


def _any_unit(numbers: SentenceNumbers, large: bool, s_idx: int) -> list[Number]:
    return ((_with_words(numbers, s_idx) if large else numbers[s_idx])
            + numbers.percent_words(s_idx))


def _with_percent_words(numbers: SentenceNumbers, s_idx: int) -> list[Number]:
    return numbers.digits(s_idx) + numbers.percent_words(s_idx)


def _with_words(numbers: SentenceNumbers, s_idx: int) -> list[Number]:
    return numbers[s_idx] + numbers.in_words(s_idx)


def numbers_in_terms(numbered_terms: tuple[tuple[str, tuple[float, ...]], ...],
                     own_terms: Mapping[str, list[tuple[int, int, int]]]
                     ) -> defaultdict[int, set[float]]:
    """Sentence → the values of the numbers the claim's own terms found there (*own_terms*:
    its anchors' and supporting terms' hits) are written with; only the terms written with
    a number (*numbered_terms*, listed once per claim) are looked up."""
    in_terms: defaultdict[int, set[float]] = defaultdict(set)
    for text, values in numbered_terms:
        for s, _, _ in own_terms.get(text, ()):
            in_terms[s].update(values)
    return in_terms


@lru_cache(maxsize=20_000)
def values_in_term(text: str) -> tuple[float, ...]:
    """The values of the numbers a claim's term is written with (a term's text, not an
    item's: read once per term)."""
    return tuple(n.value for n in extract_numbers(text))


@dataclass
class Quantities:
    """Numbers read as one of the claim's quantities, by what they say about it."""

    confirmed: list[str] = field(default_factory=list)  # equal to the claim's (or a bound of it)
    differing: list[str] = field(default_factory=list)
    disputed: list[str] = field(default_factory=list)  # the claim's value denied: "а не 3,8%"
    replaced: list[str] = field(default_factory=list)  # the claim's value as the old one
    own_words: list[str] = field(default_factory=list)  # numbers of the claim's terms: "до 30 лет"
    # The claim's own dispute told again: both sides of a quantity with ``contested`` values,
    # the contested one (stated or denied) and another of its values stated ("35.10%, not
    # 63%"; "63 percent, but MISK counted 35.10").  Empty unless both sides are told.
    own_dispute: list[str] = field(default_factory=list)
    contested_told: list[str] = field(default_factory=list)
    other_side_told: list[str] = field(default_factory=list)
    sentences: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))


def _read_quantity(found: Quantities, quantity: dict[str, Any], number: Number,
                   known: list[tuple[list[float], float]], sentence: str, s_idx: int,
                   in_terms: set[float], folded: Callable[[int], str],
                   settings: RelevanceSettings) -> bool:
    """File *number* under confirmed, differing or disputed; False when it says nothing.  The
    claim's value where a change starts ("с пяти до двух") is the value replaced.  *folded*:
    sentence index → its folded text (``SentenceNumbers.folded_sentence``); *settings*: how near
    a bound must be, and the smallest bare count that may differ (``differing_count_floor``)."""
    how = qualifier(sentence, number.text, folded(s_idx))
    equal = within(number.value, quantity["values"], quantity["tolerance"])
    bound = not equal and how in ("over", "under", "about") and any(
        consistent(how, number.value, v, quantity["tolerance"], settings)
        for v in quantity["values"])
    label = f"{quantity['name']} {how + ' ' if bound else ''}{number.text}".strip()
    if equal and not how and changed_from(sentence, number, known, folded(s_idx)):
        how = "instead"
    if equal and quantity["contested"]:
        _file_side(found, quantity, number, how, label)
    if equal and how == "not":
        target = found.disputed
    elif equal and how == "instead":
        target = found.replaced
    elif equal or bound:
        target = found.confirmed
    elif among_known(number.value, known):
        return False
    elif number.value not in in_terms and (how == "closer" or (
            number.percent and how in ("over", "under")
            and _excludes(how, number.value, quantity["values"], quantity["tolerance"]))):
        # "closer to twenty per cent", "under one per cent" beside the claim's 11% or 3.8%:
        # the speaker's own value, which leaves no room for the claim's (round 22b).  A bound
        # on a count is not read so: "under 30" is an age, not a count set against 89,505.
        target = found.disputed
    elif how == "only" and not number.percent and number.value < settings.differing_count_floor:
        # "only two were refused" beside the claim's six: the claim's count disputed, however
        # small the count set against it (round 19a).
        target = found.disputed
    elif number.percent or number.value >= settings.differing_count_floor:
        # Small bare counts ("3 parties", "2 days") are too ambiguous to disagree.
        target = found.own_words if number.value in in_terms else found.differing
    else:
        return False
    target.append(label)
    found.sentences[label].add(s_idx)
    return True



def _excludes(how: str, value: float, claimed: list[float], tolerance: float) -> bool:
    """A bound ("over"/"under" *value*) that none of the *claimed* values can meet."""
    if how == "under":
        return all(v > value + tolerance for v in claimed)
    return all(v < value - tolerance for v in claimed)


def _file_side(found: Quantities, quantity: dict[str, Any], number: Number, how: str,
               label: str) -> None:
    """File a value of a quantity the claim reports as disputed by the side it stands for: the
    contested value (the official 63%), told or denied, or a value set against it (the
    observers' 35.10%) when stated."""
    if within(number.value, quantity["contested"], quantity["tolerance"]):
        found.contested_told.append(label)
    elif how != "not":
        found.other_side_told.append(label)


def _own_dispute(found: Quantities) -> None:
    """With both sides of the claim's dispute told, the contested value denied ("35.10%, not
    63%") restates the claim: it moves from ``disputed`` to ``confirmed``."""
    if not (found.contested_told and found.other_side_told):
        return
    found.own_dispute = [*found.contested_told, *found.other_side_told]
    restated = [label for label in found.disputed if label in found.contested_told]
    found.disputed = [label for label in found.disputed if label not in restated]
    found.confirmed += restated
