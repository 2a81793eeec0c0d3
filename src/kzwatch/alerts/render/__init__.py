"""Rendering a digest, one dialect per module, each registered by name.

A renderer turns a :class:`~kzwatch.alerts.digest.Digest` into text within a byte budget, and
escapes every page-derived value for its dialect (the escaping rules are in each module's
docstring).  ``kzwatch digest --format`` and the file channel's ``format`` both choose from
:data:`RENDERERS`; adding a format is one module with one ``@renderer`` function, imported at
the bottom of this file.  Slack payloads and e-mail messages are not text formats: the webhook
and SMTP channels build them with :func:`render_slack` and :func:`build_email`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kzwatch.alerts.digest import MAX_DIGEST_BYTES, Digest

TextRender = Callable[..., str]  # (digest, *, max_bytes) -> str


@dataclass(frozen=True)
class Renderer:
    name: str
    extension: str  # of a digest file in this format
    render: TextRender


#: Format name (and aliases) -> renderer.
RENDERERS: dict[str, Renderer] = {}


def renderer(name: str, extension: str, *aliases: str) -> Callable[[TextRender], TextRender]:
    """Register a text renderer under ``name`` and its aliases."""
    def register(render: TextRender) -> TextRender:
        entry = Renderer(name, extension, render)
        for key in (name, *aliases):
            RENDERERS[key] = entry
        return render
    return register


def render(digest: Digest, fmt: str, *, max_bytes: int = MAX_DIGEST_BYTES) -> str:
    """``digest`` in the format named ``fmt``; ValueError names the known formats."""
    entry = RENDERERS.get(fmt)
    if entry is None:
        raise ValueError(f"unknown digest format {fmt!r}; one of {', '.join(sorted(RENDERERS))}")
    return entry.render(digest, max_bytes=max_bytes)


# The formats: importing a module registers it.
from kzwatch.alerts.render.htmlpage import render_html  # noqa: E402
from kzwatch.alerts.render.jsondoc import render_json  # noqa: E402
from kzwatch.alerts.render.mail import build_email, header_safe  # noqa: E402
from kzwatch.alerts.render.markdown import escape_markdown, render_markdown  # noqa: E402
from kzwatch.alerts.render.plaintext import render_text  # noqa: E402
from kzwatch.alerts.render.slack import escape_slack, render_slack  # noqa: E402

__all__ = ["RENDERERS", "Renderer", "renderer", "render", "render_markdown", "render_text", "render_html",
           "render_json", "render_slack", "build_email", "escape_markdown", "escape_slack", "header_safe"]
