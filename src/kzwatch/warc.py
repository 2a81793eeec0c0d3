"""Export fetched pages as standard WARC files, and read them back.

A snapshot in the warehouse is kzwatch's own format; a WARC file is the web archives' one
(ISO 28500), readable by pywb, the Wayback Machine's tools, ReplayWeb.page and warcio.  Exporting
captures as WARC lets a maintainer hand the evidence for a dead or drifted citation to any
archive, or replay it as the page looked when kzwatch saw it.

Each file holds one ``warcinfo`` record (software, format) followed by one ``response`` record
per capture (HTTP status line, headers and body, ``WARC-IP-Address`` when known), gzipped per
record, WARC/1.1.  Record dates come from the captures (no clock is read).

The fetcher stores bodies with their content-encoding already undone, so the exported HTTP
headers drop ``Content-Encoding``/``Transfer-Encoding`` and carry the real ``Content-Length``:
otherwise a replay tool would try to gunzip plain bytes.

This module is an edge: it writes and reads files.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

__all__ = ["WarcCapture", "write_warc", "read_warc", "WARC_VERSION"]

WARC_VERSION = "1.1"
_SOFTWARE = "kzwatch (citation monitor)"
_DROPPED_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


@dataclass(frozen=True)
class WarcCapture:
    """One HTTP response as kzwatch saw it."""

    url: str
    fetched_at: datetime  # timezone-aware
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    ip: str | None = None


def _warc_date(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("WarcCapture.fetched_at must be timezone-aware")
    utc = moment.astimezone(timezone.utc)
    # WARC/1.1 allows fractional seconds; keep them so two captures in one second stay ordered.
    stamp = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        stamp += f".{utc.microsecond:06d}"
    return stamp + "Z"


def _http_headers(capture: WarcCapture) -> StatusAndHeaders:
    try:
        reason = HTTPStatus(capture.status).phrase
    except ValueError:
        reason = "Unknown"
    headers = [(k, str(v)) for k, v in capture.headers.items() if k.lower() not in _DROPPED_HEADERS]
    headers.append(("Content-Length", str(len(capture.body))))
    return StatusAndHeaders(f"{capture.status} {reason}", headers, protocol="HTTP/1.1")


def _output_path(out_dir: Path, prefix: str, first: datetime) -> Path:
    stamp = first.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")
    safe_prefix = re.sub(r"[^A-Za-z0-9._-]+", "_", prefix) or "kzwatch"
    serial = 0
    while True:
        path = out_dir / f"{safe_prefix}-{stamp}-{serial:05d}.warc.gz"
        if not path.exists():
            return path
        serial += 1


def write_warc(captures: Iterable[WarcCapture], out_dir: Path, *, filename_prefix: str = "kzwatch") -> list[Path]:
    """Write *captures* to a new gzipped WARC file in *out_dir*; return the file(s) written.

    Nothing is written for an empty iterable.  An existing file is never overwritten.
    """
    captures = list(captures)
    if not captures:
        return []
    for capture in captures:
        _warc_date(capture.fetched_at)  # fail before creating a half-written file
        if not isinstance(capture.body, (bytes, bytearray)):
            raise TypeError(f"WarcCapture.body must be bytes, not {type(capture.body).__name__}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = _output_path(out_dir, filename_prefix, captures[0].fetched_at)
    with open(path, "xb") as handle:
        writer = WARCWriter(handle, gzip=True, warc_version=WARC_VERSION)
        info = f"software: {_SOFTWARE}\r\nformat: WARC File Format {WARC_VERSION}\r\n".encode()
        writer.write_record(
            writer.create_warc_record(
                "",  # warcinfo records have no target URI
                "warcinfo",
                payload=io.BytesIO(info),
                length=len(info),
                warc_content_type="application/warc-fields",
                warc_headers_dict={"WARC-Date": _warc_date(captures[0].fetched_at), "WARC-Filename": path.name},
            )
        )
        for capture in captures:
            warc_headers = {"WARC-Date": _warc_date(capture.fetched_at)}
            if capture.ip:
                warc_headers["WARC-IP-Address"] = capture.ip
            record = writer.create_warc_record(
                capture.url,
                "response",
                payload=io.BytesIO(bytes(capture.body)),
                length=len(capture.body),
                warc_headers_dict=warc_headers,
                http_headers=_http_headers(capture),
            )
            writer.write_record(record)
    return [path]


def _parse_warc_date(value: str | None) -> datetime:
    if not value:
        raise ValueError("WARC record without WARC-Date")
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def read_warc(path: Path) -> list[WarcCapture]:
    """The ``response`` records of a WARC file as captures (other record types skipped).

    Header names come back lower-case, as kzwatch's fetcher stores them.
    """
    captures: list[WarcCapture] = []
    with open(path, "rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            headers = {name.lower(): value for name, value in record.http_headers.headers}
            captures.append(
                WarcCapture(
                    url=record.rec_headers.get_header("WARC-Target-URI"),
                    fetched_at=_parse_warc_date(record.rec_headers.get_header("WARC-Date")),
                    status=int(record.http_headers.get_statuscode()),
                    headers=headers,
                    body=record.content_stream().read(),
                    ip=record.rec_headers.get_header("WARC-IP-Address"),
                )
            )
    return captures
