"""Apprise: one URL per target reaches e-mail, Telegram, Matrix, Slack, Teams, ntfy and 100+ more.

The targets are Apprise URLs (``tgram://token/chat``, ``matrixs://user:pass@host/#room``,
``ntfys://topic``, ``json://host/path``...; the list is Apprise's documentation).  They carry
tokens, so they are secrets: give them in the environment variable named by ``urls_env``
(whitespace- or comma-separated) rather than in the config file, and they never appear in a
result or an error, only their schemes do.  The digest goes as Markdown (Apprise converts it to
HTML or plain text for services that want that), its title as the notification title.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from kzwatch.alerts.channels import DeliveryConfigError, DeliveryResult, channel, with_retries
from kzwatch.alerts.digest import Digest, summary_line
from kzwatch.alerts.render import RENDERERS, header_safe

#: Our format names -> Apprise's body formats.
_BODY_FORMATS = {"md": "markdown", "text": "text", "html": "html"}


@channel("apprise")
@dataclass(frozen=True)
class AppriseSettings:
    """The ``[delivery.apprise]`` table: targets, and how the digest is written for them."""

    urls: tuple[str, ...] = ()
    urls_env: str = "KZWATCH_APPRISE_URLS"
    format: str = "md"  # md | text | html
    title_prefix: str = "[kzwatch]"
    max_bytes: int = 60_000  # chat services cut long messages; the digest says what it left out
    timeout_s: float = 20.0
    name: str = ""

    def __post_init__(self) -> None:
        if self.format not in _BODY_FORMATS:
            raise ValueError(f"'format' must be one of {', '.join(_BODY_FORMATS)}, not {self.format!r}")

    def targets(self, environ: Mapping[str, str] | None = None) -> list[str]:
        environ = os.environ if environ is None else environ
        found = list(self.urls) + re.split(r"[\s,]+", environ.get(self.urls_env, "").strip())
        return [url for url in found if url]

    @property
    def channel(self) -> str:
        if self.name:
            return self.name
        schemes = sorted({urlsplit(url).scheme for url in self.targets() if "://" in url})
        return f"apprise:{','.join(schemes) or '?'}"

    def deliver(self, digest: Digest, *, retries: int, sleep: Callable[[float], Any], backoff_s: float,
                session: requests.Session | None = None) -> DeliveryResult:
        targets = self.targets()
        if not targets:
            return DeliveryResult(self.channel, False,
                                  f"configuration error: no Apprise URLs (set 'urls' or ${self.urls_env})", 0)
        body = RENDERERS[self.format].render(digest, max_bytes=self.max_bytes)
        title = header_safe(f"{self.title_prefix} {digest.title}: {summary_line(digest)}")
        return with_retries(self.channel, lambda: _notify(targets, title, body, self),
                            retries=retries, sleep=sleep, backoff_s=backoff_s)


def _notify(targets: list[str], title: str, body: str, settings: AppriseSettings) -> str:
    import apprise  # imported here: only deployments that use the channel pay for loading it

    notifier = apprise.Apprise()
    refused = [url for url in targets if not notifier.add(url)]
    if refused:
        schemes = sorted({urlsplit(url).scheme or "?" for url in refused})
        raise DeliveryConfigError(f"Apprise does not understand {len(refused)} URL(s) (schemes: {', '.join(schemes)})")
    result = notifier.notify(body=body, title=title, body_format=_BODY_FORMATS[settings.format],
                             timeout=settings.timeout_s)
    if not result:
        raise RuntimeError(f"Apprise could not notify every target ({len(targets)} configured)")
    return f"notified {len(targets)} target(s)"
