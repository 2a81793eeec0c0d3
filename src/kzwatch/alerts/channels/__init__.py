"""Delivery channels: e-mail over SMTP, webhooks (Slack or plain JSON), files, and Apprise.

These are edge modules: network and file I/O and nothing else.  What to say is decided by
:mod:`kzwatch.alerts.digest` and :mod:`kzwatch.alerts.render`; which events to say it about by
:mod:`kzwatch.alerts.lifecycle`.

Each channel is one module with one settings class registered by its kind with ``@channel``
(the ``[delivery.<kind>]`` table of the config is that class); the class's ``deliver`` method
sends a digest and returns a :class:`DeliveryResult`.  Adding a channel is one module and one
import at the bottom of this file.

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
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import requests

from kzwatch.alerts.digest import Digest
from kzwatch.model import Event, make_event


class DeliveryConfigError(ValueError):
    """The channel is misconfigured (missing secret, bad URL...): retrying cannot help."""


class PermanentFailure(Exception):
    """A delivery failure that retrying cannot fix."""


@dataclass(frozen=True)
class DeliveryResult:
    """How one channel fared.  ``attempts`` is 0 when the channel could not even be tried."""

    channel: str
    ok: bool
    detail: str
    attempts: int


class Channel(Protocol):
    """A delivery channel's settings, which also know how to deliver."""

    @property
    def channel(self) -> str: ...  # how results name it, without secrets

    def deliver(self, digest: Digest, *, retries: int, sleep: Callable[[float], Any], backoff_s: float,
                session: requests.Session | None) -> DeliveryResult: ...


#: Channel kind (the [delivery.<kind>] table) -> its settings class.
CHANNEL_SETTINGS: dict[str, type] = {}


def channel(kind: str) -> Callable[[type], type]:
    """Register a channel's settings class under its config kind."""
    def register(cls: type) -> type:
        CHANNEL_SETTINGS[kind] = cls
        cls.KIND = kind  # type: ignore[attr-defined]
        return cls
    return register


# --- Retrying ----------------------------------------------------------------------------------


def with_retries(
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
        except PermanentFailure as exc:
            return DeliveryResult(channel, False, redact(str(exc)), attempts)
        except Exception as exc:  # noqa: BLE001 — any other failure is reported, never raised
            last = f"{type(exc).__name__}: {exc}"
        if attempts <= retries:
            sleep(backoff_s * (2 ** (attempts - 1)))
    return DeliveryResult(channel, False, redact(f"failed after {attempts} attempts: {last}"), attempts)


# --- All channels ------------------------------------------------------------------------------


def deliver(
    digest: Digest,
    channels: list[Channel],
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
        channel.deliver(digest, retries=retries, sleep=sleep, backoff_s=backoff_s, session=session)
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


# The channels: importing a module registers it.
from kzwatch.alerts.channels.apprise import AppriseSettings  # noqa: E402
from kzwatch.alerts.channels.file import FileSettings, write_file  # noqa: E402
from kzwatch.alerts.channels.smtp import SmtpSettings, send_email, smtp_credentials  # noqa: E402
from kzwatch.alerts.channels.webhook import WebhookSettings, send_webhook  # noqa: E402

__all__ = ["CHANNEL_SETTINGS", "Channel", "channel", "DeliveryResult", "DeliveryConfigError", "PermanentFailure",
           "with_retries", "deliver", "all_delivered", "delivery_failed_events", "SmtpSettings", "WebhookSettings",
           "FileSettings", "AppriseSettings", "send_email", "send_webhook", "write_file", "smtp_credentials"]
