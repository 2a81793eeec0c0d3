"""Plain data the citation parser uses: outlets, look-alike letters, months, thresholds.

Kept apart from the code so that a maintainer can extend a table (a new outlet, a new host)
without reading any parsing logic.
"""

from __future__ import annotations

#: The packaged default article.
DEFAULT_ARTICLE_ID = "beimenbetov-2021"

#: URL host (without "www.") -> readable outlet name; used when the footnote names no outlet.
#: A host also matches its subdomains ("rus.azattyq.org" -> "azattyq.org").
HOST_OUTLETS: dict[str, str] = {
    "rferl.org": "RFE/RL",
    "azattyq.org": "Radio Azattyk",
    "cabar.asia": "CABAR.asia",
    "vlast.kz": "Vlast.kz",
    "vibory.watch": "Vibory.watch (League of Young Voters)",
    "akorda.kz": "Akorda (Office of the President of Kazakhstan)",
    "adilet.zan.kz": "Adilet (legal database of Kazakhstan)",
    "zakon.kz": "Zakon.kz",
    "the-village.kz": "The Village Kazakhstan",
    "forbes.kz": "Forbes Kazakhstan",
    "iz.ru": "Izvestiia",
    "neues-deutschland.de": "Neues Deutschland",
    "nd-aktuell.de": "Neues Deutschland",
    "exclusive.kz": "Exclusive.kz",
    "zois-berlin.de": "ZOiS",
    "oxussociety.org": "Oxus Society for Central Asian Affairs",
    "eurasianet.org": "Eurasianet",
    "chathamhouse.org": "Chatham House",
    "osce.org": "OSCE",
    "election.gov.kz": "Central Election Commission of Kazakhstan",
    "tengrinews.kz": "Tengrinews",
    "kursiv.media": "Kursiv",
    "informburo.kz": "Informburo",
}

#: Outlet names recognised when written plainly (not in italics) after a citation's title.
#: Longer names are tried first, so "RFE/RL Kazakh Service" wins over "RFE/RL".
KNOWN_OUTLET_TEXTS: tuple[str, ...] = (
    "RFE/RL Kazakh Service",
    "RFE/RL",
    "Radio Free Europe/Radio Liberty",
    "Radio Azattyk",
    "Radio Azattyq",
    "Azattyq",
    "Chatham House",
    "Exclusive.kz",
    "Eurasianet",
    "EurasiaNet",
    "Cabar.Asia",
    "Vlast.kz",
    "Forbes Kazakhstan",
    "The Village Kazakhstan",
    "Neues Deutschland",
    "Izvestiia",
    "Reuters",
    "The Diplomat",
)

#: Cyrillic letters that OCR confuses with Latin ones: visual look-alikes first ...
CYRILLIC_HOMOGLYPHS: dict[str, str] = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "к": "k",
    "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
}
#: ... and, for the rest, the usual Latin transliteration (``в`` in "zhapishева" is a ``v``).
CYRILLIC_TRANSLIT: dict[str, str] = {
    "б": "b", "в": "v", "г": "g", "д": "d", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "л": "l", "м": "m", "н": "n", "п": "p", "т": "t", "ф": "f", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "ё": "e", "қ": "q", "ғ": "g", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "ә": "a",
}

#: A word of a URL is repaired only if its Cyrillic letters are at most this share of its
#: letters: "zhapishева" (3 of 10) is OCR damage, "новости" (7 of 7) is a real Cyrillic path.
MAX_LOOKALIKE_SHARE = 0.5

#: Minimum score (0-100) for a short form to be linked to the full citation it abbreviates.
BACKREF_MIN_SCORE = 85.0
#: Minimum score (0-100) for two citations of two versions of an article to be the same one.
MATCH_MIN_SCORE = 80.0

MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

# Characters that open/close a quoted title.  "„" (German) closes with "“" or "”".
_QUOTE_CLOSERS: dict[str, str] = {"“": "”", "„": "“”", "«": "»", '"': '"'}
