"""Rules of round 24b (C12 told by an instance: an opposition figure or a rights defender in
prison, in one sentence).  The rule cases fail on the scorer and claims file before the round;
their guard twins pass on both.  The texts are our own."""

from __future__ import annotations

import pytest
from relevance_helpers import matches, stance_of

from kzwatch.relevance.claimsfile import _expand

# --- "@group & @group": one "a & b" term per pair of the groups' words ----------------------


def test_a_pair_of_groups_is_every_pair_of_their_words() -> None:
    groups = {"acts": ["jailed", "behind bars"], "who": ["opposition", "dissident"]}
    assert _expand(["@acts & @who", "plain"], groups, "test") == [
        "jailed & opposition", "jailed & dissident", "behind bars & opposition",
        "behind bars & dissident", "plain"]


def test_a_group_and_a_word_pair_too() -> None:
    assert _expand(["@acts & Almaty"], {"acts": ["jailed", "sentenced"]}, "test") == [
        "jailed & Almaty", "sentenced & Almaty"]


def test_a_group_of_pairs_cannot_be_paired_again() -> None:
    with pytest.raises(ValueError, match="holds an \"a & b\" term"):
        _expand(["@pairs & @who"], {"pairs": ["a & b"], "who": ["c"]}, "test")


def test_an_unknown_group_in_a_pair_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown term group '@nobody'"):
        _expand(["@nobody & opposition"], {}, "test")


# --- C12 by an instance: a prison term and who it was brought against --------------------------

_JAILED_EN = ("In Almaty an opposition leader has been jailed for seven years, and his "
              "supporters say the verdict was written in advance.")
_JAILED_RU = ("В Алматы оппозиционер остаётся за решеткой уже третий год, напомнили его "
              "сторонники на пресс-конференции.")


@pytest.mark.parametrize(("title", "text"), [
    ("A verdict in Almaty", _JAILED_EN),
    ("Приговор в Алматы", _JAILED_RU),
])
def test_an_opposition_figure_in_prison_is_c12(claims, title, text) -> None:
    assert stance_of(claims, "C12", title, text).stance == "confirms"


def test_a_bare_activist_jailed_is_not_c12(claims) -> None:
    # Guard twin: "activist" alone with "jailed" is as often a ten-day administrative term.
    text = ("In Almaty an activist has been jailed for ten days after a rally, and his "
            "supporters say the verdict was written in advance.")
    assert "C12" not in matches(claims, "A verdict in Almaty", text)


def test_law_enforcement_in_kazakh_is_no_rights_defender(claims) -> None:
    # Guard twin: "құқық қорғау органдары" (law enforcement) is not "құқық қорғаушы".
    text = "Алматыда құқық қорғау органдары ұрлық үшін екі адамның сотталғанын хабарлады."
    assert "C12" not in matches(claims, "Алматыдағы сот", text)


def test_the_rfe_spelling_of_agadil_is_c12(claims) -> None:
    text = "Relatives of Dulat Aghadil in Nur-Sultan still ask how he died in a detention centre."
    assert "C12" in matches(claims, "A death in a detention centre", text)


# --- A party founder's own case is C8's news (yields_to) -------------------------------------

_FOUNDER = ("Zhanbolat Mamay, whose Democratic Party remains unregistered, was jailed on "
            "Monday, opposition supporters in Almaty said.")


def test_a_party_founders_prison_term_is_c8s_news(claims) -> None:
    found = matches(claims, "A party founder jailed", _FOUNDER)
    assert "C8" in found
    assert "C12" not in found


def test_political_prisoners_named_keep_c12_beside_c8(claims) -> None:
    # Guard twin: the same case told as one of the country's political prisoners.
    text = _FOUNDER + " Rights groups count him among Kazakhstan's political prisoners."
    found = matches(claims, "A party founder jailed", text)
    assert {"C8", "C12"} <= set(found)


# --- C8 told as a threshold for registration, or a new party beside another's full name -----


def test_the_threshold_for_registration_in_russian_is_c8(claims) -> None:
    text = "В Казахстане поправки снизили порог для регистрации: теперь хватит пяти тысяч членов."
    assert "C8" in matches(claims, "Поправки о партиях в Астане", text)


def test_a_new_party_beside_ak_zhols_full_name_is_c8(claims) -> None:
    text = ("ASTANA – A new party received state registration from the Justice Ministry; the "
            "others include the Ak Zhol Democratic Party of Kazakhstan.")
    assert "C8" in matches(claims, "A party registered in Astana", text)


def test_ak_zhols_full_name_alone_is_not_c8(claims) -> None:
    # Guard twin: another party's full name holds "Democratic Party of Kazakhstan".
    text = "ASTANA – The Ak Zhol Democratic Party of Kazakhstan held its congress on Friday."
    assert "C8" not in matches(claims, "A congress in Astana", text)


# --- C12 named by its own words confirms it (named_restates) ---------------------------------


def test_political_prisoners_named_confirm_the_state(claims) -> None:
    text = ("Rights groups in Almaty say political prisoners wait for news. The film follows "
            "the activist's family.")
    assert stance_of(claims, "C12", "", text).stance == "confirms"


def test_agadil_named_alone_only_mentions_the_state(claims) -> None:
    # Guard twin: a name only the claim's event has is not the state's own words.
    text = ("Documentary about Dulat Agadil premieres in Almaty. The film follows the "
            "activist's family and friends in his home village.")
    assert stance_of(claims, "C12", "", text).stance == "mentions"


def test_named_restates_is_a_flag() -> None:
    from kzwatch.relevance import load_claims
    text = ('[[claim]]\nid = "X"\ntext = "t"\nanchors = ["a"]\nnamed_restates = "yes"\n')
    with pytest.raises(ValueError, match="named_restates"):
        load_claims(text, "a")
