"""WARC files written by the tests, with fastwarc's record writer: response records of HTML pages
(the sample corpus' pages among them), other record types, and files with damage in them."""

from __future__ import annotations

import datetime
import gzip
import io
import json
from pathlib import Path
from typing import Iterable, Optional

from fastwarc.warc import WarcRecord, WarcRecordType

from sample_corpus import CORPUS_FOLDER, PAGES_FOLDER

UTC = datetime.timezone.utc
CRAWLED_AT = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


def http_response(body: bytes, content_type: Optional[str] = "text/html; charset=utf-8", status: str = "200 OK",
                  headers: Iterable[tuple[str, str]] = ()) -> bytes:
    """An HTTP/1.1 response as a WARC response record's block holds it."""
    lines = [f"HTTP/1.1 {status}"]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def warc_record(record_type: WarcRecordType, block: bytes, url: Optional[str] = None,
                date: datetime.datetime = CRAWLED_AT, content_type: Optional[str] = None) -> bytes:
    """One record as fastwarc writes it (headers, block, the two blank lines after it)."""
    record = WarcRecord()
    record.init_headers(record_type)
    record.record_date = date
    if url is not None:
        record.headers["WARC-Target-URI"] = url
    if content_type is not None:
        record.headers["Content-Type"] = content_type
    record.set_bytes_content(block)
    out = io.BytesIO()
    record.write(out)
    return out.getvalue()


def response(url: str, body: bytes, date: datetime.datetime = CRAWLED_AT, **http) -> bytes:
    return warc_record(WarcRecordType.response, http_response(body, **http), url, date, "application/http; msgtype=response")


def request(url: str) -> bytes:
    block = f"GET {url} HTTP/1.1\r\nHost: example\r\n\r\n".encode()
    return warc_record(WarcRecordType.request, block, url, content_type="application/http; msgtype=request")


def warcinfo() -> bytes:
    return warc_record(WarcRecordType.warcinfo, b"software: newsbeam tests\r\n", content_type="application/warc-fields")


def as_file(records: Iterable[bytes], compressed: bool = True) -> bytes:
    """A .warc.gz (one gzip member per record, as Common Crawl writes them) or a .warc file."""
    return b"".join(gzip.compress(record) if compressed else record for record in records)


def sample_corpus_records() -> list[tuple[str, bytes]]:
    """(canonical URL, response record) for every sample corpus page, as a crawler would have saved it."""
    manifest = json.loads((CORPUS_FOLDER / "manifest.json").read_text())
    return [
        (page["canonical_url"], response(page["canonical_url"], (PAGES_FOLDER / page["file"]).read_bytes()))
        for page in manifest
    ]


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
