"""The note finder and URL repair on every style the issue lists, with our own invented notes."""

from __future__ import annotations

import pytest

from kzwatch.corpus.notes import body_markers, note_label, scan_notes
from kzwatch.corpus.parse import parse_text
from kzwatch.corpus.urls import _find_urls, repair_url


def pairs(text: str) -> list[tuple[str, str]]:
    result = parse_text(text, "t")
    return [(c.extra.get("label") or str(c.footnote), c.url_display or "") for c in result.citations
            if c.url and c.ref_of is None]


def test_bracket_notes_with_schemeless_urls_broken_mid_word() -> None:
    text = ("Body.[1]\n\n[1] Lake Authority, “Water Levels,” www.lakes.example.kz/lev\n"
            "els/2020.html, accessed 2 May 2021.\n[2] No address here, 2019.\n")
    assert pairs(text) == [("1", "http://www.lakes.example.kz/levels/2020.html")]


def test_chicago_dot_notes_and_glued_superscript_body_markers() -> None:
    text = ("Herders lost access to pastures.1 The ministry denied it.”2\n"
            "1. A. Author, “Pastures,” Steppe Review, May 2, 2020, https://steppe.example.org/\n"
            "pastures-2020.\n"
            "2. Ministry statement, http://ministry.example.gov/statement.\n")
    result = parse_text(text, "t")
    assert pairs(text) == [("1", "https://steppe.example.org/pastures-2020"),
                           ("2", "http://ministry.example.gov/statement")]
    assert body_markers(text, result.notes) == ["1", "2"]
    assert result.summary.body_markers_without_note == ()


def test_bare_number_endnotes_out_of_order_with_headers_and_page_numbers() -> None:
    # Three-column extraction: note 2's tail arrives before its head, among page furniture.
    text = ("Notes\n1 “First Report,” Basin Office, https://basin.example.org/first.\n"
            "\nRUNNING HEAD OF THE REPORT\n\n12\n\n"
            "Basin Office, accessed March 1, 2020, https://\nbasin.example.org/second/\nreport.pdf.\n"
            "3 “Third,” Basin Office, https://basin.example.org/third.\n\n"
            "2 “Second Report,” Basin\n\nRUNNING HEAD OF THE REPORT\n\n13\n\nRUNNING HEAD OF THE REPORT\n")
    assert sorted(pairs(text)) == [("1", "https://basin.example.org/first"),
                                   ("2", "https://basin.example.org/second/report.pdf"),
                                   ("3", "https://basin.example.org/third")]


def test_numbers_inside_a_note_are_not_markers() -> None:
    text = ("1 “Salt Flats,” Steppe Journal 12, no.\n2 (2019): 45–67, https://journal.example.org/12/2.\n"
            "2 “Dust,” Basin Office, accessed\n28 February 2017, https://basin.example.org/dust.\n")
    assert pairs(text) == [("1", "https://journal.example.org/12/2"), ("2", "https://basin.example.org/dust")]


def test_symbol_notes_and_numbering_restarting_per_section() -> None:
    text = ("Section one text.1\n1. See https://one.example.org/a.\n"
            "* Figures from https://stats.example.org/table.\n"
            "Section two text.1\n1. See https://two.example.org/b.\n† Author's estimate.\n")
    result = parse_text(text, "t")
    assert sorted(pairs(text)) == [("*", "https://stats.example.org/table"), ("1", "https://one.example.org/a"),
                                   ("1", "https://two.example.org/b")]
    assert [note_label(n) for n in result.notes] == ["1", "*", "1", "†"]
    keys = [(c.footnote, c.seq) for c in result.citations]
    assert len(keys) == len(set(keys))  # restarted numbers never collide in the warehouse key


def test_page_bottom_footnotes_end_where_body_text_resumes() -> None:
    text = ("Body line with a note.3\n3. A note, http://notes.example.org/x.\n"
            "Rights, the body goes on here and cites nothing\nhttp://body.example.com/not-a-note for ten lines\n"
            + "more body text\n" * 10)
    assert pairs(text) == [("3", "http://notes.example.org/x")]


def test_several_urls_per_note_and_access_date_before_or_after() -> None:
    text = ("[1] See https://a.example.org/one, accessed 2 May 2020, and Other, “Two,” accessed "
            "3 May 2020, https://b.example.org/two.\n")
    result = parse_text(text, "t")
    cites = [c for c in result.citations if c.url]
    assert [c.url for c in cites] == ["https://a.example.org/one", "https://b.example.org/two"]
    assert [c.accessed for c in cites] == ["2020-05-02", "2020-05-03"]


@pytest.mark.parametrize("raw, expected", [
    ("https://\nwww.example.org/a/b.html", "https://www.example.org/a/b.html"),  # after the scheme
    ("https://www.exam\nple.org/a/b.html", "https://www.example.org/a/b.html"),  # inside the host
    ("https://example.org/report\n.pdf", "https://example.org/report.pdf"),  # before ".pdf"
    ("https://example.org/a-\nb/c.html", "https://example.org/a-b/c.html"),  # a real hyphen kept
    ("http://www. example.org/x", "http://www.example.org/x"),  # a space extraction inserted
    ("https: //example.org/x", "https://example.org/x"),
    ("https://example.org/ reports/2019.pdf", "https://example.org/reports/2019.pdf"),
    ("www.example.org/annual-rep\nort-2019", "http://www.example.org/annual-report-2019"),
    ("https://example.org/files/Global\nDemocracy-Index-2019.pdf", "https://example.org/files/GlobalDemocracy-Index-2019.pdf"),
    ("https://example.org/files/Report_\nAnnex.PDF", "https://example.org/files/Report_Annex.PDF"),
])
def test_url_breaks(raw: str, expected: str) -> None:
    spans = _find_urls(f"Title, {raw}, accessed May 2, 2020.")
    assert len(spans) == 1
    fetch, display, repairs = repair_url(spans[0].raw)
    assert display == expected.split("#")[0]
    assert repairs and all(r.before != r.after for r in repairs)


def test_a_word_after_a_slash_at_a_line_end_is_not_glued_on() -> None:
    spans = _find_urls("“Story,” BBC, https://www.bbc.example.com/news/\nAccessed 12 May 2020.")
    assert [s.raw for s in spans] == ["https://www.bbc.example.com/news/"]


def test_glued_punctuation_stripped_on_both_ends() -> None:
    spans = _find_urls("(see:https://example.org/page).")
    assert [s.raw for s in spans] == ["https://example.org/page"]


def test_ambiguous_break_prefers_the_reading_that_matches_the_title() -> None:
    title = "“Annual Publications Review,” Example Institute, https://example.org/publica\ntions"
    assert _find_urls(title)[0].raw.replace("\n", "") == "https://example.org/publications"
    other = "“Annual Review,” Example Institute, https://example.org/report\ntoday, it said"
    assert _find_urls(other)[0].raw == "https://example.org/report"


def test_every_repair_is_recorded() -> None:
    fetch, display, repairs = repair_url("www.example.org/a\nb.html.")
    assert fetch == "http://www.example.org/ab.html"
    assert [r.kind for r in repairs] == ["line_break", "trailing_punctuation", "missing_scheme"]


def test_form_feeds_and_page_numbers_do_not_split_a_note() -> None:
    text = "[1] “Long Title,” Outlet, https://example.org/a/\n\f- 7 -\nb/c.html.\n[2] Next.\n"
    notes = scan_notes(text)
    assert [n.label or str(n.number) for n in notes] == ["1", "2"]
    assert pairs(text) == [("1", "https://example.org/a/b/c.html")]


def test_printed_csv_keeps_labels_and_fragments_and_reads_back() -> None:
    from kzwatch.corpus.csvio import citations_from_csv, citations_to_csv

    text = ("1. See https://one.example.org/a#part.\n* Data: https://stats.example.org/t.\n"
            "1. Restarted: https://two.example.org/b.\n2. Ibid.\n")
    cites = parse_text(text, "t").citations
    printed = citations_to_csv(cites, printed=True, short_forms=False)
    rows = [line.split(",")[:2] for line in printed.splitlines()[1:]]
    assert rows == [["1", "https://one.example.org/a#part"], ["1", "https://two.example.org/b"],
                    ["*", "https://stats.example.org/t"]]
    back = citations_from_csv(printed, "t")
    assert [(c.footnote, c.seq, c.url, c.extra.get("label") or None) for c in back] == [
        (1, 1, "https://one.example.org/a", None), (1, 2, "https://two.example.org/b", None),
        (1001, 1, "https://stats.example.org/t", "*")]
    with_short = citations_to_csv(cites, printed=True)
    assert "\n2,https://two.example.org/b," in with_short  # "Ibid." carries the URL it points back to
