"""Bytes to text: streaming Content-Encoding decoding with a decoded-bytes meter, and charset
detection (declared, BOM, WHATWG aliases, the Kazakh KZ-1048 heuristic)."""

from __future__ import annotations

import codecs
import logging
import re
import zlib
from collections.abc import Iterator

import brotli

log = logging.getLogger(__name__)


_DECODE_CHUNK = 64 * 1024
_MAX_ENCODING_LAYERS = 3


class _UnsupportedEncoding(Exception):
    pass


class _ZlibLayer:
    """gzip (possibly multi-member) or deflate (zlib-wrapped or raw), never more than
    ``_DECODE_CHUNK`` bytes of output per step."""

    def __init__(self, gzip: bool):
        self._gzip = gzip
        self._decoder = self._new()
        self._produced = False
        self._finished_member = False

    def _new(self):  # type: ignore[no-untyped-def]
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                out = self._decoder.decompress(data, _DECODE_CHUNK)
            except zlib.error:
                if not self._gzip and not self._produced:
                    # Some servers send raw deflate without the zlib wrapper.
                    self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._produced = True
                    continue
                if self._finished_member:
                    return  # trailing garbage after a complete gzip member: ignore it
                raise
            data = self._decoder.unconsumed_tail
            if self._decoder.eof:
                rest = self._decoder.unused_data
                self._finished_member = True
                if self._gzip and rest:
                    self._decoder = self._new()
                    data = rest
                else:
                    data = b""
            if out:
                self._produced = True
                yield out
            elif not data:
                return


class _BrotliLayer:
    def __init__(self) -> None:
        self._decoder = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        out = self._decoder.process(data, output_buffer_limit=_DECODE_CHUNK)
        if out:
            yield out
        while not self._decoder.can_accept_more_data():
            out = self._decoder.process(b"", output_buffer_limit=_DECODE_CHUNK)
            if not out:
                return
            yield out


class _IdentityLayer:
    def feed(self, data: bytes) -> Iterator[bytes]:
        for start in range(0, len(data), _DECODE_CHUNK):
            yield data[start:start + _DECODE_CHUNK]


class _StreamDecoder:
    """Undo a Content-Encoding chain lazily, piece by piece."""

    def __init__(self, content_encoding: str | None):
        names = [n.strip().lower() for n in (content_encoding or "").split(",") if n.strip()]
        names = [n for n in names if n != "identity"]
        if len(names) > _MAX_ENCODING_LAYERS:
            raise _UnsupportedEncoding(f"{len(names)} stacked content-encodings")
        layers: list[_ZlibLayer | _BrotliLayer] = []
        for name in reversed(names):  # the last applied is undone first
            if name in ("gzip", "x-gzip"):
                layers.append(_ZlibLayer(gzip=True))
            elif name == "deflate":
                layers.append(_ZlibLayer(gzip=False))
            elif name == "br":
                layers.append(_BrotliLayer())
            else:
                raise _UnsupportedEncoding(f"unsupported content-encoding {name!r}")
        self._layers: list[_ZlibLayer | _BrotliLayer | _IdentityLayer] = [*layers] or [_IdentityLayer()]

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, data)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            yield data
            return
        for piece in self._layers[index].feed(data):
            yield from self._through(index + 1, piece)


# --- Charset -----------------------------------------------------------------------------------------

_TEXT_TYPES = re.compile(
    r"^(text/.*|application/(xhtml\+xml|xml|json|rss\+xml|atom\+xml|rdf\+xml|ld\+json|javascript)"
    r"|[a-z0-9.+-]+/[a-z0-9.+-]*\+(xml|json))$"
)
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)[\"']", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Browsers read these labels as windows-1252 (WHATWG Encoding); so do we.
_WHATWG_ALIASES = {"latin_1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}

# The KZ-1048 trap.  KZ-1048 is windows-1251 with Kazakh letters in the slots of Serbian,
# Macedonian, Belarusian and Ukrainian ones, and detectors call it cp1251, turning Қ into Ќ.
# Bytes that are Kazakh-only letters in KZ-1048 and non-Russian, non-Ukrainian letters in cp1251:
_KZ_STRONG_KINDS = {0x8D: "қ", 0x9D: "қ", 0xBD: "ң", 0xBE: "ң", 0xA3: "ә", 0xBC: "ә",
                    0x8E: "һ", 0x9E: "һ", 0xA1: "ұ", 0xA2: "ұ"}
# Kazakh letters that collide with Ukrainian ones (Ү/Ї, Ө/Ґ, Ғ/Є):
_KZ_SHARED = frozenset({0xAF, 0xBF, 0xA5, 0xB4, 0xAA, 0xBA})
# Serbian/Macedonian letters identical in both code pages: their presence means cp1251.
_SOUTH_SLAVIC = frozenset({0x80, 0x90, 0x81, 0x83, 0x8A, 0x9A, 0x8C, 0x9C, 0x8F, 0x9F})


def looks_like_kz1048(body: bytes) -> bool:
    """True when bytes a detector would call cp1251 are really KZ-1048 Kazakh text."""
    strong_kinds: set[str] = set()
    strong = shared = slavic = 0
    for byte in body:
        if byte < 0x80:
            continue
        if byte in _KZ_STRONG_KINDS:
            strong += 1
            strong_kinds.add(_KZ_STRONG_KINDS[byte])
        elif byte in _KZ_SHARED:
            shared += 1
        elif byte in _SOUTH_SLAVIC:
            slavic += 1
    if not strong or slavic * 20 >= strong:
        return False
    # Belarusian uses ў (= ұ) alone; Kazakh text with only ұ also shows ү/ө/ғ.
    return strong_kinds != {"ұ"} or shared > 0


def _codec_name(label: str | bytes | None) -> str | None:
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _WHATWG_ALIASES.get(name, name)


def media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def is_text_type(content_type: str | None, body: bytes = b"") -> bool:
    """HTML, XML, JSON, feeds and text/*; without a Content-Type, bytes with no NUL in the head."""
    kind = media_type(content_type)
    if kind is None:
        return bool(body) and b"\x00" not in body[:4096]
    return bool(_TEXT_TYPES.match(kind))


def _declared_charset(body: bytes, content_type: str | None) -> tuple[str | None, str]:
    """The charset the bytes or the headers declare, and where it was found."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, "bom"
    if content_type:
        param = _CHARSET_PARAM.search(content_type)
        from_header = _codec_name(param.group(1)) if param else None
        if from_header:
            return from_header, "header"
    head = body[:4096]
    found = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    declared = _codec_name(found.group(1)) if found else None
    if declared:
        return declared, "document"
    return None, ""


def _detect_charset(body: bytes) -> str | None:
    from charset_normalizer import from_bytes  # imported late: it is slow to import

    best = from_bytes(body[:200_000]).best()
    return _codec_name(best.encoding) if best is not None else None


def decode_text(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a document body to text: (text, codec name).

    Order: byte-order mark, the Content-Type charset, ``<meta charset>``/http-equiv or the XML
    declaration in the first 4 KB, then detection (charset_normalizer).  A cp1251 verdict,
    declared or detected, is re-checked for the KZ-1048 trap (see :func:`looks_like_kz1048`).
    A declared charset that does not decode the bytes falls back to detection.
    """
    declared, source = _declared_charset(body, content_type)
    candidates: list[str] = []
    if declared:
        candidates.append(declared)
    if source != "bom":
        detected = _detect_charset(body)
        if detected and detected not in candidates:
            candidates.append(detected)
    candidates.append("utf-8")
    for name in candidates:
        if name == "cp1251" and looks_like_kz1048(body):
            name = "kz1048"
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if source == "bom" and text.startswith("\ufeff"):
            text = text[1:]
        return text, name
    name = candidates[0]
    return body.decode(name, errors="replace").lstrip("\ufeff"), name


# --- Retry-After -------------------------------------------------------------------------------------
