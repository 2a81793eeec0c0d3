"""What the relevance rule tests share: the packaged claims, the matches of one item, and the
match one item gets for a claim."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

from kzwatch.model import Claim, ClaimMatch, FeedItem
from kzwatch.relevance import load_claims, score_item

ARTICLE = "beimenbetov-2021"


def packaged_claims() -> list[Claim]:
    text = resources.files("kzwatch.data").joinpath("claims.toml").read_text(encoding="utf-8")
    return load_claims(text, ARTICLE)


def matches(claims: list[Claim], title: str, text: str = "",
            published: str | None = None) -> dict[str, ClaimMatch]:
    """Claim id -> match for an item made of *title* and *text* (published on *published*)."""
    when = datetime.fromisoformat(published).replace(tzinfo=UTC) if published else None
    item = FeedItem(url="https://example.org/x", title=title, text=text, published_at=when)
    return {m.claim_id: m for m in score_item(item, claims)}


def stance_of(claims: list[Claim], claim_id: str, title: str, text: str = "",
              published: str | None = None) -> ClaimMatch:
    """The match of *claim_id* on an item made of *title* and *text* (an error when the claim
    is not flagged: a stance test must not pass on an item the gate rejects)."""
    found = matches(claims, title, text, published)
    assert claim_id in found, (claim_id, sorted(found))
    return found[claim_id]


def found_claims(claims: list[Claim], title: str, text: str, lang: str) -> set[str]:
    """The claims flagged on an item of *lang* made of *title* and *text*."""
    item = FeedItem(url="https://example.org/x", title=title, text=text, lang=lang)
    return {m.claim_id for m in score_item(item, claims)}
