"""What the words around a number say about it: a bound or an approximation ("more than
60%", "about 72%"), a denial ("а не 3,8%", "only two"), or the start of a change ("с пяти до двух",
"from 40,000 to 20,000").  Read in the folded text (``numbers.fold_text``).  Pure functions."""

from __future__ import annotations

import re
from functools import lru_cache

from kzwatch.relevance.numbers import Number, extract_numbers, fold_text
from kzwatch.relevance.settings import DEFAULT_SETTINGS, RelevanceSettings

#: Words that make a number a bound or an approximation, or deny it, in the folded text just
#: before it (`fold_text`: casefolded, Kazakh letters folded).  "more than 60%" is a lower
#: bound, "about 72%" a rounded figure, "а не 3,8%" / "not 3.8%" a figure the text disputes.
_QUALIFIER_BEFORE = (
    ("over", re.compile(r"(?:более|больше|свыше|не менее|не ниже|over|more than|above|"
                        r"at least|in excess of|upwards of|кем дегенде)\s*$")),
    ("under", re.compile(r"(?:менее|меньше|не более|ниже|under|less than|below|fewer than|"
                         r"at most)\s*$")),
    ("about", re.compile(r"(?:около|примерно|почти|порядка|приблизительно|about|around|"
                         r"nearly|almost|roughly|some|near|approximately|шамамен|шамасы|"
                         r"жуык|жуырдай|тарта)\s*$")),
    # "instead of 20,000" / "вместо 20 тысяч" names the value replaced, not one denied.
    ("instead", re.compile(r"(?:вместо|взамен|instead of|down from|up from|replacing)\s*$")),
    # "closer to twenty per cent", "ближе к двадцати": a speaker's own value set against
    # another's, not a rounding of it (round 22b).
    ("closer", re.compile(r"(?:closer to|ближе к)\s*$")),
    ("not", re.compile(r"(?:(?:^|[\s,;(])а не|(?:^|[\s,;(])не|(?:^|[\s,;(])not(?: the)?|"
                       r"rather than)\s*$")),
    # "only two were refused" where the claim has six: a smaller count set against the claim's.
    ("only", re.compile(r"(?:^|[\s,;(])(?:only|лишь|только|всего|небари|тек)\s*$")),
)
#: Kazakh puts them after the number: "60 пайыздан астам" (over), "3,8 пайыз емес" (not).
_QUALIFIER_AFTER = (
    ("over", re.compile(r"^\S*\s+(?:астам|аса|артык)")),
    ("under", re.compile(r"^\S*\s+(?:кем|аз)\b")),
    ("about", re.compile(r"^\S*\s+(?:шамасында|шамалы|жуык)")),
    ("not", re.compile(r"^\S*\s+емес")),
    ("instead", re.compile(r"^\S*\s+орнына")),
)

#: The last word of every alternative of ``_QUALIFIER_BEFORE`` (a match of one, with its
#: trailing whitespace stripped, ends with one of them) and every word ``_QUALIFIER_AFTER``
#: looks for: the text around a number that has none of them has no qualifier.
_QUALIFIER_BEFORE_ENDS = (
    "более", "больше", "свыше", "менее", "ниже", "over", "than", "above", "least", "of",
    "дегенде", "меньше", "under", "below", "most", "около", "примерно", "почти", "порядка",
    "приблизительно", "about", "around", "nearly", "almost", "roughly", "some", "near",
    "approximately", "шамамен", "шамасы", "жуык", "жуырдай", "тарта", "вместо", "взамен",
    "from", "replacing", "не", "not", "the", "to", "к", "only", "лишь", "только", "всего",
    "небари", "тек",
)  # fmt: skip
_QUALIFIER_AFTER_WORDS = re.compile("астам|аса|артык|кем|аз|шамасында|шамалы|жуык|емес|орнына")


#: "с пяти (рабочих дней) до двух", "from 20,000 (members) to 5,000": the first number is the
#: value a change starts from, the second the one it ends at.  Kazakh: "бес (жұмыс) күнінен үш
#: күнге" (the first with the ablative, the second next).
_FROM_BEFORE = re.compile(r"(?:^|[\s,;(])(?:с|со|from)\s*$")
_TO_AFTER = re.compile(r"^\S*(?:\s+[^\s\d]+){0,3}?\s+(?:до|to)\s+(?=\S)")
_KK_FROM_AFTER = re.compile(r"^\S*?(?:\s+[^\s\d]+){0,2}?(?:нан|нен|дан|ден|тан|тен)\s+(?=\S)")


@lru_cache(maxsize=20_000)
def _written(number_text: str) -> re.Pattern[str]:
    """The number written *number_text* as a whole (compiled once per text, not looked up in
    the ``re`` module's cache on every call)."""
    edge = r"(?<![\d.,])" if number_text[:1].isdigit() else r"(?<!\w)"
    return re.compile(edge + re.escape(number_text) + r"(?![\d\w])")


def change_target(sentence: str, number_text: str, folded: str | None = None) -> float | None:
    """The value a change goes to when *sentence* tells one starting at the number written
    *number_text* ("с пяти до двух" → 2.0), else None.  *folded*: ``fold_text(sentence)``
    when the caller has it."""
    folded = fold_text(sentence) if folded is None else folded
    found = _written(number_text).search(folded)
    if found is None:
        return None
    after = folded[found.end():found.end() + 60]
    to = None
    if _FROM_BEFORE.search(folded[max(0, found.start() - 8):found.start()]):
        to = _TO_AFTER.match(after)
    if to is None:
        to = _KK_FROM_AFTER.match(after)
    if to is None:
        return None
    window = after[to.end():to.end() + 20]
    numbers = [n for n in extract_numbers(window) if not n.year]
    if not numbers:
        return None
    # The first number written there, whole: "to five thousand" is 5,000, not its first word.
    def place(number: Number) -> tuple[int, int]:
        at = window.find(number.text)
        return (at if at >= 0 else len(window), -len(number.text))
    return min(numbers, key=place).value


def within(value: float, values: list[float], tolerance: float) -> bool:
    """*value* equals one of *values* within *tolerance* (a float's rounding spared)."""
    return any(abs(value - v) <= tolerance + 1e-9 for v in values)


def among_known(value: float, known: list[tuple[list[float], float]]) -> bool:
    """*value* equals one of the values in *known* (value lists, each with its tolerance)."""
    return any(within(value, values, tolerance) for values, tolerance in known)


def changed_from(sentence: str, number: Number, known: list[tuple[list[float], float]],
                 folded: str | None = None) -> bool:
    """*number* starts a change told in *sentence* to a value not among *known* (value lists
    with their tolerance): "с пяти до двух"; "from 40,000 to 20,000" is a claim's own change
    when it has both.  *folded*: ``fold_text(sentence)`` when the caller has it."""
    to = change_target(sentence, number.text, folded)
    return to is not None and not among_known(to, known)


def qualifier(sentence: str, number_text: str, folded: str | None = None) -> str:
    """How *sentence* qualifies the number written *number_text* (as ``extract_numbers`` gave
    it): "over", "under", "about", "not", "instead" (the value replaced: "вместо пяти"), "only"
    ("лишь две": a smaller count set against the claim's, ``quantities``) or ""
    (a plain figure).  The first occurrence of the
    number is read; the words must stand right before it (or, in Kazakh, right after).
    *folded*: ``fold_text(sentence)`` when the caller has it (read once per sentence)."""
    folded = fold_text(sentence) if folded is None else folded
    found = _written(number_text).search(folded)
    if found is None:
        return ""
    at = found.start()
    before = folded[max(0, at - 24):at].rstrip(" ~≈-—–:")
    # Most numbers have no qualifier: one suffix test (and one search after) rules the ten
    # patterns out without running them (each pattern's match ends with one of its words).
    if before.rstrip().endswith(_QUALIFIER_BEFORE_ENDS):
        for name, pattern in _QUALIFIER_BEFORE:
            if pattern.search(before):
                return name
    if folded[max(0, at - 1):at] in ("~", "≈"):
        return "about"
    after = folded[at + len(number_text):at + len(number_text) + 24]
    if _QUALIFIER_AFTER_WORDS.search(after):
        for name, pattern in _QUALIFIER_AFTER:
            if pattern.search(after):
                return name
    return ""


def consistent(kind: str, value: float, claimed: float, tolerance: float,
               settings: RelevanceSettings = DEFAULT_SETTINGS) -> bool:
    """Whether a qualified figure (``qualifier``) agrees with a claimed value: a bound holds
    it and lies near it (within ``settings.bound_near_fraction``, 10%: "over 10%" says nothing
    about 63%, nor "over 54%", a rounded 54.x%, about 63.25%); "about" allows the rounding a
    writer does (``about_points``, one point, or ``about_fraction``, 3% of the value)."""
    near = abs(value - claimed) <= settings.bound_near_fraction * max(abs(claimed), 1e-9)
    if kind == "over":
        return value <= claimed + tolerance and near
    if kind == "under":
        return value >= claimed - tolerance and near
    if kind == "about":
        return abs(value - claimed) <= max(tolerance, settings.about_points if value < 100 else 0,
                                           settings.about_fraction * abs(claimed))
    return abs(value - claimed) <= tolerance
