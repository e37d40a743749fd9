"""Web archives: WARC files (Common Crawl's CC-NEWS, a crawler's output) -> FetchedPages.

``--warc PATH_OR_GLOB`` and ``--warc-list FILE`` name ``.warc`` / ``.warc.gz`` files: local paths
and globs, ``gs://`` and ``s3://`` (through Beam's FileSystems) and ``http(s)://`` URLs (through
newsbeam's one HTTP client, streamed). Each file is one unit of work, read as a stream from start
to end by one worker: memory stays flat in the number of records.

A response record with an HTML page and a 2xx status becomes a page: its URL is the record's
``WARC-Target-URI``, ``fetched_at`` its ``WARC-Date``, its text decoded by the charset of the
recorded HTTP headers (then the page's own declaration, then detection, as for fetched pages).
Other records are skipped and counted by kind. Record boundaries are found by
``warc_framing`` (so that a damaged record is skipped and reported as a ``broken_record`` row,
and the file goes on); the records are parsed by fastwarc.
"""

from __future__ import annotations

import datetime
import io
import os
import re
from pathlib import Path
from typing import BinaryIO, Iterator, NamedTuple, Optional, Union

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from schemas.errors import ErrorRecord, make_error
from schemas.pages import FetchedPage
from transforms.fetch.client import FetchSettings, HttpClient
from transforms.fetch.content import HTML_MEDIA_TYPES, UndecodableBody, decode_html, looks_like_html, parse_content_type
from transforms.fetch.shared_client import acquire_client, release_client
from transforms.fetch.urls import HTTP_SCHEMES, UrlProblem, checked_http_url, safe_split
from transforms.side_outputs import ERRORS_TAG, ErrorOutput, SeveralPCollections
from transforms.sources.backfill_filters import COUNTER_NAMESPACE as BACKFILL_COUNTERS
from transforms.sources.backfill_filters import url_in_domains
from transforms.sources.warc_framing import BrokenSpan, RecordBytes, WarcPiece, warc_pieces

STAGE = "warc"
COUNTER_NAMESPACE = "warc"
# Why a record is no page (the label the run summary shows); each has a counter ``warc/skipped_<reason>``:
# a request, metadata, warcinfo or revisit record; a response that is no HTML page (by its
# Content-Type, or its bytes when it has none); a redirect or an error page.
SKIP_REASONS: dict[str, str] = {"not_response": "not a response", "not_html": "not HTML", "not_ok": "no 2xx status"}
# A record whose URL lies outside --domains is counted with the other backfill filters.
OTHER_DOMAIN = "other_domain"
_TARGET_URI = re.compile(rb"^WARC-Target-URI[ \t]*:[ \t]*<?([^\s>]*)>?[ \t]*\r?$", re.I | re.M)


class SkippedRecord(NamedTuple):
    """A record that is no page: ``reason`` is a key of ``SKIP_REASONS`` or ``OTHER_DOMAIN``."""

    reason: str


WarcOutcome = Union[FetchedPage, SkippedRecord, ErrorRecord]


def is_remote(location: str) -> bool:
    """True for an ``http(s)://`` WARC URL, which the HTTP client reads (never globbed)."""
    parts = safe_split(location)
    return parts is not None and parts.scheme.lower() in HTTP_SCHEMES


def absolute_location(location: str) -> str:
    """A local path or glob made absolute (workers may run elsewhere); URLs as they are."""
    return location if "://" in location else str(Path(location).expanduser().absolute())


def warc_location_problem(location: str) -> Optional[str]:
    """Why a ``--warc`` value names no file, as the end of a sentence naming it, or None. Checked
    before the run; an http(s) URL is not (nothing is requested before the run starts)."""
    if is_remote(location):
        return None
    if os.path.isdir(location):
        return f"is a folder: name its files, such as '{location.rstrip('/')}/*.warc.gz'"
    try:
        matches = FileSystems.match([absolute_location(location)])
    except Exception as error:  # noqa: BLE001 - each file system raises its own kind
        return f"cannot be listed: {str(error).splitlines()[0] if str(error) else type(error).__name__}"
    if any(result.metadata_list for result in matches):
        return None
    return "matches no file" if any(char in location for char in "*?[") else "does not exist"


def page_from_piece(
    piece: WarcPiece, location: str, allowed_domains: Optional[frozenset[str]] = None
) -> WarcOutcome:
    """What one record of the WARC file at ``location`` gives: a page, a skip, or an error row."""
    if isinstance(piece, BrokenSpan):
        return _broken(location, piece.offset, piece.reason, piece.header)
    record = _parsed(piece.data)
    if record is None:
        return _broken(location, piece.offset, "a record that cannot be parsed", piece.data)
    if record.record_type != WarcRecordType.response:
        return SkippedRecord("not_response")
    url = (record.headers.get("WARC-Target-URI") or "").strip().strip("<>")
    if allowed_domains is not None and not url_in_domains(url, allowed_domains):
        return SkippedRecord(OTHER_DOMAIN)
    if not record.is_http or record.http_headers is None:
        return SkippedRecord("not_html")  # a DNS lookup or another protocol's response
    status = record.http_headers.status_code
    if status is None or not 200 <= status < 300:
        return SkippedRecord("not_ok")
    media_type, charset = parse_content_type(record.http_headers.get("Content-Type"))
    if media_type is not None and media_type not in HTML_MEDIA_TYPES:
        return SkippedRecord("not_html")
    return _page(record, piece, location, url, media_type, charset)


def _page(
    record: WarcRecord, piece: RecordBytes, location: str, url: str, media_type: Optional[str], charset: Optional[str]
) -> WarcOutcome:
    where = f"{location} at byte {piece.offset}"
    try:
        url = checked_http_url(url)
    except UrlProblem as problem:
        return make_error(STAGE, url or location, problem.error_type, f"{where}: {problem}")
    if not piece.complete:
        return make_error(STAGE, url, "too_large", f"{where}: the record is larger than the --max-page-bytes cap")
    fetched_at = record.record_date
    if fetched_at is None:
        return make_error(STAGE, url, "broken_record", f"{where}: the record has no valid WARC-Date")
    try:
        body = record.reader.read()
    except OSError as error:  # a Content-Encoding the body does not follow
        return make_error(STAGE, url, "decode_error", f"{where}: {error}")
    if media_type is None and not looks_like_html(body):
        return SkippedRecord("not_html")
    try:
        html = decode_html(body, charset)
    except UndecodableBody as error:
        return make_error(STAGE, url, "decode_error", f"{where}: {error}")
    return FetchedPage(
        url=url,
        final_url=url,
        html=html,
        fetched_at=fetched_at.astimezone(datetime.timezone.utc),
        added_at=datetime.datetime.now(datetime.timezone.utc),
    )


def _parsed(data: bytes) -> Optional[WarcRecord]:
    """The record in ``data``, its HTTP headers parsed and its body decoded as it is read."""
    data = with_canonical_field_names(data)
    return next(iter(ArchiveIterator(io.BytesIO(data), auto_decode="all", stream_detect=False)), None)


_FIELD_NAME = re.compile(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?=[ \t]*:)", re.M)
_UPPER_CASE_PARTS = {b"warc": b"WARC", b"id": b"ID", b"uri": b"URI", b"ip": b"IP"}


def with_canonical_field_names(record: bytes) -> bytes:
    """``record`` with the field names of its WARC header spelled as the WARC standard does.

    Field names are case-insensitive (WARC 1.1, section 4, as in HTTP), but fastwarc finds
    ``WARC-Type`` and ``Content-Length`` only in that spelling: a ``content-length`` field made a
    response look empty. The HTTP headers inside the block are left alone (fastwarc reads them
    case-insensitively)."""
    end = record.find(b"\r\n\r\n")
    if end < 0:
        end = record.find(b"\n\n")
    header = record[:end] if end >= 0 else record
    if b"\nWARC-Type:" in header and b"\nContent-Length:" in header:
        return record  # the usual spelling: nothing to do
    canonical = _FIELD_NAME.sub(lambda name: _canonical_name(name.group(1)), header)
    return canonical + record[len(header):]


def _canonical_name(name: bytes) -> bytes:
    return b"-".join(_UPPER_CASE_PARTS.get(part.lower(), part[:1].upper() + part[1:].lower()) for part in name.split(b"-"))


def _broken(location: str, offset: int, reason: str, header: bytes) -> ErrorRecord:
    found = _TARGET_URI.search(header)
    url = found.group(1).decode("utf-8", "replace") if found and found.group(1) else location
    return make_error(STAGE, url, "broken_record", f"{location} at byte {offset}: {reason}")


def read_warc(
    stream: BinaryIO, location: str, max_record_bytes: int, allowed_domains: Optional[frozenset[str]] = None
) -> Iterator[WarcOutcome]:
    """Every record of the WARC file ``stream`` (named ``location``) as a page, skip or error row.

    A record's block larger than ``max_record_bytes`` is not read whole (an HTML page that large
    is a ``too_large`` row). Reading the stream itself may raise (a download that breaks)."""
    for piece in warc_pieces(stream, max_record_bytes, gzip_name=location.endswith(".gz")):
        try:
            outcome = page_from_piece(piece, location, allowed_domains)
        except Exception as error:  # noqa: BLE001 - a record the parser chokes on is one row, not the file's end
            header = piece.header if isinstance(piece, BrokenSpan) else piece.data
            outcome = _broken(location, piece.offset, f"a record that cannot be parsed ({error!r})", header)
        yield outcome


def open_warc(location: str, client: HttpClient) -> Union[BinaryIO, ErrorRecord]:
    """A WARC file opened for reading from its start, or the error row saying why it cannot be."""
    if is_remote(location):
        result = client.open_archive(location)
        if result.stream is None:
            return make_error(
                STAGE, location, result.error_type or "connection_error", result.message, http_status=result.status
            )
        return io.BufferedReader(result.stream, buffer_size=1 << 16)
    try:
        return FileSystems.open(location, compression_type=CompressionTypes.UNCOMPRESSED)
    except Exception as error:  # noqa: BLE001 - each file system raises its own kind; the run goes on
        return make_error(STAGE, location, "file_not_found", f"cannot open {location}: {error}")


class _MatchWarcFilesFn(beam.DoFn):
    """A local, gs:// or s3:// path or glob -> the path of every file it matches (an ErrorRecord on
    ``errors`` when it matches none); an http(s) URL passes as it is."""

    def process(self, location: str) -> Iterator[Union[str, ErrorOutput]]:
        if is_remote(location):
            yield location
            return
        try:
            paths = [file.path for result in FileSystems.match([location]) for file in result.metadata_list]
        except Exception as error:  # noqa: BLE001 - a bucket without access, a bad pattern: one row
            paths, problem = [], f"cannot list {location}: {error}"
        else:
            problem = f"{location} matches no file"
        if not paths:
            yield beam.pvalue.TaggedOutput(ERRORS_TAG, make_error(STAGE, location, "file_not_found", problem))
        yield from sorted(paths)


class _ReadWarcFileFn(beam.DoFn):
    """The location of one WARC file -> its pages (main) and ErrorRecords (``errors``); counts every
    record by what became of it."""

    def __init__(self, settings: FetchSettings, allowed_domains: Optional[frozenset[str]]) -> None:
        self._settings = settings
        self._allowed_domains = allowed_domains
        self._client: Optional[HttpClient] = None
        self._files_read = Metrics.counter(COUNTER_NAMESPACE, "files_read")
        self._records_read = Metrics.counter(COUNTER_NAMESPACE, "records_read")
        self._pages_kept = Metrics.counter(COUNTER_NAMESPACE, "pages_kept")
        self._broken = Metrics.counter(COUNTER_NAMESPACE, "broken_records")
        self._skipped = {reason: Metrics.counter(COUNTER_NAMESPACE, f"skipped_{reason}") for reason in SKIP_REASONS}
        self._skipped[OTHER_DOMAIN] = Metrics.counter(BACKFILL_COUNTERS, "filtered_by_domain")

    def setup(self) -> None:
        self._client = acquire_client(self._settings)

    def teardown(self) -> None:
        if self._client is not None:
            self._client = None
            release_client(self._settings)

    def process(self, location: str) -> Iterator[Union[FetchedPage, ErrorOutput]]:
        assert self._client is not None
        opened = open_warc(location, self._client)
        if isinstance(opened, ErrorRecord):
            yield beam.pvalue.TaggedOutput(ERRORS_TAG, opened)
            return
        records = 0
        try:
            with opened:
                for outcome in read_warc(opened, location, self._settings.max_bytes, self._allowed_domains):
                    records += 1
                    yield from self._counted(outcome)
        except Exception as error:  # noqa: BLE001 - a read that fails ends this file, not the run
            error_type = "connection_error" if "://" in location else "file_not_found"
            message = f"reading {location} stopped after {records} record(s): {error}"
            yield beam.pvalue.TaggedOutput(ERRORS_TAG, make_error(STAGE, location, error_type, message))
            return
        self._files_read.inc()

    def _counted(self, outcome: WarcOutcome) -> Iterator[Union[FetchedPage, ErrorOutput]]:
        self._records_read.inc()
        if isinstance(outcome, SkippedRecord):
            self._skipped[outcome.reason].inc()
        elif isinstance(outcome, ErrorRecord):
            if outcome.error_type == "broken_record":
                self._broken.inc()
            yield beam.pvalue.TaggedOutput(ERRORS_TAG, outcome)
        else:
            self._pages_kept.inc()
            yield outcome


class ReadWarc(beam.PTransform):
    """WARC locations (paths, globs, gs://, s3://, http(s) URLs) -> ``{"pages": FetchedPages,
    "errors": ErrorRecords}``. Files are spread over the workers before they are read: one file, one unit of work."""

    def __init__(
        self, locations: tuple[str, ...], settings: FetchSettings, allowed_domains: Optional[frozenset[str]] = None
    ):
        super().__init__()
        self._locations = [absolute_location(location) for location in locations]
        self._settings = settings
        self._allowed_domains = allowed_domains

    def expand(self, begin: beam.pvalue.PBegin) -> SeveralPCollections:
        matched = (
            begin
            | "WarcLocations" >> beam.Create(self._locations)
            | "MatchWarcFiles" >> beam.ParDo(_MatchWarcFilesFn()).with_outputs(ERRORS_TAG, main="files")
        )
        read = (
            matched.files
            | "SpreadWarcFiles" >> beam.Reshuffle()
            | "ReadWarcFile"
            >> beam.ParDo(_ReadWarcFileFn(self._settings, self._allowed_domains)).with_outputs(ERRORS_TAG, main="pages")
        )
        errors = (matched[ERRORS_TAG], read[ERRORS_TAG]) | "WarcErrors" >> beam.Flatten()
        return {"pages": read.pages, ERRORS_TAG: errors}
