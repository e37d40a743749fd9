"""Incremental Content-Encoding decoding that never produces more than a fixed number of bytes.

A gzip bomb expands about a thousandfold, so the decoded size is capped while decoding, chunk by
chunk, instead of after the whole body has been inflated in memory.
"""

from __future__ import annotations

import zlib

# Only what the client advertises in Accept-Encoding; anything else is refused rather than guessed.
SUPPORTED_ENCODINGS = ("gzip", "deflate")


class DecodedTooLarge(Exception):
    """The decoded body would exceed the cap."""


class UnsupportedEncoding(Exception):
    """The server used a Content-Encoding the client did not offer."""


class BoundedDecoder:
    """Turns the raw body chunks of one response into decoded bytes, at most ``limit`` in total."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        encodings = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
        encodings = [e for e in encodings if e != "identity"]
        if len(encodings) > 1 or (encodings and encodings[0] not in SUPPORTED_ENCODINGS):
            raise UnsupportedEncoding(f"unsupported Content-Encoding {content_encoding!r}")
        self._encoding = encodings[0] if encodings else None
        self._remaining = limit
        self._inflater = self._new_inflater() if self._encoding else None
        self._raw_deflate_fallback = self._encoding == "deflate"

    def _new_inflater(self) -> zlib._Decompress:
        # 32 + MAX_WBITS accepts both gzip and zlib headers; "deflate" is zlib-wrapped per the RFC.
        return zlib.decompressobj(32 + zlib.MAX_WBITS)

    def _take(self, data: bytes) -> bytes:
        if len(data) > self._remaining:
            raise DecodedTooLarge(f"decoded body exceeds {self._remaining} remaining bytes")
        self._remaining -= len(data)
        return data

    def feed(self, chunk: bytes) -> bytes:
        """Decode one raw chunk; raises ``DecodedTooLarge`` or ``zlib.error``."""
        if self._inflater is None:
            return self._take(chunk)
        pieces: list[bytes] = []
        data = chunk
        while data:
            try:
                # Asking for one byte past the cap is enough to know the cap is exceeded.
                out = self._inflater.decompress(data, self._remaining + 1)
            except zlib.error:
                if not self._raw_deflate_fallback:
                    raise
                # Some servers send raw deflate without the zlib wrapper the RFC asks for.
                self._raw_deflate_fallback = False
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._raw_deflate_fallback = False
            pieces.append(self._take(out))
            if self._inflater.unconsumed_tail:
                data = self._inflater.unconsumed_tail
            elif self._inflater.eof and self._inflater.unused_data:
                # Concatenated gzip members are one valid body.
                data = self._inflater.unused_data
                self._inflater = self._new_inflater()
            else:
                data = b""
        return b"".join(pieces)

    def finish(self) -> bytes:
        """Whatever the decoder still holds once the raw body has ended."""
        if self._inflater is None:
            return b""
        return self._take(self._inflater.flush())
