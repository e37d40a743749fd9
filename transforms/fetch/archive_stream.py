"""The body of a large download (a WARC archive) as a file object, read as it is consumed.

Pages and feeds are read whole and capped (``client._read_body``); an archive of a gigabyte is
neither: ``HttpClient.open_archive`` hands its body out as an ``ArchiveStream``, which holds one
network chunk at a time, so memory stays flat whatever the size of the file.
"""

from __future__ import annotations

import io
import zlib

from urllib3 import BaseHTTPResponse
from urllib3.exceptions import HTTPError

from transforms.fetch.decompress import BoundedDecoder, DecodedTooLarge

_CHUNK_BYTES = 1 << 16


class ArchiveStream(io.RawIOBase):
    """A response body with its Content-Encoding removed; a read that fails (the connection
    broke, the server stalled past the read timeout, a body shorter than its Content-Length)
    raises OSError. Closing it gives the connection back, or drops it if unread bytes remain."""

    def __init__(self, response: BaseHTTPResponse, decoder: BoundedDecoder) -> None:
        super().__init__()
        self._response = response
        self._decoder = decoder
        self._pending = memoryview(b"")
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            if self._ended:
                return 0
            self._pending = memoryview(self._next_piece())
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def _next_piece(self) -> bytes:
        try:
            chunk = self._response.read1(_CHUNK_BYTES)
            if chunk:
                return self._decoder.feed(chunk)
            self._ended = True
            return self._decoder.finish()
        except (HTTPError, zlib.error, DecodedTooLarge) as error:
            raise OSError(f"the download broke off: {error}") from error

    def close(self) -> None:
        if not self.closed:
            if not self._ended:
                self._response.close()
            self._response.release_conn()
        super().close()
