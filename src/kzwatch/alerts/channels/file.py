"""Digest files: written atomically (temp file, fsync, rename) in any registered format."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path
from typing import Any, ClassVar

import requests

from kzwatch.alerts.channels import DeliveryConfigError, DeliveryResult, channel, with_retries
from kzwatch.alerts.digest import Digest
from kzwatch.alerts.render import RENDERERS


@channel("file")
@dataclass(frozen=True)
class FileSettings:
    """Write each digest as a file into ``dir`` (created if missing).  ``format``: md, txt,
    html or json.  File names come from the digest time, never from page data."""

    PATHS: ClassVar[tuple[str, ...]] = ("dir",)  # relative to the config file

    dir: str = "warehouse/digests"
    format: str = "md"
    name: str = ""

    def __post_init__(self) -> None:
        if self.format not in RENDERERS:
            raise ValueError(f"'format' must be one of {', '.join(RENDERERS)}, not {self.format!r}")

    @property
    def channel(self) -> str:
        return self.name or f"file:{self.dir}"

    def deliver(self, digest: Digest, *, retries: int, sleep: Callable[[float], Any], backoff_s: float,
                session: requests.Session | None = None) -> DeliveryResult:
        fmt = RENDERERS[self.format]
        name = _digest_file_name(digest, fmt.extension)
        return with_retries(self.channel, lambda: _file_attempt(fmt.render(digest), self, name),
                            retries=retries, sleep=sleep, backoff_s=backoff_s)


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


def _digest_file_name(digest: Digest, extension: str) -> str:
    stamp = digest.generated_at
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(timezone.utc)
    return f"kzwatch-digest-{stamp:%Y%m%dT%H%M%SZ}.{extension}"


def _file_attempt(text: str, settings: FileSettings, name: str) -> str:
    result = write_file(text, settings, name)
    if result.ok:
        return result.detail
    if result.attempts == 0:
        raise DeliveryConfigError(result.detail.removeprefix("configuration error: "))
    raise OSError(result.detail)
