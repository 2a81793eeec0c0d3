"""URLs in a note: finding them (also across line breaks) and repairing them, every repair recorded.

Repairs are ``model.UrlRepair`` records so nobody has to trust the parser blindly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kzwatch.corpus.tables import (
    CYRILLIC_HOMOGLYPHS,
    CYRILLIC_TRANSLIT,
    HOST_OUTLETS,
    MAX_LOOKALIKE_SHARE,
)
from kzwatch.model import UrlRepair

# "<https://...>" may wrap across lines inside its brackets; a bare URL ends at white space.
_ANGLE_URL_RE = re.compile(r"<\s*((?:https?://|www\.)[^<>]*?)\s*>", re.IGNORECASE)
_URL_CHARS = r"[^\s<>\"“”„«»]"
#: Top-level domains accepted for an address written without scheme or "www." ("example.org/x").
BARE_HOST_TLDS = (
    "com|org|net|gov|edu|int|info|io|biz|eu|uk|us|de|fr|ru|kz|kg|uz|tj|tm|ua|by|ca|au|cn|jp|in|ch|nl"
    "|asia|media|news|watch|report"
)
_BARE_URL_RE = re.compile(
    rf"(?:https?:[ \t]?//|www\.){_URL_CHARS}*"
    rf"|(?<![\w@/.-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:{BARE_HOST_TLDS})/{_URL_CHARS}*",
    re.IGNORECASE,
)
# The first token of what follows a URL: on the next line, or after a space extraction inserted.
_NEXT_LINE_TOKEN_RE = re.compile(rf"[ \t]*\n[ \t]*({_URL_CHARS}+)")
_SAME_LINE_TOKEN_RE = re.compile(rf"[ \t]+({_URL_CHARS}+)")
_TAIL_WORDS = frozenset(
    "pdf html htm shtml php aspx asp jsp cfm doc docx xls xlsx ppt pptx txt xml json "
    "org com net gov edu int info io biz eu uk us de fr ru kz ca au cn jp in ch nl".split()
)
_NOT_URL_WORDS = frozenset("and or the in on at see accessed retrieved last viewed available from via".split())
_SEPARATORS = ",;."
_TRAILING_JUNK = ".,;:?'\"”’»)]}>"
_INVISIBLE = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


@dataclass(frozen=True)
class _UrlSpan:
    start: int  # span in the footnote text, delimiters included
    end: int
    raw: str  # the URL exactly as written, separators excluded


def url_cut_short(raw: str) -> bool:
    """The URL stops before its host is whole: "https://", "https://www.", "https://example."."""
    body = re.sub(r"(?i)^https?://", "", raw)
    if re.match(r"(?i)^https?://$", raw) or body.lower() in ("www", "www."):
        return True
    host = body.split("/", 1)[0]
    return "/" not in body and host.endswith(".") and "." not in host.rstrip(".").removeprefix("www.")


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def _joins(raw: str, token: str, context: str) -> bool:
    """Does ``token`` (first token of the next line) continue the URL ``raw``?

    Unambiguous: the URL is cut short, or stops on a character no URL ends with ("/", "-",
    "=") — a real hyphen at the break is kept, since only the white space goes.  After a full
    stop the token must look like the rest of an address ("pdf", "org/…").  After a letter or
    digit (a break mid-word) the token must carry URL punctuation, or the joined word must
    appear in the note's own words (its title or outlet: "…/publica" + "tions" when the title
    says "Publications").
    """
    word = re.match(r"[0-9A-Za-z]+", token)
    first = word.group(0).lower() if word else ""
    last = raw[-1]
    if url_cut_short(raw):
        return True
    if first in _NOT_URL_WORDS and re.match(r"^[A-Za-z]+[,.;:]?$", token):
        return False  # "…/news/" + "Accessed 12 May": the note goes on, the URL does not
    if last in "/-_=&?%#~+:":
        return True
    if token[0] in "/?#&=" and last.isalnum():
        return True  # "…/main-canals" + "/summary"
    extension = re.match(r"\.([a-z]{2,5})\b", token)
    if extension and extension.group(1) in _TAIL_WORDS and last.isalnum():
        return True  # "…/report" + ".pdf"
    if last == ".":
        return first in _TAIL_WORDS and bool(re.match(r"^[a-z0-9]+(?:[/.,;:?#]|$)", token))
    if not last.isalnum() or not token[0].isalnum():
        return False
    if re.search(r"(?i)\w\.(?:pdf|docx?|xlsx?|pptx?|s?html?|php|aspx?|jsp)$", token.rstrip(".,;:)")):
        return True  # "…/report" + "Democracy-Index-2019.pdf": prose never ends in a file name
    url_punctuation = re.search(r"[/?=&#_]|\.[A-Za-z]", token.rstrip(".,;:"))
    if url_punctuation and (token[0].islower() or token[0].isdigit() or "/" in token):
        return True
    core = token.rstrip(".,;:)")
    if (token[0].islower() or token[0].isdigit()) and re.search(r"[a-z]", core) and re.search(r"[-_]|\d", core) \
            and re.fullmatch(r"[0-9a-z._~%-]+", core):
        return True  # a slug's tail ("…/annual-rep" + "ort-2019"): prose words rarely carry digits or "-"
    tail = re.split(r"[^0-9A-Za-z]", raw)[-1]
    joined = _slug(tail + first)
    return len(first) >= 2 and token[0].islower() and len(joined) >= 6 and joined in context


def _spaced_path(raw: str, text: str, end: int) -> bool:
    """A space extraction put inside a path: "https://example.org/ reports/2019.pdf"."""
    nxt = _SAME_LINE_TOKEN_RE.match(text, end)
    if not nxt or raw[-1:] not in "/-_":
        return False
    token = nxt.group(1)
    return token[0].islower() and token.split("/")[0].lower() not in _NOT_URL_WORDS and bool(
        re.search(r"/|\.(?:" + "|".join(sorted(_TAIL_WORDS)) + r")\b", token))


def _extend(text: str, start: int, end: int, context: str) -> int:
    """Grow a bare URL over line breaks (and spaces inserted after "https://" or "www.")."""
    while True:
        raw = text[start:end]
        cont = _NEXT_LINE_TOKEN_RE.match(text, end)
        if cont is None and (url_cut_short(raw) or _spaced_path(raw, text, end)):
            cont = _SAME_LINE_TOKEN_RE.match(text, end)  # "http:// www.example.org", "www. wsj.com"
        if cont is None or not _joins(re.sub(r"\s+", "", raw), cont.group(1), context):
            return end
        end = cont.end()


def _find_urls(text: str) -> list[_UrlSpan]:
    """Every URL in a note's text, in order; a bare URL that wraps at a line end is joined."""
    spans: list[_UrlSpan] = []
    taken: list[tuple[int, int]] = []
    for match in _ANGLE_URL_RE.finditer(text):
        spans.append(_UrlSpan(match.start(), match.end(), match.group(1)))
        taken.append((match.start(), match.end()))
    context = _slug(_ANGLE_URL_RE.sub(" ", _BARE_URL_RE.sub(" ", text)))
    for match in _BARE_URL_RE.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        end = _extend(text, match.start(), match.end(), context)
        raw = text[match.start():end]
        # A "," ";" or "." right after a bare URL separates it from the rest of the note.
        if raw and raw[-1] in _SEPARATORS:
            raw = raw[:-1]
        if raw.endswith(")") and raw.count("(") < raw.count(")"):
            raw = raw[:-1]
        if not re.sub(r"(?i)^https?://", "", raw.strip()):
            continue  # a scheme and nothing after it
        spans.append(_UrlSpan(match.start(), match.start() + len(raw), raw))
        taken.append((match.start(), end))
    spans.sort(key=lambda span: span.start)
    return spans


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff" or "\u0500" <= char <= "\u052f"


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _fold_lookalikes(word: str) -> str:
    return "".join(CYRILLIC_HOMOGLYPHS.get(c) or CYRILLIC_TRANSLIT.get(c.lower(), c) for c in word)


def _repair_lookalikes(url: str) -> tuple[str, list[str]]:
    """Replace Cyrillic letters inside mostly-Latin words; leave Cyrillic words alone."""
    changed: list[str] = []
    url_cyrillic = sum(1 for c in url if _is_cyrillic(c))
    url_latin = sum(1 for c in url if _is_latin(c))
    mostly_latin_url = url_cyrillic > 0 and url_cyrillic / (url_cyrillic + url_latin) <= 0.1

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        cyrillic = sum(1 for c in word if _is_cyrillic(c))
        latin = sum(1 for c in word if _is_latin(c))
        # A lone all-look-alike word ("/а/" with a Cyrillic а) in an otherwise Latin URL.
        lone_lookalike = latin == 0 and mostly_latin_url and all(c in CYRILLIC_HOMOGLYPHS for c in word)
        mixed = cyrillic > 0 and latin > 0 and cyrillic / (cyrillic + latin) <= MAX_LOOKALIKE_SHARE
        if not (mixed or lone_lookalike):
            return word
        fixed = _fold_lookalikes(word)
        changed.append(f"{word}->{fixed}")
        return fixed

    # Words are runs of letters: "kazakhstan-oyan-qazaqstan-assem-zhapishева" -> one per slug part.
    repaired = re.sub(r"[^\W\d_]+", fix, url)
    return repaired, changed


def repair_url(raw: str) -> tuple[str, str, list[UrlRepair]]:
    """Repair OCR damage in one URL: ``(fetch_url, display_url, repairs)``.

    Repairs, each recorded: white space from a line break inside the URL (``line_break``),
    invisible characters such as soft hyphens (``invisible_char``), trailing punctuation
    (``trailing_punctuation``) and trailing "!" (``stray_char``), a missing scheme on
    "www." (``missing_scheme``), and Cyrillic look-alike letters inside Latin words
    (``cyrillic_lookalike``).  Fully Cyrillic words (IDN hosts, Russian paths) are left alone.
    The display URL keeps a ``#fragment``; the fetch URL drops it (servers never see it).
    """
    repairs: list[UrlRepair] = []
    url = raw

    def record(kind: str, new: str, detail: str = "") -> None:
        nonlocal url
        if new != url:
            repairs.append(UrlRepair(kind=kind, before=url, after=new, detail=detail))
            url = new

    stripped = url.strip()
    if stripped != url:
        url = stripped  # surrounding white space is layout, not part of the URL
    if "\n" in url:
        record("line_break", re.sub(r"\s+", "", url), "joined a URL split across lines")
    record("extraction_space", re.sub(r"\s+", "", url), "removed spaces inserted by text extraction")
    record("invisible_char", "".join(c for c in url if c not in _INVISIBLE), "removed invisible characters")

    # Trailing junk, peeled one character at a time so "!" and "." are told apart.
    while url and url[-1] in _TRAILING_JUNK + "!":
        last = url[-1]
        if last in ")]}" and url.count({")": "(", "]": "[", "}": "{"}[last]) >= url.count(last):
            break  # balanced: part of the URL (Wikipedia-style "(disambiguation)")
        if last == "!":
            record("stray_char", url[:-1], "removed a stray '!' after the URL")
        else:
            record("trailing_punctuation", url[:-1], f"removed trailing {last!r}")

    if url.lower().startswith("www."):
        record("missing_scheme", "http://" + url, "added http:// to a www. address")
    elif not re.match(r"(?i)^[a-z][a-z0-9+.-]*://", url):
        record("missing_scheme", "http://" + url, "added http:// to an address written without one")

    repaired, changed = _repair_lookalikes(url)
    record("cyrillic_lookalike", repaired, "; ".join(changed))

    display = url
    fetch = url.split("#", 1)[0]
    return fetch, display, repairs


def _host(url: str) -> str:
    match = re.match(r"(?i)^[a-z][a-z0-9+.-]*://([^/?#:@]+)", url)
    host = match.group(1).lower() if match else ""
    return host[4:] if host.startswith("www.") else host


def outlet_for_host(url: str, outlets: Mapping[str, str] = HOST_OUTLETS) -> str | None:
    """The readable outlet name for a URL's host (or a parent domain of it), if known."""
    host = _host(url)
    while host:
        if host in outlets:
            return outlets[host]
        host = host.partition(".")[2] if "." in host else ""
    return None
