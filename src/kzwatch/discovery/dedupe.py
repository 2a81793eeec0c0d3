"""Seeing an item once: canonical URLs, dedupe keys, and source URL templates.

An item may come back through several sources, with tracking parameters, another scheme or a
retitled headline: :func:`item_keys` gives every key it can be known by, and :func:`dedupe`
drops items any of whose keys was seen.  Pure.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Iterable
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from kzwatch.model import FeedItem
from kzwatch.textnorm import normalize

#: A normalised title shorter than this is too generic ("Новости", "Press release") to dedupe on.
MIN_TITLE_KEY_CHARS = 16
_WS_RE = re.compile(r"\s+")

TRACKING_PARAMS = frozenset({"fbclid", "gclid", "yclid", "_openstat", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_PERCENT_RE = re.compile(r"%[0-9a-fA-F]{2}")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMS


def canonical_url(url: str) -> str:
    """One spelling per address, for identity and de-duplication (not for fetching).

    Lower-cases scheme and host (IDN hosts to punycode), drops the fragment, the default port and
    tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``yclid``, ``_openstat``…), sorts the
    remaining query, percent-encodes raw non-ASCII path characters, and drops a trailing slash
    (except the root).  Every other parameter stays: RFE/RL article ids live in the path and
    WordPress ``?p=123`` ids in the query.  Text that is not a URL comes back stripped.
    """
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if not scheme or not parts.netloc:
        return url
    host = (parts.hostname or "").rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    netloc = host
    if parts.username or parts.password:
        netloc = f"{parts.username or ''}{':' + parts.password if parts.password else ''}@{host}"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    path = quote(parts.path, safe=_PATH_SAFE)
    path = _PERCENT_RE.sub(lambda m: m.group(0).upper(), path)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    if not path:
        path = "/"
    query_pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query = urlencode(sorted(query_pairs), doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


def _title_key(title: str) -> str | None:
    cleaned = normalize(title)
    cleaned = re.sub(r"[\"'«»„“”‘’`]", "", cleaned)
    cleaned = _WS_RE.sub(" ", cleaned).strip(" .,:;!?-–—")
    return cleaned if len(cleaned) >= MIN_TITLE_KEY_CHARS else None


def item_keys(item: FeedItem) -> tuple[str, ...]:
    """The identities of an item: its canonical URL (scheme-insensitive), its GUID, and its
    normalised title (casefolded, quotes and whitespace normalised; omitted when too short to be
    specific).  Two items sharing any key are the same story."""
    keys: list[str] = []
    canonical = canonical_url(item.url)
    keys.append("url:" + canonical.split("://", 1)[-1])
    if item.guid and item.guid.strip():
        keys.append("guid:" + item.guid.strip())
    title = _title_key(item.title) if item.title else None
    if title:
        keys.append("title:" + title)
    return tuple(keys)


def dedupe(items: Iterable[FeedItem], seen_keys: Iterable[str] = ()) -> list[FeedItem]:
    """Items whose keys were not seen before, first occurrence winning.

    ``seen_keys`` (e.g. keys already in the warehouse) is read, not modified.
    """
    seen = set(seen_keys)
    kept: list[FeedItem] = []
    for item in items:
        keys = item_keys(item)
        if any(key in seen for key in keys):
            continue
        seen.update(keys)
        kept.append(item)
    return kept


# --- Source dispatch and URL templates ------------------------------------------------------


def expand_url(template: str, since: datetime, *, overlap: timedelta = timedelta(days=1)) -> str:
    """Fill a source URL template: ``{modified_after}`` → ISO 8601 UTC time of ``since - overlap``.

    The overlap is there because WordPress compares ``modified_after`` with its site-local
    modification time; asking for a day more costs nothing since :func:`dedupe` drops repeats.
    A naive ``since`` is taken as UTC.
    """
    moment = _as_utc(since) - overlap
    return template.replace("{modified_after}", moment.strftime("%Y-%m-%dT%H:%M:%SZ")).replace(
        "{since_date}", moment.strftime("%Y-%m-%d")
    )


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
