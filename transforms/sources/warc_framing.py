"""Where the records of a WARC file begin and end, so that a damaged one is skipped, not fatal.

WARC libraries parse a record well, but they stop at the first damaged one and hand out a record
cut short (a download that broke, a file truncated on copy) as if it were whole. This module only
finds record boundaries; the records themselves are parsed by the WARC library
(``transforms/sources/warc.py``):

- a ``.warc.gz`` file is a series of gzip members (the WARC standard recommends one per record,
  and Common Crawl writes them so); a member that does not inflate or ends early is skipped, and
  decompression resumes at the next gzip header after its start;
- in the decompressed bytes (or in an uncompressed ``.warc`` file) a record is a ``WARC/1.x``
  header block, a blank line, ``Content-Length`` bytes of block, then blank lines up to the next
  record. A record cut short, or not followed by the next record, is reported with its offset,
  and reading resumes at the next line that starts a record.

Everything is streamed: at most one record (its block up to ``max_block_bytes``) and the raw bytes
of one gzip member (up to the same bound) are held at a time, whatever the size of the file.
"""

from __future__ import annotations

import re
import zlib
from typing import BinaryIO, Iterator, NamedTuple, Optional, Union

GZIP_MAGIC = b"\x1f\x8b\x08"
RECORD_START = b"WARC/1."
_RECORD_END = b"\r\n\r\n"
_READ_BYTES = 1 << 16
# A header block longer than this is no WARC header (real ones are well under 4 KiB).
_MAX_HEADER_BYTES = 1 << 16
# How much of a block larger than the cap is kept: enough for the HTTP headers that tell its type.
OVERSIZED_HEAD_BYTES = 1 << 16
_CONTENT_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*([0-9]{1,18})[ \t]*\r?$", re.I | re.M)


class RecordBytes(NamedTuple):
    """One record as stored: its WARC header block and its block (``complete``), or, for a block
    larger than the cap, the header block and the block's first ``OVERSIZED_HEAD_BYTES``."""

    # Where the record starts in the file: its gzip member's offset in a .warc.gz (what CDX
    # indexes give), its own first byte in an uncompressed file.
    offset: int
    data: bytes
    complete: bool = True


class BrokenSpan(NamedTuple):
    """Bytes that hold no readable record: a record cut short, a damaged gzip member, garbage."""

    offset: int
    reason: str
    header: bytes = b""  # the WARC header block of the broken record, when it could be read


WarcPiece = Union[RecordBytes, BrokenSpan]


def warc_pieces(stream: BinaryIO, max_block_bytes: int, gzip_name: bool = False) -> Iterator[WarcPiece]:
    """Every record of a WARC file in order, and a ``BrokenSpan`` for each stretch that holds
    none. Whether the file is a series of gzip members is told by its first bytes, or, when damage
    hides them, by its name (``gzip_name``: it ends in ``.gz``). Never raises for what the file
    holds; an error reading ``stream`` itself (a download that breaks) propagates."""
    head = stream.read(_READ_BYTES)
    if _is_gzip(head, gzip_name):
        source = _ByteSource(_GzipStream(stream, head, max_block_bytes))
    else:
        source = _ByteSource(stream, head)
    yield from _pieces(source, max_block_bytes)


def _is_gzip(head: bytes, gzip_name: bool) -> bool:
    """Is a file that begins with ``head`` a series of gzip members? Its first bytes say so, or its
    name when damage hides them; but a plain file whose first bytes were overwritten with gzip's
    (a header that does not inflate, with a plain record start after it) is read as plain."""
    if head[: len(RECORD_START)] == RECORD_START:
        return False
    if head[: len(GZIP_MAGIC)] != GZIP_MAGIC:
        return gzip_name and head[: len(GZIP_MAGIC)] != RECORD_START[: len(GZIP_MAGIC)]
    try:
        zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 1)
    except zlib.error:
        return RECORD_START not in head
    return True


class _GzipStream:
    """The decompressed bytes of a series of gzip members, ``read(size)`` at a time; each read's
    bytes come from one member, whose file offset is then ``member_offset``.

    Damage is noted in ``gaps`` as (file offset, reason); the bytes read afterwards come from the
    next member that inflates.
    """

    def __init__(self, raw: BinaryIO, head: bytes, window: int) -> None:
        self._raw = raw
        # Raw bytes from the current member's start (or from where a member is searched for).
        self._buffer = bytearray(head)
        self._buffer_offset = 0  # file offset of _buffer[0]
        self._fed = 0  # bytes of _buffer already given to the inflater
        # A member larger than this is not kept whole for a new search after damage.
        self._window = max(window, _READ_BYTES)
        self._trimmed = False  # the current member's first bytes were let go (see _window)
        self._inflater: Optional[zlib._Decompress] = None
        self._raw_ended = False
        self._after_damage = False  # the search after damage reports no further gaps
        self.member_offset = 0
        self.gaps: list[tuple[int, str]] = []

    def read(self, size: int) -> bytes:
        while True:
            if self._inflater is None and not self._find_member():
                return b""
            assert self._inflater is not None
            data = self._inflater.unconsumed_tail
            if not data:
                if self._fed == len(self._buffer) and not self._more_raw():
                    self._give_up("the file ends inside a gzip member (cut short)")
                    continue
                data = bytes(self._buffer[self._fed:])
                self._fed = len(self._buffer)
            try:
                out = self._inflater.decompress(data, size)
            except zlib.error as error:
                self._give_up(f"a gzip member does not inflate ({error})")
                continue
            self.member_offset = self._buffer_offset
            if self._inflater.eof:
                self._end_member(self._inflater.unused_data)
            if out:
                return out

    def _find_member(self) -> bool:
        """Start inflating at the next gzip header; False at the end of the file."""
        skipped = False
        while True:
            found = self._buffer.find(GZIP_MAGIC)
            if found == 0:
                if skipped and not self._after_damage:
                    self.gaps.append((self._buffer_offset, "bytes that begin no gzip member"))
                self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self._fed = 0
                self._trimmed = False
                return True
            # A header may straddle two reads: its first bytes are kept until more arrive.
            drop = found if found > 0 else max(len(self._buffer) - (len(GZIP_MAGIC) - 1), 0)
            if drop:
                skipped = True
                if not self._after_damage:
                    self.gaps.append((self._buffer_offset, "bytes that begin no gzip member"))
                    self._after_damage = True
                self._drop(drop)
            elif not self._more_raw():
                if self._buffer and not self._after_damage:
                    self.gaps.append((self._buffer_offset, "bytes that begin no gzip member"))
                self._drop(len(self._buffer))
                return False

    def _more_raw(self) -> bool:
        if self._raw_ended:
            return False
        chunk = self._raw.read(_READ_BYTES)
        if not chunk:
            self._raw_ended = True
            return False
        if self._inflater is not None and self._fed == len(self._buffer) and len(self._buffer) > self._window:
            self._drop(len(self._buffer))
            self._trimmed = True
        self._buffer += chunk
        return True

    def _end_member(self, rest: bytes) -> None:
        """The member inflated to its end; ``rest`` are the raw bytes fed after it."""
        self._drop(len(self._buffer) - len(rest))
        self._inflater = None
        self._after_damage = False

    def _give_up(self, reason: str) -> None:
        """Leave a damaged member; the next one is searched for from its second byte (from what
        was not yet inflated, for a member too large to keep)."""
        if not self._after_damage:
            self.gaps.append((self._buffer_offset, reason))
        self._after_damage = True
        self._inflater = None
        self._drop(self._fed if self._trimmed else min(1, len(self._buffer)))
        self._trimmed = False

    def _drop(self, count: int) -> None:
        del self._buffer[:count]
        self._buffer_offset += count
        self._fed = max(self._fed - count, 0)


class _Mark(NamedTuple):
    position: int  # in the decompressed bytes
    file_offset: int


class _ByteSource:
    """Bytes read line by line or by size, with bytes put back; ``position`` counts decompressed
    bytes, and ``file_offset(position)`` and ``gaps_until`` map them to the file as stored."""

    def __init__(self, stream: Union[BinaryIO, _GzipStream], head: bytes = b"") -> None:
        self._stream = stream
        self._gzip = stream if isinstance(stream, _GzipStream) else None
        self._buffer = bytearray(head)
        self.position = 0  # of _buffer[0]
        self._members: list[_Mark] = []  # where each gzip member's bytes begin
        self._gaps: list[tuple[int, int, str]] = []  # (position, file offset, reason)

    def _fill(self) -> bool:
        end = self.position + len(self._buffer)
        gaps_before = len(self._gzip.gaps) if self._gzip else 0
        chunk = self._stream.read(_READ_BYTES)
        if self._gzip is not None:
            self._gaps += [(end, offset, reason) for offset, reason in self._gzip.gaps[gaps_before:]]
            if chunk and (not self._members or self._members[-1].file_offset != self._gzip.member_offset):
                self._members.append(_Mark(end, self._gzip.member_offset))
        if not chunk:
            return False
        self._buffer += chunk
        return True

    def file_offset(self, position: int) -> int:
        """Where the byte at ``position`` lies in the file (for a gzip file: its member's offset)."""
        if self._gzip is None:
            return position
        while len(self._members) > 1 and self._members[1].position <= position:
            del self._members[0]
        return self._members[0].file_offset if self._members else 0

    def gaps_until(self, position: int) -> list[tuple[int, int, str]]:
        """The damage found before ``position``, each once: (position, file offset, reason)."""
        taken = [gap for gap in self._gaps if gap[0] <= position]
        self._gaps = self._gaps[len(taken):]
        return taken

    def peek(self, size: int) -> bytes:
        while len(self._buffer) < size and self._fill():
            pass
        return bytes(self._buffer[:size])

    def read(self, size: int) -> bytes:
        data = self.peek(size)
        del self._buffer[:size]
        self.position += len(data)
        return data

    def skip(self, size: int) -> int:
        """Drop ``size`` bytes without keeping them; how many there were."""
        skipped = 0
        while skipped < size and (self._buffer or self._fill()):
            step = min(size - skipped, len(self._buffer))
            del self._buffer[:step]
            skipped += step
            self.position += step
        return skipped

    def readline(self, limit: int) -> bytes:
        while True:
            end = self._buffer.find(b"\n", 0, limit)
            if end >= 0:
                return self.read(end + 1)
            if len(self._buffer) >= limit or not self._fill():
                return self.read(limit)

    def unread(self, data: bytes) -> None:
        self._buffer[:0] = data
        self.position -= len(data)


def _pieces(source: _ByteSource, max_block_bytes: int) -> Iterator[WarcPiece]:
    garbage_at: Optional[int] = None  # file offset of bytes being skipped that start no record
    # Bytes skipped right after a broken record are the rest of it, already reported.
    reported = -1
    while True:
        start = source.position
        line = source.readline(_MAX_HEADER_BYTES)
        if line and not line.startswith(RECORD_START):
            # After damage, the next record may begin in the middle of a line (a record cut short
            # is followed directly by the next one).
            found = line.find(RECORD_START)
            if found > 0:
                source.unread(line[found:])
                line = line[:found]
            if line.strip() and garbage_at is None:
                garbage_at = source.file_offset(start)
            continue
        if garbage_at is not None and garbage_at != reported:
            yield BrokenSpan(garbage_at, "bytes that are no WARC record")
        garbage_at = None
        yield from (BrokenSpan(offset, reason) for _, offset, reason in source.gaps_until(start))
        if not line:
            return
        offset = source.file_offset(start)
        piece, block_end = _record_after(line, source, offset, max_block_bytes)
        # Damage found inside the record is what broke it (its bytes come from two gzip members,
        # or the file ends in it): one report for both.
        inside = [gap for gap in source.gaps_until(block_end) if start < gap[0] < block_end or isinstance(piece, BrokenSpan)]
        if inside and isinstance(piece, RecordBytes):
            piece = BrokenSpan(offset, inside[0][2], _header_of(piece.data))
        if isinstance(piece, BrokenSpan):
            garbage_at = reported
        yield piece


def _record_after(
    first_line: bytes, source: _ByteSource, offset: int, max_block_bytes: int
) -> tuple[WarcPiece, int]:
    """The record whose first line was just read, and the position where its block ends. The
    source is left after the record, or, for one that is not what its header says, just after
    its first line."""
    header = bytearray(first_line)
    line = first_line
    while line.strip() and len(header) <= _MAX_HEADER_BYTES:
        line = source.readline(_MAX_HEADER_BYTES)
        header += line
        if not line:
            return BrokenSpan(offset, "the file ends inside a WARC header (cut short)", bytes(header)), source.position
    if line.strip():
        return _resync(source, header, offset, "a WARC header block longer than 64 KiB")
    match = _CONTENT_LENGTH.search(header)
    if match is None:
        return _resync(source, header, offset, "a WARC header without a valid Content-Length")
    length = int(match.group(1))
    if length > max_block_bytes:
        head = source.read(OVERSIZED_HEAD_BYTES)
        missing = (length - len(head)) - source.skip(length - len(head))
    else:
        head = source.read(length)
        missing = length - len(head)
    block_end = source.position
    if missing:
        reason = f"the file ends inside a record (cut short): {length - missing} of {length} bytes"
        if length > max_block_bytes:
            return BrokenSpan(offset, reason, bytes(header)), block_end
        # A Content-Length too large swallows the records after it: look for them in the block.
        return _resync(source, header + head, offset, reason)
    if not _record_ends_here(source):
        return _resync(source, header + head, offset, "a record whose Content-Length does not match its block")
    return RecordBytes(offset, bytes(header + head), complete=length <= max_block_bytes), block_end


def _record_ends_here(source: _ByteSource) -> bool:
    """Read the blank lines after a block; True when they are the two the standard puts there, or
    when the end of the file or the next record follows them (writers differ in blank lines)."""
    if source.peek(len(_RECORD_END)) == _RECORD_END:
        source.read(len(_RECORD_END))
        return True
    while source.peek(1) in (b"\r", b"\n"):
        source.read(1)
    following = source.peek(len(RECORD_START))
    return not following or following == RECORD_START


def _resync(source: _ByteSource, consumed: bytearray, offset: int, reason: str) -> tuple[BrokenSpan, int]:
    """Put back what followed the record's first line, so that a record inside it is found."""
    end = source.position
    first_line_end = consumed.find(b"\n") + 1
    source.unread(bytes(consumed[first_line_end:]))
    return BrokenSpan(offset, reason, _header_of(bytes(consumed))), end


def _header_of(data: bytes) -> bytes:
    end = data.find(b"\r\n\r\n")
    return data[: end + 4] if end >= 0 else data[:_MAX_HEADER_BYTES]
