"""Webhooks: a Slack incoming-webhook payload or the digest's JSON, POSTed without redirects."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from kzwatch.alerts.channels import DeliveryConfigError, DeliveryResult, PermanentFailure, channel, with_retries
from kzwatch.alerts.digest import Digest
from kzwatch.alerts.render import render_json, render_slack

#: Payload builders by webhook kind.
WEBHOOK_PAYLOADS: dict[str, Callable[[Digest], dict]] = {
    "slack": render_slack,
    "json": lambda digest: json.loads(render_json(digest)),
}


@channel("webhook")
@dataclass(frozen=True)
class WebhookSettings:
    """A webhook that receives the digest as JSON.

    ``kind="slack"`` posts a Slack incoming-webhook payload (``render_slack``); ``kind="json"``
    posts the digest's stable JSON schema (``render_json``).  The URL is ``url``, or the value of
    the environment variable named by ``url_env`` (keep real webhook URLs out of config files).
    """

    url: str | None = None
    url_env: str | None = "KZWATCH_WEBHOOK_URL"
    timeout_s: float = 15.0
    kind: str = "slack"
    name: str = ""

    def resolve_url(self, environ: Mapping[str, str] | None = None) -> str:
        environ = os.environ if environ is None else environ
        url = self.url or (environ.get(self.url_env, "") if self.url_env else "")
        if not url:
            where = f"${self.url_env}" if self.url_env else "'url'"
            raise DeliveryConfigError(f"webhook URL is not set ({where} is empty)")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DeliveryConfigError("webhook URL must be an absolute http(s) URL")
        return url

    @property
    def channel(self) -> str:
        if self.name:
            return self.name
        try:
            parts = urlsplit(self.url or "")
            host = f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}" if parts.netloc else ""
        except ValueError:
            host = ""
        return f"webhook:{host or self.url_env or '?'}"

    def deliver(self, digest: Digest, *, retries: int, sleep: Callable[[float], Any], backoff_s: float,
                session: requests.Session | None = None) -> DeliveryResult:
        build = WEBHOOK_PAYLOADS.get(self.kind)
        if build is None:
            return DeliveryResult(self.channel, False, f"configuration error: unknown webhook kind {self.kind!r}", 0)
        return send_webhook(build(digest), self, session=session, retries=retries, sleep=sleep, backoff_s=backoff_s)


# --- Webhook -----------------------------------------------------------------------------------

_USER_AGENT = "kzwatch-notify"


def _webhook_post_once(payload: dict, url: str, settings: WebhookSettings, session: requests.Session) -> str:
    response = session.post(
        url,
        json=payload,
        timeout=settings.timeout_s,
        allow_redirects=False,  # a redirect would re-POST the digest somewhere unconfigured
        headers={"User-Agent": _USER_AGENT},
    )
    body = response.text[:200] if response.text else ""
    status = response.status_code
    if 200 <= status < 300:
        return f"HTTP {status}"
    if 300 <= status < 400:
        raise PermanentFailure(f"HTTP {status}: webhook redirects; configure the final URL")
    if status in (408, 429) or status >= 500:
        raise RuntimeError(f"HTTP {status}: {body!r}")
    raise PermanentFailure(f"HTTP {status}: {body!r}")


def send_webhook(
    payload: dict,
    settings: WebhookSettings,
    *,
    session: requests.Session | None = None,
    retries: int = 0,
    sleep: Callable[[float], Any] = time.sleep,
    backoff_s: float = 2.0,
) -> DeliveryResult:
    """POST ``payload`` as JSON to the webhook; 2xx is success, 5xx/408/429/network errors are
    retried, other answers are reported at once.  Never raises for delivery failures."""
    try:
        url = settings.resolve_url()
    except DeliveryConfigError as exc:
        return DeliveryResult(settings.channel, False, f"configuration error: {exc}", 0)
    own_session = session is None
    session = session or requests.Session()

    # Error texts from requests/urllib3 quote the full URL or just its path; both hold the key.
    parts = urlsplit(url)
    secrets = [url, parts.path + (f"?{parts.query}" if parts.query else "")]
    if parts.query:
        secrets.append(parts.query)
    secrets = [s for s in secrets if s and s != "/"]

    def redact(text: str) -> str:
        for secret in secrets:
            text = text.replace(secret, "<webhook URL>")
        return text

    try:
        return with_retries(
            settings.channel,
            lambda: _webhook_post_once(payload, url, settings, session),
            retries=retries,
            sleep=sleep,
            backoff_s=backoff_s,
            redact=redact,
        )
    finally:
        if own_session:
            session.close()
