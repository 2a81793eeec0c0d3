"""The stance of an item towards a claim, from the evidence, with a one-line reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kzwatch.relevance.compiled import Compiled

if TYPE_CHECKING:
    from kzwatch.relevance.scoring import Evidence

def choose_stance(ev: Evidence, compiled: Compiled) -> tuple[str, str]:
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
    if ev.confirms:
        return "confirms", "restates the claim: " + ", ".join(ev.confirms[:3])
    if len(ev.support) >= 2:
        return "confirms", "restates the claim: " + ", ".join(list(ev.support)[:4])
    return "mentions", "bears on the claim without figures or change: " + ", ".join(
        list(ev.anchors)[:3]
    )

