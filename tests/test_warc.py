"""WARC records -> pages, skips and error rows (transforms/sources/warc.py), without Beam."""

from __future__ import annotations

import datetime
import gzip
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.errors import ErrorRecord
from schemas.pages import FetchedPage
from tests.warc_files import CRAWLED_AT, as_file, request, response, warcinfo
from transforms.sources.warc import SkippedRecord, read_warc

URL = "https://www.meridianherald.example/news/2026/11/talks"
PAGE = "<html><head><title>Talks</title></head><body><p>Ministers met in Nairobi.</p></body></html>"


def outcomes(records: list[bytes], compressed: bool = True, cap: int = 1 << 20, domains=None) -> list:
    location = "/archive/a.warc.gz" if compressed else "/archive/a.warc"
    return list(read_warc(io.BytesIO(as_file(records, compressed)), location, cap, domains))


def test_an_html_response_becomes_a_page_known_by_its_target_uri_and_warc_date():
    (page,) = outcomes([response(URL, PAGE.encode())])
    assert isinstance(page, FetchedPage)
    assert page.url == page.final_url == URL
    assert page.fetched_at == CRAWLED_AT and page.fetched_at.tzinfo == datetime.timezone.utc
    # read now, so stored in today's partition whatever the crawl's day
    assert page.added_at > CRAWLED_AT
    assert "Ministers met in Nairobi" in page.html and not page.replayed


def test_the_charset_of_the_recorded_http_headers_decodes_the_page():
    body = PAGE.replace("Nairobi", "Neuchâtel and Zürich").encode("latin-1")
    (page,) = outcomes([response(URL, body, content_type="text/html; charset=ISO-8859-1")])
    assert "Neuchâtel and Zürich" in page.html


def test_compressed_and_chunked_bodies_are_decoded_and_a_page_without_content_type_is_sniffed():
    gzipped = response(URL, gzip.compress(PAGE.encode()), headers=[("Content-Encoding", "gzip")])
    chunked_body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(PAGE), PAGE.encode())
    chunked = response(URL + "/2", chunked_body, headers=[("Transfer-Encoding", "chunked")])
    untyped = response(URL + "/3", PAGE.encode(), content_type=None)
    pages = outcomes([gzipped, chunked, untyped], compressed=False)
    assert all(isinstance(page, FetchedPage) and "Ministers met in Nairobi" in page.html for page in pages)


def test_records_that_are_no_html_page_are_skipped_by_kind():
    records = [
        warcinfo(),
        request(URL),
        response(URL + ".pdf", b"%PDF-1.7", content_type="application/pdf"),
        response(URL + "/gone", b"<html>gone</html>", status="404 Not Found"),
        response(URL + "/moved", b"", status="301 Moved Permanently", headers=[("Location", URL)]),
        response(URL + "/data", b'{"a": 1}', content_type=None),
    ]
    assert outcomes(records) == [
        SkippedRecord("not_response"), SkippedRecord("not_response"), SkippedRecord("not_html"),
        SkippedRecord("not_ok"), SkippedRecord("not_ok"), SkippedRecord("not_html"),
    ]


def test_a_record_cut_short_is_an_error_row_naming_its_url_file_and_offset():
    whole = as_file([response(URL, PAGE.encode())])
    cut = response(URL + "/cut", PAGE.encode() * 20, content_type="text/html")
    data = whole + gzip.compress(cut)[:-80]
    first, broken = read_warc(io.BytesIO(data), "/archive/a.warc.gz", 1 << 20)
    assert isinstance(first, FetchedPage)
    assert isinstance(broken, ErrorRecord) and broken.error_type == "broken_record" and broken.stage == "warc"
    assert broken.url == URL + "/cut" and f"/archive/a.warc.gz at byte {len(whole)}" in broken.message


def test_a_page_larger_than_the_cap_is_too_large_and_a_large_non_html_record_is_only_skipped():
    big_page = response(URL, b"<html><body>" + b"<p>words</p>" * 20_000 + b"</body></html>")
    big_video = response(URL + ".mp4", b"\0" * 300_000, content_type="video/mp4")
    too_large, video = outcomes([big_page, big_video], cap=100_000)
    assert isinstance(too_large, ErrorRecord) and too_large.error_type == "too_large" and too_large.url == URL
    assert video == SkippedRecord("not_html")


def test_bad_target_uris_and_dates_are_error_rows():
    no_scheme = response("www.example.com/a", PAGE.encode())
    ftp = response("ftp://files.example.com/a.html", PAGE.encode())
    undated = response(URL, PAGE.encode()).replace(b"WARC-Date: 2026-11-30T23:30:00Z", b"WARC-Date: yesterday")
    results = outcomes([no_scheme, ftp, undated])
    assert [r.error_type for r in results] == ["invalid_url", "unsupported_scheme", "broken_record"]


def test_the_domain_filter_drops_records_before_their_page_is_read():
    records = [response(URL, PAGE.encode()), response("https://other.example/a", PAGE.encode())]
    kept, dropped = outcomes(records, domains=frozenset({"meridianherald.example"}))
    assert isinstance(kept, FetchedPage) and dropped == SkippedRecord("other_domain")


def test_a_body_that_does_not_follow_its_content_encoding_is_a_decode_error():
    (result,) = outcomes([response(URL, b"not gzip at all", headers=[("Content-Encoding", "gzip")])])
    assert isinstance(result, ErrorRecord) and result.error_type == "decode_error"


@settings(max_examples=200, deadline=None)
@given(
    block=st.binary(max_size=400),
    content_type=st.sampled_from(["text/html", "text/html; charset=utf-16", "application/http", None]),
    compressed=st.booleans(),
)
def test_arbitrary_record_bodies_give_a_page_a_skip_or_an_error_row(block, content_type, compressed):
    """Whatever a crawler recorded, reading it never raises."""
    from fastwarc.warc import WarcRecordType

    from tests.warc_files import warc_record

    records = [warc_record(WarcRecordType.response, block, URL, content_type=content_type), response(URL, PAGE.encode())]
    results = outcomes(records, compressed)
    assert all(isinstance(r, (FetchedPage, SkippedRecord, ErrorRecord)) for r in results)
    assert isinstance(results[-1], FetchedPage)


@settings(max_examples=200, deadline=None)
@given(header_lines=st.lists(st.binary(max_size=60).filter(lambda line: b"\n" not in line), max_size=4))
def test_arbitrary_warc_header_lines_never_end_the_file(header_lines):
    """A header line of any bytes (not UTF-8, no colon, a Content-Length of its own) costs at most its record."""
    odd = response(URL, PAGE.encode()).replace(b"\r\n\r\n", b"\r\n" + b"".join(line + b"\r\n" for line in header_lines) + b"\r\n", 1)
    results = outcomes([odd, response(URL + "/next", PAGE.encode())], compressed=False)
    assert all(isinstance(r, (FetchedPage, SkippedRecord, ErrorRecord)) for r in results)
    assert isinstance(results[-1], FetchedPage) and results[-1].url == URL + "/next"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.booleans(), min_size=5, max_size=5))
def test_warc_field_names_are_read_in_any_case(lowered):
    # WARC field names are case-insensitive, as HTTP's; some writers lower-case them.
    record = response(URL, PAGE.encode())
    header, rest = record.split(b"\r\n\r\n", 1)
    lines = header.split(b"\r\n")
    for index, line in enumerate(lines[1:6], start=1):
        if lowered[index - 1] and b":" in line:
            name, value = line.split(b":", 1)
            lines[index] = name.lower() + b":" + value
    (page,) = outcomes([b"\r\n".join(lines) + b"\r\n\r\n" + rest])
    assert isinstance(page, FetchedPage) and page.url == URL and "Ministers met in Nairobi" in page.html
