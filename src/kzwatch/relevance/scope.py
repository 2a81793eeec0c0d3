"""Whether an item is about the claim's own vote, body, country and period (the claims file's
`scope`): another election, body or country named more than the claim's own, only years before
its event (or, for an event claim with `scope.until`, only after it), a publication before its
subject came to be, or other days than its own.  Part of the gate and of the rules' vetoes
(``scoring.veto``)."""

from __future__ import annotations

from kzwatch.relevance.compiled import Compiled, latest_vote_only, other_scope_hits
from kzwatch.relevance.days import named_days
from kzwatch.relevance.numbers import SentenceNumbers
from kzwatch.relevance.renames import reported_renames
from kzwatch.relevance.settings import RelevanceSettings
from kzwatch.relevance.shares import share_told
from kzwatch.relevance.text import Doc, any_hits, hit_positions, hits_outside, term_hits


def _own_outside(own: dict[str, list[tuple[int, int, int]]],
                 other: dict[str, list[tuple[int, int, int]]]) -> int:
    """Places of own-scope terms not inside an other-scope phrase: "Majilis" in "snap Majilis
    election" names that other vote, not the claim's."""
    return len(hit_positions(hits_outside(own, other)))


def out_of_scope(doc: Doc, compiled: Compiled, numbers: SentenceNumbers,
                 published: int | None, settings: RelevanceSettings) -> str:
    """Another election, body or country than the claim's, or only years before its event
    (the text's years, else the year it was published), or, for an event claim with
    `scope.until`, only years after it (a later vote's detentions are another event).  Never
    when it names the claim's own result in words no other vote's has (``scope.results``)."""
    if any_hits(doc, compiled.scope_results) and not _published_before(compiled, published):
        return ""
    other = other_scope_hits(doc, compiled)
    n_other = len(hit_positions(other))
    if n_other:
        own = term_hits(doc, compiled.scope_own)
        if n_other > _own_outside(own, other) and not _told_in_own_scope(doc, compiled, own,
                                                                        other):
            return f"out of scope: about {', '.join(list(other)[:3])}"
    # Published before the claim's subject came to be (a 2009 page on party registration
    # under the old rules for C8's "no new party since 2019"): the item's own date settles it.
    since = compiled.scope_published_from
    if since is not None and published is not None and published < since:
        return f"out of scope: published in {published}, before {since}"
    # Dated to other days only, naming neither the claim's vote nor a name only its event has.
    days = _named_days(doc) if compiled.scope_days else set()
    if days and not days & compiled.scope_days and not term_hits(doc, compiled.scope_own) \
            and not term_hits(doc, compiled.unique):
        return ("out of scope: dated " + ", ".join(f"{d}/{m}" for d, m in sorted(days)[:3])
                + ", not the claim's day or vote")
    if compiled.scope_years:
        named = numbers.year_values()
        years = named or ({published} if published else set())
        # Only years the text names put it after an event: a later story may recount it.
        first, until = compiled.scope_years[0], compiled.scope_until
        # Only earlier years named, but the claim's own result told with its owner ("Nur Otan
        # won 71.09%"): those years are the background or the comparison of the claim's vote
        # (not when the item was published before it: its date is no background).  A vote's
        # story published in the vote's own year tells the earlier years it names as its
        # background ("no new party since 2016", "the 2019 protests"; real 3, 11).
        before = (bool(years) and max(years) < first and not _renamed(doc, compiled, settings)
                  and not (named and compiled.kind == "vote" and published in compiled.scope_years)
                  and not (named and not _published_before(compiled, published)
                           and share_told(doc, compiled, numbers, settings, own=True)))
        if before or (years and until is not None and min(named, default=0) > until):
            return (f"out of scope: about {', '.join(map(str, sorted(years)))}, the claim is "
                    f"about {', '.join(map(str, compiled.scope_years))}")
        return "" if days & compiled.scope_days else latest_vote_only(doc, compiled, published,
                                                                       named)
    return ""


def _published_before(compiled: Compiled, published: int | None) -> bool:
    """The item was published before the claim's first year: it cannot tell that vote."""
    return bool(compiled.scope_years) and published is not None \
        and published < compiled.scope_years[0]


def _told_in_own_scope(doc: Doc, compiled: Compiled, own: dict[str, list[tuple[int, int, int]]],
                       other: dict[str, list[tuple[int, int, int]]]) -> bool:
    """A sentence that tells the claim (one of its anchors') names its own body or vote and no
    other: the other votes or bodies the item names elsewhere are background (a page on the
    Majilis's party lists that recounts the maslikhats' or a referendum's).  Not when the title
    (the first sentence) names the other one: that is what the item is about (a neighbour's
    move to a mixed system, told with the words of the claim's)."""
    other_sentences = {s for occ in other.values() for s, _, _ in occ}
    own_sentences = {s for occ in own.values() for s, _, _ in occ} - other_sentences
    return bool(own_sentences) and 0 not in other_sentences and any(
        s in own_sentences for occ in term_hits(doc, compiled.anchors).values() for s, _, _ in occ)


def _named_days(doc: Doc) -> set[tuple[int, int]]:
    """The days of a month *doc* names, read once per item (not once per claim)."""
    if doc.days is None:
        doc.days = named_days(doc.sentences, doc.days_by_sentence.__getitem__)
    return doc.days


def _renamed(doc: Doc, compiled: Compiled, settings: RelevanceSettings) -> bool:
    """The item reports the rename of a party the claim names: written after the rename, so
    the party's history it recounts ("founded in 1999") does not put it before the claim."""
    return bool(reported_renames(doc, compiled, settings))
