"""What a response body is: its media type, whether a stage accepts it, and its text.

Decoding follows the order browsers use, simplified: a byte-order mark, then the charset of the
Content-Type header, then a ``<meta>`` or XML declaration near the top, then statistical
detection. Labels are read the way the WHATWG Encoding standard reads them, so a page declared
ISO-8859-1 or US-ASCII is decoded as Windows-1252, which is what such pages actually contain.
"""

from __future__ import annotations

import codecs
import re
from email.message import Message

from charset_normalizer import from_bytes

HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})

# Feeds are often served with generic or wrong types; feedparser is the judge of the content.
FEED_MEDIA_TYPES = frozenset({"application/json", "application/octet-stream"})

# The HTML standard's prescan looks at the first 1024 bytes; some pages put long scripts first.
_DECLARATION_WINDOW = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9._:-]+)""", re.I)
_HTML_SNIFF = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]", re.I | re.S)

# Labels the WHATWG standard maps to Windows-1252.
_WINDOWS_1252_ALIASES = frozenset({"ascii", "latin_1", "iso8859_1", "cp1252"})

# Windows-1252 leaves five bytes undefined; browsers show them as the C1 controls Latin-1 has there.
_CP1252_HIGH = {
    byte: bytes([byte]).decode("cp1252")
    for byte in range(0x80, 0xA0)
    if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}

# Detection is slow on big bodies and gains nothing from the whole of them.
_DETECTION_WINDOW = 200_000
# Scores closer than this are the same verdict (charset_normalizer scores are ratios in 0..1).
_TIE = 0.01

# Above this share of undecodable bytes the body is not text in any encoding we could pick.
_MAX_REPLACEMENT_SHARE = 0.05


class UndecodableBody(Exception):
    """No encoding turns the body into plausible text."""


def parse_content_type(header: str | None) -> tuple[str | None, str | None]:
    """``(media_type, charset)`` from a Content-Type header, both lower-cased, None if absent."""
    if not header:
        return None, None
    message = Message()
    message["content-type"] = header
    media_type = message.get_content_type() if "/" in header.split(";", 1)[0] else None
    charset = message.get_param("charset")
    return media_type, charset.strip().lower() if isinstance(charset, str) else None


def is_feed_media_type(media_type: str) -> bool:
    """XML, JSON and text of any flavour, plus the generic types feeds are mislabelled with."""
    return (
        media_type.startswith("text/")
        or media_type in FEED_MEDIA_TYPES
        or media_type.endswith(("/xml", "+xml", "+json"))
    )


def looks_like_html(body: bytes) -> bool:
    """Sniff an untyped body: does it open like an HTML document?"""
    head = body[:_DECLARATION_WINDOW].lstrip(codecs.BOM_UTF8)
    return bool(_HTML_SNIFF.match(head))


def _codec_name(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None


def _decode_windows_1252(body: bytes) -> str:
    return body.decode("latin-1").translate(_CP1252_HIGH)


def _decode_with(body: bytes, codec: str) -> str | None:
    if codec.replace("-", "_") in _WINDOWS_1252_ALIASES:
        return _decode_windows_1252(body)
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def declared_charset(body: bytes) -> str | None:
    """The charset a ``<meta>`` tag or an XML declaration near the top of the body names."""
    head = body[:_DECLARATION_WINDOW]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    label = match.group(1).decode("ascii", "replace")
    # A declaration readable as ASCII cannot really be UTF-16; browsers read such pages as UTF-8.
    return "utf-8" if label.lower().startswith("utf-16") else label


def detect_codec(body: bytes) -> str | None:
    """Best statistical guess of a body's encoding.

    Detection cannot tell apart the Latin code pages that decode a text equally well; Windows-1252
    is by far the most used of them on the web (and the WHATWG fallback), so it wins such ties.
    """
    matches = list(from_bytes(body[:_DETECTION_WINDOW]))
    if not matches:
        return None
    best = matches[0]
    tied = [
        match
        for match in matches
        if match.chaos <= best.chaos + _TIE and match.coherence >= best.coherence - _TIE
    ]
    if any("cp1252" in match.could_be_from_charset for match in tied):
        return "cp1252"
    return best.encoding


def _bom_codec(body: bytes) -> str | None:
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            return codec
    return None


def decode_html(body: bytes, header_charset: str | None) -> str:
    """Decode an HTML body to text; raises ``UndecodableBody`` when nothing fits."""
    for codec in (_bom_codec(body), _codec_name(header_charset), _codec_name(declared_charset(body))):
        if codec:
            text = _decode_with(body, codec)
            if text is not None:
                return text
    if not body:
        return ""
    # Valid UTF-8 that is not ASCII is almost never anything else.
    for codec in ("utf-8", detect_codec(body)):
        text = _decode_with(body, codec) if codec else None
        if text is not None:
            return text
    text = body.decode("utf-8", errors="replace")
    if text.count("\ufffd") > _MAX_REPLACEMENT_SHARE * len(text):
        raise UndecodableBody("body is not text in any detectable encoding")
    return text
