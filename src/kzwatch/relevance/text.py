"""Text features for relevance scoring: sentences, tokens with every form they may be matched
by (normalised, romanisation key, stems, Russian lemma, Kazakh in Cyrillic), term matching,
negation, and numbers with their units.  Pure functions on plain data."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kzwatch.model import FeedItem
from kzwatch.textnorm import latin_key, normalize, stem, tokens

#: Shortest shared prefix for the "same word, different ending" fallback, and the longest
#: ending each side may have beyond it.
PREFIX_MIN = 6
PREFIX_MAX_TAIL = 3

#: Words that negate a nearby update term: before it in Russian/English ("не будет", "no new
#: party has been registered"), after it in Kazakh ("тіркелген жоқ", "өткен емес").
_NEGATIONS_BEFORE = frozenset({"не", "нет", "ни", "not", "no", "never", "without", "без"})
_NEGATIONS_AFTER = frozenset({"жок", "емес"})  # normalised "жоқ", "емес"
_NEGATION_WINDOW = 5
# --- token matching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tok:
    """One token with every form it may be matched by."""

    norm: str
    key: str
    stems: tuple[tuple[str, str], ...]  # (lang, stem) for ru, kk, en, when informative

    @classmethod
    def of(cls, word: str) -> "Tok":
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


class Doc:
    """An item's text split into sentences of tokens, indexed by every matchable form."""

    def __init__(self, sentences: list[str]) -> None:
        self.sentences = sentences
        self.toks: list[list[Tok]] = []
        self.index: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        cache: dict[str, Tok] = {}
        for s_idx, sentence in enumerate(sentences):
            row = []
            for t_idx, word in enumerate(tokens(sentence)):
                tok = cache.get(word) or cache.setdefault(word, Tok.of(word))
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

    def positions(self, term_tok: Tok) -> set[tuple[int, int]]:
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

    def find(self, term: "Term") -> list[tuple[int, int, int]]:
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
class Term:
    text: str
    toks: tuple[Tok, ...]
    parts: tuple["Term", ...] = ()  # "a & b": parts that must share a sentence

    @classmethod
    def of(cls, text: str) -> "Term":
        if " & " in text:
            parts = tuple(cls.of(p) for p in text.split(" & ") if p.strip())
            return cls(text=text, toks=parts[0].toks if parts else (), parts=parts)
        return cls(text=text, toks=tuple(Tok.of(w) for w in tokens(text) if w != "%"))


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


def parse_figure(figure: str) -> Number | None:
    numbers = extract_numbers(figure)
    return numbers[0] if numbers else None


def figure_tolerance(figure: Number) -> float:
    """A figure written "63%" matches 62.5–63.5; "35.10%" matches 35.1 only."""
    digits = figure.text.replace(" ", "")
    m = re.search(r"[.,](\d{1,2})(?!\d)", digits)
    if m and figure.value < 1000:
        return 0.5 * 10 ** -len(m.group(1)) + 1e-9
    return 0.5 if figure.percent else 0.0


# --- scoring -----------------------------------------------------------------------------------

_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?…])\s+(?=[\"'«(]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9])|\n+")


def sentences_of(item: FeedItem) -> list[str]:
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


def find_term(doc: Doc, term: Term) -> list[tuple[int, int, int]]:
    """Occurrences of a term; a term "a & b" needs every part inside one sentence (Kazakh puts
    the figure between subject and verb: "сайлаушылардың 63 пайызы қатысты")."""
    if not term.parts:
        return doc.find(term)
    per_part = [doc.find(part) for part in term.parts]
    shared = set.intersection(*({s for s, _, _ in occ} for occ in per_part))
    return [occ for occ in per_part[0] if occ[0] in shared]


def term_hits(doc: Doc, terms: Sequence[Term]) -> dict[str, list[tuple[int, int, int]]]:
    """term text → occurrences, for the terms that occur."""
    found = {}
    for term in terms:
        occurrences = find_term(doc, term)
        if occurrences:
            found[term.text] = occurrences
    return found


def hit_positions(hits: Mapping[str, list[tuple[int, int, int]]]) -> set[tuple[int, int]]:
    return {(s, start) for occurrences in hits.values() for s, start, _ in occurrences}


def negated(doc: Doc, s_idx: int, start: int, end: int) -> bool:
    row = doc.toks[s_idx]
    before = row[max(0, start - _NEGATION_WINDOW) : start]
    after = row[end + 1 : end + 3]
    return any(t.norm in _NEGATIONS_BEFORE for t in before) or any(
        t.norm in _NEGATIONS_AFTER for t in after
    )


def affirmed(doc: Doc, hits: Mapping[str, list[tuple[int, int, int]]]) -> list[str]:
    """Terms with at least one occurrence that is not negated."""
    return [
        text
        for text, occurrences in hits.items()
        if any(not negated(doc, s, start, end) for s, start, end in occurrences)
    ]

