"""The stance of an item towards a claim, from the evidence, with a one-line reason.

The stances are those of docs/LABELLING.md: ``updates`` needs a state *later* than the claim's
(a new figure, a rule changed, a later Majilis vote for a "vote" claim); ``contradicts`` needs
the item to dispute the claim about the *same* time (a denial, the claim's figure denied, a
different figure for the claim's year); ``confirms`` restates it; ``mentions`` names it.
When things were said is read per sentence: the years a figure's own sentence names, else the
item's, else the year it was published (``_time_of``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from kzwatch.relevance.compiled import BALLOT_MENTION, Compiled, figure_years
from kzwatch.relevance.settings import DEFAULT_SETTINGS, RelevanceSettings

if TYPE_CHECKING:
    from kzwatch.relevance.scoring import Evidence


def choose_stance(ev: Evidence, compiled: Compiled,
                  settings: RelevanceSettings = DEFAULT_SETTINGS) -> tuple[str, str]:
    """The stance and a one-line reason, from the strongest signal down (*settings*: how near
    a differing figure must be, ``RelevanceSettings.figure_near_sentences``)."""
    first = _alone_or_renamed(ev)
    if first:
        return first
    if ev.replaced and _news_possible(ev, compiled):
        replaced = _replaced(ev, compiled)
        if replaced:
            return replaced
    decided = (_from_denial(ev) or _contested_vouched(ev) or _figure_called_inflated(ev, compiled)
               or _deliberated(ev)
               or _from_differing(ev, compiled, settings.figure_near_sentences)
               or _from_words(ev, compiled))
    if decided:
        return decided
    if compiled.kind == "state" and ev.proposal_sentences and _later(ev, compiled):
        return "updates", ("a change proposed (a bill, draft or proposal in the claim's "
                           "sentences), later than the claim")
    if ev.confirmed or ev.figures or ev.replaced or ev.own_result:
        return "confirms", "same figures as the claim: " + ", ".join(
            ev.confirmed or ev.figures or ev.replaced or ev.own_result)
    if ev.confirms:
        return "confirms", "restates the claim: " + ", ".join(ev.confirms[:3])
    if (compiled.kind == "vote" and ev.later_years and ev.result_sentences & ev.anchor_sentences
            and _news_possible(ev, compiled)):
        # A result (a percentage) in an anchor's sentence of an item naming a later year: the
        # later vote's instance of what each Majilis vote reports anew (docs/LABELLING.md), not
        # the claim's restated.  (A party congress "ahead of the 2023 campaign" has no result:
        # it only mentions the party.)
        return "updates", ("a later vote of the kind the claim reports; mentions "
                           + ", ".join(map(str, ev.later_years)))
    decided = _named_later(ev, compiled)
    if decided:
        return decided
    placed = _placed(ev, compiled)
    # A standing state named by its own words (an "event" claim never is: the branch below).
    decided = _from_terms(ev, compiled, placed) or _named_state(ev, compiled)
    if decided:
        return decided
    if (compiled.kind == "event" and len(ev.anchors) >= 2 and compiled.year
            and (compiled.year in {y for ys in ev.sentence_years for y in ys}
                 or ev.published_year == compiled.year)):
        return "confirms", ("reports the claim's event: " + ", ".join(list(ev.anchors)[:3])
                            + f" (at {compiled.year})")
    unplaced = (f" (names other years than the claim's {compiled.year})"
                if compiled.kind == "event" and not placed else "")
    return "mentions", "bears on the claim without figures or change: " + ", ".join(
        list(ev.anchors)[:3]) + unplaced


def _named_state(ev: Evidence, compiled: Compiled) -> tuple[str, str] | None:
    """"There are political prisoners" (``named_restates``): a later report of them that
    tells no release and no denial is the state still holding (LABELLING, C12), not a bare
    mention.  A name only the claim's event has (Agadil) is not the state's own words: a film
    about him mentions the claim."""
    if not (compiled.named_restates and compiled.kind == "state"):
        return None
    # By place, not spelling: "Ағаділ" is an anchor the unique list holds as "Агадил".
    unique = {t.text for t in compiled.unique}
    named = {(s, start) for a, occ in ev.anchors.items() if a in unique for s, start, _ in occ}
    own_words = [a for a, occ in ev.anchors.items()
                 if any((s, start) not in named for s, start, _ in occ)]
    if not own_words:
        return None
    return "confirms", "names the standing state itself: " + ", ".join(own_words[:3])


def _named_later(ev: Evidence, compiled: Compiled) -> tuple[str, str] | None:
    """A body the claim describes (one with known successors: ``renames``) named by its own
    name, not before the claim, with no change or successor: it still stands (LABELLING: a
    later report that the state holds).  Not a person or party ("Mamay" is news of many
    kinds).  Named only as someone's past seat on it ("who once sat on the council":
    ``past_members``), it is a life story's mention of the body."""
    if not (compiled.kind == "state" and compiled.renames and _news_possible(ev, compiled)
            and _names_unique(ev, compiled)):
        return None
    if ev.past_member:
        return "mentions", "named as someone's past seat on it: " + ", ".join(ev.past_member)
    return "confirms", "named later, unchanged: " + ", ".join(list(ev.anchors)[:3])


def _alone_or_renamed(ev: Evidence) -> tuple[str, str] | None:
    if ev.named_alone:  # a change or a figure there is about something else
        return "mentions", ("names the claim's subject with nothing of its topic: "
                            + ", ".join(list(ev.anchors)[:3]))
    if ev.renames:
        return "updates", "renamed or replaced: " + "; ".join(ev.renames)
    if ev.on_ballot and not (ev.figures or ev.confirmed or ev.differing):
        # The parties at the vote and nothing of what the claim says: a change word there
        # ("six parties admitted") is about the ballot, not the claim's results.
        return "mentions", f"{BALLOT_MENTION}: " + ", ".join(list(ev.anchors)[:3])
    return None


def _from_denial(ev: Evidence) -> tuple[str, str] | None:
    """The state's side calling the criticism untrue, or anyone but its critics contesting
    it, about the claim's own time (a later year named may be a change told beside the
    denial): a dispute, whatever figures it restates (``denials``)."""
    if ev.later_years:
        return None
    if ev.official_denials:
        return "contradicts", "an official denies it: " + ", ".join(ev.official_denials)
    if ev.contested_by_anyone:
        return "contradicts", "contested: " + ", ".join(ev.contested_by_anyone)
    if ev.answered_critics:
        return "contradicts", "the state's side answers the critics: " + ", ".join(
            ev.answered_critics)
    return None


def _deliberated(ev: Evidence) -> tuple[str, str] | None:
    """A meeting held to discuss the claim's subject, named in the title ("a round table on
    the 'against all' box", "seminar on the turnout floor": ``restated.deliberation_title``),
    with no figure of the claim's quantity changed and no later year named (a round table on a
    later vote's results tells that vote): the rule debated, not changed (round 26b).  Its
    change words are what was discussed ("the history of its abolition"), and a later date of
    publication is when the debate was held: a mention, or a restatement when it says the rule
    still holds or gives the claim's figures."""
    if not ev.deliberation or ev.later_years or ev.differing or ev.replaced or ev.renames:
        return None
    said = "debated, not changed (" + ", ".join(ev.deliberation) + " in the title)"
    restated = ev.confirms or ev.confirmed or ev.figures
    if restated:
        return "confirms", f"{said}; restates: " + ", ".join(restated[:3])
    return "mentions", said


def _contested_vouched(ev: Evidence) -> tuple[str, str] | None:
    """The claim's contested value (the official 63%) vouched for by the state's side in its
    own sentence, with no value of the other side there ("the official 63 per cent, the former
    commission member insisted, was backed by every protocol"; ``vouched_sentences``): the
    dispute the claim reports, answered against the critics — `contradicts`, about the claim's
    time (round 28d); or the critics' count called a sample (``sampled_sentences``, round
    29b)."""
    if ev.later_years or not (ev.vouched or ev.sampled):
        return None
    if not ev.vouched:  # round 29b: "the observers' 35% rests on a sample of stations"
        values = [text for texts in ev.sampled.values() for text in texts]
        return "contradicts", ("the state's side calls the critics' count a sample: "
                               + ", ".join(dict.fromkeys(values)))
    values = [text for texts in ev.vouched.values() for text in texts]
    return "contradicts", ("the state's side vouches for the contested figure: "
                           + ", ".join(dict.fromkeys(values)))


def _figure_called_inflated(ev: Evidence, compiled: Compiled) -> tuple[str, str] | None:
    """The claim's own figure called too large in its sentence ("the 360 detained is much
    exaggerated", "the 235 and 254 protests are inflated by lone pickets"), by anyone but its
    critics (``stance_words.inflated_sentences``), about the claim's time: a dispute of the
    claim's figure.  Not for a claim that reports a dispute itself (a ``contested`` value: "the
    CEC's 63% is inflated" is what the claim says), round 25b."""
    if ev.later_years or any(q.get("contested") for q in compiled.quantities):
        return None
    called = [label for label in ev.confirmed
              if ev.quantity_sentences.get(label, set()) & ev.inflated.keys()] or [
        figure for figures in ev.inflated.values() for figure in figures]
    if not called:
        return None
    return "contradicts", "the claim's figure called too large: " + ", ".join(dict.fromkeys(called))


def _from_terms(ev: Evidence, compiled: Compiled, placed: bool) -> tuple[str, str] | None:
    """Two or more of the claim's supporting terms with nothing else to go on: a restatement,
    or a state's later state when told at later years only (``_told_later``).  The claim's
    actors named (the police, activists, observers, a mission, deputies: ``actor_terms``) tell
    nothing of what happened or holds: however many of them, they count as one term.  A claim
    that is its counts (``counts_only``: "18 million people, 89,505 studied abroad") is restated
    by its figures only: students and study abroad named, without a count, only mention it."""
    if compiled.counts_only:
        return None
    restating = [t for t in ev.support if t not in compiled.actors]
    if len(restating) + (len(restating) < len(ev.support)) < 2:
        return None
    if _told_later(ev, compiled, placed):
        when = (_years(ev.later_years) if ev.later_years
                else f"naming no year, published {ev.published_year}")
        return "updates", ("the claim's subject told at later years only (" + when
                           + "), with nothing restated: its later state")
    if placed or compiled.kind != "event":
        return "confirms", "restates the claim: " + ", ".join(list(ev.support)[:4])
    return None


def _told_later(ev: Evidence, compiled: Compiled, placed: bool) -> bool:
    """A standing state's subject told with later years only (none up to the claim's own, nor
    its body or vote: ``_placed``), or naming no year in an item published after the claim's
    year, and with no restatement marker: a report of how things stand at that later time,
    which the claim's state no longer describes (LABELLING: ``updates`` "whether or not the
    item says changed").  Its terms alone ("ballot", "voters") restate nothing."""
    if compiled.kind != "state" or ev.confirms or not _news_possible(ev, compiled):
        return False
    year = compiled.year or ev.max_year
    named = {y for ys in ev.sentence_years for y in ys if y <= ev.max_year}
    if not named:
        # Naming no year, it tells the state when it was written.
        return not ev.own_scope and (ev.published_year or 0) > year
    return not placed and min(named) > year


def _names_unique(ev: Evidence, compiled: Compiled) -> bool:
    unique = {t.text for t in compiled.unique}
    return any(a in unique for a in ev.anchors)


def _later(ev: Evidence, compiled: Compiled) -> bool:
    """Published, or naming a year, after the claim's year."""
    year = compiled.year or 0
    return bool(year) and (bool(ev.later_years) or (ev.published_year or 0) > year)


def _replaced(ev: Evidence, compiled: Compiled) -> tuple[str, str] | None:
    """The claim's figure named as the old value ("вместо пяти", "down from 63% in 2021"): an
    update, unless its sentence speaks only of the claim's own past with no new figure beside
    it ("235 in 2019, up from 32 in 2018": the claim's own series)."""
    where = {s for label in ev.replaced for s in ev.quantity_sentences.get(label, ())}
    beside = [label for label in ev.differing if ev.quantity_sentences.get(label, set()) & where]
    when, years = _time_of(ev, compiled, where, compiled.year)
    if when == "same" and not beside:
        return None
    new = f"; new: {', '.join(beside)}" if beside else ""
    return "updates", ("the claim's figure named as the old value: " + ", ".join(ev.replaced)
                       + new + (f" ({years})" if years else ""))


def _from_differing(ev: Evidence, compiled: Compiled, near: int) -> tuple[str, str] | None:
    """A figure of the claim's quantity that differs from the claim's: a later state
    (``updates``), the claim's own time (``contradicts``), or, when the text does not say
    when, the change words and years around it decide.  A standing state's figure read more
    than *near* sentences (``RelevanceSettings.figure_near_sentences``) away from the claim's
    words ("по состоянию на 14.00 … 51,8%" … "порога явки нет") is not told of the claim's
    subject: it decides nothing."""
    if not (ev.differing or ev.disputed):
        return None
    if compiled.kind == "state" and not ev.disputed and not any(
            abs(s - a) <= near for label in ev.differing
            for s in ev.quantity_sentences.get(label, ()) for a in ev.anchor_sentences):
        return None
    has = ", ".join(compiled.claim.figures) or "other figures"
    when, years = _time_of_figures(ev, compiled, ev.differing + ev.disputed)
    said = f"reports {', '.join(ev.differing or ev.disputed)} where the claim has {has}"
    if when == "later" and not _beside_own(ev, years):
        return "updates", f"{said}; a later state ({years})"
    if when == "later":
        return None
    if ev.disputed:  # "около 1%, а не 3,8%" about the claim's time: the figure is disputed
        return "contradicts", "denies the claim's figure: " + ", ".join(ev.disputed)
    if when == "same":
        # "54% in 2023, down from 63% in 2021": the words around decide; so they do beside the
        # claim's own result in words only it has ("76 seats"): the other share is another
        # vote's (a maslikhat's) or another quantity's.
        if ev.confirmed or ev.own_result:
            return None
        if _proposed_figure(ev, compiled):
            return "updates", f"{said}: a change proposed (a bill or draft), later than the claim"
        return "contradicts", f"{said}, for the claim's own time ({years})"
    newer = f"; mentions {', '.join(map(str, ev.later_years))}" if ev.later_years else ""
    if ev.later_years or ev.updates or ev.changes:
        return "updates", said + newer
    if compiled.kind == "state" and not ev.confirmed:
        # A standing state's figure told with no time at all ("20,243,981 people as of 1
        # November"): the state when it was written, not a dispute of the claim's own time.
        return "updates", said + "; undated: the state when written"
    if not (ev.confirmed or ev.own_result):
        return "contradicts", (f"reports {', '.join(ev.differing)} for the claim's "
                               f"{compiled.year or 'same'} event where the claim has {has}")
    return None


def _proposed_figure(ev: Evidence, compiled: Compiled) -> bool:
    """Every differing figure told in a sentence of a proposed law ("a bill would require at
    least 40% turnout") that names no year of its own, in an item published after the claim's
    year: the years elsewhere are the rule's history ("such a rule was dropped in 1998"), the
    figure is a change proposed since (round 29b)."""
    where = {s for label in ev.differing for s in ev.quantity_sentences.get(label, ())}
    return (compiled.kind == "state" and bool(where) and not ev.disputed
            and where <= ev.proposal_sentences and _later(ev, compiled)
            and not any(ev.sentence_years[s] for s in where))


def _beside_own(ev: Evidence, years: str) -> bool:
    """Figures dated only by the item's publication, each in a sentence with the claim's own
    figures and no later year named ("35.10% against the official 63%, and 3.8% spoiled"):
    the claims' figures restated together, a cue read across them, not a later state (round
    26b)."""
    if ev.later_years or not years.startswith("published"):
        return False
    own = {s for label in ev.confirmed for s in ev.quantity_sentences.get(label, ())}
    return all(ev.quantity_sentences.get(label, set()) <= own
               for label in ev.differing + ev.disputed)


def _from_words(ev: Evidence, compiled: Compiled) -> tuple[str, str] | None:
    """Update, dispute and change words, and a later vote's report."""
    newer = f"; mentions {', '.join(map(str, ev.later_years))}" if ev.later_years else ""
    if ev.updates and _words_may_be_news(ev, compiled) and not _aside(ev):
        return "updates", f"change reported: {', '.join(ev.updates)}{newer}"
    # A claim that reports a dispute (a ``contested`` value) is restated, not disputed, by an
    # item that tells that dispute again ("MISK's 35.10% still disputes the 63%").
    contradictions = [] if ev.own_dispute else ev.contradictions
    if contradictions or ev.denied:
        words = [*contradictions, *(f"not {w}" for w in ev.denied)]
        return "contradicts", f"disputes it: {', '.join(words)}"
    changes = _news_of_change(ev, compiled)
    if changes and ev.confirms:
        return "confirms", (f"restates the claim: {', '.join(ev.confirms[:3])} (the change "
                            f"words {', '.join(changes)} are not about it)")
    if changes:
        return "updates", f"change reported: {', '.join(changes)}{newer}"
    if compiled.kind == "vote" and not (ev.confirmed or ev.figures):
        # A result (a percentage) told with the claim's subject at a later Majilis vote: the
        # gate has already kept other votes out ("the OSDP passed the 5% barrier in 2023").
        results = ev.anchor_sentences & ev.result_sentences
        when, years = _time_of(ev, compiled, results, compiled.year) if results else ("", "")
        if when == "later":
            return "updates", f"a later vote's result ({years})"
    return None


def _aside(ev: Evidence) -> bool:
    """Update words told only in the body, away from the title, in an item that restates the
    claim elsewhere ("the unregistered Democratic Party ... only loyal parties get registered"):
    background to a restatement, not news of a change.  A change told with a figure of the
    claim's quantity ("lowering the bar from 20,000 members to 5,000") is not aside.  The
    claim's own figure stated in a sentence of its own ("at least 20 thousand members") is such
    a restatement too."""
    where = {s for w in ev.updates for s in ev.update_sentences.get(w, ())}
    figures = {s for found in ev.quantity_sentences.values() for s in found}
    own = {s for label in ev.confirmed for s in ev.quantity_sentences.get(label, ())}
    own -= {s for label in ev.differing for s in ev.quantity_sentences.get(label, ())}
    return (bool(ev.restated_sentences or own) and 0 not in where and not where & figures
            and not ev.later_years)


#: Change words that bring something back ("вернуть порог явки в 50%", "reinstated"): no claim
#: tells of a restoration, so with the claim's figure they report its undoing, not its retelling.
_RESTORING = ("вернут", "вернул", "вернет", "вернуть", "возвращ", "restor", "reinstat", "return",
              "bring back", "brought back", "reintroduc", "қайтар")


def _news_of_change(ev: Evidence, compiled: Compiled) -> list[str]:
    """The change words that report news since the claim: none in an item published before
    the claim's year that names no later year (it cannot report a later state), and none in a
    sentence that restates the claim's own figure ("the threshold was cut to 20,000": the
    change the claim itself describes)."""
    words = ev.changes_near_anchor or (ev.changes if ev.later_years else [])
    if not words or not _words_may_be_news(ev, compiled):
        return []
    own = {s for label in ev.confirmed for s in ev.quantity_sentences.get(label, ())}
    own -= {s for label in ev.differing for s in ev.quantity_sentences.get(label, ())}
    retold = [w for w in words if not w.casefold().startswith(_RESTORING)]
    if not ev.later_years and any(ev.change_sentences.get(w, set()) & own for w in retold):
        # The title and the text tell one change: once a sentence ties it to the claim's own
        # figure, it is the claim's change, retold.
        return []
    if not ev.later_years and retold == words and _names_own_years(ev, compiled):
        # "Scrapped in 1998, and for maslikhats in 1999": the claim's own past change, told
        # with the claim's own dates and none later (round 26b).
        return []
    if retold == words and _own_change_retold(ev, compiled, own, words):
        return []
    return words


def _own_change_retold(ev: Evidence, compiled: Compiled, own: set[int],
                       words: list[str]) -> bool:
    """Every change word in a sentence that states the claim's own figure and names one of
    its own years ("the 50% turnout floor was abolished in 1998"): the claim's own change
    retold, whatever later year the item names beside it (another claim's "since 2005", a
    committee meeting's): round 29b."""
    years = figure_years(compiled)
    where = {s for w in words for s in ev.change_sentences.get(w, set())}
    return bool(where) and all(s in own and years & ev.sentence_years[s] for s in where)


def _names_own_years(ev: Evidence, compiled: Compiled) -> bool:
    """Whether the item names a year that is one of the claim's own figures (C13's 1998 and
    1999, C5's 2005)."""
    own = figure_years(compiled)
    return any(own & ys for ys in ev.sentence_years)


def _news_possible(ev: Evidence, compiled: Compiled) -> bool:
    """False for an item published before the claim's year that names no later year: it
    cannot report a state later than the claim's.  (The claim's own year is the article's:
    a law of May 2021 is news on a claim of February 2021.)"""
    return not (compiled.year and ev.published_year is not None
                and ev.published_year < compiled.year and not ev.later_years)


def _words_may_be_news(ev: Evidence, compiled: Compiled) -> bool:
    """``_news_possible``, and for change words in an undated item on a vote claim: a later
    Majilis vote is told with its year, so one that names only the claim's year or earlier
    ones tells of the claim's vote ("the OSDP will not take part in the 10 January 2021 vote;
    six parties will take part").  (A figure replacing the claim's is read by ``_replaced``;
    a state's change is often told with the year of what it replaced alone.)"""
    if not _news_possible(ev, compiled):
        return False
    if compiled.kind != "vote" or ev.published_year is not None or ev.later_years:
        return True
    named = {y for ys in ev.sentence_years for y in ys if y <= ev.max_year}
    return not named or max(named) > (compiled.year or 0)


def _time_of_figures(ev: Evidence, compiled: Compiled, labels: list[str]) -> tuple[str, str]:
    """When the figures *labels* speak of, each read from its own sentences: any figure of a
    later state makes the item report one ("20 million now; 16.4 million in 1991": the
    historical figure does not pull the current one back to the claim's time); otherwise the
    figures' sentences read together."""
    year = _quantity_year(compiled, labels)
    later = [_time_of(ev, compiled, ev.quantity_sentences.get(label, ()), year)
             for label in labels]
    later_years = [years for when, years in later if when == "later"]
    if later_years:
        return "later", "; ".join(dict.fromkeys(later_years))
    return _time_of(ev, compiled, (s for label in labels
                                   for s in ev.quantity_sentences.get(label, ())), year)


def _quantity_year(compiled: Compiled, labels: list[str]) -> int | None:
    """The year the figures *labels* are compared at: their quantity's own ``year`` when all
    are of one quantity that has one (C16's "about half are under 30" is of the article's
    time, its students abroad of 2017), else the claim's."""
    years = {q.get("year") for label in labels for q in compiled.quantities
             if label.startswith(q["name"] + " ")}
    return years.pop() if len(years) == 1 and None not in years else compiled.year


def _time_of(ev: Evidence, compiled: Compiled, sentences: Iterable[int],
             year: int | None) -> tuple[str, str]:
    """When *sentences* speak of: "later" than the claim's year, the claim's own time
    ("same"), or "unknown"; and the years that said so.  The sentences' own years first
    (any later year makes it later: "54% in 2023, down from 63% in 2021"); then the item's
    years; then its publication year (a "state" claim's figure
    published later is a later state; anything published by the claim's year is its time).
    *year*: the claim's year, or its quantity's (``_quantity_year``)."""
    if not year:
        return "unknown", ""
    own = {y for s in set(sentences) for y in ev.sentence_years[s] if y <= ev.max_year}
    if own:
        return ("later" if max(own) > year else "same"), _years(own)
    named = {y for ys in ev.sentence_years for y in ys if y <= ev.max_year}
    published = ev.published_year
    # Only years before the claim's, named elsewhere in an item published later, are history
    # the item recalls ("independent since 1991"): they do not date a figure that names none.
    history = bool(named) and max(named) < year and published is not None and published > year
    if named and max(named) <= year and not history:
        return "same", _years(named)
    if published is not None and published <= year and not named:
        return "same", f"published {published}"
    if year not in named and (compiled.kind == "state" or (compiled.kind == "vote" and (
            not named or history))) and ((named and max(named) > year) or (published or 0) > year):
        # A figure told with no year of its own in an item published after the claim's year:
        # the state at publication, or for a vote claim the vote the item reports.
        return "later", _years(named) if named and not history else f"published {published}"
    return "unknown", ""


def _placed(ev: Evidence, compiled: Compiled) -> bool:
    """Whether the item is placed at the claim's event; not when it names years and none is
    the claim's, nor the claim's own vote (``scope.own``): a story about the claim's subject at
    another time ("Oyan, founded in 2019, presents a book") only names it.  An item that names
    no year is taken as placed (a feed's date says when it was written, not what it recounts)."""
    if ev.own_scope:
        return True
    named = {y for ys in ev.sentence_years for y in ys}
    return not compiled.year or not named or compiled.year in named


def _years(years: Iterable[int]) -> str:
    return ", ".join(map(str, sorted(set(years))))
