"""An HTML page of the published article: its endnote/footnote links and their context.

Think tanks publish HTML whose body links each note marker to the note (``<a href="#fn3">``);
the notes are whatever those links point at (a ``<li>``, ``<p>`` or ``<div>``).  Failing such
links, a list inside an element whose class or id says footnotes/endnotes/notes is read.  In a
note, a link's address is written after its text (``the planting map <https://…>``) so the
common URL finder sees it; back-links (``↩``) are dropped.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from kzwatch.corpus.formats import Document, InputError, register
from kzwatch.corpus.formats.text import decode
from kzwatch.corpus.notes import NoteBlock

_NOTES_CONTAINER_RE = re.compile(r"(?i)foot-?notes?|end-?notes?|^notes$|notes-list|references|fn-?list")
_LABEL_RE = re.compile(r"^\s*\[?\(?([0-9]{1,3}|[*†‡§]{1,3}|[ivxlc]{1,5})\)?\]?\s*$")


def _note_element(soup: BeautifulSoup, target: str) -> Tag | None:
    element = soup.find(id=target) or soup.find("a", attrs={"name": target})
    if not isinstance(element, Tag):
        return None
    while element.name in ("a", "span", "sup", "strong", "em", "b", "i") and isinstance(element.parent, Tag):
        element = element.parent  # the anchor sits inside the note: take the note itself
    return element


def _attr(tag: Tag, name: str) -> str:
    """An attribute as one string (BeautifulSoup gives multi-valued ones such as class as lists)."""
    value = tag.get(name)
    return " ".join(value) if isinstance(value, list) else (value or "")


def _bare(url: str) -> str:
    return re.sub(r"(?i)^https?://|/$", "", url.strip())


def _is_note_link(a: Tag, label: str) -> bool:
    """A body link to a note: its text is a label and it is superscript or named like a note."""
    named = re.search(r"(?i)fn|note|ref", _attr(a, "href") + " " + _attr(a, "class"))
    return bool(_LABEL_RE.match(label) and (a.find_parent("sup") or a.find("sup") or named))


def _note_text(element: Tag) -> str:
    element = BeautifulSoup(str(element), "lxml")  # a copy: the page itself stays intact
    for a in element.find_all("a"):
        href = _attr(a, "href").strip()
        text = a.get_text(" ", strip=True)
        if href.startswith("#") or not href:
            if _LABEL_RE.match(text) or text in ("↩", "↑", "^", "back"):
                a.decompose()
            continue
        if re.match(r"(?i)^https?://", href):
            shown = _bare(text).rstrip("….")
            a.replace_with(f"<{href}>" if shown and _bare(href).startswith(shown) else f"{text} <{href}>")
    return " ".join(element.get_text(" ").split())


def _linked_notes(soup: BeautifulSoup) -> list[tuple[str, Tag]]:
    """(label, note element) for each body link to an in-page note, in order of first reference.

    Each body link is replaced by "[label]" so the running text keeps its note references."""
    found: dict[str, tuple[str, Tag]] = {}
    refs: list[tuple[Tag, str]] = []
    for a in soup.find_all("a", href=re.compile(r"^#.")):
        label = a.get_text(strip=True)
        if not _is_note_link(a, label):
            continue
        target = _attr(a, "href")[1:]
        element = _note_element(soup, target)
        if element is None or element.find_parent("sup") or a in element.descendants:
            continue
        refs.append((a, label.strip("[]()")))
        found.setdefault(target, (label.strip("[]()"), element))
    for a, label in refs:
        (a.find_parent("sup") or a).replace_with(f"[{label}]")
    return list(found.values())


def _listed_notes(soup: BeautifulSoup) -> list[tuple[str, Tag]]:
    for container in soup.find_all(True, attrs={"class": True}) + soup.find_all(True, id=True):
        names = _attr(container, "class") + " " + _attr(container, "id")
        if _NOTES_CONTAINER_RE.search(names.strip()):
            items = container.find_all("li")
            if items:
                return [(str(i), item) for i, item in enumerate(items, start=1)]
    return []


@register("html")
def read_html(data: bytes, name: str, article_id: str) -> Document:
    soup = BeautifulSoup(decode(data, name), "lxml")
    for junk in soup.find_all(["script", "style", "noscript"]):
        junk.decompose()
    pairs = _linked_notes(soup) or _listed_notes(soup)
    notes: list[NoteBlock] = []
    labels = [label for label, _ in pairs]
    unique_numbers = all(lab.isdigit() for lab in labels) and len(set(labels)) == len(labels)
    for position, (label, element) in enumerate(pairs, start=1):
        number = int(label) if unique_numbers else position
        notes.append(NoteBlock(number, label, _note_text(element), 0,
                               label="" if label == str(number) else label))
    title = soup.find("meta", property="og:title")
    heading = soup.find("h1")
    page_title = (_attr(title, "content") if isinstance(title, Tag) else None) or (
        heading.get_text(" ", strip=True) if heading else None) or (soup.title.string if soup.title else None)
    body = soup.find("article") or soup.find("main") or soup.body
    if body is None:
        raise InputError(f"{name}: an HTML document without a body")
    for _, element in pairs:
        element.extract()  # the body text without the notes, for claim drafting
    blocks = (p.get_text(" ", strip=True) for p in body.find_all(["p", "li", "h2", "h3"]))
    text = "\n\n".join(b for b in blocks if b)
    return Document("html", text=text, notes=notes, title=page_title)
