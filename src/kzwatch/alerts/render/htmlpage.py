"""HTML: ``html.escape`` everywhere, links only for safe http(s) URLs, a CSP forbidding scripts, inline styles."""

from __future__ import annotations

import html
from typing import Any

from kzwatch.alerts.digest import (
    MAX_DIGEST_BYTES,
    Digest,
    EntryView,
    assemble,
    generated_line,
    safe_http_url,
    truncation_sentence,
)
from kzwatch.alerts.render import renderer

# --- HTML --------------------------------------------------------------------------------------

# Inline styles (not a <style> sheet) because many mail clients drop <head> styles.
_SEVERITY_COLOURS = {"high": "#b00020", "medium": "#c25e00", "low": "#6b6b00", "info": "#3c5a8a"}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _html_url(url: str) -> str:
    safe = safe_http_url(url)
    if safe is None:
        return f'<span style="color:#555">{_h(url)}</span> <em>(not a web link)</em>'
    return f'<a href="{_h(safe)}" rel="noopener noreferrer nofollow">{_h(url)}</a>'


def _html_entry(view: EntryView) -> str:
    colour = _SEVERITY_COLOURS.get(view.severity, "#444")
    badge = (
        f'<span style="display:inline-block;padding:1px 6px;border-radius:3px;'
        f'background:{colour};color:#fff;font-size:12px">{_h(view.kind_label)}</span>'
    )
    where = f" footnote {view.footnote} —" if view.footnote is not None else ""
    parts = [
        '<div style="margin:0 0 12px 0;padding:8px 10px;border-left:3px solid '
        f'{colour};background:#fafafa">',
        f'<p style="margin:0 0 4px 0">{badge}{_h(where)} <strong>{_h(view.headline)}</strong></p>',
        '<ul style="margin:0;padding-left:18px">',
    ]
    if view.url:
        parts.append(f"<li>URL: {_html_url(view.url)}</li>")
    for fld in view.fields:
        label = _h(fld.label)
        if fld.style == "url":
            parts.append(f"<li>{label}: {_html_url(fld.value)}</li>")
        elif fld.style == "quote":
            parts.append(f"<li>{label}: <q>{_h(fld.value)}</q></li>")
        elif fld.style == "block":
            parts.append(
                f'<li>{label}:<pre style="white-space:pre-wrap;font-size:12px;background:#f0f0f0;'
                f'padding:6px;margin:4px 0">{_h(fld.value)}</pre></li>'
            )
        else:
            parts.append(f"<li>{label}: {_h(fld.value)}</li>")
    parts.append("</ul></div>\n")
    return "".join(parts)


def _html_block(kind: str, obj: Any) -> str:
    if kind == "article":
        return f'<h2 style="margin:20px 0 6px 0;font-size:18px">Article {_h(obj.article_id)}</h2>\n'
    if kind == "severity":
        colour = _SEVERITY_COLOURS.get(obj.severity, "#444")
        return (
            f'<h3 style="margin:14px 0 6px 0;font-size:15px;color:{colour}">'
            f"{_h(obj.severity.capitalize())}</h3>\n"
        )
    if kind == "group":
        return f'<h4 style="margin:10px 0 6px 0;font-size:14px">{_h(obj.label)}</h4>\n'
    if kind == "operational":
        return '<h2 style="margin:20px 0 6px 0;font-size:18px">Operational notices</h2>\n'
    return _html_entry(obj)


@renderer("html", "html")
def render_html(d: Digest, *, max_bytes: int = MAX_DIGEST_BYTES) -> str:
    """A self-contained HTML document: inline styles, no scripts, no external resources."""
    head = (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{_h(d.title)}</title></head>\n"
        '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;'
        'font-size:14px;color:#222;max-width:900px;margin:0 auto;padding:12px">\n'
        f'<h1 style="font-size:22px;margin:0 0 4px 0">{_h(d.title)}</h1>\n'
        f'<p style="color:#555;margin:0 0 12px 0">{_h(generated_line(d))}</p>\n'
    )
    if d.is_empty:
        head += "<p>Nothing new.</p>\n"
    note = lambda n: f'<p style="color:#b00020"><em>{_h(truncation_sentence(n))}</em></p>\n'  # noqa: E731
    return assemble(d, head, _html_block, "</body></html>\n", note, max_bytes)
