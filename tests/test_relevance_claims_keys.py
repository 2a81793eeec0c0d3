"""A misspelt key of the claims file, or of a table in a claim the scorer reads, stops loading
with one line naming it (else the rule it sets would be switched off without a word)."""

from __future__ import annotations

import pytest

from kzwatch.relevance.claimsfile import load_claims

_TWO = '[[claim]]\nid = "A"\ntext = "t"\n{extra}\n[[claim]]\nid = "B"\ntext = "u"\n'


@pytest.mark.parametrize(("extra", "message"), [
    ('scope = { own = ["x"], publised_from = 2021 }', r"claim A: scope: unknown key 'publised_from'"),
    ('scope = { latest = { terms = ["x"], after = 2021, befor = 1 } }',
     r"claim A: scope.latest: unknown key 'befor'"),
    ('quantity = { values = [63.3], tolerence = 1 }', r"claim A: quantity\[0\]: unknown key 'tolerence'"),
    ('yields_to = { claim = "B", stance = ["updates"] }', r"claim A: yields_to: unknown key 'stance'"),
    ('named_alone = { names = ["x"], unles = ["y"] }', r"claim A: named_alone: unknown key 'unles'"),
    ('scope = { published_from = "2021" }', r"claim A: scope.published_from: must be an integer"),
    ('scope = { not_other = 3 }', r"claim A: scope.not_other: expected a list of strings"),
])
def test_a_bad_key_in_a_claims_table_is_one_line_naming_it(extra: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        load_claims(_TWO.format(extra=extra), "a")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("head", "message"), [
    ('revisit_term = ["returned to"]', r"claims file: unknown key 'revisit_term'"),
    ("revisit_terms = 3", r"claims file: revisit_terms: expected a list of strings"),
])
def test_a_bad_file_wide_key_is_one_line_naming_it(head: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_claims(head + "\n" + _TWO.format(extra=""), "a")


def test_the_known_keys_still_load() -> None:
    claims = load_claims('revisit_terms = ["returned to"]\n' + _TWO.format(
        extra='scope = { own = ["x"], published_from = 2021, not_other = ["y z"] }'), "a")
    assert claims[0].extra["scope"]["published_from"] == 2021
    assert claims[1].extra["revisit_terms"] == ["returned to"]


@pytest.mark.parametrize(("extra", "message"), [
    ('exclude = [{ terms = ["x"], unles = ["y"] }]', r"claim A: exclude\[0\]: unknown key 'unles'"),
    ('renames = [{ old = ["x"], nwe = ["y"] }]', r"claim A: renames\[0\]: unknown key 'nwe'"),
])
def test_a_misspelt_key_of_a_guard_or_rename_is_an_error(extra: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_claims(_TWO.format(extra=extra), "a")


def test_a_rename_keeps_its_note() -> None:
    (claim, _) = load_claims(_TWO.format(
        extra='renames = [{ old = ["x"], new = ["y"], note = "2022" }]'), "a")
    assert claim.extra["renames"] == [{"old": ["x"], "new": ["y"], "note": "2022"}]


# --- The keys of rounds 24-26: misspelt, mistyped or set so that they could do nothing ------

_BALLOT = 'ballot = {{ parties = [["p"], ["q"]], vote = ["vote"]{more} }}'
_FEWER = 'quantity = {{ values = [360], cues = ["held"], fewer = {{ {fewer} }}{more} }}'


@pytest.mark.parametrize(("extra", "message"), [
    (_BALLOT.format(more=", unles = []"), r"claim A: ballot: unknown key 'unles'"),
    (_BALLOT.format(more=", at_least = 3"), r"claim A: ballot.at_least: 3 is more than its 2 parties"),
    ('ballot = { parties = [["p"], ["q"]] }', r"claim A: ballot.vote: must name at least one"),
    ('named_restates = 1', r"claim A: named_restates: must be true or false"),
    ('kind = "vote"\nnamed_restates = true', r'claim A: named_restates = true needs kind = "state"'),
    ('scope = { result = ["76 seats"] }', r"claim A: scope: unknown key 'result'"),
    ('scope = { results = 76 }', r"claim A: scope.results: expected a list of strings"),
    (_FEWER.format(fewer='terms = ["dozens"], below = 100, need = ["only"]', more=""),
     r"claim A: quantity\[0\].fewer: unknown key 'need'"),
    (_FEWER.format(fewer='terms = ["dozens"], below = 100', more=""),
     r"claim A: quantity\[0\].fewer: needs 'terms', 'below' \(above 0\) and 'needs'"),
    (_FEWER.format(fewer='terms = ["dozens"], below = 500, needs = ["only"]', more=""),
     r"claim A: quantity\[0\].fewer: 'below' \(500\) must not be above"),
    ('quantity = { values = [360], cues = ["held"], words_only = true }',
     r"claim A: quantity\[0\]: 'words_only' reads no digits"),
    (_FEWER.format(fewer='terms = ["dozens"], below = 100, needs = ["only"]', more=", year = 2021.5"),
     r"claim A: quantity\[0\].year: must be an integer"),
    ('anchors = ["@a & @nogroup"]', r"claim A: anchors: unknown term group '@nogroup'"),
])
def test_a_bad_key_of_this_sessions_rounds_is_one_line_naming_it(extra: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        load_claims("[groups]\na = [\"x\"]\n" + _TWO.format(extra=extra), "a")
    assert "\n" not in str(caught.value)


def test_this_sessions_keys_load_when_right() -> None:
    extra = "\n".join([
        'kind = "state"', "named_restates = true", "unique_mentions = false",
        _BALLOT.format(more=", at_least = 2, unless = [\"r\"]"),
        _FEWER.format(fewer='terms = ["dozens"], below = 100, needs = ["only"]',
                      more=", words_only = true, year = 2021"),
        'scope = { results = ["76 seats"] }', 'anchors = ["@a & y"]'])
    (claim, _) = load_claims("[groups]\na = [\"x\", \"w\"]\n" + _TWO.format(extra=extra), "a")
    assert claim.extra["ballot"]["at_least"] == 2
    assert claim.extra["quantity"][0]["fewer"]["below"] == 100
    assert claim.extra["anchors"] == ["x & y", "w & y"]
