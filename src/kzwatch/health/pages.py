"""What a fetched page says: its title, headings and text, and the phrase lists and thresholds
the soft-404 and bot-wall rules of ``kzwatch.health.classify`` read it with.  Pure; never raises on bad
markup."""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from rapidfuzz import fuzz

from kzwatch.model import FetchResult
from kzwatch.textnorm import normalize

# --- data: phrases and thresholds ---------------------------------------------------------------


@dataclass(frozen=True)
class NotFoundPhrases:
    """The phrase lists of ``data/notfound_phrases.toml``, normalised for matching."""

    notfound: tuple[str, ...]
    exact_titles: frozenset[str]
    title_404_max_words: int
    redirect_path_markers: frozenset[str]
    bot_wall_titles: tuple[str, ...]
    bot_wall_markers: tuple[str, ...]
    login_path_markers: frozenset[str]
    spa_markers: tuple[str, ...]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> NotFoundPhrases:
        """Build from parsed TOML.  Raises ValueError naming a missing or malformed key."""
        try:
            notfound = data["notfound"]
            phrases = [p for lang in ("ru", "kk", "en") for p in notfound.get(lang, [])]
            return cls(
                notfound=tuple(normalize(p) for p in phrases),
                exact_titles=frozenset(normalize(p).strip(" .!") for p in notfound["exact_titles"]),
                title_404_max_words=int(notfound.get("title_404_max_words", 8)),
                redirect_path_markers=frozenset(p.lower() for p in notfound["redirect_path_markers"]),
                bot_wall_titles=tuple(normalize(p) for p in data["bot_wall"]["titles"]),
                bot_wall_markers=tuple(p.lower() for p in data["bot_wall"]["markers"]),
                login_path_markers=frozenset(p.lower() for p in data["login"]["path_markers"]),
                spa_markers=tuple(p.lower() for p in data["spa"]["markers"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed not-found phrase data: {exc!r}") from exc

    @classmethod
    def from_toml(cls, text: str) -> NotFoundPhrases:
        return cls.from_mapping(tomllib.loads(text))


def load_phrases(path: str | None = None) -> NotFoundPhrases:
    """Read a phrase file (default: the packaged ``data/notfound_phrases.toml``)."""
    if path is None:
        text = resources.files("kzwatch.data").joinpath("notfound_phrases.toml").read_text("utf-8")
    else:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    return NotFoundPhrases.from_toml(text)


@functools.lru_cache(maxsize=1)
def default_phrases() -> NotFoundPhrases:
    """The packaged phrase list, read once."""
    return load_phrases()


@dataclass(frozen=True)
class ClassifySettings:
    """Thresholds of the soft-404 and bot-wall rules (documented defaults).

    * ``probe_similarity`` — token similarity (0..1) between the page and the random-path probe
      at or above which they are "the same page"; 0.95 as in ``benhoyt/soft404``.
    * ``thin_words`` — a page with fewer visible words than this is "thin" (soft-404) unless it
      is a JavaScript shell or shows the cited title.
    * ``phrase_body_max_words`` — "not found" phrases count in the main text only on pages
      with at most this many words (long articles may quote such phrases).
    * ``bot_wall_max_words`` — bot-wall titles and markers (captcha widgets, challenge scripts)
      count only on pages this short that do not show the cited title: challenge pages carry a
      few dozen words, while an article may be *about* a "security check" or embed a captcha
      in its comment form.  The ``cf-mitigated: challenge`` header counts on any page.
    * ``title_match`` — similarity (0..1) of cited and page titles that proves the same work.
    * ``similarity_max_tokens`` — texts are compared on at most this many leading tokens.
    """

    probe_similarity: float = 0.95
    thin_words: int = 20
    phrase_body_max_words: int = 400
    bot_wall_max_words: int = 300
    title_match: float = 0.85
    similarity_max_tokens: int = 4000


DEFAULT_SETTINGS = ClassifySettings()

# --- reading a fetched page ----------------------------------------------------------------------

_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_STRIP_TAGS = ("script", "style", "noscript", "template", "svg")
_CHROME_TAGS = ("nav", "header", "footer", "aside")


@dataclass(frozen=True)
class PageView:
    """The parts of a page the rules look at (all plain text, not normalised)."""

    is_html: bool
    title: str = ""
    h1s: tuple[str, ...] = ()
    text: str = ""  # all visible text
    main_text: str = ""  # visible text without navigation/header/footer/aside
    raw_lower: str = ""  # the raw markup, lower-cased, for marker search

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    @property
    def main_word_count(self) -> int:
        return len(self.main_text.split())


def _looks_html(result: FetchResult) -> bool:
    content_type = (result.content_type or result.headers.get("content-type") or "").lower()
    if "html" in content_type:
        return True
    if content_type:
        return False
    head = (result.text or "")[:2000].lower()
    return "<html" in head or "<body" in head or "<!doctype html" in head


def _squash(text: str) -> str:
    return " ".join(text.split())


# huge_tree lifts libxml2's nesting limit of 256 (to 2048): past it the parser silently drops
# the rest of the page, and a real page nested 300 deep would then look empty (a soft-404).
_HTML_PARSER = lxml_html.HTMLParser(huge_tree=True)


def read_page(result: FetchResult) -> PageView:
    """Parse *result*'s text into a ``PageView``; never raises on bad markup."""
    text = result.text or ""
    if not _looks_html(result):
        return PageView(is_html=False, text=_squash(text), main_text=_squash(text), raw_lower=text[:200_000].lower())
    raw_lower = text[:200_000].lower()
    try:
        doc = lxml_html.document_fromstring(_XML_DECL_RE.sub("", text, count=1) or "<html></html>", parser=_HTML_PARSER)
    except (etree.ParserError, ValueError):
        return PageView(is_html=True, raw_lower=raw_lower)
    etree.strip_elements(doc, *_STRIP_TAGS, with_tail=False)
    etree.strip_elements(doc, etree.Comment, with_tail=False)
    title = _squash(doc.findtext(".//title") or "")
    h1s = tuple(_squash(h.text_content()) for h in doc.iter("h1"))[:5]
    body = doc.find("body")
    root = body if body is not None else doc
    all_text = _squash(" ".join(root.itertext()))
    etree.strip_elements(root, *_CHROME_TAGS, with_tail=False)
    main_text = _squash(" ".join(root.itertext()))
    return PageView(is_html=True, title=title, h1s=h1s, text=all_text, main_text=main_text, raw_lower=raw_lower)


def text_similarity(a: str, b: str, *, max_tokens: int = DEFAULT_SETTINGS.similarity_max_tokens) -> float:
    """0..1 similarity of two texts as sequences of normalised whitespace tokens (the
    ``SequenceMatcher``-on-tokens measure of ``benhoyt/soft404``, computed with rapidfuzz)."""
    tokens_a = normalize(a).split()[:max_tokens]
    tokens_b = normalize(b).split()[:max_tokens]
    if not tokens_a and not tokens_b:
        return 1.0
    return fuzz.ratio(tokens_a, tokens_b) / 100
