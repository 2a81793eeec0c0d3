"""A share told with its owner's name: "Party X took 71.9% of the vote" names a party-list
vote and its result though neither word is written.  Pure: a document and a claim in."""

from __future__ import annotations

import re

from kzwatch.relevance.compiled import Compiled
from kzwatch.relevance.numbers import SentenceNumbers
from kzwatch.relevance.settings import DEFAULT_SETTINGS, RelevanceSettings
from kzwatch.relevance.text import Doc, fast_tokens, term_hits

#: A clause break between a name and a share: "the party's institute, suggesting that 85% of
#: voters backed the president" gives the share to someone else.
_CLAUSE_BREAK_RE = re.compile(r"[,;:.!?()]")


def share_told(doc: Doc, compiled: Compiled, numbers: SentenceNumbers,
               settings: RelevanceSettings = DEFAULT_SETTINGS, *, own: bool = False) -> bool:
    """Whether a sentence names one of the claim's anchors that is also a cue of one of its
    percentage quantities, and in the same clause, at most ``settings.share_owner_tokens``
    tokens away, a percentage (not a year or date) that quantity may take.  The anchor is then
    the share's owner (a party and its vote share), so the share tells the claim's kind of
    event and its result: the context groups after the country are not needed, as for a
    reported rename.  The item's scope and guards still apply.  *own*: only the claim's own
    values of the quantity (within its tolerance) count, anywhere in the owner's sentence
    ("Nur Otan, ..., won 71.09%"; "turnout fell from 77% to 63%"): the claim's result told."""
    anchors = {t.text for t in compiled.anchors}
    for quantity in compiled.quantities:
        if quantity["unit"] != "%":
            continue
        owners = [t for t in quantity["cues"] if t.text in anchors]
        for occs in term_hits(doc, owners).values() if owners else ():
            for s_idx, start, end in occs:
                values = [n.value for n in numbers.digits(s_idx)
                          if n.percent and not n.year and not n.date
                          and quantity["min"] <= n.value <= quantity["max"]
                          and (not own or any(abs(n.value - v) <= quantity["tolerance"]
                                              for v in quantity["values"]))]
                if values and (own or _owned(doc.sentences[s_idx], start, end, values,
                                             settings)):
                    return True
    return False


def _owned(sentence: str, start: int, end: int, values: list[float],
           settings: RelevanceSettings) -> bool:
    """Whether one of *values* is written within the owner's clause, near its tokens
    *start*..*end* (inclusive)."""
    lowered = sentence.lower()
    tokens = fast_tokens(sentence)
    places, pos = [], 0
    for token in tokens:  # each token's place in the text, in order
        found = lowered.find(token, pos)
        places.append(max(found, pos))
        pos = max(found, pos) + len(token)
    if end >= len(places):
        return False
    near = settings.share_owner_tokens + 1
    for i, token in enumerate(tokens):
        if not token[:1].isdigit() or not (start - near <= i <= end + near) or start <= i <= end:
            continue
        try:
            value = float(token.replace(",", "."))
        except ValueError:
            continue
        if value not in values:
            continue
        span = (lowered[places[end]:places[i]] if i > end
                else lowered[places[i]:places[start]])
        if not _CLAUSE_BREAK_RE.search(span.replace(token, "", 1) if i < start else span):
            return True
    return False
