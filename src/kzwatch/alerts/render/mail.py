"""E-mail: a multipart/alternative message (text, then HTML) with sanitised headers."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import format_datetime

from kzwatch.alerts.digest import MAX_DIGEST_BYTES, Digest, clean, summary_line
from kzwatch.alerts.render.htmlpage import render_html
from kzwatch.alerts.render.plaintext import render_text

#: E-mail subjects longer than this are cut (RFC 5322 recommends 78 per line; clients cope).
MAX_SUBJECT_CHARS = 200


# --- E-mail ------------------------------------------------------------------------------------


def header_safe(text: str, *, limit: int = MAX_SUBJECT_CHARS) -> str:
    """One header line: no CR/LF or other control characters, whitespace folded, capped."""
    text = " ".join(clean(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_address(addr: str) -> str:
    if not addr or any(ch in addr for ch in "\r\n\x00") or "@" not in addr:
        raise ValueError(f"invalid e-mail address in configuration: {addr!r}")
    return addr.strip()


def build_email(
    d: Digest,
    *,
    sender: str,
    recipients: list[str],
    subject_prefix: str = "[kzwatch]",
    max_bytes: int = MAX_DIGEST_BYTES,
) -> EmailMessage:
    """A multipart/alternative message: text/plain first, then text/html.

    The Subject carries the digest title and counts only (no page text), and is sanitised all
    the same.  ``Message-ID`` is derived from the digest's event ids, so a retried send of the
    same digest carries the same id and mail clients can collapse duplicates.
    """
    if not recipients:
        raise ValueError("an e-mail digest needs at least one recipient")
    msg = EmailMessage()
    msg["Subject"] = header_safe(f"{subject_prefix} {d.title}: {summary_line(d)}")
    msg["From"] = _check_address(sender)
    msg["To"] = ", ".join(_check_address(r) for r in recipients)
    msg["Date"] = format_datetime(d.generated_at)
    digest_hash = hashlib.sha256("\n".join(sorted(d.event_ids)).encode()).hexdigest()[:24]
    msg["Message-ID"] = f"<digest-{digest_hash}@kzwatch.invalid>"
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders must not reply
    msg.set_content(render_text(d, max_bytes=max_bytes))
    msg.add_alternative(render_html(d, max_bytes=max_bytes), subtype="html")
    return msg
