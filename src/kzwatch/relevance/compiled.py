"""A claim compiled for matching: its term lists turned into ``Term`` objects, figures parsed.
Compiled once per claim object and cached."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kzwatch.model import Claim, ClaimMatch
from kzwatch.relevance.claimsfile import BALLOT_AT_LEAST
from kzwatch.relevance.days import named_days, parse_days
from kzwatch.relevance.numbers import Number, extract_numbers, parse_figure
from kzwatch.relevance.restated import DELIBERATION_WORDS
from kzwatch.relevance.text import Doc, Term, TermList, any_hits, hits_outside, term_hits
from kzwatch.textnorm import normalize

#: The stance reason of a claim's `mentions` that rests on the parties of its ballot alone
#: (``ballot``): background to any other claim the item is found to bear on (``drop_yielded``).
BALLOT_MENTION = "names several parties of the claim's ballot at a vote"

# --- compiled claims ---------------------------------------------------------------------------


@dataclass
class Compiled:
    claim: Claim
    anchors: list[Term]
    support: list[Term]
    context: list[list[Term]]
    exclude: list[tuple[list[Term], list[Term]]]
    update: list[Term]
    change: list[Term]
    weak_change: list[Term]
    renames: list[tuple[list[Term], list[Term], str]]
    quantities: list[dict[str, Any]]  # with "cues" compiled to Term
    figures: list[Number]
    year: int | None
    contradict: list[Term] = field(default_factory=list)
    negative: list[Term] = field(default_factory=list)  # any one rejects the claim
    unique: list[Term] = field(default_factory=list)  # anchors that need no context group
    confirm: list[Term] = field(default_factory=list)  # "still", "remain": restates the claim
    #: Words of other countries (their names, bodies, cities, leaders): with none of them, an
    #: item that does not name the claim's country is taken to be about it (``elsewhere``).
    elsewhere: list[Term] = field(default_factory=list)
    scope_own: list[Term] = field(default_factory=list)
    scope_other: list[Term] = field(default_factory=list)
    #: Phrases in which an other-scope word names something else (``scope.not_other``: the
    #: Kazakh "баспасөз мәслихаты" is a press conference, not a local council).
    scope_not_other: list[Term] = field(default_factory=list)
    scope_years: list[int] = field(default_factory=list)
    scope_until: int | None = None  # an event claim: years after it are other events
    #: The year the claim's subject came to be (``scope.published_from``): an item published
    #: before it tells an earlier state of things, whatever years it names.
    scope_published_from: int | None = None
    #: An event claim's day(s), (day, month): an item dated to other days only, naming neither
    #: these nor the claim's vote (``scope_own``), is about another event (``days``).
    scope_days: set[tuple[int, int]] = field(default_factory=set)
    #: Words naming "the latest vote" and the year from which they mean a later one than the
    #: claim's (``scope.latest``: an item published then that dates its vote by them alone).
    scope_latest: list[Term] = field(default_factory=list)
    scope_latest_after: int | None = None
    #: The claim's own vote's result in words no other vote's has ("76 seats"): an item naming
    #: one is about that vote, whatever other votes or years it names (``scope.results``).
    scope_results: list[Term] = field(default_factory=list)
    #: What the claim states, for the stance: "vote" (a quantity each Majilis vote reports
    #: anew), "event" (what happened at one vote), "state" (a standing rule or state of
    #: affairs); "" when the claims file does not say.
    kind: str = ""
    #: Supporting terms that name the claim's actors (the police, activists, observers, a
    #: mission), not what the claim says happened (``actor_terms``): the stance does not take
    #: them for a restatement.
    actors: frozenset[str] = frozenset()
    #: The claim is its counts (a population, a number of students abroad): its terms named
    #: restate nothing; only its figures, or a change, decide (``counts_only``).
    counts_only: bool = False
    #: A `unique_anchors` name in an item that bears on another claim mentions this claim
    #: (``beside.named_beside``); false where the name is a person's that lists and trials
    #: name for other reasons (``unique_mentions = false``).
    unique_mentions: bool = True
    #: The claim is a standing state whose own words name it (political prisoners held): an
    #: item naming it with nothing else to go on reports that it holds (``named_restates``).
    named_restates: bool = False
    #: Words one of which an item must hold for the second opinion to add the claim (C5: its
    #: option's names and the ballot it is on; ``opinion_needs``).
    opinion_needs: list[Term] = field(default_factory=list)
    #: Who speaks for the state and the words that call a statement untrue: an official
    #: dismissing what the claim says (``denial_speakers``, ``denial_terms``; ``denials``).
    denial_speakers: list[Term] = field(default_factory=list)
    denial_terms: list[Term] = field(default_factory=list)
    denial_critics: list[Term] = field(default_factory=list)  # whose dismissals are no denial
    #: Words of contesting a statement that need no official to say them ("оспорил", "disputed
    #: the description"): anyone but a critic speaking first disputes the claim (``denials``).
    dispute_terms: list[Term] = field(default_factory=list)
    #: The claim's subject by its own names, and the words of the claim's topic: the names in
    #: an item with no topic word need only the country (``named_alone``: a `mentions`).
    alone_names: list[Term] = field(default_factory=list)
    alone_unless: list[Term] = field(default_factory=list)
    past_members: list[Term] = field(default_factory=list)  # "sat on": a person's past seat
    #: a round table, a seminar: the same words for every claim (``restated``)
    deliberation: list[Term] = field(default_factory=lambda: compile_terms(DELIBERATION_WORDS))
    #: The parties on the claim's ballot, each by its spellings, how many of them an item must
    #: name, and the words of a vote (``ballot``): named so, they stand for the claim's vote.
    ballot_parties: list[list[Term]] = field(default_factory=list)
    ballot_at_least: int = BALLOT_AT_LEAST
    ballot_vote: list[Term] = field(default_factory=list)
    ballot_unless: list[Term] = field(default_factory=list)  # another ballot's parties
    #: A return to a subject ("returned to", "вернулся к"): no change (``revisits``).
    revisits: list[Term] = field(default_factory=list)
    #: Another claim whose subject alone a later report of this claim's kind may be about
    #: (``yields_to``: C2 yields a lone OSDP result to C3) and the words that keep this one.
    yields_to: str = ""
    yields_unless: list[Term] = field(default_factory=list)
    yields_stances: tuple[str, ...] = ("updates",)  # which of its stances yield


def all_terms(c: Compiled) -> Iterator[Term]:
    """Every term the scorer may look up for the claim, parts of "a & b" terms included."""
    lists: list[list[Term]] = [c.anchors, c.support, c.update, c.change, c.weak_change,
                               c.contradict, c.negative, c.unique, c.confirm, c.scope_own,
                               c.scope_other, c.scope_not_other, c.elsewhere, c.denial_speakers, c.denial_terms,
                               c.denial_critics, c.dispute_terms, c.alone_names, c.alone_unless, c.past_members, c.deliberation,
                               c.revisits, c.ballot_vote, c.ballot_unless,
                               *c.ballot_parties,
                               c.yields_unless, c.scope_latest, c.scope_results,
                               c.opinion_needs,
                               *c.context]
    lists += [t for pair in c.exclude for t in pair]
    lists += [t for old, new, _ in c.renames for t in (old, new)]
    lists += [q[key] for q in c.quantities
              for key in ("cues", "places", "places_unless", "fewer_terms", "fewer_needs")]
    for terms in lists:
        for term in terms:
            yield term
            yield from term.parts


def country_missing(doc: Doc, compiled: Compiled) -> str:
    """Why the item is not taken to be in the claim's country ("" when it is): its first
    context group (the country's names) finds nothing and, when the claim lists `elsewhere`
    terms, another country is named.  Kazakh outlets report the CEC, a ministry or a
    registration rule without naming their own country; a story from elsewhere names where."""
    if not compiled.context or any_hits(doc, compiled.context[0]):
        return ""
    group = compiled.context[0]
    why = f"no context term of group 1 (e.g. {group[0].text if group else '?'})"
    if not compiled.elsewhere:
        return why
    other = term_hits(doc, compiled.elsewhere)
    return f"{why} and another country named: {', '.join(list(other)[:3])}" if other else ""


def other_place_sentences(doc: Doc, quantity: dict[str, Any]) -> set[int]:
    """The sentences where a quantity's number is another place's count: a city or region
    named (its ``places``: "the city's population reached 1.8 million", the urban part) and the
    country not (``places_unless``: "Kazakhstan's 20 million, of whom urban 12 million")."""
    def sentences(terms: list[Term]) -> set[int]:
        return {s for occ in term_hits(doc, terms).values() for s, _, _ in occ}

    places = sentences(quantity["places"])
    return places - sentences(quantity["places_unless"]) if places else places


def compile_terms(values: Iterable[str]) -> TermList:
    """The terms of *values*, one per normalised form, as one shared (never changed) list per
    sequence of terms: claims that list the same words (the country, the default dispute
    words) get the same object, so a document answers it once for all of them
    (``term_hits`` keeps the hits of a list per document)."""
    seen: dict[str, Term] = {}
    for value in values:
        term = Term.of(value)
        if term.toks:
            seen.setdefault(normalize(term.text) if term.parts else
                            " ".join(t.norm for t in term.toks), term)
    key = tuple(map(id, seen.values()))
    shared = _TERM_LISTS.get(key)
    if shared is None:
        if len(_TERM_LISTS) > 20_000:
            _TERM_LISTS.clear()
        # The list holds its terms, so the ids in its key stay theirs while it is cached.
        shared = _TERM_LISTS[key] = TermList(seen.values())
    return shared


_TERM_LISTS: dict[tuple[int, ...], TermList] = {}


#: A plain count below this ("5") is in most long pages (five activists, five years): when the
#: claim's quantity reads it with its cue ("5 days"), it is not read bare as well.
SMALL_FIGURE = 100


def _bare_figures(claim: Claim) -> list[Number]:
    """The claim's figures read anywhere, bare: not a small plain count its quantities read."""
    quantity_values = {v for q in claim.extra.get("quantity", []) if q.get("cues")
                       for v in q.get("values", [])}
    figures = [f for f in map(parse_figure, claim.figures) if f is not None]
    return [f for f in figures if f.percent or f.year or f.date
            or f.value >= SMALL_FIGURE or f.value not in quantity_values]


def figure_years(compiled: Compiled) -> frozenset[int]:
    """The years among the claim's figures (C13's 1998 and 1999, C5's 2005): the claim's own
    dates, never a later year an item reports nor, with no later one, news of a change."""
    return frozenset(int(f.value) for f in compiled.figures if f.year)


def compile_claim(claim: Claim) -> Compiled:
    extra = claim.extra
    all_terms = [t for lang_terms in claim.terms.values() for t in lang_terms]
    scope = extra.get("scope", {})
    return Compiled(
        claim=claim,
        # A claims file with only the minimal keys still works: its terms become the anchors
        # (less precise than a curated anchor list, but never silently matching nothing).
        anchors=compile_terms(extra.get("anchors") or all_terms),
        support=compile_terms(all_terms),
        context=[compile_terms(group) for group in extra.get("context", [])],
        exclude=[(compile_terms(g["terms"]), compile_terms(g["unless"]))
                 for g in extra.get("exclude", [])],
        update=compile_terms(extra.get("update_terms", [])),
        change=compile_terms(extra.get("change_terms", [])),
        weak_change=compile_terms(extra.get("weak_change_terms", [])),
        renames=[(compile_terms(r["old"]), compile_terms(r["new"]), r.get("note", ""))
                 for r in extra.get("renames", [])],
        quantities=[_compiled_quantity(q) for q in extra.get("quantity", [])],
        figures=_bare_figures(claim),
        year=extra.get("year"),
        contradict=compile_terms(extra.get("contradict_terms", DEFAULT_CONTRADICT_TERMS)),
        negative=compile_terms(extra.get("negative_terms", [])),
        unique=compile_terms(extra.get("unique_anchors", [])),
        confirm=compile_terms(extra.get("confirm_terms", [])),
        elsewhere=compile_terms(extra.get("elsewhere", [])),
        scope_own=compile_terms(scope.get("own", [])),
        scope_other=compile_terms(scope.get("other", [])),
        scope_not_other=compile_terms(scope.get("not_other", [])),
        # The years the claim itself names ("founded 5 June 2019") are in its scope too.
        scope_years=sorted(set(scope.get("years", [])) | _years_in(claim.text))
        if scope.get("years") else [],
        scope_until=scope.get("until"),
        scope_published_from=scope.get("published_from"),
        # The days the claim itself names ("founded 5 June 2019") are in its scope too.
        scope_days=parse_days(scope.get("days", [])) | named_days([claim.text])
        if scope.get("days") else set(),
        scope_latest=compile_terms(scope.get("latest", {}).get("terms", [])),
        scope_latest_after=scope.get("latest", {}).get("after"),
        scope_results=compile_terms(scope.get("results", [])),
        kind=extra.get("kind", ""),
        actors=frozenset(extra.get("actor_terms", [])),
        counts_only=extra.get("counts_only", False), unique_mentions=extra.get("unique_mentions", True),
        named_restates=extra.get("named_restates", False),
        opinion_needs=compile_terms(extra.get("opinion_needs", [])),
        denial_speakers=compile_terms(extra.get("denial_speakers", [])),
        denial_terms=compile_terms(extra.get("denial_terms", [])),
        denial_critics=compile_terms(extra.get("denial_critics", [])),
        dispute_terms=compile_terms(extra.get("dispute_terms", [])),
        alone_names=compile_terms(extra.get("named_alone", {}).get("names", [])),
        alone_unless=compile_terms(extra.get("named_alone", {}).get("unless", [])),
        past_members=compile_terms(extra.get("past_members", [])),
        **_ballot_fields(extra.get("ballot", {})),
        revisits=compile_terms(extra.get("revisit_terms", [])),
        yields_to=extra.get("yields_to", {}).get("claim", ""),
        yields_unless=compile_terms(extra.get("yields_to", {}).get("unless", [])),
        yields_stances=tuple(extra.get("yields_to", {}).get("stances", ["updates"])),
    )


def _compiled_quantity(quantity: dict[str, Any]) -> dict[str, Any]:
    """A ``[[claim.quantity]]`` with its word lists compiled to terms."""
    fewer = quantity.get("fewer", {})
    return dict(quantity, cues=compile_terms(quantity["cues"]),
                places=compile_terms(quantity.get("places", [])),
                places_unless=compile_terms(quantity.get("places_unless", [])),
                fewer_terms=compile_terms(fewer.get("terms", [])),
                fewer_needs=compile_terms(fewer.get("needs", [])))


def _ballot_fields(ballot: dict[str, Any]) -> dict[str, Any]:
    """``Compiled``'s ballot_* fields from a claim's parsed ``ballot`` table (empty: none)."""
    return {"ballot_parties": [compile_terms(g) for g in ballot.get("parties", [])],
            "ballot_at_least": ballot.get("at_least", BALLOT_AT_LEAST),
            "ballot_vote": compile_terms(ballot.get("vote", [])),
            "ballot_unless": compile_terms(ballot.get("unless", []))}


def _years_in(text: str) -> set[int]:
    return {int(n.value) for n in extract_numbers(text) if n.year}


#: Words disputing a claim, used when a claim names no ``contradict_terms`` of its own.
DEFAULT_CONTRADICT_TERMS = (
    "опроверг", "опровергли", "опровержение", "не соответствует действительности", "отрицает",
    "отрицают", "refuted", "disputed", "denied", "denies", "deny", "жоққа шығарды",
    "шындыққа сәйкес келмейді",
)  # fmt: skip

_COMPILED_CACHE: dict[int, Compiled] = {}


def compiled_claim(claim: Claim) -> Compiled:
    cached = _COMPILED_CACHE.get(id(claim))
    if cached is None or cached.claim is not claim:
        if len(_COMPILED_CACHE) > 512:
            _COMPILED_CACHE.clear()
        cached = _COMPILED_CACHE[id(claim)] = compile_claim(claim)
    return cached



def drop_yielded(doc: Doc, matches: list[ClaimMatch],
                 claims: Iterable[Claim]) -> list[ClaimMatch]:
    """*matches* without a later report (`updates`, or the ``stances`` its ``yields_to``
    names) that its claim yields to another claim also matched, none of its ``unless`` words
    in the item: a later vote's result told of one party alone is news of that party's claim,
    not of the whole result's; a claim's ballot named with nothing of it (``BALLOT_MENTION``)
    is background to the other claim's story; observers' turnout count checked against the protocols is the
    turnout claim's, not the claim of observers kept from them."""
    if len(matches) < 2:
        return matches
    found = {m.claim_id for m in matches}
    by_id = {c.id: c for c in claims if c.id in found}
    kept = []
    for match in matches:
        c = compiled_claim(by_id[match.claim_id])
        if match.reason.startswith(BALLOT_MENTION):
            continue  # the ballot's parties as another claim's story's background
        if not (c.yields_to in found and match.stance in c.yields_stances
                and not any_hits(doc, c.yields_unless)):
            kept.append(match)
    return kept


def latest_vote_only(doc: Doc, c: Compiled, published: int | None,
                     years: frozenset[int]) -> str:
    """Why the item's vote is a later one than the claim's: it is dated only as "the latest
    vote" (``scope.latest``), names none of the claim's years, and was published when that
    meant a later vote ("" when not)."""
    if (c.scope_latest_after is None or published is None or published < c.scope_latest_after
            or years & set(c.scope_years)):
        return ""
    latest = term_hits(doc, c.scope_latest)
    return f"out of scope: {', '.join(list(latest)[:2])} in {published}" if latest else ""


def other_scope_hits(doc: Doc, c: Compiled) -> dict[str, list[tuple[int, int, int]]]:
    """The other-scope terms' occurrences (``term_hits`` of ``scope_other``) that are not
    inside a ``scope.not_other`` phrase, where the word names something else."""
    other = term_hits(doc, c.scope_other)
    return hits_outside(other, term_hits(doc, c.scope_not_other)) if other else other
