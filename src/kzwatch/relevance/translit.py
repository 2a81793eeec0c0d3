"""Kazakh written in Latin or Arabic script, transliterated into Cyrillic before matching.

The claims file lists Kazakh terms in Cyrillic; reporting also comes in the Latin alphabets
(the 2018 "acute" one: á ǵ ń ó ú ý, ı = и/й, i = і; the 2021 one: ä ğ ñ ö ū ü ş, ı = і,
i = и/й; and informal ASCII: sh, zh, ch) and in the Arabic-based tote jazu of the Kazakhs of
Xinjiang.  Matching happens on ``textnorm.normalize`` forms, which fold the Kazakh letters
(і → и, ұ → у, ...), so the ambiguous Latin ı/i both land on и, and only a few contextual
rules are needed (a vowel before ı/i makes it й; "иа" → "ия").

The apostrophe alphabet of 2017 (a', g', s') is not handled: tokenisation drops apostrophes,
and it was in use for only a few months.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# --- Latin ---------------------------------------------------------------------------------

#: No "ya"/"yu" digraphs: Kazakh Latin spells ы + а/ұ that way ("jalpyulttyq").
_LATIN_MULTI = (("shch", "щ"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("gh", "ғ"))
_LATIN_SINGLE = {
    "a": "а", "ä": "ә", "á": "ә", "b": "б", "v": "в", "g": "г", "ğ": "ғ", "ǵ": "ғ", "d": "д",
    "e": "е", "j": "ж", "z": "з", "k": "к", "q": "қ", "l": "л", "m": "м", "n": "н", "ñ": "ң",
    "ń": "ң", "o": "о", "ö": "ө", "ó": "ө", "p": "п", "r": "р", "s": "с", "ş": "ш", "t": "т",
    "u": "у", "ū": "ұ", "ü": "ү", "ú": "ү", "ý": "у", "y": "ы", "f": "ф", "h": "х", "c": "ц",
    "w": "у", "x": "кс",
}  # fmt: skip
_LATIN_I = frozenset("iı")
_VOWELS = frozenset("aeiouyäáöóūüúıýаәеиоөұүыіуэюя")

#: Letters only Kazakh Latin uses (English has none of them).
KAZAKH_LATIN_MARKS = frozenset("äáğǵıñńöóūüúýş")
#: Frequent Kazakh words in Latin script (function words, election vocabulary), after
#: folding to ASCII: enough of them in an item without marks says it is Kazakh, not English.
_KAZAKH_LATIN_WORDS = frozenset({
    "jane", "men", "bolyp", "boldy", "turaly", "sailau", "sailauy", "saylau", "paiyz",
    "paiyzy", "jyly", "jylgy", "qazaqstan", "qazaqstanda", "partiasy", "dauys", "qatysty",
    "degen", "bolady", "ushin", "bul", "osy", "biyl", "tiraly", "respublikasy", "komissiasy",
    "majilis", "mazhilis", "deputattar", "saiasi", "halyq",
})  # fmt: skip
KAZAKH_LATIN_MIN_WORDS = 2
#: Of those, the names English pages write as they are ("Majilis", "Mazhilis", "Qazaqstan",
#: "Halyq") and the English word "men" count only beside another of the words: an English page
#: about the vote names the chamber twice (61 English items of the development sets, 40 of
#: them real pages, were read as Latin Kazakh, nearly all on these words alone).
_SHARED_WITH_ENGLISH = frozenset({"men", "majilis", "mazhilis", "qazaqstan", "halyq"})
#: An item that says it is English or Russian is Kazakh only if the Kazakh letters are at least
#: this share of its Latin letters: the 2021 alphabet writes "ı" or "ä" in most words, where a
#: Turkish or German name gives one or two in a whole page.  (A short English item with such a
#: name and two Kazakh words can still pass: the marks are counted, not told apart.)
KAZAKH_LATIN_MIN_MARK_SHARE = 0.01
_LATIN_LETTER_RE = re.compile("[A-Za-z" + "".join(sorted(KAZAKH_LATIN_MARKS)) + "]+")
_CYRILLIC_LETTER_RE = re.compile("[\u0400-\u04ff]+")
_MARK_RE = re.compile("[" + "".join(sorted(KAZAKH_LATIN_MARKS)) + "]")


@lru_cache(maxsize=200_000)
def latin_to_cyrillic(word: str) -> str:
    """One Latin-script Kazakh word in Cyrillic ("saılauy" → "сайлауы", "Mäjılıs" → "мәжіліс")."""
    text = unicodedata.normalize("NFC", word.casefold())
    out: list[str] = []
    i = 0
    while i < len(text):
        for latin, cyr in _LATIN_MULTI:
            if text.startswith(latin, i):
                out.append(cyr)
                i += len(latin)
                break
        else:
            ch = text[i]
            if ch in _LATIN_I:
                out.append("й" if out and out[-1] in _VOWELS else "и")
            elif ch == "y" and out and text.startswith(_Y_BEFORE_E, i + 1):
                out.append("й")
            elif ch == "y" and (not out or out[-1] in _Y_AFTER):
                letter = _informal_y(text, i, out[-1] if out else "")
                out.append(letter)
                i += letter in _Y_VOWELS  # the vowel after "y" is read with it
            elif ch == "n" and text.startswith("ng", i) and _ng_is_one_letter(text, i):
                out.append("ң")
                i += 1
            else:
                out.append(_LATIN_SINGLE.get(ch, ch))
            i += 1
    text = "".join(out).replace("ийа", "ия").replace("иа", "ия")
    return _LOAN_TSIYA_RE.sub("ция", _TSIYA_RE.sub("ци", text))


#: Informal Latin (ASCII, no marks) writes й, я, ю, ё as "y", "ya", "yu", "yo" ("saylau",
#: "partiya", "Oyan"), where the 2018 and 2021 alphabets write ы as "y" and й as "i"/"ı".
#: Kazakh has no ы right after а/е/о, nor before а/у/о after а/е/о/и or at the start of a
#: word, so there the "y" is й ("aytady" айтады, "deydi" дейді) and "y" + а/у/о is я/ю/ё ("Oyan" Оян, "partiya"
#: партия); after у ("sailauy" сайлауы) and consonants it stays ы.
#: After и only "ya"/"yu"/"yo" are read so: "qiyn" and "biyl" are қиын, биыл.
_Y_AFTER = frozenset("аеоиәөі")
_Y_NEXT = {"a": "я", "u": "ю", "o": "ё"}
_Y_VOWELS = frozenset(_Y_NEXT.values())


def _informal_y(text: str, i: int, before: str) -> str:
    follows = text[i + 1:i + 2]
    if follows in _Y_NEXT:
        return _Y_NEXT[follows]
    return "й" if before and before in "аеоәө" else "ы"


#: ы never stands before е (a back vowel before a front one): "y" + "e" inside a word is й
#: ("zhuyesi" жүйесі, "biyelik").
_Y_BEFORE_E = "e"


#: Informal Latin writes ң as "ng": at the end of a word ("partiyasynyng", "myng") or before
#: a consonant ("mynggha") it is one letter; before a vowel it may be н + г ("engizdi",
#: "keyingi") and is left as two.
def _ng_is_one_letter(text: str, i: int) -> bool:
    after = text[i + 2:i + 3]
    if after == "h":  # "burynghy": н + ғ ("gh"); "mynggha": ң + ғ
        return False
    return i > 0 and (not after or (after.isalpha() and after not in _VOWELS))


#: ц written "ts" in a Russian loan's "ци" before а/о/я ("konstitutsiia", "politsiya",
#: "sotsiolog", "proportsionaldy").  Kazakh "тс" (aitsa, ketse) never has и after it.
_TSIYA_RE = re.compile("тси(?=[яоа])")


#: Russian loanwords: Kazakh Latin writes ц as "s" and ия as "iia" ("aksiia", "polisiia"), read
#: above as "аксия", "полисия".  After a vowel or к, "сия" is the Russian "-ция" (акция, полиция,
#: конституция, санкция); after a consonant it stays (пенсия, комиссия, версия).
_LOAN_TSIYA_RE = re.compile(r"(?<=[аеиоуыэюяәөұүік])сия")


@lru_cache(maxsize=200_000)
def _ascii_fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold().replace("ı", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_ASCII_LETTER_BYTES = bytes(range(ord("A"), ord("Z") + 1)) + bytes(range(ord("a"), ord("z") + 1))
_MARK_LEAD_BYTES = bytes(sorted({mark.encode()[0] for mark in KAZAKH_LATIN_MARKS}))
#: U+0400–U+04FF are exactly the UTF-8 sequences led by 0xD0–0xD3.
_CYRILLIC_LEAD_BYTES = bytes(range(0xD0, 0xD4))


def _letter_counts(text: str) -> tuple[int, int]:
    """How many letters of *text* ``_LATIN_LETTER_RE`` and ``_CYRILLIC_LETTER_RE`` match,
    counted on its UTF-8 bytes in C (deleting the bytes that lead the letters' encodings):
    counting regex runs in Python was a tenth of the time it took to prepare an item.  UTF-8
    never puts a lead byte inside another character, so each count is exact."""
    data = text.encode("utf-8", "surrogatepass")
    size = len(data)
    latin = size - len(data.translate(None, _ASCII_LETTER_BYTES))
    if len(data.translate(None, _MARK_LEAD_BYTES)) != size:
        latin += len(_MARK_RE.findall(text))
    return latin, size - len(data.translate(None, _CYRILLIC_LEAD_BYTES))


def is_kazakh_latin(text: str, lang: str | None = None) -> bool:
    """Is *text* Kazakh written in Latin letters?  Latin must outnumber Cyrillic, and the item
    says it is Kazakh (*lang*), or uses Kazakh-only letters (a share of its Latin letters when
    it says it is English or Russian), or frequent Kazakh words other than names."""
    latin, cyrillic = _letter_counts(text)
    if latin <= cyrillic:
        return False
    if lang == "kk":
        return True
    marks = _MARK_RE.findall(text.casefold())
    if marks and (lang not in ("en", "ru") or len(marks) >= KAZAKH_LATIN_MIN_MARK_SHARE * latin):
        return True
    words = [w for w in map(_ascii_fold, re.findall(r"[^\W\d_]+", text))
             if w in _KAZAKH_LATIN_WORDS]
    return (len(words) >= KAZAKH_LATIN_MIN_WORDS
            and any(w not in _SHARED_WITH_ENGLISH for w in words))


# --- Arabic (tote jazu) ------------------------------------------------------------------------

_ARABIC = {
    "ا": "а", "ٵ": "ә", "ب": "б", "ۆ": "в", "گ": "г", "ع": "ғ", "د": "д", "ە": "е", "ج": "ж",
    "ز": "з", "ك": "к", "ق": "қ", "ل": "л", "م": "м", "ن": "н", "ڭ": "ң", "و": "о", "ٶ": "ө",
    "پ": "п", "ر": "р", "س": "с", "ت": "т", "ۋ": "у", "ۇ": "ұ", "ٷ": "ү", "ف": "ф", "ح": "х",
    "ھ": "һ", "چ": "ч", "ش": "ш", "ى": "ы", "ي": "и", "ٸ": "і", "ء": "", "ٴ": "",
    "،": ",", "؛": ";", "؟": "?", "٪": "%",
}  # fmt: skip
#: ى is ы in back-vowel words and і in front ones (marked by a hamza, or holding е/к/г).  The
#: other front/back pairs (а/ә, о/ө, ұ/ү) fold together under ``normalize`` anyway, and loan
#: words ("كوميسسيا") break the marker rule, so only ы/і is decided.  The hamza written joined
#: to its letter (ٵ ٶ ٷ ٸ: ә ө ү і, as some typesetters write it) marks a front word too.
_FRONT = {"ы": "і"}
_FRONT_MARKERS = frozenset("ٴءٸٵٶٷەكگ")
#: The letters with the hamza joined (ә ө ү і).  A text that writes two of them in one word
#: ("مٵجٸلٸس") spells every front vowel with its own letter, as the Cyrillic does, instead of
#: one hamza for the word: its ى is always ы, even in a word with е/к/г or a front vowel
#: ("قىزمەتكەرٸ" қызметкері, "قورىتىندىسىمەن" қорытындысымен, "ەقىۇ" ЕҚЫҰ).
_JOINED_HAMZA = "ٵٶٷٸ"
_LETTER_BY_LETTER_RE = re.compile(f"[{_JOINED_HAMZA}][\u0600-\u06ff]*[{_JOINED_HAMZA}]")
_ARABIC_WORD_RE = re.compile(r"[\u0600-\u06ff]+")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARABIC_DIGIT_RE = re.compile("[٠-٩۰-۹]")
#: я and ю are written ي + ا/ۋ ("پارتييا", "ساياسي"): after a vowel that ي is read й, so
#: "ийа", "йа" and "йу" are the Cyrillic "ия", "я" and "ю" (партия, саяси, идея, аю);
#: after a consonant "иа"/"иу" are "ия"/"ю" ("پارتيا" партия, "بيۋللەتەن" бюллетен), and at
#: the start of a word "иа" is "я".
_YA_YU = (("ийа", "ия"), ("ийу", "ию"), ("йа", "я"), ("йу", "ю"), ("иу", "ю"))
_WORD_START_YA_RE = re.compile(r"^иа")
_MID_YA_RE = re.compile(r"(?<=.)иа")
#: ц is written ت + س: a Russian loan's "ци" before а/о/я ("پوليتسييا" полиция, "اكتسييا" акция,
#: "سوتسيولوگ" социолог, "پروپورتسيونالدى" пропорционалды) and
#: "иц" with the Russian и (ي, not the Kazakh і): "офитсер" офицер, "политсей" полицей.
#: Kazakh "тс" (айтса, кетсе) is neither.
_TS_RE = re.compile(r"тси(?=[яоа])|(?<=и)тс(?=[еи])")


def has_arabic(text: str) -> bool:
    return _ARABIC_WORD_RE.search(text) is not None


def writes_front_letters(text: str) -> bool:
    """Does an Arabic-script *text* write each front vowel with its joined-hamza letter (two
    in one word somewhere), rather than one hamza per front word?"""
    return _LETTER_BY_LETTER_RE.search(text) is not None


@lru_cache(maxsize=200_000)
def _arabic_word_in_cyrillic(word: str, letter_by_letter: bool = False) -> str:
    """One Arabic-script word in Cyrillic (cached: a word is read letter by letter).
    *letter_by_letter*: the text writes і as ٸ (``writes_front_letters``), so ى is ы."""
    front = not letter_by_letter and any(c in _FRONT_MARKERS for c in word)
    out: list[str] = []
    for ch in word:
        cyr = _ARABIC.get(ch, ch)
        if front:
            cyr = _FRONT.get(cyr, cyr)
        if cyr == "и" and out and out[-1] in _VOWELS:
            cyr = "й"
        out.append(cyr)
    text = "".join(out)
    # "پارتيا" → "партиа" → "партия"; "بيۋللەتەن" → "биуллетен" → "бюллетен".
    text = _MID_YA_RE.sub("ия", _WORD_START_YA_RE.sub("я", text))
    for written, cyrillic in _YA_YU:
        text = text.replace(written, cyrillic)
    return _TS_RE.sub(lambda m: "ци" if m.group(0) == "тси" else "ц", text)


def arabic_to_cyrillic(text: str, letter_by_letter: bool | None = None) -> str:
    """Kazakh tote jazu in Cyrillic ("ٴماجىلىس سايلاۋى" → "мәжіліс сайлауы"); other text kept.
    *letter_by_letter*: ``writes_front_letters`` of the whole item (None: of *text*)."""
    if letter_by_letter is None:
        letter_by_letter = writes_front_letters(text)
    # A dict-table translate walks the whole text in Python objects: only when it has a digit.
    if _ARABIC_DIGIT_RE.search(text):
        text = text.translate(_ARABIC_DIGITS)
    return _ARABIC_WORD_RE.sub(
        lambda m: _arabic_word_in_cyrillic(m.group(0), letter_by_letter), text)


# --- numbers of a Latin-Kazakh text --------------------------------------------------------

_LATIN_WORD_RE = re.compile(r"[^\W\d_]+")
_SPACE_SPLIT_RE = re.compile(r"(\s+)")


def latin_in_cyrillic(sentence: str) -> str:
    """A Latin-Kazakh sentence with every letter run in Cyrillic, for reading its numbers.
    By whitespace-separated chunk, cached per chunk (a letter run never spans whitespace, and
    whitespace is kept as written): the Python callback runs once per new chunk, not per word.
    """
    parts = _SPACE_SPLIT_RE.split(sentence)  # odd parts: the whitespace between chunks
    parts[::2] = map(_chunk_in_cyrillic, parts[::2])
    return "".join(parts)


@lru_cache(maxsize=200_000)
def _chunk_in_cyrillic(chunk: str) -> str:
    return _LATIN_WORD_RE.sub(lambda m: latin_to_cyrillic(m.group(0)), chunk)
