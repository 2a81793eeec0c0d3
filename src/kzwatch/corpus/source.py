"""Where an input comes from: a file, or a URL fetched through kzwatch's guarded fetcher.

A URL goes through ``cycles.common.build_fetcher`` — the same SSRF guard, robots rules, size cap
and timeouts as every citation check — so ``kzwatch add https://…`` cannot be pointed at an
internal address.  The response's content type becomes a name hint for format detection
(detection still looks at the content first).
"""

from __future__ import annotations

import re
from pathlib import Path

from kzwatch.corpus.formats import InputError

_TYPE_EXTENSIONS = {
    "text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf",
    "text/plain": ".txt", "application/x-bibtex": ".bib", "application/x-research-info-systems": ".ris",
    "application/vnd.citationstyles.csl+json": ".json", "application/json": ".json",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


def is_url(spec: str) -> bool:
    return bool(re.match(r"(?i)^https?://", spec.strip()))


def load_source(spec: str, config=None) -> tuple[bytes, str]:
    """``(data, name)`` of a file path or an http(s) URL; raises ``InputError`` (one line)."""
    if is_url(spec):
        return _fetch(spec.strip(), config)
    path = Path(spec).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return data, str(path)


def _fetch(url: str, config) -> tuple[bytes, str]:
    from kzwatch.config import load_config
    from kzwatch.cycles.common import build_fetcher

    fetcher = build_fetcher(config or load_config())
    try:
        result = fetcher.fetch(url)
    finally:
        fetcher.close()
    if result.error:
        raise InputError(f"{url}: could not fetch the article ({result.error}: {result.error_detail or 'no detail'})")
    if result.status is None or not 200 <= result.status < 300:
        raise InputError(f"{url}: the server answered HTTP {result.status}; pass a saved copy of the page instead")
    media = (result.content_type or "").split(";")[0].strip().lower()
    name = re.sub(r"[?#].*$", "", result.final_url or url)
    # Text the fetcher decoded (header, BOM or <meta> charset) is passed on as UTF-8.
    data = result.text.encode("utf-8") if result.text is not None else result.body
    return data, name + _TYPE_EXTENSIONS.get(media, "")
