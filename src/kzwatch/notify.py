"""Delivery of digests: e-mail over SMTP, webhooks (Slack or plain JSON), and files.

This is an edge module: it does network and file I/O and nothing else.  What to say is decided
by :mod:`kzwatch.digest`; which events to say it about by :mod:`kzwatch.alerts`.

Failure policy.  A delivery that fails is retried (``retries`` extra attempts, exponential
backoff through an injectable ``sleep``) and then *reported* as a :class:`DeliveryResult` with
``ok=False`` — :func:`deliver` never raises because a mail server or webhook misbehaved.
Failures that retrying cannot fix (bad credentials, a 4xx from a webhook, missing
configuration, recipients refused) are not retried.

Marking events sent — what the caller should do with the results:

* Mark the digest's events sent **only if every channel succeeded** (:func:`all_delivered`).
  Otherwise leave them pending: the next digest carries them again, on every channel.  This is
  at-least-once delivery: a channel that did succeed may see the same alerts twice, which is
  the right trade for alerts (a duplicate is annoying, a lost "citation is dead" is a defect).
  ``build_email`` gives a retried digest the same ``Message-ID``, so mail clients can fold the
  duplicate.
* Record every result (``DeliveryResult.channel`` names the channel without secrets) in a
  delivery log, and turn failures into ``delivery_failed`` operational events with
  :func:`delivery_failed_events`, so a dead channel is seen on the channels that still work.
* Per-channel sent tracking (an outbox row per event and channel, each channel re-sent only
  what it missed) avoids the duplicates but needs per-channel digests; it is worth it only
  with many channels.  ``DeliveryResult.channel`` is stable, so a warehouse can adopt it later.

Secrets never live in the repository or the config file: SMTP credentials come from
environment variables (names configurable) or a Prefect ``Secret`` block, a webhook URL from
the config or from an environment variable the config names.  A webhook URL is a secret (the
path is the key), so it never appears in a result or an error message, only its host.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import smtplib
import ssl
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Callable, ClassVar, Mapping, Union
from urllib.parse import urlsplit

import requests

from kzwatch.digest import (
    Digest,
    build_email,
    render_html,
    render_json,
    render_markdown,
    render_slack,
    render_text,
)
from kzwatch.model import Event, make_event

__all__ = [
    "SmtpSettings",
    "WebhookSettings",
    "FileSettings",
    "ChannelSettings",
    "DeliveryResult",
    "DeliveryConfigError",
    "smtp_credentials",
    "send_email",
    "send_webhook",
    "write_file",
    "deliver",
    "all_delivered",
    "delivery_failed_events",
]


class DeliveryConfigError(ValueError):
    """The channel is misconfigured (missing secret, bad URL...): retrying cannot help."""


class _PermanentFailure(Exception):
    """A delivery failure that retrying cannot fix."""


# --- Settings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send e-mail digests.

    ``starttls``: plain connection upgraded with STARTTLS (port 587).  ``ssl``: implicit TLS
    (SMTPS, port 465).  Not both.  Credentials: user from ``$username_env``, password from
    ``$password_env`` or, when ``secret_block`` is set, from that Prefect Secret block.  No
    user and no password means no AUTH (a trusted relay).  Credentials are never sent over an
    unencrypted connection unless ``allow_insecure_auth`` is set.  ``ca_file`` adds a CA to
    trust (a private mail server); certificate and host name are always verified.
    """

    REQUIRED: ClassVar[tuple[str, ...]] = ("recipients",)

    host: str = "localhost"
    sender: str = "kzwatch@localhost"
    recipients: tuple[str, ...] = ()
    port: int = 587
    starttls: bool = True
    ssl: bool = False
    username_env: str = "KZWATCH_SMTP_USER"
    password_env: str = "KZWATCH_SMTP_PASSWORD"
    secret_block: str | None = None
    timeout_s: float = 30.0
    ca_file: str | None = None
    subject_prefix: str = "[kzwatch]"
    helo_name: str | None = None  # None: the machine's FQDN, as smtplib does
    allow_insecure_auth: bool = False
    name: str = ""  # how results name this channel; default "smtp:host:port"

    @property
    def channel(self) -> str:
        return self.name or f"smtp:{self.host}:{self.port}"


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


@dataclass(frozen=True)
class FileSettings:
    """Write each digest as a file into ``dir`` (created if missing).  ``format``: md, txt,
    html or json.  File names come from the digest time, never from page data."""

    PATHS: ClassVar[tuple[str, ...]] = ("dir",)  # relative to the config file

    dir: str = "warehouse/digests"
    format: str = "md"
    name: str = ""

    def __post_init__(self) -> None:
        if self.format not in _FILE_RENDERERS:
            raise ValueError(f"'format' must be one of {', '.join(_FILE_RENDERERS)}, not {self.format!r}")

    @property
    def channel(self) -> str:
        return self.name or f"file:{self.dir}"


ChannelSettings = Union[SmtpSettings, WebhookSettings, FileSettings]

#: Delivery channel kind (the ``[delivery.<kind>]`` table) -> its settings class.
CHANNEL_SETTINGS: dict[str, type] = {"email": SmtpSettings, "webhook": WebhookSettings, "file": FileSettings}


@dataclass(frozen=True)
class DeliveryResult:
    """How one channel fared.  ``attempts`` is 0 when the channel could not even be tried."""

    channel: str
    ok: bool
    detail: str
    attempts: int


# --- Retrying ----------------------------------------------------------------------------------


def _with_retries(
    channel: str,
    attempt: Callable[[], str],
    *,
    retries: int,
    sleep: Callable[[float], Any],
    backoff_s: float,
    redact: Callable[[str], str] = lambda s: s,
) -> DeliveryResult:
    """Run ``attempt`` up to ``1 + retries`` times; it returns a detail or raises."""
    attempts = 0
    last = ""
    while attempts <= retries:
        attempts += 1
        try:
            return DeliveryResult(channel, True, redact(attempt()), attempts)
        except DeliveryConfigError as exc:
            return DeliveryResult(channel, False, redact(f"configuration error: {exc}"), attempts - 1)
        except _PermanentFailure as exc:
            return DeliveryResult(channel, False, redact(str(exc)), attempts)
        except Exception as exc:  # noqa: BLE001 — any other failure is reported, never raised
            last = f"{type(exc).__name__}: {exc}"
        if attempts <= retries:
            sleep(backoff_s * (2 ** (attempts - 1)))
    return DeliveryResult(channel, False, redact(f"failed after {attempts} attempts: {last}"), attempts)


# --- SMTP --------------------------------------------------------------------------------------


def _load_prefect_secret(block_name: str) -> str:
    try:
        from prefect.blocks.system import Secret

        value = Secret.load(block_name).get()
    except Exception as exc:  # noqa: BLE001 — Prefect raises many kinds; all mean "not available"
        raise DeliveryConfigError(
            f"could not load Prefect Secret block {block_name!r}: {type(exc).__name__}: {exc}"
        ) from exc
    if not isinstance(value, str) or not value:
        raise DeliveryConfigError(f"Prefect Secret block {block_name!r} holds no password string")
    return value


def smtp_credentials(
    settings: SmtpSettings, environ: Mapping[str, str] | None = None
) -> tuple[str, str] | None:
    """(user, password), or None when neither is configured.  Half a pair is an error."""
    environ = os.environ if environ is None else environ
    user = environ.get(settings.username_env, "")
    if settings.secret_block:
        password = _load_prefect_secret(settings.secret_block)
    else:
        password = environ.get(settings.password_env, "")
    if not user and not password:
        return None
    if not user:
        raise DeliveryConfigError(f"SMTP password is set but ${settings.username_env} is empty")
    if not password:
        raise DeliveryConfigError(f"SMTP user is set but ${settings.password_env} is empty")
    return user, password


def _smtp_send_once(msg: EmailMessage, settings: SmtpSettings) -> str:
    if settings.ssl and settings.starttls:
        raise DeliveryConfigError("choose either ssl (implicit TLS) or starttls, not both")
    if not settings.recipients:
        raise DeliveryConfigError("no recipients configured")
    credentials = smtp_credentials(settings)
    encrypted = settings.ssl or settings.starttls
    if credentials and not encrypted and not settings.allow_insecure_auth:
        raise DeliveryConfigError("refusing to send SMTP credentials without TLS (set starttls or ssl)")
    context = ssl.create_default_context(cafile=settings.ca_file) if encrypted else None

    try:
        if settings.ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                local_hostname=settings.helo_name,
                timeout=settings.timeout_s,
                context=context,
            )
        else:
            smtp = smtplib.SMTP(
                settings.host, settings.port, local_hostname=settings.helo_name, timeout=settings.timeout_s
            )
        with smtp:
            smtp.ehlo()
            if settings.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if credentials:
                smtp.login(*credentials)
            refused = smtp.send_message(
                msg, from_addr=settings.sender, to_addrs=list(settings.recipients)
            )
    except smtplib.SMTPAuthenticationError as exc:
        raise _PermanentFailure(f"SMTP authentication failed: {exc.smtp_code}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise _PermanentFailure(f"all recipients refused: {sorted(exc.recipients)}") from exc
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            raise _PermanentFailure(f"SMTP error {exc.smtp_code}: {exc.smtp_error!r}") from exc
        raise  # 4xx: temporary, retry
    except ssl.SSLCertVerificationError as exc:
        raise _PermanentFailure(f"TLS certificate not trusted: {exc.verify_message}") from exc
    if refused:
        # Some recipients got it: retrying would send it to them again.
        raise _PermanentFailure(f"some recipients refused: {sorted(refused)}")
    return f"sent to {len(settings.recipients)} recipient(s)"


def send_email(
    msg: EmailMessage,
    settings: SmtpSettings,
    *,
    retries: int = 0,
    sleep: Callable[[float], Any] = time.sleep,
    backoff_s: float = 2.0,
) -> DeliveryResult:
    """Send ``msg`` through the configured SMTP server; never raises for delivery failures."""
    return _with_retries(
        settings.channel,
        lambda: _smtp_send_once(msg, settings),
        retries=retries,
        sleep=sleep,
        backoff_s=backoff_s,
    )


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
        raise _PermanentFailure(f"HTTP {status}: webhook redirects; configure the final URL")
    if status in (408, 429) or status >= 500:
        raise RuntimeError(f"HTTP {status}: {body!r}")
    raise _PermanentFailure(f"HTTP {status}: {body!r}")


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
        return _with_retries(
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


# --- File --------------------------------------------------------------------------------------

_SAFE_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")


def write_file(digest_text: str, settings: FileSettings, name: str) -> DeliveryResult:
    """Write ``digest_text`` to ``settings.dir/name`` atomically (temp file, fsync, rename).

    A reader sees either the old file or the whole new one, never half.  ``name`` must be a
    plain file name (letters, digits, ``. _ -``); anything else is refused.
    """
    channel = settings.channel
    if not _SAFE_FILE_NAME.match(name) or ".." in name:
        return DeliveryResult(channel, False, f"configuration error: unsafe file name {name!r}", 0)
    directory = Path(settings.dir)
    tmp_path: str | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_path = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(digest_text)
            handle.flush()
            os.fsync(handle.fileno())
        target = directory / name
        os.replace(tmp_path, target)
        tmp_path = None
    except OSError as exc:
        return DeliveryResult(channel, False, f"{type(exc).__name__}: {exc}", 1)
    finally:
        if tmp_path is not None:
            try:
                os.unlink(tmp_path)
            except OSError:
                pass
    return DeliveryResult(channel, True, str(target), 1)


_FILE_RENDERERS: dict[str, tuple[Callable[[Digest], str], str]] = {
    "md": (render_markdown, "md"),
    "markdown": (render_markdown, "md"),
    "txt": (render_text, "txt"),
    "text": (render_text, "txt"),
    "html": (render_html, "html"),
    "json": (render_json, "json"),
}


def _digest_file_name(digest: Digest, extension: str) -> str:
    stamp = digest.generated_at
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(timezone.utc)
    return f"kzwatch-digest-{stamp:%Y%m%dT%H%M%SZ}.{extension}"


# --- All channels ------------------------------------------------------------------------------


def _deliver_one(
    digest: Digest,
    channel: ChannelSettings,
    *,
    retries: int,
    sleep: Callable[[float], Any],
    backoff_s: float,
    session: requests.Session | None,
) -> DeliveryResult:
    if isinstance(channel, SmtpSettings):
        try:
            msg = build_email(
                digest,
                sender=channel.sender,
                recipients=list(channel.recipients),
                subject_prefix=channel.subject_prefix,
            )
        except ValueError as exc:
            return DeliveryResult(channel.channel, False, f"configuration error: {exc}", 0)
        return send_email(msg, channel, retries=retries, sleep=sleep, backoff_s=backoff_s)
    if isinstance(channel, WebhookSettings):
        if channel.kind == "slack":
            payload = render_slack(digest)
        elif channel.kind == "json":
            payload = json.loads(render_json(digest))
        else:
            detail = f"configuration error: unknown webhook kind {channel.kind!r}"
            return DeliveryResult(channel.channel, False, detail, 0)
        return send_webhook(
            payload, channel, session=session, retries=retries, sleep=sleep, backoff_s=backoff_s
        )
    if isinstance(channel, FileSettings):
        if channel.format not in _FILE_RENDERERS:
            detail = f"configuration error: unknown file format {channel.format!r}"
            return DeliveryResult(channel.channel, False, detail, 0)
        render, extension = _FILE_RENDERERS[channel.format]
        name = _digest_file_name(digest, extension)
        return _with_retries(
            channel.channel,
            lambda: _file_attempt(render(digest), channel, name),
            retries=retries,
            sleep=sleep,
            backoff_s=backoff_s,
        )
    return DeliveryResult(repr(type(channel).__name__), False, "configuration error: unknown channel type", 0)


def _file_attempt(text: str, settings: FileSettings, name: str) -> str:
    result = write_file(text, settings, name)
    if result.ok:
        return result.detail
    if result.attempts == 0:
        raise DeliveryConfigError(result.detail.removeprefix("configuration error: "))
    raise OSError(result.detail)


def deliver(
    digest: Digest,
    channels: list[ChannelSettings],
    *,
    retries: int = 2,
    sleep: Callable[[float], Any] = time.sleep,
    backoff_s: float = 2.0,
    session: requests.Session | None = None,
) -> list[DeliveryResult]:
    """Send ``digest`` through every channel; one result per channel, in order.

    An empty digest is not sent (returns ``[]``).  Each channel is tried ``1 + retries`` times
    at most, sleeping ``backoff_s``, ``2·backoff_s``... between attempts.  Never raises for a
    delivery failure.  See the module docstring for how to mark events sent: only when
    :func:`all_delivered` is true.
    """
    if digest.is_empty:
        return []
    return [
        _deliver_one(digest, channel, retries=retries, sleep=sleep, backoff_s=backoff_s, session=session)
        for channel in channels
    ]


def all_delivered(results: list[DeliveryResult]) -> bool:
    """True when there was at least one channel and every one succeeded."""
    return bool(results) and all(r.ok for r in results)


def delivery_failed_events(
    results: list[DeliveryResult], digest: Digest, article_id: str = "", now: datetime | None = None
) -> list[Event]:
    """One ``delivery_failed`` operational event per failed channel of this digest.

    The id hashes the channel and the digest's event ids, so retrying the same digest on the
    same broken channel does not pile up notices.  ``now`` defaults to the digest's time.
    """
    created = now or digest.generated_at
    digest_key = "\n".join(sorted(digest.event_ids))
    events = []
    for result in results:
        if result.ok:
            continue
        key = f"delivery_failed\x1f{result.channel}\x1f{digest_key}"
        events.append(
            make_event(
                "delivery_failed",
                event_id="dlv-" + hashlib.sha256(key.encode()).hexdigest()[:32],
                article_id=article_id,
                created_at=created,
                subject=f"Digest delivery failed on {result.channel}",
                details={
                    "channel": result.channel,
                    "attempts": result.attempts,
                    "error": result.detail,
                    "events_pending": len(digest.event_ids),
                },
            )
        )
    return events
