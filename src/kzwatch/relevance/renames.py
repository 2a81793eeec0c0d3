"""A body renamed or replaced (claims key ``renames``): which renames an item names, and which
it reports."""

from __future__ import annotations

from kzwatch.relevance.compiled import Compiled
from kzwatch.relevance.negation import affirmed
from kzwatch.relevance.settings import DEFAULT_SETTINGS, RelevanceSettings
from kzwatch.relevance.text import Doc, any_hits, term_hits


def _around(sentences: set[int], near: int) -> set[int]:
    return {s + d for s in sentences for d in range(-near, near + 1)}


def reported_renames(doc: Doc, compiled: Compiled,
                     settings: RelevanceSettings = DEFAULT_SETTINGS) -> list[str]:
    """The renames the item reports: a successor's name with the old name or a change word in
    its sentence or up to ``settings.rename_near_sentences`` (one) from it.  Apart, they are two mentions, not the rename told: a
    poll by "the ruling Amanat" in a page that says elsewhere the threshold "was lowered"
    (real 14) reports no rename."""
    # A rename is reported only with its new name: most items name none (one AND each), and
    # then the change words need not be read.
    if not any(any_hits(doc, new_terms) for _, new_terms, _ in compiled.renames):
        return []
    hits = term_hits(doc, compiled.change)
    within = settings.rename_near_sentences
    changed = _around({s for term in affirmed(doc, hits, settings) for s, _, _ in hits[term]},
                      within)
    return renames_named(doc, compiled, ["change"] if changed else [], require_old=True,
                         near=changed, within=within)


def renames_named(doc: Doc, compiled: Compiled, changes: list[str], *, require_old: bool,
                  within: int, near: set[int] | None = None) -> list[str]:
    """Renames/replacements the item names: a new name (with the old one or a change word when
    *require_old*; with *near*, the sentences around a change word, both beside the new name:
    the old name within *within* sentences of it)."""
    found = []
    for old_terms, new_terms, note in compiled.renames:
        new_hits = term_hits(doc, new_terms)
        old_hits = term_hits(doc, old_terms)
        if near is not None:
            new_at = {s for occ in new_hits.values() for s, _, _ in occ}
            old_near = _around({s for occ in old_hits.values() for s, _, _ in occ}, within)
            old_hits = old_hits if new_at & old_near else {}
            changes_here = changes if new_at & near else []
        else:
            changes_here = changes
        if new_hits and (old_hits or changes_here or not require_old):
            old = next(iter(old_hits), old_terms[0].text if old_terms else "?")
            found.append(f"{old} → {next(iter(new_hits))}" + (f" ({note})" if note else ""))
    return found
