"""support: claim figures and terms found across number, date and script variants."""

import pytest

from kzwatch.health.support import (
    SupportResult,
    TextFacts,
    claim_support,
    compare_support,
    figure_found,
    lost_items,
    parse_figure,
    term_found,
)
from kzwatch.model import Claim


def _claim(figures=(), terms=None, cid="C1") -> Claim:
    return Claim(article_id="a", id=cid, text="claim", figures=tuple(figures), terms=terms or {})


@pytest.mark.parametrize(
    "figure,text",
    [
        ("35.10%", "По данным МИСК, явка составила 35,1 %."),
        ("35.10%", "Turnout was 35.10 percent."),
        ("35.1%", "явка 35,10 процента"),
        ("63%", "ЦИК объявил явку в 63 процентов избирателей"),
        ("3.8%", "сайлаушылардың 3,8 пайызы"),
        ("340,000", "испорчено более 340 000 бюллетеней"),
        ("340,000", "испорчено более 340\u00a0000 бюллетеней"),
        ("340,000", "испорчено 340 тыс. бюллетеней"),
        ("340,000", "more than 340,000 ballots"),
        ("18 million", "население — 18 млн человек"),
        ("89,505", "89 505 студентов"),
        ("25 May 2020", "закон от 25 мая 2020 года"),
        ("25 May 2020", "law of May 25, 2020"),
        ("25 May 2020", "от 25.05.2020 № 333-VI"),
        ("25 May 2020", "2020 жылғы 25 мамырдағы заң"),
        ("25 Feb 2020", "скончался 25 февраля 2020 года"),
        ("July 2019", "созданный в июле 2019 года совет"),
        ("July 2019", "указ от 17 июля 2019 года"),
        ("6 of 7", "6 из 7 новых партий"),
        ("5 days", "не позднее чем за 5 дней"),
        ("9 hours", "about 9 hours in the cold"),
        ("44 members", "в совет вошли 44 члена"),
        ("49%/30%", "49% и 30% опрошенных"),
        ("2005", "графа исключена в 2005 году"),
    ],
)
def test_figure_found_across_formats(figure, text):
    assert figure_found(figure, TextFacts(text))


@pytest.mark.parametrize(
    "figure,text",
    [
        ("35.10%", "явка 35,2 %"),
        ("63%", "63 человека пришли"),  # a percentage needs a percent sign or word
        ("340,000", "испорчено 340 бюллетеней"),  # "340,000" in a claims file is thousands
        ("25 May 2020", "25 мая 2021 года"),
        ("July 2019", "в июне 2019 года"),
        ("5 days", "5 человек задержаны"),  # the unit must follow
        ("6 of 7", "6 партий и 7 движений"),
        ("49%/30%", "49% опрошенных"),  # both parts required
        ("2005", "в 2006 году"),
    ],
)
def test_figure_not_found(figure, text):
    assert not figure_found(figure, TextFacts(text))


def test_parse_figure_kinds():
    assert parse_figure("63%").kind == "percent"
    assert parse_figure("340,000").kind == "number"
    assert parse_figure("25 May 2020").kind == "date"
    assert parse_figure("July 2019").kind == "month_year"
    assert parse_figure("6 of 7").kind == "ratio"
    assert parse_figure("44 members").kind == "unit"
    assert parse_figure("49%/30%").kind == "all"
    assert parse_figure("18 and 7 rallies").kind == "numbers"
    assert parse_figure("OSDP").kind == "term"


@pytest.mark.parametrize(
    "term,lang,text",
    [
        ("OSDP", "en", "ОСДП объявила бойкот выборам"),
        ("ОСДП", "ru", "The OSDP announced a boycott"),
        ("против всех", "ru", "графа «Против всех» исключена"),
        ("выборы", "ru", "объявила бойкот выборам"),
        ("Нұр Отан", "kk", "партия Нур Отан получила"),
        ("Nur Otan", "en", "партия «Нұр Отан» получила"),
    ],
)
def test_term_found_across_scripts_and_inflection(term, lang, text):
    assert term_found(term, TextFacts(text), lang)


def test_term_phrase_needs_adjacent_words():
    assert not term_found("против всех", TextFacts("против решения всех партий"), "ru")


def test_claim_present_missing_unknown():
    claim = _claim(figures=("3.8%", "340,000"), terms={"ru": ("бюллетен",), "en": ("ballot",)})
    text = "По данным МИСК, 3,8% бюллетеней (более 340 тыс.) были испорчены."
    result = claim_support(claim, text)
    assert result.status == "present"
    assert set(result.found) == {"3.8%", "340,000", "бюллетен"}
    assert "ballot" in result.missing
    assert claim_support(claim, "").status == "unknown"
    assert claim_support(claim, None).status == "unknown"
    assert claim_support(_claim(), text).status == "unknown"


def test_removed_figure_flips_support_to_missing():
    claim = _claim(figures=("35.10%",), terms={"ru": ("явка",)})
    before = "По подсчётам МИСК, явка составила 35,10%, а не 63%."
    after = "По подсчётам МИСК, явка была значительно ниже официальной."
    baseline, current = claim_support(claim, before), claim_support(claim, after)
    assert baseline.status == "present"
    assert current.status == "missing"
    assert current.missing == ("35.10%",)
    assert compare_support(baseline, current) == "lost"
    assert lost_items(baseline, current) == ("35.10%",)


def test_terms_alone_decide_claims_without_figures():
    claim = _claim(terms={"ru": ("наблюдател",), "en": ("observers",)})
    assert claim_support(claim, "Наблюдателей удалили с участка").status == "present"
    assert claim_support(claim, "Погода в Алматы").status == "missing"


def test_min_figures():
    claim = _claim(figures=("63%", "35.10%"))
    text = "Официальная явка — 63%."
    assert claim_support(claim, text).status == "present"
    assert claim_support(claim, text, min_figures=2).status == "missing"


def test_compare_support_words():
    present = SupportResult("present", ("63%",), ("35.10%",))
    both = SupportResult("present", ("63%", "35.10%"), ())
    assert compare_support(present, present) == "kept"
    assert compare_support(present, both) == "gained"
    assert compare_support(both, present) == "lost"  # still present, but a figure went away
    assert compare_support(present, SupportResult("unknown")) == "unknown"
    assert compare_support(SupportResult("missing", (), ("63%",)), present) == "gained"
