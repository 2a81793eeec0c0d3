"""Every input format on realistic files of our own, detection from content, and the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from kzwatch.cli import main
from kzwatch.corpus.formats import InputError, detect, parse_document, read_document
from kzwatch.relevance import load_claims

sys.path.insert(0, str(Path(__file__).parent))
from corpus_fixtures import docx_bytes, pdf_bytes  # noqa: E402

STYLES = Path(__file__).parent / "data" / "corpus_styles"


def parsed(data: bytes, name: str):
    doc = read_document(data, name, "t")
    return doc, parse_document(doc, "t")


def urls(result) -> list[tuple[str, str]]:
    return [(c.extra.get("label") or str(c.footnote), c.url_display) for c in result.citations if c.url and not c.ref_of]


BIBTEX = """@article{ospanova2021,
  author = {Ospanova, Kamila and Lee, Min},
  title = {Wet-bulb {Temperature} Trends in Almaty},
  journal = {Urban Climate Letters},
  year = {2021},
  url = {https://doi.example.org/10.5555/ucl.2021.0402},
  urldate = {2022-05-04}
}
@misc{archive,
  title = {Almaty station daily records},
  howpublished = {\\url{http://archive.example.net/stations/almaty/daily}}
}
@book{nourl, title = {A Book Without Link}, year = {2019}, doi = {10.5555/book.1}}
"""
CSL = json.dumps([
    {"id": "a", "type": "article-newspaper", "title": "Three Owners, Many Titles", "container-title": "Local Press Watch",
     "URL": "http://www.localpress.example.org/2019/05/09/three-owners.html",
     "author": [{"family": "Sarsenova", "given": "Dana"}], "issued": {"date-parts": [[2019, 5, 9]]},
     "accessed": {"date-parts": [[2020, 1, 2]]}},
    {"id": "b", "type": "report", "title": "No link"},
])
RIS = "\n".join([
    "TY  - RPRT", "AU  - Abenov, Nurlan", "TI  - Why Grain Goes by Truck", "T2  - Central Asia Freight Monitor",
    "PY  - 2020", "UR  - https://freightmonitor.example.com/analysis/why-grain-goes-by-truck", "ER  - ",
    "TY  - JOUR", "TI  - Without URL", "ER  - ", ""])


def test_reference_manager_exports_map_without_guessing() -> None:
    doc, result = parsed(BIBTEX.encode(), "refs.txt")  # wrong extension: detected from content
    assert doc.kind == "bibtex"
    cites = result.citations
    assert [c.url for c in cites] == ["https://doi.example.org/10.5555/ucl.2021.0402",
                                      "http://archive.example.net/stations/almaty/daily", "https://doi.org/10.5555/book.1"]
    assert cites[0].title == "Wet-bulb Temperature Trends in Almaty" and cites[0].outlet == "Urban Climate Letters"
    assert cites[0].accessed == "2022-05-04" and cites[2].repairs[0].kind == "doi_link"

    doc, result = parsed(CSL.encode(), "export")
    assert doc.kind == "csl-json"
    first = result.citations[0]
    assert (first.url, first.author, first.published, first.accessed) == (
        "http://www.localpress.example.org/2019/05/09/three-owners.html", "Dana Sarsenova", "2019-05-09", "2020-01-02")
    assert result.summary.notes_seen == 2 and result.summary.citations == 1

    doc, result = parsed(RIS.encode(), "export.dat")
    assert doc.kind == "ris"
    assert [(c.url, c.outlet) for c in result.citations if c.url] == [
        ("https://freightmonitor.example.com/analysis/why-grain-goes-by-truck", "Central Asia Freight Monitor")]


def test_html_endnotes_file() -> None:
    doc, result = parsed((STYLES / "html-endnotes.html").read_bytes(), "page")
    assert doc.kind == "html" and doc.title == "Dust Storms over the Aral Seabed"
    assert urls(result) == [("1", "https://hydromet.example.uz/dust/2021"),
                            ("2", "https://basinnotes.example.org/2012/06/aral-dust"),
                            ("3", "https://forestry.example.uz/seabed-afforestation.pdf"),
                            ("3", "https://maps.example.org/aral/saxaul")]
    assert "twitter" not in json.dumps(urls(result))  # page chrome is not a note
    assert "[4]" in doc.text and "Interviews in Muynak" not in doc.text  # body keeps markers, not notes


def test_docx_footnotes_and_endnotes_with_hyperlinks() -> None:
    data = docx_bytes(
        [["Canal losses rose to 38 percent in 2022.", ("fn", "2")], ["The loan stalled.", ("fn", "3"), ("en", "1")]],
        {"2": ["Basin Authority, “Annual Report 2022,” http://bwa.example.kz/annual-2022.pdf."],
         "3": ["Regional Development Bank, ", ("link", "rId9", "loan page"), ", accessed 4 May 2023."]},
        {"rId9": "https://www.rdb.example.int/projects/loan-4412-kz"},
        endnotes={"1": ["Interview with an engineer, 2022."]},
    )
    doc, result = parsed(data, "brief.bin")
    assert doc.kind == "docx"
    assert urls(result) == [("1", "http://bwa.example.kz/annual-2022.pdf"),
                            ("2", "https://www.rdb.example.int/projects/loan-4412-kz")]
    assert "38 percent in 2022.[1]" in doc.text
    assert [n.label or str(n.number) for n in result.notes] == ["1", "2", "e1"]


def test_pdf_text_layer_with_running_headers_and_page_numbers() -> None:
    header = "STEPPE WATER REVIEW   Policy Brief"
    data = pdf_bytes([
        [header, "Losses grew.1 Canals leak.2", "1. Basin Office, Losses, https://basin.example.org/", "losses-2022.pdf.", "4"],
        [header, "2. Audit of Canals, https://audit.example.gov/canals/", "summary.html.", "5"],
        [header, "Conclusions without notes.", "6"],
    ])
    doc, result = parsed(data, "brief")
    assert doc.kind == "pdf"
    assert urls(result) == [("1", "https://basin.example.org/losses-2022.pdf"),
                            ("2", "https://audit.example.gov/canals/summary.html")]


def test_pdf_without_text_layer_says_to_run_ocr() -> None:
    import io

    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(InputError, match="no text layer"):
        read_document(buf.getvalue(), "scan.pdf", "t")


def test_detection_looks_at_content_first() -> None:
    assert detect(b"%PDF-1.7 ...", "notes.txt") == "pdf"
    assert detect(b"<!DOCTYPE html><html><body>x</body></html>", "a.txt") == "html"
    assert detect(b"TY  - JOUR\nER  - \n", "a.bib") == "ris"
    assert detect(b"plain words", "a.txt") == "text"


def test_cli_corpus_reports_every_note_and_writes_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "c.csv"
    assert main(["corpus", str(STYLES / "chicago-notes.txt"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "https://ecology.example.gov.kz/en/audit/main-canals/summary" in printed
    assert "notes seen 5 · notes with a URL 4 · citations with a URL 5" in printed
    assert "look like citations but gave no URL: 5" in printed  # the interview note
    import csv

    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["footnote"] for r in rows] == ["1", "2", "3", "4", "4"]
    assert main(["corpus", str(STYLES / "chicago-notes.txt"), "--strict"]) == 1


def test_cli_corpus_zero_citations_is_an_error_that_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "essay.txt"
    source.write_text("An essay.\nIt has sentences but no notes at all.\n", encoding="utf-8")
    assert main(["corpus", str(source)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no footnotes or endnotes found" in err[0] and "marker" in err[0]
    notes_only = tmp_path / "notes.txt"
    notes_only.write_text("[1] An interview, 2020.\n[2] Another interview, 2021.\n", encoding="utf-8")
    assert main(["corpus", str(notes_only)]) == 2
    assert "2 notes found but none holds a URL" in capsys.readouterr().err


def test_claims_draft_links_sentences_to_footnotes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "a.txt"
    article.write_text(
        "Turnout in Almaty was 30.6%, the Central Election Commission reported.[1] The weather was cold.\n"
        "Явка в Алматы составила 30,6 процента, — так считает Центральная Избирательная Комиссия.[2]\n\n"
        "[1] CEC, “Results,” https://cec.example.kz/results.\n[2] “Явка,” https://news.example.kz/yavka.\n",
        encoding="utf-8")
    out = tmp_path / "claims.toml"
    assert main(["claims", "draft", str(article), "--id", "a1", "--out", str(out)]) == 0
    claims = load_claims(out.read_text(encoding="utf-8"), "a1")
    assert [c.footnotes for c in claims] == [(1,), (2,)] or [list(c.footnotes) for c in claims] == [[1], [2]]
    assert "30.6%" in claims[0].figures and "Central Election Commission" in claims[0].terms["en"]
    assert claims[1].terms.get("ru") and "The weather" not in claims[0].text + claims[1].text
    assert main(["claims", "draft", str(article), "--out", str(out)]) == 2  # never overwrites silently


def test_add_writes_to_the_documented_config_path() -> None:
    from kzwatch.corpus.add import default_config_path

    assert default_config_path({"KZWATCH_CONFIG": "/x/k.toml", "XDG_CONFIG_HOME": "/c"}) == Path("/x/k.toml")
    assert default_config_path({"XDG_CONFIG_HOME": "/c"}) == Path("/c/kzwatch/config.toml")
    assert default_config_path({}) == Path.home() / ".config" / "kzwatch" / "config.toml"
