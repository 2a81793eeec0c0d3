"""E-mail over SMTP (STARTTLS or implicit TLS), credentials from the environment or a Prefect Secret."""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, ClassVar

import requests

from kzwatch.alerts.channels import DeliveryConfigError, DeliveryResult, PermanentFailure, channel, with_retries
from kzwatch.alerts.digest import Digest
from kzwatch.alerts.render import build_email


@channel("email")
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

    def deliver(self, digest: Digest, *, retries: int, sleep: Callable[[float], Any], backoff_s: float,
                session: requests.Session | None = None) -> DeliveryResult:
        try:
            msg = build_email(digest, sender=self.sender, recipients=list(self.recipients),
                              subject_prefix=self.subject_prefix)
        except ValueError as exc:
            return DeliveryResult(self.channel, False, f"configuration error: {exc}", 0)
        return send_email(msg, self, retries=retries, sleep=sleep, backoff_s=backoff_s)


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


def _checked_credentials(settings: SmtpSettings) -> tuple[str, str] | None:
    """The credentials to use, after the checks no retry can fix."""
    if settings.ssl and settings.starttls:
        raise DeliveryConfigError("choose either ssl (implicit TLS) or starttls, not both")
    if not settings.recipients:
        raise DeliveryConfigError("no recipients configured")
    credentials = smtp_credentials(settings)
    if credentials and not (settings.ssl or settings.starttls) and not settings.allow_insecure_auth:
        raise DeliveryConfigError("refusing to send SMTP credentials without TLS (set starttls or ssl)")
    return credentials


def _connect(settings: SmtpSettings, context: ssl.SSLContext | None) -> smtplib.SMTP:
    if settings.ssl:
        return smtplib.SMTP_SSL(settings.host, settings.port, local_hostname=settings.helo_name,
                                timeout=settings.timeout_s, context=context)
    return smtplib.SMTP(settings.host, settings.port, local_hostname=settings.helo_name, timeout=settings.timeout_s)


def _smtp_send_once(msg: EmailMessage, settings: SmtpSettings) -> str:
    credentials = _checked_credentials(settings)
    encrypted = settings.ssl or settings.starttls
    context = ssl.create_default_context(cafile=settings.ca_file) if encrypted else None
    try:
        with _connect(settings, context) as smtp:
            smtp.ehlo()
            if settings.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if credentials:
                smtp.login(*credentials)
            refused = smtp.send_message(msg, from_addr=settings.sender, to_addrs=list(settings.recipients))
    except smtplib.SMTPAuthenticationError as exc:
        raise PermanentFailure(f"SMTP authentication failed: {exc.smtp_code}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentFailure(f"all recipients refused: {sorted(exc.recipients)}") from exc
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            raise PermanentFailure(f"SMTP error {exc.smtp_code}: {exc.smtp_error!r}") from exc
        raise  # 4xx: temporary, retry
    except ssl.SSLCertVerificationError as exc:
        raise PermanentFailure(f"TLS certificate not trusted: {exc.verify_message}") from exc
    if refused:
        # Some recipients got it: retrying would send it to them again.
        raise PermanentFailure(f"some recipients refused: {sorted(refused)}")
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
    return with_retries(
        settings.channel,
        lambda: _smtp_send_once(msg, settings),
        retries=retries,
        sleep=sleep,
        backoff_s=backoff_s,
    )
