"""Text normalisation for Russian, Kazakh and English, in Cyrillic and Latin script.

Every comparison kzwatch makes between two pieces of text (a claim's search terms and a news
item, a cited title and a fetched page, two snapshots) goes through this module, so that trivial
differences never decide anything:

* ``normalize`` — one canonical form of a text: NFC, casefolded, typographic quotes and dashes
  made plain, whitespace collapsed, ``ё`` → ``е``, the Kazakh-specific Cyrillic letters mapped to
  their nearest Russian letters (``Нұр Отан`` == ``Нур Отан``) and Latin diacritics folded
  (the Kazakh Latin alphabets' ``á ǵ ı ń ş ğ ü`` … → ASCII).
* ``translit_ru_latin`` — Cyrillic → Latin, Library of Congress style without diacritics, the
  romanisation used in the article's footnotes (``объявила`` → ``ob'iavila``).
* ``latin_key`` — a deliberately lossy key so that different romanisations of one Russian or
  Kazakh word collide (``Tokayev`` / ``Tokaev`` / ``Токаев``; ``Zhanbolat`` / ``Janbolat``).
* ``translit_latin_ru`` — best-effort reverse of the romanisation.
* ``tokens``, ``stem``, ``detect_lang`` — word tokens, per-language stems (Snowball for Russian
  and English, a small suffix stripper for Kazakh) and a cheap script/letter-frequency language
  guess.

All functions are pure: no I/O, no global state beyond cached stemmer objects.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

import snowballstemmer

__all__ = [
    "normalize",
    "translit_ru_latin",
    "translit_latin_ru",
    "latin_key",
    "tokens",
    "stem",
    "detect_lang",
    "KAZAKH_CYRILLIC_LETTERS",
]

# --- normalize ---------------------------------------------------------------------------------

#: Kazakh letters that Russian lacks, with the Russian letter closest in sound and shape.
#: Mapping them means a Kazakh spelling of a name ("Нұр Отан", "Мәжіліс") compares equal to its
#: Russian spelling ("Нур Отан", "Мажилис").
_KAZAKH_TO_RUSSIAN = {
    "ә": "а",
    "ғ": "г",
    "қ": "к",
    "ң": "н",
    "ө": "о",
    "ұ": "у",
    "ү": "у",
    "һ": "х",
    "і": "и",  # U+0456, shared with Ukrainian/Belarusian
    "ё": "е",
}
KAZAKH_CYRILLIC_LETTERS = frozenset("әғқңөұүһі")

#: Typographic quotes → plain ones, every dash-like character → "-".
_PUNCT_MAP = {
    **{q: '"' for q in "«»“”„‟〝〞＂"},
    **{q: "'" for q in "‘’‚‛′`´ʼ"},
    **{d: "-" for d in "‐‑‒–—―−⁃﹘﹣－"},
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space (French/Russian thousands separator)
    "\u2009": " ",  # thin space
    "\u00ad": "",  # soft hyphen
    "\u200b": "",  # zero-width space
    "\ufeff": "",
}

#: Latin letters that do not decompose under NFKD but have an obvious ASCII fold.
_LATIN_SPECIAL_FOLD = {
    "ı": "i",  # dotless i (Kazakh Latin 2018/2021, Turkish)
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ħ": "h",
    "æ": "ae",
    "œ": "oe",
    "ŋ": "n",
}

_TRANSLATE_NORMALIZE = str.maketrans({**_KAZAKH_TO_RUSSIAN, **_PUNCT_MAP, **_LATIN_SPECIAL_FOLD})
_WHITESPACE_RE = re.compile(r"\s+")


def _is_latin(ch: str) -> bool:
    return "LATIN" in unicodedata.name(ch, "")


@functools.lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    if not _is_latin(ch):
        return ch
    decomposed = unicodedata.normalize("NFKD", ch)
    # compatibility forms can decompose to capitals (🄰 → A): fold case again
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


#: Runs of characters that might be Latin letters with marks: neither ASCII nor Cyrillic.  Only
#: these are looked up (cached per character), so Cyrillic text costs one regex scan, not a
#: ``unicodedata.name`` call per letter.
_MAYBE_LATIN = re.compile(r"[^\x00-\x7f\u0400-\u052f]+")
_MARKS_AFTER_ASCII = re.compile(r"(?<=[A-Za-z])[\u0300-\u036f]+")


def _fold_latin_diacritics(text: str) -> str:
    """Strip combining marks from Latin letters only.

    Cyrillic must keep its marks: ``й`` is ``и`` + breve under NFD, and dropping it would merge
    two different letters.
    """
    if text.isascii():
        return text
    folded = _MAYBE_LATIN.sub(lambda m: "".join(map(_fold_char, m.group())), text)
    # A combining mark that followed an ASCII base (e.g. "i̇" from casefolding "İ") survives the
    # loop above; drop marks whose base is Latin.
    return _MARKS_AFTER_ASCII.sub("", folded)


@functools.lru_cache(maxsize=64)
def normalize(text: str) -> str:
    """The canonical comparison form of *text* (see module docstring).

    Cached for the last few texts: one page's text is normalised by several measures in turn
    (drift, support, verification), and a ``str`` keeps its hash, so a hit costs nothing.

    >>> normalize("«Нұр Отан»  — партия")
    '"нур отан" - партия'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).casefold()
    text = text.translate(_TRANSLATE_NORMALIZE)
    text = _fold_latin_diacritics(text)
    return _WHITESPACE_RE.sub(" ", text).strip()


# --- transliteration ---------------------------------------------------------------------------

#: Library of Congress romanisation of Russian without diacritics (the article's footnotes use
#: it: "Sovet (ne)doveriia", "ob'iavila").  The soft and hard signs both become an apostrophe.
_RU_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "'", "ы": "y", "ь": "'", "э": "e", "ю": "iu",
    "я": "ia",
}  # fmt: skip
_TRANSLATE_RU_LATIN = str.maketrans(_RU_TO_LATIN)


def translit_ru_latin(text: str) -> str:
    """Romanise Cyrillic in *text* (normalised first, so Kazakh letters go via Russian ones).

    >>> translit_ru_latin("ОСДП объявила бойкот выборам")
    "osdp ob'iavila boikot vyboram"
    """
    return normalize(text).translate(_TRANSLATE_RU_LATIN)


# Applied in order to romanised, apostrophe-free text.  Each step merges spellings that
# romanisation systems (LoC, BGN/PCGN, scholarly, German, Kazakh Latin 2018/2021, journalists'
# ad-hoc) write differently for one Cyrillic letter.
_LATIN_KEY_STEPS: tuple[tuple[str, str], ...] = (
    (r"shch|sch|sc", "s"),  # щ
    (r"tch", "ch"),
    (r"dzh|dj|zh|j", "z"),  # ж (Kazakh Latin and English "Jomart", "Majilis" use j for ж)
    (r"kh|x", "h"),  # х
    (r"ts|tz|c(?![h])", "c"),  # ц (and Latin c that is not part of "ch")
    (r"ch", "c"),  # ч (merges with ц: lossy by design)
    (r"sh", "s"),  # ш
    (r"q|ck", "k"),  # Kazakh Latin q = қ
    (r"w", "v"),  # German "Tokajew"
    (r"ph", "f"),
    (r"y", "i"),  # ы / й / English y
    (r"(?<=[aeiou])i(?=[aeiou])", ""),  # glide: "Tokayev"/"Tokaev", "Nazarbayev"/"Nazarbaev"
    (r"\bi(?=e)", ""),  # "Yerlan"/"Erlan"
    (r"([a-z])\1+", r"\1"),  # "Kassym"/"Kasym"
)
_LATIN_KEY_COMPILED = tuple((re.compile(p), r) for p, r in _LATIN_KEY_STEPS)

#: Latin letters that carry a digraph's sound; normalize() would fold them to a single letter
#: ("ž" → "z"), so latin_key expands them first to keep "Žanbolat" == "Zhanbolat".
_LATIN_DIGRAPH_LETTERS = str.maketrans(
    {"ž": "zh", "š": "sh", "č": "ch", "ş": "sh", "ç": "ch", "Ž": "zh", "Š": "sh", "Č": "ch",
     "Ş": "sh", "Ç": "ch"}
)  # fmt: skip


def latin_key(text: str) -> str:
    """A lossy, script-independent comparison key.

    Different romanisations of the same Russian or Kazakh word give the same key:

    >>> latin_key("Токаев") == latin_key("Tokayev") == latin_key("Tokaev")
    True
    """
    text = unicodedata.normalize("NFC", text or "").translate(_LATIN_DIGRAPH_LETTERS)
    key = translit_ru_latin(text)
    key = re.sub(r"['\"ʹʺ]", "", key)
    for pattern, replacement in _LATIN_KEY_COMPILED:
        key = pattern.sub(replacement, key)
    return key


# Reverse romanisation: longest match first.  Ambiguities are resolved towards LoC/English
# journalistic usage; this is only used to produce extra search spellings, never as evidence.
_LATIN_TO_RU_MULTI: tuple[tuple[str, str], ...] = (
    ("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
    ("ya", "я"), ("ia", "я"), ("yu", "ю"), ("iu", "ю"), ("yo", "е"), ("ye", "е"),
)  # fmt: skip
_LATIN_TO_RU_SINGLE = {
    "a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с",
    "t": "т", "u": "у", "f": "ф", "h": "х", "c": "к", "j": "ж", "q": "к", "w": "в",
    "x": "кс", "y": "ы", "'": "ь",
}  # fmt: skip
_VOWELS_LATIN = set("aeiouy")


def translit_latin_ru(text: str) -> str:
    """Best-effort Cyrillic spelling of a romanised Russian/Kazakh text (normalised, lower case).

    >>> translit_latin_ru("Tokayev")
    'токаев'
    """
    src = normalize(text)
    out: list[str] = []
    i = 0
    while i < len(src):
        ch = src[i]
        if not ch.isascii() or not (ch.isalpha() or ch == "'"):
            out.append(ch)
            i += 1
            continue
        for latin, cyr in _LATIN_TO_RU_MULTI:
            if src.startswith(latin, i):
                # "ia"/"ye" after a consonant are LoC/English for я/е; word-initially too.
                out.append(cyr)
                i += len(latin)
                break
        else:
            prev = src[i - 1] if i else " "
            nxt = src[i + 1] if i + 1 < len(src) else " "
            if ch in "iy" and prev in _VOWELS_LATIN and nxt not in _VOWELS_LATIN:
                out.append("й")  # "boikot" → "бойкот", "Mamay" → "Мамай"
            elif ch == "'" and nxt in "iy":
                out.append("ъ")  # "ob'iavila" → "объявила"
            else:
                out.append(_LATIN_TO_RU_SINGLE.get(ch, ch))
            i += 1
    return "".join(out)


# --- tokens and stems --------------------------------------------------------------------------

#: A number keeps its decimal/thousands separators ("63,3", "63.3", "340,000") as one token;
#: a word may contain inner hyphens or apostrophes only through separate tokens.  "%" is kept
#: as a token of its own because "63 %" and "63%" must look alike to the scorer.
_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|%")


def tokens(text: str) -> list[str]:
    """Word, number and "%" tokens of ``normalize(text)``.

    >>> tokens("Явка — 63,3 % (Нұр Отан)")
    ['явка', '63,3', '%', 'нур', 'отан']
    """
    return _TOKEN_RE.findall(normalize(text))


_STEMMERS = threading.local()


def _snowball(lang: str) -> snowballstemmer.stemmer:
    # one stemmer per thread: a snowball stemmer keeps the word being stemmed in itself, so two
    # threads sharing one (two cycles in one process) corrupt each other's word
    cache = _STEMMERS.__dict__.setdefault("by_lang", {})
    if lang not in cache:
        cache[lang] = snowballstemmer.stemmer({"ru": "russian", "en": "english"}[lang])
    return cache[lang]


# Kazakh endings after normalize() has mapped the Kazakh letters (ң → н, і → и, ғ → г, қ → к,
# ә → а).  Longest first; stripped repeatedly (plural + possessive + case stack up:
# "партияларының" → "партиялары" → "партиялар" → "партия").
_KK_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        {
            # plural
            "лар", "лер", "дар", "дер", "тар", "тер",
            # genitive
            "нын", "нин", "дын", "дин", "тын", "тин", "ын", "ин",
            # dative
            "га", "ге", "ка", "ке", "на", "не",
            # locative and locative-attributive
            "да", "де", "та", "те", "дагы", "деги", "тагы", "теги", "ндагы", "ндеги",
            # ablative
            "дан", "ден", "тан", "тен", "нан", "нен",
            # accusative
            "ды", "ди", "ты", "ти", "ны", "ни",
            # instrumental
            "мен", "бен", "пен", "менен", "бенен", "пенен",
            # possessive
            "сы", "си", "ы", "и", "ымыз", "имиз", "мыз", "миз",
            # participles / verbal nouns common in news
            "ган", "ген", "кан", "кен",
        },
        key=len,
        reverse=True,
    )
)  # fmt: skip
_KK_MIN_STEM = 3  # never strip a word below this length: "ел", "сот" stay whole
_KK_AFTER_VOWEL_ONLY = frozenset({"сы", "си", "ны", "ни", "на", "не"})
_VOWELS_CYRILLIC = frozenset("аеиоуыэюяё")


def _stem_kazakh(token: str) -> str:
    # A Russian loan ending in the soft sign may drop it before a Kazakh ending ("бюллетень",
    # "бюллетеньдер", "бюллетендердің"): stemmed without it, every form meets.
    word = _without_soft_sign(token)
    for _ in range(4):  # at most four stacked endings
        for suffix in _KK_SUFFIXES:
            if not word.endswith(suffix) or len(word) - len(suffix) < _KK_MIN_STEM:
                continue
            base = word[: -len(suffix)]
            # The possessive "-сы" and most n-forms follow vowels only ("партия-сы" but
            # "Мәжіліс-і"); the genitive "-ның" also follows м/н ("Отан-ның").  Stripping them
            # elsewhere would eat the root.
            if suffix in _KK_AFTER_VOWEL_ONLY and base[-1] not in _VOWELS_CYRILLIC:
                continue
            after_vowel_or_nasal = base[-1] in "мн" or base[-1] in _VOWELS_CYRILLIC
            if suffix in ("нын", "нин") and not after_vowel_or_nasal:
                continue
            word = _without_soft_sign(base)
            break
        else:
            break
    return word


def _without_soft_sign(word: str) -> str:
    return word[:-1] if word.endswith("ь") and len(word) > _KK_MIN_STEM + 1 else word


def stem(token: str, lang: str | None) -> str:
    """Stem one token in language *lang* ("ru", "kk", "en"; anything else: normalised token).

    Tokens are normalised first, so stems compare across Kazakh and Russian spellings.
    Numbers and very short tokens are returned unchanged.
    """
    word = normalize(token)
    if not word or not word.isalpha() or len(word) < 3:
        return word
    if lang == "kk":
        return _stem_kazakh(word)
    if lang in ("ru", "en"):
        return _snowball(lang).stemWord(word)
    return word


# --- language guess ----------------------------------------------------------------------------

#: Letters of the Kazakh Latin alphabets (2018 and 2021) that English lacks.
_KAZAKH_LATIN_LETTERS = frozenset("áǵıńóúýşğäöüñū")
#: Share of Kazakh-specific letters above which a Cyrillic/Latin text is taken as Kazakh.
#: Kazakh prose runs at ~8–12 %; a Russian text quoting "Нұр Отан" once stays well below 3 %.
KAZAKH_LETTER_SHARE = 0.03


def detect_lang(text: str, *, kazakh_share: float = KAZAKH_LETTER_SHARE) -> str | None:
    """Guess "ru", "kk" or "en" from the letters of *text*; None when it has no letters.

    Cyrillic with frequent Kazakh-specific letters → "kk", other Cyrillic → "ru"; Latin with
    frequent Kazakh Latin letters → "kk", other Latin → "en".
    """
    lowered = unicodedata.normalize("NFC", text or "").casefold()
    cyrillic = latin = kk_cyr = kk_lat = 0
    for ch in lowered:
        if not ch.isalpha():
            continue
        if "\u0400" <= ch <= "\u04ff":
            cyrillic += 1
            kk_cyr += ch in KAZAKH_CYRILLIC_LETTERS
        elif _is_latin(ch):
            latin += 1
            kk_lat += ch in _KAZAKH_LATIN_LETTERS
    if cyrillic == 0 and latin == 0:
        return None
    if cyrillic >= latin:
        return "kk" if kk_cyr / cyrillic >= kazakh_share else "ru"
    return "kk" if kk_lat / latin >= kazakh_share else "en"
