"""The self-contained HTML report: structure, escaping, and a real render in headless Chromium."""

from __future__ import annotations

import os
import struct
import subprocess
import zlib
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kzwatch.report import MAX_OUTLETS, STATE_COLOURS, ReportData, render_report

T0 = datetime(2024, 3, 11, 6, 0, tzinfo=timezone.utc)
HOSTILE = "{{7*7}}<script>alert(1)</script><img src=x onerror=alert(2)>"
CHROMIUM = "/usr/bin/chromium"


def sample_data(hostile: str = HOSTILE) -> ReportData:
    series = []
    for i in range(14):
        day = date(2024, 2, 27) + timedelta(days=i)
        dead = min(i // 4, 3)
        series += [
            (day, "Azattyq", "alive", 10 - dead),
            (day, "Azattyq", "dead", dead),
            (day.isoformat(), "Vlast.kz", "alive", 6),
            (day.isoformat(), "Vlast.kz", "dying", 1 if i % 3 else 0),
            (datetime(2024, 2, 27, 12, tzinfo=timezone.utc) + timedelta(days=i), hostile, "drifted", 2),
        ]
    return ReportData(
        generated_at=T0,
        title=f"kzwatch report {hostile}",
        health_series=series,
        claim_exposure=[
            {"article_id": "beimenbetov-2021", "claim_id": "C1", "citations": 4, "alive": 3, "dead": 1,
             "drifted": 0, "support_missing": 0, "new_reports": 2},
            {"article_id": "beimenbetov-2021", "claim_id": hostile, "citations": 2, "alive": 2, "dead": 0,
             "drifted": 0, "support_missing": 0, "new_reports": 0},
        ],
        drifts=[(12, "https://example.kz/a", 0.41, f"- old line\n+ new line {hostile}"),
                (13, "javascript:alert(3)", None, "&lt;a href=http://phish&gt;x&lt;/a&gt;")],
        reporting=[
            ("C1", hostile, "https://news.example/1", "contradicts", 0.93, f"ЦИК: 63% {hostile}"),
            ("C1", "Second item", "https://news.example/2", "confirms", 0.51, "A sentence."),
            ("C2", "Third", "data:text/html,<script>alert(4)</script>", "mentions", 0.3, "x"),
        ],
    )


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Collector:
    collector = Collector()
    collector.feed(page)
    return collector


def test_report_has_chart_tables_drifts_and_reporting():
    page = render_report(sample_data())
    doc = parse(page)
    ids = {attrs.get("id") for _, attrs in doc.tags}
    assert {"health-chart", "claim-exposure"} <= ids
    # One coloured bar per (outlet, day, non-zero state): Azattyq has dead bars, Vlast dying bars.
    fills = [attrs.get("fill") for tag, attrs in doc.tags if tag == "rect"]
    assert fills.count(STATE_COLOURS["dead"]) >= 10 + 1  # 10 days with dead > 0, plus the legend
    assert STATE_COLOURS["dying"] in fills and STATE_COLOURS["drifted"] in fills
    # Claim rows: the one with a dead citation is flagged.
    rows = [attrs for tag, attrs in doc.tags if tag == "tr"]
    assert sum(1 for attrs in rows if attrs.get("class") == "at-risk") == 1
    text = "".join(doc.text)
    assert "Latest state of the cited links: 13 alive, 2 drifted, 1 dying, 3 dead." in text
    assert "0.41" in text and "+ new line" in text
    assert text.index("Claim C1") < text.index("Claim C2")
    # Within a claim, strongest first.
    assert text.index(HOSTILE) < text.index("Second item")


def test_report_is_self_contained_and_escapes_everything():
    page = render_report(sample_data())
    doc = parse(page)
    tags = {tag for tag, _ in doc.tags}
    assert not tags & {"script", "img", "iframe", "link", "object", "embed", "base", "form"}
    for tag, attrs in doc.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            if name in attrs:
                assert attrs[name].startswith(("https://", "http://")), attrs[name]
    assert "&lt;script&gt;" in page and "<script" not in page.lower()
    assert "{{7*7}}" in page and "49" not in page
    # Entity-looking text in a diff stays literally visible (E2): it is double-escaped in source.
    assert "&amp;lt;a href=http://phish&amp;gt;" in page
    # No external resources: nothing fetched from anywhere.
    assert "url(" not in page and "@import" not in page
    # Links only for http(s) URLs; the javascript:/data: ones are shown as text.
    hrefs = [attrs["href"] for tag, attrs in doc.tags if tag == "a"]
    assert hrefs == ["https://example.kz/a", "https://news.example/1", "https://news.example/2"]


def test_report_without_data_still_renders_placeholders():
    page = render_report(ReportData(generated_at=T0))
    assert 'id="health-chart"' in page and 'id="claim-exposure"' in page
    assert "No link-health history yet." in page and "No drifted citations." in page


def test_report_bounds_outlets_and_rejects_bad_rows():
    many = [(date(2024, 3, 1), f"outlet-{i:03d}", "alive", i + 1) for i in range(MAX_OUTLETS + 5)]
    page = render_report(ReportData(generated_at=T0, health_series=many))
    assert f"showing the {MAX_OUTLETS} largest of {MAX_OUTLETS + 5} outlets" in page
    assert "outlet-044" in page and "outlet-000" not in page  # the biggest are kept
    with pytest.raises(ValueError, match="non-negative integer"):
        render_report(ReportData(generated_at=T0, health_series=[("2024-03-01", "x", "alive", -1)]))
    with pytest.raises(ValueError, match="not a date"):
        render_report(ReportData(generated_at=T0, health_series=[("yesterday", "x", "alive", 1)]))


# --- Headless Chromium ---------------------------------------------------------------------------------


def read_png(path: Path) -> tuple[int, int, int, bytes]:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) into (width, height, channels, rows)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and colour_type in (2, 6) and interlace == 0, (depth, colour_type, interlace)
            channels = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray()
    prev = bytearray(stride)
    for y in range(height):
        filter_type = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if filter_type == 1:
                line[x] = (line[x] + a) & 0xFF
            elif filter_type == 2:
                line[x] = (line[x] + b) & 0xFF
            elif filter_type == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif filter_type == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xFF
        out += line
        prev = line
    return width, height, channels, bytes(out)


def _chromium_or_skip() -> str:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing in CI: install the 'chromium' package")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); set CI=1 to make this a failure")


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    cmd = [
        _chromium_or_skip(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        *args,
    ]
    # The timeout only stops a hung browser from hanging the suite; it asserts nothing.
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.browser
def test_report_renders_in_headless_chromium(tmp_path):
    _chromium_or_skip()
    page = tmp_path / "report.html"
    page.write_text(render_report(sample_data()), encoding="utf-8")
    shot = tmp_path / "shot.png"

    proc = _chromium([f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()], tmp_path / "p1")
    assert shot.exists(), proc.stderr[-2000:]
    width, height, channels, pixels = read_png(shot)
    assert (width, height) == (1200, 1600)
    non_white = 0
    dead_red = 0
    r_dead, g_dead, b_dead = (int(STATE_COLOURS["dead"][i : i + 2], 16) for i in (1, 3, 5))
    for i in range(0, len(pixels), channels):
        r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
        if r < 245 or g < 245 or b < 245:
            non_white += 1
        if abs(r - r_dead) < 12 and abs(g - g_dead) < 12 and abs(b - b_dead) < 12:
            dead_red += 1
    assert non_white / (width * height) > 0.02, "page rendered (nearly) blank"
    assert dead_red > 200, "no 'dead' bars visible: the SVG chart did not render"

    dom = _chromium(["--dump-dom", page.as_uri()], tmp_path / "p2")
    assert dom.returncode == 0, dom.stderr[-2000:]
    doc = parse(dom.stdout)
    assert any(tag == "svg" and attrs.get("id") == "health-chart" for tag, attrs in doc.tags)
    assert any(tag == "table" and attrs.get("id") == "claim-exposure" for tag, attrs in doc.tags)
    assert not any(tag in ("script", "img") for tag, _ in doc.tags)  # the payload stayed text
    assert "{{7*7}}<script>alert(1)</script>" in "".join(doc.text)
