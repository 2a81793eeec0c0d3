"""Change words that do not report a change since the claim (round 26b): a meeting held to
debate a rule ("a round table on the 'against all' box") tells that the rule is discussed, not
that it changed; for the stance only (never for the score)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kzwatch.relevance.text import Doc, term_hits

if TYPE_CHECKING:
    from kzwatch.relevance.compiled import Compiled

#: A gathering held to discuss something, named in a title: what it discusses is its topic,
#: not news that the topic changed.  Not a parliament's debate of a bill (``proposal_sentences``
#: reads those).  Every claim looks them up (``Compiled.deliberation``).
#: Not "discussion" or "conference": matched by stem, "Results Discussed by Experts" and a
#: press conference report what changed (real 3, 14).
DELIBERATION_WORDS = ("круглый стол", "round table", "roundtable", "дөңгелек үстел", "семинар",
                      "seminar")


def deliberation_title(doc: Doc, compiled: Compiled) -> list[str]:
    """The words of ``DELIBERATION_WORDS`` the title (sentence 0) holds."""
    return [text for text, occ in term_hits(doc, compiled.deliberation).items()
            if any(s == 0 for s, _, _ in occ)]
