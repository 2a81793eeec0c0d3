"""The analysts' HTML report: one self-contained page, no scripts, no external resources.

``render_report(ReportData) -> str`` draws:

1. link health over time per outlet — an inline SVG (``<svg id="health-chart">``) generated
   here: one row of stacked bars per outlet, one bar per day, one colour per state, with native
   SVG ``<title>`` tooltips (no JavaScript);
2. a per-claim exposure table (``<table id="claim-exposure">``);
3. the latest drifts with their diffs (escaped, in ``<pre>``);
4. new reporting grouped by claim.

Pure: the caller (the warehouse/CLI layer) queries the data and passes it in as plain lists.
Everything in the page that came from data — outlet names, titles, URLs, sentences, diffs — is
escaped with ``html.escape``; a URL becomes a link only when it is http(s).  A strict
Content-Security-Policy (no scripts at all) is defence in depth, not the control.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable

from kzwatch.alerts.digest import safe_http_url

__all__ = ["ReportData", "render_report", "STATE_COLOURS"]

#: Bar colours per link-health state; states outside SPEC §4 are drawn grey.
STATE_COLOURS = {
    "alive": "#2e7d32",
    "moved": "#1565c0",
    "drifted": "#ef6c00",
    "blocked": "#6a1b9a",
    "dying": "#f9a825",
    "dead": "#c62828",
    "unknown": "#9e9e9e",
}
_OTHER_COLOUR = "#bdbdbd"
#: Stacking order, bottom to top: healthy first, so the failing part sits on top of each bar.
_STATE_ORDER = ("alive", "moved", "drifted", "blocked", "dying", "dead", "unknown")

#: Bounds that keep the page readable (and its size sane) on a long history.
MAX_DAYS = 120
MAX_OUTLETS = 40
MAX_DRIFTS = 50
MAX_DIFF_CHARS = 20_000
MAX_REPORTING_ROWS = 300

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass(frozen=True)
class ReportSettings:
    """The ``[report]`` section: how much of the warehouse ``kzwatch report`` draws — the most
    drifted citations (with a readable diff of at most ``diff_chars``), and the strongest
    related reporting."""

    drift_rows: int = 20
    diff_chars: int = 2000
    reporting_rows: int = 500


@dataclass
class ReportData:
    """What the report shows, as plain rows.

    * ``health_series``: ``(day, outlet, state, count)`` — how many citations of ``outlet`` were
      in ``state`` on ``day`` (a ``date``, ``datetime`` or ISO string).
    * ``claim_exposure``: dicts with the ``claim_exposure`` view's columns (``article_id,
      claim_id, citations, alive, dead, drifted, support_missing, new_reports``).
    * ``drifts``: ``(footnote, url, similarity, diff)``, newest first.
    * ``reporting``: ``(claim_id, title, url, stance, score, sentence)``.
    """

    generated_at: datetime
    title: str = "kzwatch report"
    health_series: list[tuple[Any, str, str, int]] = field(default_factory=list)
    claim_exposure: list[dict[str, Any]] = field(default_factory=list)
    drifts: list[tuple[int | None, str, float | None, str]] = field(default_factory=list)
    reporting: list[tuple[str, str, str, str, float, str]] = field(default_factory=list)


def _h(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _link(url: str | None, label: str | None = None) -> str:
    text = _h(label if label else url)
    safe = safe_http_url(url)
    if safe is None:
        return text
    return f'<a href="{_h(safe)}" rel="noopener noreferrer nofollow">{text}</a>'


def _day_key(day: Any) -> str:
    if isinstance(day, datetime):
        return day.date().isoformat()
    if isinstance(day, date):
        return day.isoformat()
    text = str(day).strip()
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise ValueError(f"health_series: not a date: {text[:40]!r}") from None


# --- The chart ---------------------------------------------------------------------------------


def _aggregate(series: Iterable[tuple[Any, str, str, int]]) -> dict[str, dict[str, dict[str, int]]]:
    """outlet → day → state → count, validating every row."""
    table: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for row in series:
        if len(row) != 4:
            raise ValueError(f"health_series rows are (day, outlet, state, count); got {len(row)} values")
        day, outlet, state, count = row
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"health_series: count must be a non-negative integer, got {count!r}")
        table[str(outlet or "(no outlet)")][_day_key(day)][str(state)] += count
    return table


def _state_order(states: Iterable[str]) -> list[str]:
    present = set(states)
    known = [s for s in _STATE_ORDER if s in present]
    return known + sorted(present - set(_STATE_ORDER))


def _health_chart(series: list[tuple[Any, str, str, int]]) -> tuple[str, str]:
    """The SVG chart and a note about anything left out."""
    table = _aggregate(series)
    if not table:
        svg = (
            '<svg id="health-chart" xmlns="http://www.w3.org/2000/svg" width="600" height="40" '
            'role="img" aria-label="No link-health history yet">'
            '<text x="10" y="25" font-size="14" fill="#555">No link-health history yet.</text></svg>'
        )
        return svg, ""

    all_days = sorted({day for by_day in table.values() for day in by_day})
    days = all_days[-MAX_DAYS:]
    # Outlets with the most citations first; ties by name, so the layout is deterministic.
    def size(outlet: str) -> int:
        return max(sum(states.values()) for states in table[outlet].values())

    outlets = sorted(table, key=lambda o: (-size(o), o))
    shown_outlets = outlets[:MAX_OUTLETS]
    states = _state_order(s for by_day in table.values() for st in by_day.values() for s in st)

    notes = []
    if len(all_days) > len(days):
        notes.append(f"showing the latest {len(days)} of {len(all_days)} days")
    if len(outlets) > len(shown_outlets):
        notes.append(f"showing the {len(shown_outlets)} largest of {len(outlets)} outlets")

    return _chart_svg(table, days, shown_outlets, states), "; ".join(notes)


# Chart geometry, in pixels.
_LABEL_W, _PLOT_W, _RIGHT = 200, 760, 20
_LEGEND_H, _PANEL_H, _GAP, _AXIS_H = 34, 44, 10, 26


def _chart_svg(table: dict, days: list, outlets: list[str], states: list[str]) -> str:
    """One panel per outlet, one stacked bar per day, a legend on top and the date range below."""
    width = _LABEL_W + _PLOT_W + _RIGHT
    height = _LEGEND_H + len(outlets) * (_PANEL_H + _GAP) + _AXIS_H
    parts = [
        f'<svg id="health-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Link health over time per outlet" '
        'font-family="Helvetica,Arial,sans-serif" font-size="12">',
        "<title>Link health over time per outlet</title>",
    ]
    x = _LABEL_W
    for state in states:
        colour = STATE_COLOURS.get(state, _OTHER_COLOUR)
        parts.append(f'<rect x="{x}" y="10" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="20" fill="#333">{_h(state)}</text>')
        x += 24 + 7 * len(state)
    for row, outlet in enumerate(outlets):
        parts += _outlet_panel(table[outlet], outlet, days, states, top=_LEGEND_H + row * (_PANEL_H + _GAP))
    axis_y = _LEGEND_H + len(outlets) * (_PANEL_H + _GAP) + 14
    parts.append(f'<text x="{_LABEL_W}" y="{axis_y}" fill="#555">{_h(days[0])}</text>')
    if len(days) > 1:
        parts.append(
            f'<text x="{_LABEL_W + _PLOT_W}" y="{axis_y}" text-anchor="end" fill="#555">{_h(days[-1])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _outlet_panel(by_day: dict, outlet: str, days: list, states: list[str], *, top: float) -> list[str]:
    slot = _PLOT_W / len(days)
    bar_w = max(slot - (1 if slot > 3 else 0), 0.5)
    peak = max(sum(by_day.get(day, {}).values()) for day in days) or 1
    label = outlet if len(outlet) <= 30 else outlet[:29] + "…"
    parts = [
        f'<text x="{_LABEL_W - 8}" y="{top + _PANEL_H / 2 + 4:.1f}" text-anchor="end" fill="#222">'
        f"<title>{_h(outlet)}</title>{_h(label)}</text>",
        f'<line x1="{_LABEL_W}" y1="{top + _PANEL_H}" x2="{_LABEL_W + _PLOT_W}" y2="{top + _PANEL_H}" stroke="#ccc"/>',
    ]
    for i, day in enumerate(days):
        counts = by_day.get(day)
        if not counts:
            continue
        x0, y = _LABEL_W + i * slot, top + _PANEL_H
        tooltip = ", ".join(f"{s} {counts[s]}" for s in states if counts.get(s))
        parts.append(f"<g><title>{_h(outlet)} {_h(day)}: {_h(tooltip)}</title>")
        for state in (s for s in states if counts.get(s)):
            h = _PANEL_H * counts[state] / peak
            y -= h
            colour = STATE_COLOURS.get(state, _OTHER_COLOUR)
            parts.append(f'<rect x="{x0:.2f}" y="{y:.2f}" width="{bar_w:.2f}" height="{h:.2f}" fill="{colour}"/>')
        parts.append("</g>")
    return parts


def _latest_summary(series: list[tuple[Any, str, str, int]]) -> str:
    """Totals over every outlet's most recent day (outlets are not all checked every day)."""
    if not series:
        return ""
    table = _aggregate(series)
    totals: dict[str, int] = defaultdict(int)
    for by_day in table.values():
        for state, n in by_day[max(by_day)].items():
            totals[state] += n
    text = ", ".join(f"{totals[s]} {s}" for s in _state_order(totals) if totals[s])
    return f"<p>Latest state of the cited links: {_h(text)}.</p>"


# --- Tables and lists --------------------------------------------------------------------------

_EXPOSURE_COLUMNS = (
    ("article_id", "Article"),
    ("claim_id", "Claim"),
    ("citations", "Citations"),
    ("alive", "Alive"),
    ("dead", "Dead"),
    ("drifted", "Drifted"),
    ("support_missing", "Support missing"),
    ("new_reports", "New reports"),
)


def _is_positive(value: Any) -> bool:
    try:
        return float(value) > 0
    except (TypeError, ValueError):
        return False


def _claim_exposure_table(rows: list[dict[str, Any]]) -> str:
    head = "".join(f"<th>{_h(label)}</th>" for _, label in _EXPOSURE_COLUMNS)
    body = []
    for row in rows:
        at_risk = _is_positive(row.get("dead")) or _is_positive(row.get("support_missing"))
        cls = ' class="at-risk"' if at_risk else ""
        cells = "".join(f"<td>{_h(row.get(key))}</td>" for key, _ in _EXPOSURE_COLUMNS)
        body.append(f"<tr{cls}>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(_EXPOSURE_COLUMNS)}">No claims known.</td></tr>')
    return (
        f'<table id="claim-exposure"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _fmt_number(value: Any) -> str:
    if value is None:
        return "—"
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return str(value)


def _drifts_section(drifts: list[tuple[int | None, str, float | None, str]]) -> str:
    if not drifts:
        return "<p>No drifted citations.</p>"
    parts = []
    for footnote, url, similarity, diff in drifts[:MAX_DRIFTS]:
        diff_text = "" if diff is None else str(diff)
        if len(diff_text) > MAX_DIFF_CHARS:
            cut = len(diff_text) - MAX_DIFF_CHARS
            diff_text = diff_text[:MAX_DIFF_CHARS] + f"\n… [cut: {cut} more characters]"
        where = f"Footnote {_h(footnote)}" if footnote is not None else "Citation"
        parts.append(
            '<div class="drift">'
            f"<h3>{where}: {_link(url)}</h3>"
            f"<p>Similarity to the cited version: {_h(_fmt_number(similarity))}</p>"
            f"<pre>{_h(diff_text)}</pre></div>"
        )
    if len(drifts) > MAX_DRIFTS:
        parts.append(f"<p><em>{len(drifts) - MAX_DRIFTS} older drifts not shown.</em></p>")
    return "".join(parts)


def _reporting_section(rows: list[tuple[str, str, str, str, float, str]]) -> str:
    if not rows:
        return "<p>No new reporting.</p>"
    by_claim: dict[str, list[tuple]] = defaultdict(list)
    for claim_id, title, url, stance, score, sentence in rows[:MAX_REPORTING_ROWS]:
        by_claim[str(claim_id)].append((title, url, stance, score, sentence))
    parts = []
    for claim_id in sorted(by_claim):
        items = sorted(by_claim[claim_id], key=lambda r: -_as_float(r[3]))
        body = "".join(
            f'<tr><td>{_link(url, title or url)}</td><td class="stance-{_h(_css_token(stance))}">'
            f"{_h(stance)}</td><td>{_h(_fmt_number(score))}</td><td><q>{_h(sentence)}</q></td></tr>"
            for title, url, stance, score, sentence in items
        )
        parts.append(
            f'<h3>Claim {_h(claim_id)}</h3><table class="reporting"><thead><tr><th>Item</th>'
            "<th>Stance</th><th>Score</th><th>Matching sentence</th></tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )
    if len(rows) > MAX_REPORTING_ROWS:
        parts.append(f"<p><em>{len(rows) - MAX_REPORTING_ROWS} more items not shown.</em></p>")
    return "".join(parts)


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _css_token(value: Any) -> str:
    # Only known stances become class names; anything else is "other".
    return value if value in ("confirms", "updates", "contradicts", "mentions") else "other"


# --- The page ----------------------------------------------------------------------------------

_STYLE = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;font-size:14px;color:#222;
max-width:1040px;margin:0 auto;padding:16px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #ddd}
h3{font-size:15px;margin:16px 0 6px}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3}tr.at-risk td{background:#fdecea}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:8px;font-size:12px;
max-height:420px;overflow:auto}
.meta{color:#666}.note{color:#666;font-style:italic}
.stance-contradicts{color:#c62828;font-weight:bold}.stance-updates{color:#ef6c00}
.stance-confirms{color:#2e7d32}
"""


def render_report(data: ReportData) -> str:
    """The whole report as one self-contained HTML document."""
    chart, chart_note = _health_chart(list(data.health_series))
    note_html = f'<p class="note">{_h(chart_note)}</p>' if chart_note else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_h(data.title)}</title><style>{_STYLE}</style></head>\n<body>\n"
        f"<h1>{_h(data.title)}</h1>"
        f'<p class="meta">Generated {_h(data.generated_at.isoformat())}</p>\n'
        "<h2>Link health over time, per outlet</h2>"
        f"{_latest_summary(list(data.health_series))}{chart}{note_html}\n"
        "<h2>Claim exposure</h2>"
        f"{_claim_exposure_table(list(data.claim_exposure))}\n"
        "<h2>Latest drifts</h2>"
        f"{_drifts_section(list(data.drifts))}\n"
        "<h2>New reporting, by claim</h2>"
        f"{_reporting_section(list(data.reporting))}\n"
        "</body></html>\n"
    )
