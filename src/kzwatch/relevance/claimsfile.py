"""Parse a claims file (``kzwatch/data/claims.toml``, format documented at its top) into
``model.Claim`` objects.  Pure: text in, claims out, a one-line ``ValueError`` naming the claim
and the key on bad input."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from typing import Any

from kzwatch.model import Claim
from kzwatch.relevance.days import parse_vote_days
from kzwatch.relevance.numbers import parse_figure

#: How many of a claim's ballot parties an item must name by default (``ballot.at_least``, never
#: fewer): one party named at a vote is that party's news, not the claim's vote.
BALLOT_AT_LEAST = 2

# --- loading claims ----------------------------------------------------------------------------


def _expand(values: Any, groups: Mapping[str, list[str]], where: str) -> list[str]:
    """A term list with "@group" references spliced in; type-checked."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        raise ValueError(f"{where}: expected a list of strings, got {type(values).__name__}")
    out: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise ValueError(f"{where}: expected strings, got {value!r}")
        if value.startswith("@") and " & " not in value:
            out.extend(_group(value, groups, where))
        elif " & " in value and "@" in value:
            out.extend(_paired(value, groups, where))
        elif value.strip():
            out.append(value)
    return out


def _group(value: str, groups: Mapping[str, list[str]], where: str) -> list[str]:
    name = value[1:]
    if name not in groups:
        raise ValueError(f"{where}: unknown term group {value!r}")
    return groups[name]


def _paired(value: str, groups: Mapping[str, list[str]], where: str) -> list[str]:
    """An "a & b" term whose parts may be groups ("@jailing & @dissidents"): one "a & b" term
    per choice of a word from each group, so that two kinds of word in one sentence (an act
    and who it was done to) can be a claim's anchor without listing every pair by hand."""
    choices: list[list[str]] = [[]]
    for part in (p.strip() for p in value.split(" & ")):
        if not part:
            continue
        words = _group(part, groups, where) if part.startswith("@") else [part]
        if any(" & " in w for w in words):
            raise ValueError(f"{where}: group {part!r} in {value!r} holds an \"a & b\" term")
        choices = [[*chosen, w] for chosen in choices for w in words]
    return [" & ".join(chosen) for chosen in choices]


def _known_keys(table: Mapping[str, Any], keys: tuple[str, ...], where: str) -> None:
    """A misspelt key of a table the scorer reads ("publised_from") would be ignored without
    a word: it is an error, naming the key and the ones the table takes."""
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(keys)})")


def _require(raw: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in raw:
        raise ValueError(f"{where}: missing key {key!r}")
    value = raw[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        got = type(value).__name__
        raise ValueError(f"{where}: key {key!r} must be {kind.__name__}, got {got}")
    return value


def _parse_claim(raw: Any, groups: Mapping[str, list[str]], article_id: str, n: int) -> Claim:
    if not isinstance(raw, dict):
        raise ValueError(f"claim #{n}: expected a table, got {type(raw).__name__}")
    claim_id = _require(raw, "id", str, f"claim #{n}")
    where = f"claim {claim_id}"
    text = _require(raw, "text", str, where)
    footnotes = raw.get("footnotes", [])
    if not isinstance(footnotes, list) or not all(
        isinstance(f, int) and not isinstance(f, bool) for f in footnotes
    ):
        raise ValueError(f"{where}: key 'footnotes' must be a list of integers")
    figures = raw.get("figures", [])
    if not isinstance(figures, list) or not all(isinstance(f, str) for f in figures):
        raise ValueError(f"{where}: key 'figures' must be a list of strings")
    unread = [f for f in figures if parse_figure(f) is None]
    if unread:  # a figure with no number in it would be dropped without a word
        raise ValueError(f"{where}: key 'figures' has no number in {unread[0]!r}")
    terms_raw = raw.get("terms", {})
    if not isinstance(terms_raw, dict):
        raise ValueError(f"{where}: key 'terms' must be a table of language → list")
    terms = {
        lang: tuple(_expand(values, groups, f"{where}: terms.{lang}"))
        for lang, values in terms_raw.items()
    }

    extra: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("id", "text", "footnotes", "figures", "terms"):
            continue
        parser = _EXTRA_PARSERS.get(key)
        # Unknown keys are kept as they are, for other consumers of the claims file.
        extra[key] = parser(value, groups, f"{where}: {key}") if parser else value
    # Actor terms mark some of the claim's own terms: one that is not would mark nothing.
    strays = set(extra.get("actor_terms", [])) - {t for ts in terms.values() for t in ts}
    if strays:
        raise ValueError(f"{where}: actor_terms not among its terms: {', '.join(sorted(strays))}")
    # The stance reads `named_restates` of a standing state only: on another kind it does nothing.
    if extra.get("named_restates") and extra.get("kind") != "state":
        raise ValueError(f"{where}: named_restates = true needs kind = \"state\"")
    return Claim(
        article_id=article_id,
        id=claim_id,
        text=text,
        footnotes=tuple(footnotes),
        figures=tuple(figures),
        terms=terms,
        extra=extra,
    )


def _parse_quantity(raw: Any, groups: Mapping[str, list[str]], where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a table")
    _known_keys(raw, ("name", "cues", "places", "places_unless", "values", "unit", "tolerance",
                      "min", "max", "contested", "words_only", "fewer", "year"), where)
    values = raw.get("values", [])
    if not isinstance(values, list) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
    ):
        raise ValueError(f"{where}: key 'values' must be a list of numbers")
    unit = raw.get("unit", "")
    if unit not in ("%", "", "any"):
        raise ValueError(f"{where}: key 'unit' must be '%', '' or 'any', got {unit!r}")
    tolerance = raw.get("tolerance", 0)
    if not isinstance(tolerance, (int, float)) or isinstance(tolerance, bool):
        raise ValueError(f"{where}: key 'tolerance' must be a number")
    smallest = raw.get("min", 0)
    if not isinstance(smallest, (int, float)) or isinstance(smallest, bool):
        raise ValueError(f"{where}: key 'min' must be a number")
    largest = raw.get("max", float("inf"))
    if not isinstance(largest, (int, float)) or isinstance(largest, bool) or largest < smallest:
        raise ValueError(f"{where}: key 'max' must be a number no smaller than 'min'")
    contested = raw.get("contested", [])
    if not isinstance(contested, list) or not all(
            any(v == c for v in values) for c in contested):
        raise ValueError(f"{where}: key 'contested' must list some of its 'values'")
    if raw.get("words_only") is True and "fewer" not in raw:
        raise ValueError(f"{where}: 'words_only' reads no digits: without 'fewer' the quantity "
                         "reads nothing")
    return {
        "name": str(raw.get("name", "")),
        "cues": _expand(raw.get("cues", []), groups, f"{where}.cues"),
        "places": _expand(raw.get("places", []), groups, f"{where}.places"),
        "places_unless": _expand(raw.get("places_unless", []), groups, f"{where}.places_unless"),
        "values": [float(v) for v in values],
        "unit": unit,
        "tolerance": float(tolerance),
        "min": float(smallest),
        "max": float(largest),
        "contested": [float(c) for c in contested],
        "words_only": _flag(raw.get("words_only", False), groups, f"{where}.words_only"),
        "fewer": _fewer(raw.get("fewer", {}), values, groups, f"{where}.fewer"),
        # The year the values are of, when not the claim's own ``year`` (None: the claim's).
        "year": _year(raw["year"], groups, f"{where}.year") if "year" in raw else None,
    }


def _fewer(raw: Any, values: list[float], groups: Mapping[str, list[str]],
           where: str) -> dict[str, Any]:
    """A quantity's count told in words below its values: { terms, below, needs } (the words,
    the count they stay under, and the words that make them the speaker's whole count).  A
    table that could never dispute anything (a part missing, or a value of the quantity under
    `below`: ``quantities.told_fewer`` then reads nothing) is an error, not a silent no-op."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a table")
    _known_keys(raw, ("terms", "below", "needs"), where)
    below = raw.get("below", 0)
    if not isinstance(below, (int, float)) or isinstance(below, bool):
        raise ValueError(f"{where}: key 'below' must be a number")
    fewer = {"terms": _expand(raw.get("terms", []), groups, f"{where}.terms"),
             "below": float(below),
             "needs": _expand(raw.get("needs", []), groups, f"{where}.needs")}
    if raw and not (fewer["terms"] and below > 0 and fewer["needs"]):
        raise ValueError(f"{where}: needs 'terms', 'below' (above 0) and 'needs'")
    if raw and (not values or min(values) < below):
        raise ValueError(f"{where}: 'below' ({below:g}) must not be above any of the quantity's "
                         "values")
    return fewer


def load_claims(toml_text: str, article_id: str) -> list[Claim]:
    """Parse a claims file (see ``data/claims.toml``) into ``Claim`` objects for *article_id*.

    Group references ("@kz") are expanded; keys beyond id/text/footnotes/figures/terms are kept
    in ``Claim.extra`` (a claim's own unknown keys too, for other consumers; an unknown key of
    the file or of a table the scorer reads is an error).  A file-level ``article_id`` different from *article_id* is an error (a
    file without one is taken to be about *article_id*); so are bad types, with the claim and the
    key named.
    """
    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"claims file is not valid TOML: {exc}") from exc
    _known_keys(data, ("article_id", "revisit_terms", "vote_days", "groups", "claim"),
                "claims file")
    file_article = data.get("article_id")
    if file_article is not None and file_article != article_id:
        raise ValueError(f"claims file is for article {file_article!r}, not {article_id!r}")
    groups_raw = data.get("groups", {})
    if not isinstance(groups_raw, dict):
        raise ValueError("claims file: [groups] must be a table of name → list of terms")
    groups: dict[str, list[str]] = {}
    for name, values in groups_raw.items():
        groups[name] = _expand(values, groups, f"group {name!r}")  # earlier groups may be used
    claims_raw = data.get("claim", [])
    if not isinstance(claims_raw, list):
        raise ValueError("claims file: 'claim' must be an array of tables ([[claim]])")
    claims = [_parse_claim(raw, groups, article_id, n) for n, raw in enumerate(claims_raw, 1)]
    _file_wide(data, groups, claims)
    seen: set[str] = set()
    for claim in claims:
        if claim.id in seen:
            raise ValueError(f"claim {claim.id}: duplicate id")
        seen.add(claim.id)
    _check_yields_to(claims)
    return claims


def _file_wide(data: Mapping[str, Any], groups: Mapping[str, list[str]],
               claims: list[Claim]) -> None:
    """The file's settings for all its claims, carried by each (claims are scored on their
    own): its calendar of votes, and its ``revisit_terms`` for every claim without its own
    (each claim a copy of its own, as of the calendar: no list shared between claims)."""
    revisit_terms = _expand(data.get("revisit_terms", []), groups, "claims file: revisit_terms")
    vote_days = data.get("vote_days", {})
    if not isinstance(vote_days, dict):
        raise ValueError('claims file: vote_days must be a table of day → year ("19 March" = 2023)')
    parse_vote_days(vote_days)  # checked here; the scorer reads it per claim set (claimset.py)
    for claim in claims:
        if revisit_terms:
            claim.extra.setdefault("revisit_terms", list(revisit_terms))
        if vote_days:
            claim.extra["vote_days"] = dict(vote_days)


def _check_yields_to(claims: list[Claim]) -> None:
    """Each ``yields_to`` names another claim of the same file that does not yield back (two
    claims yielding to each other would both be dropped when both are found)."""
    yields = {claim.id: claim.extra.get("yields_to", {}).get("claim") for claim in claims}
    for claim_id, other in yields.items():
        if other is not None and (other not in yields or other == claim_id):
            raise ValueError(f"claim {claim_id}: yields_to names {other!r}, not another claim "
                             "of this file")
        if other is not None and yields[other] == claim_id:
            raise ValueError(f"claim {claim_id}: yields_to names {other!r}, which yields to "
                             f"{claim_id}: one of them must not yield")


def _term_list(value: Any, groups: Mapping[str, list[str]], where: str) -> list[str]:
    return _expand(value, groups, where)


def _groups(value: Any, groups: Mapping[str, list[str]], where: str) -> list[list[str]]:
    if not isinstance(value, list):
        raise ValueError(f"{where}: must be a list of groups")
    return [_expand(g, groups, f"{where}[{i}]") for i, g in enumerate(value)]


def _tables(value: Any, groups: Mapping[str, list[str]], where: str,
            keys: tuple[str, ...], notes: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """A list of tables whose *keys* are term lists and *notes* text (any other key: error)."""
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise ValueError(f"{where}: must be a list of {{{', '.join(keys)}}} tables")
    out = []
    for i, table in enumerate(value):
        _known_keys(table, keys + notes, f"{where}[{i}]")
        row: dict[str, Any] = {k: _expand(table.get(k, []), groups, f"{where}[{i}].{k}")
                               for k in keys}
        row.update({k: str(v) for k, v in table.items() if k not in keys})
        out.append(row)
    return out


def _year(value: Any, groups: Mapping[str, list[str]], where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{where}: must be an integer")
    return value


def _scope(value: Any, groups: Mapping[str, list[str]], where: str) -> dict[str, Any]:
    """{ own, other, not_other, years, until, days, latest, published_from, results }: see the
    claims file header."""
    if not isinstance(value, dict):
        raise ValueError(f"{where}: must be a table {{own, other, not_other, years, until, days, "
                         "latest, published_from, results}")
    _known_keys(value, ("own", "other", "not_other", "years", "until", "days", "latest",
                        "published_from", "results"), where)
    years = value.get("years", [])
    if not isinstance(years, list) or not all(isinstance(y, int) for y in years):
        raise ValueError(f"{where}.years: must be a list of integers")
    parsed: dict[str, Any] = {"own": _expand(value.get("own", []), groups, f"{where}.own"),
                              "other": _expand(value.get("other", []), groups, f"{where}.other"),
                              "not_other": _expand(value.get("not_other", []), groups,
                                                   f"{where}.not_other"),
                              "years": sorted(years),
                              "results": _expand(value.get("results", []), groups,
                                                 f"{where}.results")}
    if "until" in value:
        parsed["until"] = _year(value["until"], groups, f"{where}.until")
    if "published_from" in value:
        parsed["published_from"] = _year(value["published_from"], groups,
                                         f"{where}.published_from")
    days = value.get("days", [])
    if not isinstance(days, list) or not all(isinstance(d, str) for d in days):
        raise ValueError(f"{where}.days: must be a list of days of a month (\"10 January\")")
    if days:
        parsed["days"] = days
    if "latest" in value:
        parsed["latest"] = _latest(value["latest"], groups, f"{where}.latest")
    return parsed


def _latest(value: Any, groups: Mapping[str, list[str]], where: str) -> dict[str, Any]:
    """{ terms, after }: words naming "the latest vote" and the year from which they mean a
    later vote than the claim's."""
    if not isinstance(value, dict) or not value.get("terms"):
        raise ValueError(f"{where}: must be a table {{terms, after}} with terms")
    _known_keys(value, ("terms", "after"), where)
    return {"terms": _expand(value["terms"], groups, f"{where}.terms"),
            "after": _year(value.get("after"), groups, f"{where}.after")}


def _named_alone(value: Any, groups: Mapping[str, list[str]], where: str) -> dict[str, list[str]]:
    """{ names, unless }: see the claims file header."""
    if not isinstance(value, dict) or not value.get("names"):
        raise ValueError(f"{where}: must be a table {{names, unless}} with names")
    _known_keys(value, ("names", "unless"), where)
    return {key: _expand(value.get(key, []), groups, f"{where}.{key}") for key in ("names", "unless")}


def _ballot(value: Any, groups: Mapping[str, list[str]], where: str) -> dict[str, Any]:
    """{ parties, at_least, vote, unless }: see the claims file header."""
    if not isinstance(value, dict) or not isinstance(value.get("parties"), list):
        raise ValueError(f"{where}: must be a table {{parties, at_least, vote, unless}} with "
                         "parties")
    _known_keys(value, ("parties", "at_least", "vote", "unless"), where)
    at_least = value.get("at_least", BALLOT_AT_LEAST)
    if not isinstance(at_least, int) or isinstance(at_least, bool) or at_least < BALLOT_AT_LEAST:
        raise ValueError(f"{where}.at_least: must be an integer of at least {BALLOT_AT_LEAST}, "
                         f"got {at_least!r}")
    parsed: dict[str, Any] = {"parties": _groups(value["parties"], groups, f"{where}.parties"),
                              "at_least": at_least,
                              "vote": _expand(value.get("vote", []), groups, f"{where}.vote"),
                              "unless": _expand(value.get("unless", []), groups, f"{where}.unless")}
    # Either would leave the ballot naming nothing: fewer parties than it asks for, no vote word.
    if at_least > len(parsed["parties"]):
        raise ValueError(f"{where}.at_least: {at_least} is more than its {len(parsed['parties'])} "
                         "parties")
    if not parsed["vote"]:
        raise ValueError(f"{where}.vote: must name at least one word of a vote")
    return parsed


def _yields_to(value: Any, groups: Mapping[str, list[str]], where: str) -> dict[str, Any]:
    """{ claim, unless, stances }: see the claims file header; *claim* is checked against the
    file's ids once every claim is read."""
    if not isinstance(value, dict) or not isinstance(value.get("claim"), str):
        raise ValueError(f"{where}: must be a table {{claim, unless, stances}} with a claim id")
    _known_keys(value, ("claim", "unless", "stances"), where)
    stances = value.get("stances", ["updates"])
    if (not isinstance(stances, list) or not stances
            or any(s not in ("confirms", "updates", "contradicts", "mentions") for s in stances)):
        raise ValueError(f"{where}.stances: must be a list of stances, got {stances!r}")
    return {"claim": value["claim"], "stances": list(stances),
            "unless": _expand(value.get("unless", []), groups, f"{where}.unless")}


def _kind(value: Any, groups: Mapping[str, list[str]], where: str) -> str:
    if value not in CLAIM_KINDS:
        raise ValueError(f"{where}: must be one of {', '.join(CLAIM_KINDS)}, got {value!r}")
    return str(value)


#: ``kind`` of a claim (see the claims file header): what a later report does to it.
CLAIM_KINDS = ("vote", "event", "state")


def _flag(value: Any, groups: Mapping[str, list[str]], where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where}: must be true or false, got {value!r}")
    return value


def _quantities(value: Any, groups: Mapping[str, list[str]], where: str) -> list[dict[str, Any]]:
    return [_parse_quantity(q, groups, f"{where}[{i}]")
            for i, q in enumerate(value if isinstance(value, list) else [value])]


_EXTRA_PARSERS: dict[str, Callable[[Any, Mapping[str, list[str]], str], Any]] = {
    "anchors": _term_list,
    "update_terms": _term_list,
    "change_terms": _term_list,
    "weak_change_terms": _term_list,
    "contradict_terms": _term_list,
    "denial_speakers": _term_list,
    "denial_terms": _term_list,
    "denial_critics": _term_list,
    "dispute_terms": _term_list,
    "past_members": _term_list,
    "revisit_terms": _term_list,
    "opinion_needs": _term_list,
    "negative_terms": _term_list,
    "unique_anchors": _term_list,
    "confirm_terms": _term_list,
    "actor_terms": _term_list,
    "elsewhere": _term_list,
    "context": _groups,
    "exclude": lambda v, g, w: _tables(v, g, w, ("terms", "unless")),
    "renames": lambda v, g, w: _tables(v, g, w, ("old", "new"), ("note",)),
    "quantity": _quantities,
    "year": _year,
    "scope": _scope,
    "kind": _kind,
    "counts_only": _flag,
    "named_restates": _flag,
    "unique_mentions": _flag,
    "named_alone": _named_alone,
    "yields_to": _yields_to,
    "ballot": _ballot,
}
