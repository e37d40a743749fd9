"""Finding WARC records in whole, compressed, cut and damaged files (transforms/sources/warc_framing.py)."""

from __future__ import annotations

import gzip
import io
import random
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.warc_files import as_file, request, response, warcinfo
from transforms.sources.warc_framing import BrokenSpan, RecordBytes, warc_pieces

WORDS = "police talks border summit ministers protest court strike envoy troops".split()
# Text that does not compress to nothing, so that a cut gzip member is really cut.
PAGES = [
    ("<html><body><p>" + " ".join(random.Random(n).choices(WORDS, k=600)) + "</p></body></html>").encode()
    for n in range(4)
]
RECORDS = [response(f"https://news.example.com/{n}", page) for n, page in enumerate(PAGES)]


def pieces(data: bytes, cap: int = 1 << 20, gzip_name: bool = False) -> list:
    return list(warc_pieces(io.BytesIO(data), cap, gzip_name))


def offsets(records: list[bytes], compressed: bool) -> list[int]:
    sizes = [len(gzip.compress(r)) if compressed else len(r) for r in records]
    return [sum(sizes[:n]) for n in range(len(records))]


def test_whole_files_give_every_record_with_its_offset_compressed_or_not():
    # more than one read of 64 KiB, so that offsets are checked across reads
    records = [warcinfo(), request("https://news.example.com/0"), *RECORDS * 40]
    for compressed in (True, False):
        found = pieces(as_file(records, compressed))
        assert all(isinstance(piece, RecordBytes) and piece.complete for piece in found)
        assert [piece.data for piece in found] == found_data(records)
        assert [piece.offset for piece in found] == offsets(records, compressed)


def found_data(records: list[bytes]) -> list[bytes]:
    """A record's bytes without the blank lines that end it."""
    return [record[: len(record) - 4] for record in records]


def test_a_file_cut_inside_its_last_record_reports_that_record_and_keeps_the_others():
    for compressed in (True, False):
        data = as_file(RECORDS, compressed)
        found = pieces(data[: len(data) - (60 if compressed else 200)])
        assert [type(piece) for piece in found] == [RecordBytes, RecordBytes, RecordBytes, BrokenSpan]
        broken = found[-1]
        assert "cut short" in broken.reason and b"https://news.example.com/3" in broken.header
        assert broken.offset == offsets(RECORDS, compressed)[3]


def test_a_cut_record_in_the_middle_is_reported_and_reading_goes_on():
    for compressed in (True, False):
        stored = gzip.compress(RECORDS[1]) if compressed else RECORDS[1]
        cut = stored[: len(stored) // 2]
        rest = as_file(RECORDS[2:], compressed)
        found = pieces(as_file(RECORDS[:1], compressed) + cut + rest)
        good = [piece.data for piece in found if isinstance(piece, RecordBytes)]
        assert good == found_data([RECORDS[0], *RECORDS[2:]])
        broken = [piece for piece in found if isinstance(piece, BrokenSpan)]
        assert broken and broken[0].offset == len(as_file(RECORDS[:1], compressed))


def test_garbage_between_records_is_one_broken_span():
    for compressed in (True, False):
        data = as_file(RECORDS[:2], compressed) + b"not a record\r\nat all\r\n" * 50 + as_file(RECORDS[2:], compressed)
        found = pieces(data)
        assert [type(piece) for piece in found] == [RecordBytes, RecordBytes, BrokenSpan, RecordBytes, RecordBytes]
        assert found[2].offset == len(as_file(RECORDS[:2], compressed))


@pytest.mark.parametrize("change", [-100, +100_000])
def test_a_wrong_content_length_is_reported_and_the_next_record_found(change):
    length = int(re.search(rb"Content-Length: (\d+)", RECORDS[1]).group(1))
    wrong = RECORDS[1].replace(b"Content-Length: %d" % length, b"Content-Length: %d" % (length + change), 1)
    found = pieces(as_file([RECORDS[0], wrong, *RECORDS[2:]], compressed=False))
    good = [piece.data for piece in found if isinstance(piece, RecordBytes)]
    assert good == found_data([RECORDS[0], *RECORDS[2:]])
    (broken,) = [piece for piece in found if isinstance(piece, BrokenSpan)]
    assert b"https://news.example.com/1" in broken.header and broken.offset == len(RECORDS[0])


def test_a_block_larger_than_the_cap_keeps_only_its_head_and_the_file_goes_on():
    big = response("https://news.example.com/big", b"<html>" + b"x" * 300_000 + b"</html>")
    found = pieces(as_file([big, RECORDS[0]]), cap=100_000)
    assert [piece.complete for piece in found] == [False, True]
    assert len(found[0].data) < 70_000 and b"https://news.example.com/big" in found[0].data


def test_one_gzip_member_for_the_whole_file_is_read_too():
    found = pieces(gzip.compress(as_file(RECORDS, compressed=False)))
    assert [piece.data for piece in found] == found_data(RECORDS)
    assert {piece.offset for piece in found} == {0}


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=3000), compressed=st.booleans())
def test_arbitrary_bytes_never_raise(data, compressed):
    found = pieces(gzip.compress(data) if compressed else data)
    assert all(isinstance(piece, (RecordBytes, BrokenSpan)) for piece in found)


@settings(max_examples=150, deadline=None)
@given(
    compressed=st.booleans(),
    damage_at=st.integers(min_value=0, max_value=10_000),
    damage=st.binary(min_size=1, max_size=40),
)
# Found by this test in CI: gzip's magic bytes written over the start of a plain file.
@example(compressed=False, damage_at=0, damage=b"\x1f\x8b\x08")
def test_damage_in_one_place_costs_at_most_the_records_it_touches(compressed, damage_at, damage):
    """Overwriting bytes of one record's stretch never loses a record that lies elsewhere."""
    stored = [gzip.compress(record) if compressed else record for record in RECORDS]
    data = bytearray(b"".join(stored))
    at = damage_at % len(data)
    data[at: at + len(damage)] = damage
    starts = [sum(len(s) for s in stored[:n]) for n in range(len(stored))]
    touched = {n for n, start in enumerate(starts) if start <= at + len(damage) and at < start + len(stored[n])}
    # The record before a damaged one is touched too: its blank lines end where the damage begins.
    touched |= {n - 1 for n in touched if n > 0 and not compressed}
    found = [piece.data for piece in pieces(bytes(data), gzip_name=compressed) if isinstance(piece, RecordBytes)]
    for n, record in enumerate(RECORDS):
        if n not in touched:
            assert found_data([record])[0] in found


def test_the_first_bytes_tell_the_compression_whatever_the_file_is_called():
    for compressed in (True, False):
        for gzip_name in (True, False):
            found = pieces(as_file(RECORDS, compressed), gzip_name=gzip_name)
            assert [piece.data for piece in found] == found_data(RECORDS)

