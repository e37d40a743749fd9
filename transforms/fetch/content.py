"""What a response body is: its media type, whether a stage accepts it, and its text.

Decoding follows the order browsers use, simplified: a byte-order mark, then the charset of the
Content-Type header, then a ``<meta>`` or XML declaration near the top, then statistical
detection. A declaration wins even when a few bytes of the body are invalid in it; they become
U+FFFD, as in a browser. A UTF-8 page with one stray byte is still a UTF-8 page, and a detector's
guess would garble every other accented letter on it. A declaration that more than a few of the
body's non-ASCII bytes contradict, as on a mislabelled page, is passed over. Labels are read the way the WHATWG Encoding standard
reads them, so a page declared ISO-8859-1 or US-ASCII is decoded as Windows-1252, which is what
such pages actually contain, and a label naming no encoding browsers decode is ignored.
"""

from __future__ import annotations

import codecs
import re
from email.message import Message

from charset_normalizer import from_bytes

HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})

# Feeds are often served with generic or wrong types; feedparser is the judge of the content.
# Gzip types too: a sitemap is often served as a ``.xml.gz`` file (S3's default type is
# binary/octet-stream); the sitemap reader decompresses it within the client's size cap.
FEED_MEDIA_TYPES = frozenset(
    {"application/json", "application/octet-stream", "binary/octet-stream", "application/gzip", "application/x-gzip"}
)

# The HTML standard's prescan looks at the first 1024 bytes; some pages put long scripts first.
_DECLARATION_WINDOW = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9._:-]+)""", re.I)
_HTML_SNIFF = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]", re.I | re.S)

# Labels of the WHATWG Encoding standard that Python's codec registry does not know. A ``<meta>``
# naming x-user-defined means Windows-1252 (HTML standard); read the same in a header, it would only
# turn letters into private-use characters.
_LABELS_PYTHON_LACKS = {
    label: codec
    for codec, labels in {
        "utf-8": "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 x-unicode20utf8",
        "iso8859-2": "iso88592",
        "iso8859-3": "iso88593",
        "iso8859-4": "iso88594",
        "iso8859-5": "iso88595",
        "iso8859-6": "iso88596 iso-8859-6-e iso-8859-6-i csiso88596e csiso88596i",
        "iso8859-7": "iso88597 sun_eu_greek",
        "iso8859-8": "iso88598 iso-8859-8-e iso-8859-8-i csiso88598e csiso88598i visual logical",
        "iso8859-10": "iso885910",
        "iso8859-13": "iso885913",
        "iso8859-14": "iso885914",
        "iso8859-15": "iso885915 csisolatin9",
        "koi8-r": "koi koi8",
        "koi8-u": "koi8-ru",
        "mac-roman": "mac csmacintosh x-mac-roman",
        "mac-cyrillic": "x-mac-cyrillic x-mac-ukrainian",
        "cp874": "windows-874 dos-874 iso885911",
        "cp1250": "x-cp1250",
        "cp1251": "x-cp1251",
        "cp1252": "iso88591 x-cp1252 x-user-defined",
        "cp1253": "x-cp1253",
        "cp1254": "iso88599 x-cp1254",
        "cp1255": "x-cp1255",
        "cp1256": "x-cp1256",
        "cp1257": "x-cp1257",
        "cp1258": "x-cp1258",
        "gb18030": "csgb2312 gb_2312 gb_2312-80 x-gbk",
        "big5hkscs": "cn-big5 x-x-big5",
        "euc_jp": "cseucpkdfmtjapanese x-euc-jp",
        "cp932": "windows-31j x-sjis",
        "cp949": "windows-949 cseuckr csksc56011987 iso-ir-149 ks_c_5601-1989 ksc_5601",
    }.items()
    for label in labels.split()
}

# Python codecs named after a narrower or older standard than the one browsers decode such labels by.
_BROWSER_CODECS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
}

# The encodings browsers decode. Python also knows codecs no page is in (base64, unicode_escape) and
# UTF-7, which browsers refuse because it hides markup from filters.
_WEB_CODECS = frozenset(
    codecs.lookup(name).name
    for name in (
        "utf-8 utf-16 utf-16-le utf-16-be cp866 iso8859-2 iso8859-3 iso8859-4 iso8859-5 iso8859-6 "
        "iso8859-7 iso8859-8 iso8859-10 iso8859-13 iso8859-14 iso8859-15 iso8859-16 koi8-r koi8-u "
        "mac-roman mac-cyrillic cp874 cp1250 cp1251 cp1252 cp1253 cp1254 cp1255 cp1256 cp1257 cp1258 "
        "gb18030 big5hkscs euc_jp iso2022_jp cp932 cp949"
    ).split()
)

# Labels the WHATWG standard maps to Windows-1252 (also as charset_normalizer names them).
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

# How many invalid sequences a declared encoding may meet and still win: five, the most one stray
# byte can cause (put after the lead byte of a four-byte UTF-8 sequence, it leaves that lead, itself
# and three orphaned continuation bytes), or one in twenty non-ASCII bytes if that is more. Counted
# against the non-ASCII bytes because ASCII reads alike in nearly every declared encoding and says
# nothing either way. A mislabelled page fails on almost all of them: the 995 UTF-8 pages of our
# extraction eval set, re-encoded as Windows-1252 and read as UTF-8, fail on 72% or more of their
# non-ASCII bytes (1st percentile), yet each on under 1% of all its bytes, so a share of all bytes
# could not tell them from a page with a stray byte.
_FEW_INVALID = 5
_MAX_INVALID_SHARE = 0.05
_NON_ASCII = bytes(range(0x80, 0x100))

# Invalid sequences are decoded to a lone surrogate first, which no decoder of _WEB_CODECS produces
# from valid bytes, so that they can be counted apart from any U+FFFD the page itself contains.
_INVALID = "\udcff"
_MARK_INVALID = "newsbeam.mark_invalid"


def _mark_invalid(error: UnicodeDecodeError) -> tuple[str, int]:
    return _INVALID, error.end


codecs.register_error(_MARK_INVALID, _mark_invalid)

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
    """The Python codec browsers decode a charset label with, or None for a label they ignore."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(_LABELS_PYTHON_LACKS.get(label, label)).name
    except (LookupError, ValueError):  # ValueError: a NUL or a lone surrogate in the label
        return None
    name = _BROWSER_CODECS.get(name, name)
    return name if name in _WEB_CODECS else None


def _decode_windows_1252(body: bytes) -> str:
    return body.decode("latin-1").translate(_CP1252_HIGH)


def _decode_with(body: bytes, codec: str) -> str | None:
    if codec.replace("-", "_") in _WINDOWS_1252_ALIASES:
        return _decode_windows_1252(body)
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode_declared(body: bytes, codec: str) -> str | None:
    """The body in a declared codec, a few invalid sequences as U+FFFD; None when there are more."""
    text = _decode_with(body, codec)
    if text is not None:
        return text
    marked = body.decode(codec, _MARK_INVALID)
    invalid = marked.count(_INVALID)
    non_ascii = len(body) - len(body.translate(None, _NON_ASCII))
    if invalid > max(_FEW_INVALID, _MAX_INVALID_SHARE * non_ascii):
        return None
    return marked.replace(_INVALID, "\ufffd")


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
    """Decode an HTML body to text; raises ``UndecodableBody`` when nothing fits.

    The first declaration, in browser order, that decodes the body with few invalid sequences wins.
    """
    for codec in (_bom_codec(body), _codec_name(header_charset), _codec_name(declared_charset(body))):
        if codec:
            text = _decode_declared(body, codec)
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
