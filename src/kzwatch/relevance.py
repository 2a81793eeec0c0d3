"""Does a news item bear on one of the article's claims, and how?  (pure core)

Discovery finds items in feeds and listing pages; this module decides, for each item and each
claim, whether the item bears on the claim and with what stance:

* ``confirms``    — it repeats the claim's figures or substance;
* ``updates``     — it reports a change since the article: a newer figure, an amended law, a
                    body renamed or replaced;
* ``contradicts`` — it gives a different figure for the same event, or disputes the claim;
* ``mentions``    — it bears on the claim without saying which way.

Precision comes first, so a claim is only scored when a *gate* passes:

1. at least one of the claim's **anchors** (claim-specific names and phrases) occurs;
2. every **context** group matches at least once (this is Kazakhstan; this is the Majilis vote);
3. no **exclude** guard fires (an item about Kyrgyz elections, Russia's "против всех" debate or
   the presidential turnout shares words with a claim but not the claim).

Then supporting terms, the claim's figures and measured quantities add to a score in [0, 1];
items at or above ``threshold`` are returned with their evidence and a stance with its reason.

Matching works on ``textnorm`` tokens and is inflection- and script-insensitive: two tokens
match when their normalised forms, their romanisation keys or their Russian/Kazakh/English stems
agree, or when they share a long prefix with short endings (``курултай``/``курултая``).  Terms of
several words must match consecutive tokens (one short function word may intervene).

The claims file format is documented at the top of ``kzwatch/data/claims.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kzwatch.model import STANCES, Claim, ClaimMatch, FeedItem
from kzwatch.textnorm import detect_lang, latin_key, normalize, stem, tokens

__all__ = [
    "DEFAULT_THRESHOLD",
    "load_claims",
    "score_item",
    "evaluate",
    "extract_numbers",
    "Number",
]

# --- tunables (the lead exposes these in config; defaults documented here) --------------------

#: Minimum score for a (item, claim) pair to be reported.  0.55 = an anchor plus one supporting
#: term, or an anchor plus a matching figure; an anchor alone never passes.
DEFAULT_THRESHOLD = 0.55

#: Score parts.  An anchor is required (gate); the rest accumulates.
W_ANCHOR = 0.40
W_ANCHOR_IN_TITLE = 0.10
W_EXTRA_ANCHOR = 0.05  # per further distinct anchor, at most 2
W_TERM = 0.15  # per distinct supporting term, at most 2
W_FIGURE = 0.20  # per distinct claim figure found, at most 2
W_QUANTITY = 0.15  # a measured quantity of the claim is reported (same or different value)
W_CHANGE = 0.10  # a rename or update term is present

#: A change word counts as "about the claim" in the title, an anchor's sentence or up to this
#: many sentences after it.
CHANGE_NEAR_SENTENCES = 2

#: Shortest shared prefix for the "same word, different ending" fallback, and the longest
#: ending each side may have beyond it.
PREFIX_MIN = 6
PREFIX_MAX_TAIL = 3

#: Words that negate a nearby update term: before it in Russian/English ("не будет", "no new
#: party has been registered"), after it in Kazakh ("тіркелген жоқ", "өткен емес").
_NEGATIONS_BEFORE = frozenset({"не", "нет", "ни", "not", "no", "never", "without", "без"})
_NEGATIONS_AFTER = frozenset({"жок", "емес"})  # normalised "жоқ", "емес"
_NEGATION_WINDOW = 5

_CLAIM_LIST_KEYS = ("anchors", "update_terms", "change_terms", "weak_change_terms")


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
        if value.startswith("@"):
            name = value[1:]
            if name not in groups:
                raise ValueError(f"{where}: unknown term group {value!r}")
            out.extend(groups[name])
        elif value.strip():
            out.append(value)
    return out


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
        if key in _CLAIM_LIST_KEYS:
            extra[key] = _expand(value, groups, f"{where}: {key}")
        elif key == "context":
            if not isinstance(value, list):
                raise ValueError(f"{where}: key 'context' must be a list of groups")
            extra[key] = [_expand(g, groups, f"{where}: context[{i}]") for i, g in enumerate(value)]
        elif key == "exclude":
            if not isinstance(value, list) or not all(isinstance(g, dict) for g in value):
                raise ValueError(f"{where}: key 'exclude' must be a list of {{terms, unless}}")
            extra[key] = [
                {
                    "terms": _expand(g.get("terms", []), groups, f"{where}: exclude[{i}].terms"),
                    "unless": _expand(g.get("unless", []), groups, f"{where}: exclude[{i}].unless"),
                }
                for i, g in enumerate(value)
            ]
        elif key == "renames":
            if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
                raise ValueError(f"{where}: key 'renames' must be a list of {{old, new, note}}")
            extra[key] = [
                {
                    "old": _expand(r.get("old", []), groups, f"{where}: renames[{i}].old"),
                    "new": _expand(r.get("new", []), groups, f"{where}: renames[{i}].new"),
                    "note": str(r.get("note", "")),
                }
                for i, r in enumerate(value)
            ]
        elif key == "quantity":
            extra[key] = [_parse_quantity(q, groups, f"{where}: quantity[{i}]") for i, q in
                          enumerate(value if isinstance(value, list) else [value])]
        elif key == "year":
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{where}: key 'year' must be an integer")
            extra[key] = value
        else:
            extra[key] = value  # unknown keys are kept for other consumers
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
    return {
        "name": str(raw.get("name", "")),
        "cues": _expand(raw.get("cues", []), groups, f"{where}.cues"),
        "values": [float(v) for v in values],
        "unit": unit,
        "tolerance": float(tolerance),
    }


def load_claims(toml_text: str, article_id: str) -> list[Claim]:
    """Parse a claims file (see ``data/claims.toml``) into ``Claim`` objects for *article_id*.

    Group references ("@kz") are expanded; keys beyond id/text/footnotes/figures/terms are kept
    in ``Claim.extra``.  A file-level ``article_id`` different from *article_id* is an error (a
    file without one is taken to be about *article_id*); so are bad types, with the claim and the
    key named.
    """
    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"claims file is not valid TOML: {exc}") from exc
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
    seen: set[str] = set()
    for claim in claims:
        if claim.id in seen:
            raise ValueError(f"claim {claim.id}: duplicate id")
        seen.add(claim.id)
    return claims


# --- token matching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    """One token with every form it may be matched by."""

    norm: str
    key: str
    stems: tuple[tuple[str, str], ...]  # (lang, stem) for ru, kk, en, when informative

    @classmethod
    def of(cls, word: str) -> "_Tok":
        norm = normalize(word)
        stems = tuple(
            (lang, s) for lang in ("ru", "kk", "en") if len(s := stem(norm, lang)) >= 3
        )
        return cls(norm=norm, key=latin_key(norm), stems=stems)


def _prefix_compatible(a: str, b: str) -> bool:
    """Same word with a different ending: long shared prefix, short tails."""
    if len(a) < PREFIX_MIN or len(b) < PREFIX_MIN or a[:PREFIX_MIN] != b[:PREFIX_MIN]:
        return False
    common = PREFIX_MIN
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return len(a) - common <= PREFIX_MAX_TAIL and len(b) - common <= PREFIX_MAX_TAIL


#: Endings an abbreviation takes in Russian/Kazakh running text ("ЦИКа", "ОСДП-ның").
_ABBREV_ENDINGS = frozenset({"а", "у", "ом", "е", "ы", "ов", "нын", "нин", "га", "ге", "ка", "ке",
                             "на", "не", "та", "те", "да", "де", "дан", "ден", "тан", "тен"})


class _Doc:
    """An item's text split into sentences of tokens, indexed by every matchable form."""

    def __init__(self, sentences: list[str]) -> None:
        self.sentences = sentences
        self.toks: list[list[_Tok]] = []
        self.index: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        cache: dict[str, _Tok] = {}
        for s_idx, sentence in enumerate(sentences):
            row = []
            for t_idx, word in enumerate(tokens(sentence)):
                tok = cache.get(word) or cache.setdefault(word, _Tok.of(word))
                row.append(tok)
                pos = (s_idx, t_idx)
                self.index[("n", tok.norm)].append(pos)
                self.index[("k", tok.key)].append(pos)
                for lang, s in tok.stems:
                    self.index[(lang, s)].append(pos)
                if len(tok.norm) >= PREFIX_MIN:
                    self.index[("p", tok.norm[:PREFIX_MIN])].append(pos)
                if len(tok.key) >= PREFIX_MIN:
                    self.index[("pk", tok.key[:PREFIX_MIN])].append(pos)
                if len(tok.norm) <= 6:
                    self.index[("short", tok.norm[:2])].append(pos)
            self.toks.append(row)

    def positions(self, term_tok: _Tok) -> set[tuple[int, int]]:
        """Where a single term token matches."""
        found: set[tuple[int, int]] = set(self.index.get(("n", term_tok.norm), ()))
        if len(term_tok.norm) <= 3:
            # Short words and abbreviations: exact, or the abbreviation with a case ending.
            found.update(self.index.get(("k", term_tok.key), ()) if len(term_tok.key) >= 3 else ())
            for pos in self.index.get(("short", term_tok.norm[:2]), ()):
                word = self.toks[pos[0]][pos[1]].norm
                if word.startswith(term_tok.norm) and word[len(term_tok.norm):] in _ABBREV_ENDINGS:
                    found.add(pos)
            return found
        found.update(self.index.get(("k", term_tok.key), ()))
        for lang_stem in term_tok.stems:
            found.update(self.index.get(lang_stem, ()))
        if len(term_tok.norm) >= PREFIX_MIN:
            for pos in self.index.get(("p", term_tok.norm[:PREFIX_MIN]), ()):
                if _prefix_compatible(self.toks[pos[0]][pos[1]].norm, term_tok.norm):
                    found.add(pos)
        if len(term_tok.key) >= PREFIX_MIN:
            for pos in self.index.get(("pk", term_tok.key[:PREFIX_MIN]), ()):
                if _prefix_compatible(self.toks[pos[0]][pos[1]].key, term_tok.key):
                    found.add(pos)
        return found

    def find(self, term: "_Term") -> list[tuple[int, int, int]]:
        """Occurrences of a (multi-word) term as (sentence, first token, last token)."""
        if not term.toks:
            return []
        hits = []
        later = [self.positions(t) for t in term.toks[1:]]
        for s_idx, start in sorted(self.positions(term.toks[0])):
            pos = start
            for nxt in later:
                if (s_idx, pos + 1) in nxt:
                    pos += 1
                elif (s_idx, pos + 2) in nxt and len(self.toks[s_idx][pos + 1].norm) <= 3:
                    pos += 2  # one short function word between: "закон «О мирных собраниях»"
                else:
                    break
            else:
                hits.append((s_idx, start, pos))
        return hits


@dataclass(frozen=True)
class _Term:
    text: str
    toks: tuple[_Tok, ...]
    parts: tuple["_Term", ...] = ()  # "a & b": parts that must share a sentence

    @classmethod
    def of(cls, text: str) -> "_Term":
        if " & " in text:
            parts = tuple(cls.of(p) for p in text.split(" & ") if p.strip())
            return cls(text=text, toks=parts[0].toks if parts else (), parts=parts)
        return cls(text=text, toks=tuple(_Tok.of(w) for w in tokens(text) if w != "%"))


# --- numbers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """A number found in text: its value, whether it is a percentage, whether it looks like a
    year, and the text it was read from."""

    value: float
    percent: bool
    year: bool
    text: str


_NUMBER_RE = re.compile(
    r"(?<![\d.,])"
    r"(?P<num>\d{1,3}(?:[ ,.]\d{3})+(?![.,]?\d)|\d+(?:[.,]\d+)?)"
    r"(?:\s*-?\s*(?P<unit>%|процент\w*|пайыз\w*|percent|per cent|тыс\w*|мын\w*|thousand|"
    r"млн|миллион\w*|million|млрд|billion))?"
)
_MULTIPLIERS = {"тыс": 1e3, "мын": 1e3, "thousand": 1e3, "млн": 1e6, "миллион": 1e6,
                "million": 1e6, "млрд": 1e9, "billion": 1e9}


def extract_numbers(text: str) -> list[Number]:
    """Numbers in *text*, with "63,3 %", "63.3 процента", "340 000", "340 тысяч" understood."""
    out = []
    for m in _NUMBER_RE.finditer(normalize(text)):
        raw, unit = m.group("num"), (m.group("unit") or "")
        if re.fullmatch(r"\d{1,3}(?:[ ,.]\d{3})+", raw):
            value = float(re.sub(r"[ ,.]", "", raw))
        else:
            value = float(raw.replace(",", "."))
        percent = unit == "%" or unit.startswith(("процент", "пайыз", "percent", "per cent"))
        for prefix, factor in _MULTIPLIERS.items():
            if unit.startswith(prefix):
                value *= factor
        is_year = not unit and raw.isdigit() and 1990 <= value <= 2039
        out.append(Number(value=value, percent=percent, year=is_year, text=m.group(0).strip()))
    return out


def _parse_figure(figure: str) -> Number | None:
    numbers = extract_numbers(figure)
    return numbers[0] if numbers else None


def _figure_tolerance(figure: Number) -> float:
    """A figure written "63%" matches 62.5–63.5; "35.10%" matches 35.1 only."""
    digits = figure.text.replace(" ", "")
    m = re.search(r"[.,](\d{1,2})(?!\d)", digits)
    if m and figure.value < 1000:
        return 0.5 * 10 ** -len(m.group(1)) + 1e-9
    return 0.5 if figure.percent else 0.0


# --- compiled claims ---------------------------------------------------------------------------


@dataclass
class _Compiled:
    claim: Claim
    anchors: list[_Term]
    support: list[_Term]
    context: list[list[_Term]]
    exclude: list[tuple[list[_Term], list[_Term]]]
    update: list[_Term]
    change: list[_Term]
    weak_change: list[_Term]
    renames: list[tuple[list[_Term], list[_Term], str]]
    quantities: list[dict[str, Any]]  # with "cues" compiled to _Term
    figures: list[Number]
    year: int | None
    contradict: list[_Term] = field(default_factory=list)


def _terms(values: Iterable[str]) -> list[_Term]:
    seen: dict[str, _Term] = {}
    for value in values:
        term = _Term.of(value)
        if term.toks:
            seen.setdefault(normalize(term.text) if term.parts else
                            " ".join(t.norm for t in term.toks), term)
    return list(seen.values())


def _compile(claim: Claim) -> _Compiled:
    extra = claim.extra
    support = _terms(t for lang_terms in claim.terms.values() for t in lang_terms)
    quantities = [dict(q, cues=_terms(q["cues"])) for q in extra.get("quantity", [])]
    return _Compiled(
        claim=claim,
        # A claims file with only the minimal keys still works: its terms become the anchors
        # (less precise than a curated anchor list, but never silently matching nothing).
        anchors=_terms(extra.get("anchors") or [t for ts in claim.terms.values() for t in ts]),
        support=support,
        context=[_terms(group) for group in extra.get("context", [])],
        exclude=[(_terms(g["terms"]), _terms(g["unless"])) for g in extra.get("exclude", [])],
        update=_terms(extra.get("update_terms", [])),
        change=_terms(extra.get("change_terms", [])),
        weak_change=_terms(extra.get("weak_change_terms", [])),
        renames=[(_terms(r["old"]), _terms(r["new"]), r["note"]) for r in extra.get("renames", [])],
        quantities=quantities,
        figures=[f for f in (_parse_figure(x) for x in claim.figures) if f is not None],
        year=extra.get("year"),
        contradict=_terms(extra.get("contradict_terms", DEFAULT_CONTRADICT_TERMS)),
    )


#: Words disputing a claim, used when a claim names no ``contradict_terms`` of its own.
DEFAULT_CONTRADICT_TERMS = (
    "опроверг", "опровержение", "не соответствует действительности", "refuted", "disputed",
    "жоққа шығарды",
)  # fmt: skip

_COMPILED_CACHE: dict[int, _Compiled] = {}


def _compiled(claim: Claim) -> _Compiled:
    cached = _COMPILED_CACHE.get(id(claim))
    if cached is None or cached.claim is not claim:
        if len(_COMPILED_CACHE) > 512:
            _COMPILED_CACHE.clear()
        cached = _COMPILED_CACHE[id(claim)] = _compile(claim)
    return cached


# --- scoring -----------------------------------------------------------------------------------

_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?…])\s+(?=[\"'«(]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9])|\n+")


def _sentences(item: FeedItem) -> list[str]:
    """Title first (a sentence of its own), then summary and text split into sentences."""
    parts = [item.title.strip()] if item.title.strip() else []
    seen = {normalize(item.title)}
    for block in (item.summary, item.text):
        for sentence in _SENTENCE_SPLIT_RE.split(block or ""):
            sentence = sentence.strip()
            if sentence and normalize(sentence) not in seen:  # summaries repeat the lead
                seen.add(normalize(sentence))
                parts.append(sentence)
    return parts


def _find(doc: _Doc, term: _Term) -> list[tuple[int, int, int]]:
    """Occurrences of a term; a term "a & b" needs every part inside one sentence (Kazakh puts
    the figure between subject and verb: "сайлаушылардың 63 пайызы қатысты")."""
    if not term.parts:
        return doc.find(term)
    per_part = [doc.find(part) for part in term.parts]
    shared = set.intersection(*({s for s, _, _ in occ} for occ in per_part))
    return [occ for occ in per_part[0] if occ[0] in shared]


def _hits(doc: _Doc, terms: Sequence[_Term]) -> dict[str, list[tuple[int, int, int]]]:
    """term text → occurrences, for the terms that occur."""
    found = {}
    for term in terms:
        occurrences = _find(doc, term)
        if occurrences:
            found[term.text] = occurrences
    return found


def _positions(hits: Mapping[str, list[tuple[int, int, int]]]) -> set[tuple[int, int]]:
    return {(s, start) for occurrences in hits.values() for s, start, _ in occurrences}


def _negated(doc: _Doc, s_idx: int, start: int, end: int) -> bool:
    row = doc.toks[s_idx]
    before = row[max(0, start - _NEGATION_WINDOW) : start]
    after = row[end + 1 : end + 3]
    return any(t.norm in _NEGATIONS_BEFORE for t in before) or any(
        t.norm in _NEGATIONS_AFTER for t in after
    )


def _affirmed(doc: _Doc, hits: Mapping[str, list[tuple[int, int, int]]]) -> list[str]:
    """Terms with at least one occurrence that is not negated."""
    return [
        text
        for text, occurrences in hits.items()
        if any(not _negated(doc, s, start, end) for s, start, end in occurrences)
    ]


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 1000 else f"{value:g}"


@dataclass
class _Evidence:
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
    sentence_weight: dict[int, float]


def _quantities(doc: _Doc, compiled: _Compiled, numbers_by_sentence: list[list[Number]],
                weight: dict[int, float]) -> tuple[list[str], list[str]]:
    confirmed: list[str] = []
    differing: list[str] = []
    # A number equal to any of the claim's own figures is not a disagreement, even when it sits
    # next to another quantity's cue ("Ak Zhol ... cleared the 7% threshold").
    known = [(q["values"], q["tolerance"]) for q in compiled.quantities]
    known += [([f.value], _figure_tolerance(f)) for f in compiled.figures]
    for quantity in compiled.quantities:
        cue_sentences = {s for occ in _hits(doc, quantity["cues"]).values() for s, _, _ in occ}
        for s_idx in sorted(cue_sentences):
            for number in numbers_by_sentence[s_idx]:
                if number.year and quantity["unit"] != "%":
                    continue
                if quantity["unit"] == "%" and not number.percent:
                    continue
                if quantity["unit"] == "" and number.percent:
                    continue
                label = f"{quantity['name']} {number.text}".strip()
                if any(abs(number.value - v) <= quantity["tolerance"] + 1e-9
                       for v in quantity["values"]):
                    confirmed.append(label)
                    weight[s_idx] += 2
                elif any(abs(number.value - v) <= tol + 1e-9 for vs, tol in known for v in vs):
                    continue
                elif quantity["unit"] == "%" or number.value >= 10:
                    # Small bare counts ("3 parties", "2 days") are too ambiguous to disagree.
                    differing.append(label)
                    weight[s_idx] += 2
    return confirmed, differing


def _gather(doc: _Doc, compiled: _Compiled, numbers_by_sentence: list[list[Number]],
            now: datetime | None) -> _Evidence | None:
    """Evidence for one claim, or None when the gate (anchor, context, exclusions) fails."""
    anchors = _hits(doc, compiled.anchors)
    if not anchors:
        return None
    change_hits = _hits(doc, compiled.change)
    changes = _affirmed(doc, change_hits)
    renames = _renames(doc, compiled, changes, require_old=True)
    # A reported rename is specific enough on its own: only the first context group (the
    # country) is still required ("Nur Otan renamed Amanat" needs no election words for C2).
    for group in compiled.context[:1] if renames else compiled.context:
        if not _hits(doc, group):
            return None
    # With the full gate passed, the new name alone says the body was renamed or replaced (for
    # the stance; it adds nothing to the score: "Amanat faction meets" is not news on C2).
    renames_reported = bool(renames)
    renames = renames or _renames(doc, compiled, changes, require_old=False)
    for excluded_terms, unless_terms in compiled.exclude:
        n_excluded = len(_positions(_hits(doc, excluded_terms)))
        if n_excluded and n_excluded > len(_positions(_hits(doc, unless_terms))):
            return None

    weight: dict[int, float] = defaultdict(float)
    anchor_sentences = {s for occ in anchors.values() for s, _, _ in occ}
    support = _hits(doc, compiled.support)
    for occurrences, w in ((anchors, 3.0), (support, 1.0)):
        for occ in occurrences.values():
            for s_idx, _, _ in occ:
                weight[s_idx] += w

    figures = []
    for figure in compiled.figures:
        tolerance = _figure_tolerance(figure)
        for s_idx, numbers in enumerate(numbers_by_sentence):
            if any(n.percent == figure.percent and n.year == figure.year
                   and abs(n.value - figure.value) <= tolerance for n in numbers):
                figures.append(figure.text)
                weight[s_idx] += 2
                break

    confirmed, differing = _quantities(doc, compiled, numbers_by_sentence, weight)
    max_year = (now.year + 1) if now else 2100
    later_years = sorted({int(n.value) for ns in numbers_by_sentence for n in ns
                          if n.year and compiled.year and compiled.year < n.value <= max_year})
    return _Evidence(
        anchors=anchors,
        support=support,
        figures=figures,
        confirmed=confirmed,
        differing=differing,
        later_years=later_years,
        updates=_affirmed(doc, _hits(doc, compiled.update)),
        changes=changes + _affirmed(doc, _hits(doc, compiled.weak_change)),
        changes_near_anchor=[
            text for text in changes
            if any(s == 0 or any(0 <= s - a <= CHANGE_NEAR_SENTENCES for a in anchor_sentences)
                   for s, _, _ in change_hits[text])
        ],
        renames=renames,
        renames_reported=renames_reported,
        contradictions=[
            text for text, occ in _hits(doc, compiled.contradict).items()
            if any(s in anchor_sentences for s, _, _ in occ)
        ],
        sentence_weight=weight,
    )


def _renames(doc: _Doc, compiled: _Compiled, changes: list[str], *, require_old: bool) -> list[str]:
    """Renames/replacements the item names: a new name (with the old one or a change word when
    *require_old*)."""
    found = []
    for old_terms, new_terms, note in compiled.renames:
        new_hits = _hits(doc, new_terms)
        old_hits = _hits(doc, old_terms)
        if new_hits and (old_hits or changes or not require_old):
            old = next(iter(old_hits), old_terms[0].text if old_terms else "?")
            found.append(f"{old} → {next(iter(new_hits))}" + (f" ({note})" if note else ""))
    return found


def _score(ev: _Evidence) -> float:
    score = W_ANCHOR
    if any(s == 0 for occ in ev.anchors.values() for s, _, _ in occ):
        score += W_ANCHOR_IN_TITLE
    # Distinct places, not distinct spellings: "Amanat" and "Аманат" on one token count once.
    anchor_places = {(s, start) for occ in ev.anchors.values() for s, start, _ in occ}
    score += W_EXTRA_ANCHOR * min(2, len(anchor_places) - 1)
    score += W_TERM * min(2, len(ev.support))
    score += W_FIGURE * min(2, len(ev.figures))
    if ev.confirmed or ev.differing:
        score += W_QUANTITY
    if ev.renames_reported or ev.updates or ev.changes:
        score += W_CHANGE
    return round(min(1.0, score), 3)


def _stance(ev: _Evidence, compiled: _Compiled) -> tuple[str, str]:
    """The stance and a one-line reason, from the strongest signal down."""
    claim_year = compiled.year
    newer = f"; mentions {', '.join(map(str, ev.later_years))}" if ev.later_years else ""
    if ev.renames:
        return "updates", "renamed or replaced: " + "; ".join(ev.renames)
    if ev.differing and (ev.later_years or ev.updates or ev.changes):
        return "updates", (f"reports {', '.join(ev.differing)} where the claim has "
                           f"{', '.join(compiled.claim.figures) or 'other figures'}{newer}")
    if ev.differing and not ev.confirmed:
        return "contradicts", (f"reports {', '.join(ev.differing)} for the claim's "
                               f"{claim_year or 'same'} event where the claim has "
                               f"{', '.join(compiled.claim.figures) or 'other figures'}")
    if ev.updates:
        return "updates", f"change reported: {', '.join(ev.updates)}{newer}"
    if ev.changes_near_anchor or (ev.changes and ev.later_years):
        words = ", ".join(ev.changes_near_anchor or ev.changes)
        return "updates", f"change reported: {words}{newer}"
    if ev.contradictions:
        return "contradicts", f"disputes it: {', '.join(ev.contradictions)}"
    if ev.confirmed or ev.figures:
        return "confirms", "same figures as the claim: " + ", ".join(ev.confirmed or ev.figures)
    if len(ev.support) >= 2:
        return "confirms", "restates the claim: " + ", ".join(list(ev.support)[:4])
    return "mentions", "bears on the claim without figures or change: " + ", ".join(
        list(ev.anchors)[:3]
    )


def score_item(
    item: FeedItem,
    claims: Sequence[Claim],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    now: datetime | None = None,
) -> list[ClaimMatch]:
    """The claims *item* bears on, best first, each with score, stance, reason and evidence.

    *threshold* (default ``DEFAULT_THRESHOLD``) is the minimum score reported.  *now*, when
    given, caps which four-digit numbers count as years (no later than next year).
    """
    sentences = _sentences(item)
    if not sentences:
        return []
    doc = _Doc(sentences)
    numbers_by_sentence = [extract_numbers(s) for s in sentences]
    lang = item.lang or detect_lang(" ".join(sentences))
    matches = []
    for claim in claims:
        compiled = _compiled(claim)
        ev = _gather(doc, compiled, numbers_by_sentence, now)
        if ev is None:
            continue
        score = _score(ev)
        if score < threshold:
            continue
        stance, reason = _stance(ev, compiled)
        assert stance in STANCES
        best = max(ev.sentence_weight.items(), key=lambda kv: (kv[1], -kv[0]))[0]
        matched = tuple(dict.fromkeys([*ev.anchors, *ev.support, *ev.figures, *ev.renames,
                                       *ev.updates]))
        matches.append(ClaimMatch(claim_id=claim.id, score=score, stance=stance, reason=reason,
                                  matched=matched[:16], sentence=sentences[best][:500], lang=lang))
    matches.sort(key=lambda m: (-m.score, m.claim_id))
    return matches


# --- evaluation --------------------------------------------------------------------------------


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def evaluate(
    labelled: Sequence[Mapping[str, Any]],
    claims: Sequence[Claim],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> dict[str, Any]:
    """Precision/recall of ``score_item`` on labelled items, per language and overall.

    Each labelled item is a mapping with ``title``, ``text``, ``lang`` and ``claims`` (ids it
    bears on; empty for an irrelevant item), optionally ``stance`` (claim id → stance).
    Item level: flagged relevant vs labelled relevant.  Claim level: (item, claim) pairs.
    Stance accuracy is over correctly found pairs that carry a stance label.
    Returns ``{lang: {...}, "all": {...}, "errors": [...]}``.
    """
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    errors = []
    for row in labelled:
        item = FeedItem(url=str(row.get("id", "")), title=row.get("title", ""),
                        text=row.get("text", ""))
        got = {m.claim_id: m for m in score_item(item, claims, threshold=threshold)}
        want = set(row.get("claims", []))
        stances = row.get("stance", {})
        for lang in (row.get("lang", "?"), "all"):
            c = counts[lang]
            c["items"] += 1
            c["item_tp"] += bool(got) and bool(want)
            c["item_fp"] += bool(got) and not want
            c["item_fn"] += not got and bool(want)
            c["pair_tp"] += len(set(got) & want)
            c["pair_fp"] += len(set(got) - want)
            c["pair_fn"] += len(want - set(got))
            for cid in set(got) & want:
                if cid in stances:
                    c["stance_n"] += 1
                    c["stance_ok"] += got[cid].stance == stances[cid]
        wrong_stance = {cid: (got[cid].stance, stances[cid]) for cid in set(got) & want
                        if cid in stances and got[cid].stance != stances[cid]}
        if set(got) != want or wrong_stance:
            errors.append({"id": row.get("id"), "want": sorted(want), "got": sorted(got),
                           "stance": wrong_stance})
    result: dict[str, Any] = {}
    for lang, c in counts.items():
        result[lang] = {
            "items": c["items"],
            "item_precision": _ratio(c["item_tp"], c["item_tp"] + c["item_fp"]),
            "item_recall": _ratio(c["item_tp"], c["item_tp"] + c["item_fn"]),
            "claim_precision": _ratio(c["pair_tp"], c["pair_tp"] + c["pair_fp"]),
            "claim_recall": _ratio(c["pair_tp"], c["pair_tp"] + c["pair_fn"]),
            "stance_accuracy": _ratio(c["stance_ok"], c["stance_n"]),
        }
    result["errors"] = errors
    return result
