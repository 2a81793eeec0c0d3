"""Every policy number of ``RelevanceSettings`` is read: a value other than the default changes
what the scorer decides on a small invented claim and item (none of the packaged claims)."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime

import pytest
from relevance_helpers import packaged_claims

from kzwatch.model import Claim, FeedItem
from kzwatch.relevance import RelevanceSettings, load_claims, score_item
from kzwatch.relevance.compiled import compiled_claim
from kzwatch.relevance.denials import disputed_by_anyone, official_denials
from kzwatch.relevance.negation import affirmed, said
from kzwatch.relevance.numbers import SentenceNumbers
from kzwatch.relevance.qualifiers import consistent
from kzwatch.relevance.renames import reported_renames
from kzwatch.relevance.scoring import assess, prepare
from kzwatch.relevance.settings import DEFAULT_SETTINGS
from kzwatch.relevance.shares import share_told
from kzwatch.relevance.stance_words import denied_event
from kzwatch.relevance.text import Doc, term_hits

#: An invented standing state: "Zorblat" holds a 42% share (figures 42%, 17%, 88%), with a
#: count of 42 members; its words are widget, gizmo and sprocket.
_STATE = '''
[[claim]]
id = "X1"
text = "Zorblat holds a 42% share."
footnotes = []
figures = ["42%", "17%", "88%"]
anchors = ["zorblat"]
kind = "state"
year = 2020
dispute_terms = ["disputed"]
denial_speakers = ["ministry"]
denial_terms = ["untrue"]
confirm_terms = ["removed"]
[claim.terms]
en = ["widget", "gizmo", "sprocket"]
[[claim.quantity]]
name = "share"
cues = ["share"]
values = [42]
unit = "%"
[[claim.quantity]]
name = "members"
cues = ["members"]
values = [42]
unit = ""
'''

#: An invented event: people detained at a "blorp" rally.
_EVENT = '''
[[claim]]
id = "X2"
text = "People were detained at the blorp rally."
footnotes = []
anchors = ["blorp", "detained"]
kind = "event"
year = 2020
'''

#: An invented party renamed: "Fooparty" became "Quuxcorp".
_RENAMED = '''
[[claim]]
id = "X3"
text = "Fooparty is the ruling party."
footnotes = []
anchors = ["fooparty", "quuxcorp"]
kind = "state"
renames = [{ old = ["Fooparty"], new = ["Quuxcorp"] }]
'''

#: Only the part under test scores: the caps are read off the score itself.
_ZERO = {"threshold": 0.0, "w_anchor": 0.0, "w_anchor_in_title": 0.0, "w_extra_anchor": 0.0,
         "w_term": 0.0, "w_figure": 0.0, "w_quantity": 0.0, "w_change": 0.0}


@pytest.fixture(scope="module")
def state() -> Claim:
    return load_claims(_STATE, "invented")[0]


def _match(claim: Claim, title: str, text: str, settings: RelevanceSettings):
    item = FeedItem(url="https://example.org/x", title=title, text=text)
    found = score_item(item, [claim], settings=settings)
    assert len(found) == 1, found
    return found[0]


#: Four anchor places (three more than the first), three terms, three figures.
_THREE_OF_EACH = ("Zorblat makes a widget, a gizmo and a sprocket. Zorblat again. "
                  "Zorblat and Zorblat said 42%, 17% and 88%.")


@pytest.mark.parametrize(("cap", "weight"), [("max_extra_anchors", "w_extra_anchor"),
                                             ("max_terms", "w_term"),
                                             ("max_figures", "w_figure")])
def test_a_score_cap_is_read(state, cap, weight) -> None:
    only = RelevanceSettings(**{**_ZERO, weight: 0.1})
    assert _match(state, "News", _THREE_OF_EACH, only).score == 0.2  # the default cap: 2
    assert _match(state, "News", _THREE_OF_EACH, replace(only, **{cap: 3})).score == 0.3


@pytest.mark.parametrize(("text", "field", "value"), [
    # an anchor (3) outweighs two terms (2) unless an anchor weighs less, or a term more
    ("Zorblat met today. A widget and a gizmo were shown.", "sentence_weight_anchor", 1.5),
    ("Zorblat met today. A widget and a gizmo were shown.", "sentence_weight_term", 2.0),
    # an anchor (3) outweighs a claim figure's sentence (2) unless the figure weighs more
    ("Zorblat met today. It was 17% in all.", "sentence_weight_figure", 4.0),
    # ... and a sentence with a number read as one of the claim's quantities (2)
    ("Zorblat met today. The share was 30%.", "sentence_weight_quantity", 4.0),
])
def test_a_sentence_weight_picks_the_sentence_shown(state, text, field, value) -> None:
    settings = RelevanceSettings(threshold=0.0)
    assert _match(state, "News", text, settings).sentence == "Zorblat met today."
    changed = _match(state, "News", text, replace(settings, **{field: value})).sentence
    assert changed == text.split(". ", 1)[1]


def test_how_near_a_differing_figure_decides_a_states_stance(state) -> None:
    text = "Zorblat met in 2020. Nothing else was said. The share was 30% in 2020."
    settings = RelevanceSettings(threshold=0.0)
    assert _match(state, "News", text, settings).stance == "mentions"
    assert _match(state, "News", text, replace(settings, figure_near_sentences=2)).stance \
        == "contradicts"


def test_how_near_a_dispute_word_counts(state) -> None:
    doc = Doc(["News", "Zorblat met.", "Nothing else.", "The count was disputed."])
    compiled = compiled_claim(state)
    assert disputed_by_anyone(doc, compiled, {1}) == []
    wider = replace(DEFAULT_SETTINGS, denial_near_sentences=2)
    assert disputed_by_anyone(doc, compiled, {1}, wider) == ["disputed"]


def test_the_smallest_bare_count_that_may_differ(state) -> None:
    item = FeedItem(url="https://example.org/x", title="News", text="Zorblat has 5 members.")
    prep = prepare(item)
    assert prep is not None
    settings = RelevanceSettings(threshold=0.0)
    assert assess(prep, state, settings=settings).evidence.differing == []
    lower = replace(settings, differing_count_floor=5)
    assert assess(prep, state, settings=lower).evidence.differing == ["members 5"]


def test_how_far_back_a_negation_denies_a_restatement(state) -> None:
    doc = Doc(["News", "Zorblat met.", "The ministry said no observer was ever removed."])
    compiled = compiled_claim(state)
    assert official_denials(doc, compiled, {1}) == []  # "no" is four tokens back
    wider = replace(DEFAULT_SETTINGS, denial_negation_tokens=4)
    assert official_denials(doc, compiled, {1}, wider) == ["not removed"]


def test_how_far_on_a_kazakh_negation_denies_a_restatement(state) -> None:
    doc = Doc(["News", "Zorblat met.", "The ministry said observers removed әлі де жоқ."])
    compiled = compiled_claim(state)
    assert official_denials(doc, compiled, {1}) == []  # "жоқ" is three tokens after
    wider = replace(DEFAULT_SETTINGS, denial_negation_after_tokens=3)
    assert official_denials(doc, compiled, {1}, wider) == ["not removed"]


def test_how_far_back_nobody_denies_an_event() -> None:
    event = load_claims(_EVENT, "invented")[0]
    compiled = compiled_claim(event)
    doc = Doc(["Nobody at the blorp rally on that Monday evening was detained."])
    anchors = term_hits(doc, compiled.anchors)
    assert denied_event(doc, compiled, {"detained": anchors["detained"]}) == []
    wider = replace(DEFAULT_SETTINGS, nobody_tokens=10)  # "nobody" is ten tokens back
    assert denied_event(doc, compiled, {"detained": anchors["detained"]}, wider) == ["detained"]


def test_how_near_a_share_must_stand_to_its_party() -> None:
    # Round 23's own sentence, our words: three tokens between "Nur Otan" and the share.
    party_result = compiled_claim(next(c for c in packaged_claims() if c.id == "C2"))
    sentence = "In Astana the Nur Otan list had gathered 68.4% by the morning count."
    doc, numbers = Doc([sentence]), SentenceNumbers([sentence])
    assert share_told(doc, party_result, numbers)
    assert not share_told(doc, party_result, numbers, replace(DEFAULT_SETTINGS,
                                                              share_owner_tokens=2))


def test_how_far_back_a_flat_denial_reaches() -> None:
    event = load_claims(_EVENT, "invented")[0]
    compiled = compiled_claim(event)
    # "никакого" three tokens before the event's word, two adjectives between.
    doc = Doc(["Никакого большого шумного blorp в тот день не было."])
    anchors = term_hits(doc, compiled.anchors)
    assert denied_event(doc, compiled, anchors) == []
    wider = replace(DEFAULT_SETTINGS, flat_denial_tokens=3)
    assert denied_event(doc, compiled, anchors, wider) == ["blorp"]


def test_how_far_back_a_negation_reaches() -> None:
    doc = Doc(["Not one of these new parties registered."])  # "not" six tokens back
    hits = {"registered": [(0, 6, 6)]}
    assert affirmed(doc, hits) == ["registered"] and said(doc, hits) == ["registered"]
    wider = replace(DEFAULT_SETTINGS, negation_before_tokens=6)
    assert affirmed(doc, hits, wider) == [] and said(doc, hits, wider) == []


def test_how_far_on_a_kazakh_negation_reaches() -> None:
    doc = Doc(["Партия тіркелген әлі де жоқ."])  # "жоқ" three tokens after
    hits = {"тіркелген": [(0, 1, 1)]}
    assert affirmed(doc, hits) == ["тіркелген"]
    assert affirmed(doc, hits, replace(DEFAULT_SETTINGS, negation_after_tokens=3)) == []


def test_how_near_the_old_name_reports_a_rename() -> None:
    claim = load_claims(_RENAMED, "invented")[0]
    doc = Doc(["Quuxcorp opened an office.", "It hired staff.", "Fooparty members came."])
    assert reported_renames(doc, compiled_claim(claim)) == []
    wider = replace(DEFAULT_SETTINGS, rename_near_sentences=2)
    assert reported_renames(doc, compiled_claim(claim), wider) == ["Fooparty → Quuxcorp"]


def test_how_near_a_bound_must_be_to_agree() -> None:
    assert not consistent("over", 10, 63.25, 0.5)  # true of 63.25, but 53 points away
    assert consistent("over", 10, 63.25, 0.5, replace(DEFAULT_SETTINGS, bound_near_fraction=0.9))


def test_how_much_rounding_about_allows() -> None:
    assert not consistent("about", 21.5, 20, 0.5)  # one point (or 3%) allowed, 1.5 off
    assert consistent("about", 21.5, 20, 0.5, replace(DEFAULT_SETTINGS, about_points=2.0))
    assert not consistent("about", 207, 200, 0.5)  # 3% of 200 is 6, and 7 off
    assert consistent("about", 207, 200, 0.5, replace(DEFAULT_SETTINGS, about_fraction=0.04))


def test_how_many_years_ahead_a_number_is_a_year(state) -> None:
    item = FeedItem(url="https://example.org/x", title="News",
                    text="Zorblat plans a widget for 2026.")
    prep = prepare(item)
    assert prep is not None
    now = datetime(2024, 6, 1, tzinfo=UTC)
    settings = RelevanceSettings(threshold=0.0)
    assert assess(prep, state, now=now, settings=settings).evidence.later_years == []
    ahead = replace(settings, years_ahead=2)
    assert assess(prep, state, now=now, settings=ahead).evidence.later_years == [2026]


def test_every_field_is_tested_here() -> None:
    """A new policy number gets its test above (the weights and threshold: test_relevance_matcher)."""
    tested = {"max_extra_anchors", "max_terms", "max_figures", "sentence_weight_anchor",
              "sentence_weight_term", "sentence_weight_figure", "sentence_weight_quantity",
              "figure_near_sentences", "denial_near_sentences", "differing_count_floor",
              "denial_negation_tokens", "denial_negation_after_tokens", "nobody_tokens",
              "flat_denial_tokens", "negation_before_tokens", "share_owner_tokens",
              "negation_after_tokens", "rename_near_sentences", "bound_near_fraction",
              "about_points", "about_fraction", "years_ahead", "change_near_sentences",
              "threshold"}
    assert {f.name for f in fields(RelevanceSettings) if not f.name.startswith("w_")} <= tested


def test_a_negative_policy_number_is_a_one_line_error() -> None:
    with pytest.raises(ValueError, match="'max_terms' must be 0 or more, not -1"):
        RelevanceSettings(max_terms=-1)
    with pytest.raises(ValueError, match="'threshold' must be 0 or more, not -0.5"):
        RelevanceSettings(threshold=-0.5)


def test_the_scoring_section_of_the_config_is_the_scorers_settings(tmp_path) -> None:
    """``[scoring]`` reaches the scorer: the discovery cycle and ``kzwatch explain`` read it."""
    from kzwatch.config import ConfigError, load_config

    path = tmp_path / "kzwatch.toml"
    path.write_text("[[article]]\nid = \"beimenbetov-2021\"\n[scoring]\nmax_terms = 1\n",
                    encoding="utf-8")
    assert load_config(path, env={}, cwd=tmp_path).scoring == RelevanceSettings(max_terms=1)
    path.write_text("[[article]]\nid = \"beimenbetov-2021\"\n[scoring]\nmax_terms = -2\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="max_terms"):
        load_config(path, env={}, cwd=tmp_path)
