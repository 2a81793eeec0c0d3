"""Slack incoming-webhook payloads: mrkdwn with ``& < >`` as entities and broadcast mentions defused."""

from __future__ import annotations

import re
from typing import Any

from kzwatch.alerts.digest import (
    Digest,
    EntryView,
    cap,
    clean,
    generated_line,
    safe_http_url,
    summary_line,
    truncation_sentence,
    walk,
)
from kzwatch.alerts.render.mail import header_safe

#: Slack refuses section texts above 3000 characters and messages above 50 blocks.
SLACK_MAX_SECTION_CHARS = 3_000
SLACK_MAX_BLOCKS = 50


# --- Slack -------------------------------------------------------------------------------------

_SLACK_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def escape_slack(text: str) -> str:
    """Escape text for Slack mrkdwn: entities for ``& < >``, broadcast mentions defused."""
    return _slack_entities(clean(text))


def _slack_entities(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A zero-width space after "@" keeps the word readable but stops it notifying everyone.
    return _SLACK_BROADCAST.sub("@\u200b\\1", text)


def _slack_url(url: str) -> str:
    safe = safe_http_url(url)
    if safe is None:
        return escape_slack(url) + " (not a web link)"
    dest = "".join(f"%{ord(c):02X}" if c in "|<> " else c for c in safe).replace("&", "&amp;")
    return f"<{dest}|{escape_slack(url)}>"


def _slack_entry(view: EntryView) -> str:
    where = f" footnote {view.footnote}:" if view.footnote is not None else ""
    lines = [f"*{escape_slack(view.kind_label)}*{where} {escape_slack(view.headline)}"]
    if view.url:
        lines.append(f"• URL: {_slack_url(view.url)}")
    for fld in view.fields:
        label = escape_slack(fld.label)
        if fld.style == "url":
            lines.append(f"• {label}: {_slack_url(fld.value)}")
        elif fld.style == "block":
            body = fld.value.replace("```", "'''")
            body = _slack_entities(body)
            lines.append(f"• {label}:\n```{cap(body, 1500)}```")
        elif fld.style == "quote":
            lines.append(f"• {label}: “{escape_slack(fld.value)}”")
        else:
            lines.append(f"• {label}: {escape_slack(fld.value)}")
    text = "\n".join(lines)
    if len(text) > SLACK_MAX_SECTION_CHARS:
        text = text[: SLACK_MAX_SECTION_CHARS - 20]
        amp = text.rfind("&", len(text) - 6)
        if amp != -1 and ";" not in text[amp:]:
            text = text[:amp]  # never leave half an entity
        text += " … [cut]"
    return text


def _mrkdwn_section(text: str) -> dict[str, Any]:
    # verbatim: Slack must not turn bare URLs or #names in page text into links.
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def render_slack(d: Digest) -> dict[str, Any]:
    """A Slack incoming-webhook payload: fallback ``text`` plus mrkdwn ``blocks`` (≤ 50)."""
    fallback = escape_slack(f"{d.title}: {summary_line(d)}")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header_safe(d.title, limit=150)}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": escape_slack(generated_line(d)),
                    "verbatim": True,
                }
            ],
        },
    ]
    total = len(d.events)
    shown = 0
    for kind, obj in walk(d):
        if len(blocks) >= SLACK_MAX_BLOCKS - 1:
            blocks.append(_mrkdwn_section(f"_{escape_slack(truncation_sentence(total - shown))}_"))
            break
        if kind == "article":
            blocks.append(_mrkdwn_section(f"*Article {escape_slack(obj.article_id)}*"))
        elif kind == "severity":
            blocks.append({"type": "divider"})
            blocks.append(_mrkdwn_section(f"*{escape_slack(obj.severity.capitalize())}*"))
        elif kind == "group":
            blocks.append(_mrkdwn_section(f"_{escape_slack(obj.label)}_"))
        elif kind == "operational":
            blocks.append({"type": "divider"})
            blocks.append(_mrkdwn_section("*Operational notices*"))
        else:
            blocks.append(_mrkdwn_section(_slack_entry(obj)))
            shown += 1
    return {"text": fallback, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}
