"""Source stages: feed lists, URL lists and folders of saved pages -> what FetchPages/cleaning take."""

from __future__ import annotations

import datetime
import gzip
import zlib
from typing import Iterator, Optional, Sequence, Union

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from schemas.errors import make_error
from schemas.pages import FetchedPage, PageRequest
from transforms.fetch.client import FetchSettings, HttpClient
from transforms.fetch.content import UndecodableBody, decode_html
from transforms.sources.feeds import parse_feed

ERRORS_TAG = "errors"
HTML_PATTERNS = ("**.html", "**.htm", "**.html.gz", "**.htm.gz")


class _FetchFeedFn(beam.DoFn):
    """A batch of feed URLs -> PageRequests for their entries, ErrorRecords on ``errors``."""

    def __init__(self, settings: FetchSettings):
        self._settings = settings
        self._client: Optional[HttpClient] = None
        self._feeds_read = Metrics.counter("feeds", "feeds_read")
        self._feed_errors = Metrics.counter("feeds", "feed_errors")
        self._entries = Metrics.counter("feeds", "entries_found")

    def setup(self) -> None:
        self._client = HttpClient(self._settings)

    def teardown(self) -> None:
        if self._client is not None:
            self._client.close()

    def process(self, feed_urls: Sequence[str]) -> Iterator[Union[PageRequest, beam.pvalue.TaggedOutput]]:
        assert self._client is not None
        # Feed URLs come from the user's own list, so local feed files are allowed.
        for result in self._client.get_many(list(feed_urls), kind="feed", allow_file=True):
            if result.error_type:
                self._feed_errors.inc()
                yield beam.pvalue.TaggedOutput(
                    ERRORS_TAG,
                    make_error(
                        "feed", result.url, result.error_type, result.message,
                        feed_url=result.url, http_status=result.status, attempts=result.attempts,
                    ),
                )
                continue
            self._feeds_read.inc()
            for item in parse_feed(result.url, result.body, result.final_url):
                if isinstance(item, PageRequest):
                    self._entries.inc()
                    yield item
                else:
                    self._feed_errors.inc()
                    yield beam.pvalue.TaggedOutput(ERRORS_TAG, item)


class ReadFeeds(beam.PTransform):
    """Feed URLs (already read from the list) -> outputs ``requests`` (main) and ``errors``.

    The same page announced by several feeds is fetched once (the first feed in sort order keeps it).
    """

    def __init__(self, feed_urls: Sequence[str], settings: FetchSettings):
        super().__init__()
        self._feed_urls = list(feed_urls)
        self._settings = settings

    def expand(self, begin: beam.pvalue.PBegin) -> dict[str, beam.PCollection]:
        results = (
            begin
            | "FeedUrls" >> beam.Create(self._feed_urls)
            | "SpreadFeeds" >> beam.Reshuffle()
            | "BatchFeeds" >> beam.BatchElements(min_batch_size=1, max_batch_size=self._settings.max_workers)
            | "FetchFeed" >> beam.ParDo(_FetchFeedFn(self._settings)).with_outputs(ERRORS_TAG, main="requests")
        )
        unique_requests = (
            results.requests
            | "KeyByUrl" >> beam.Map(lambda request: (request.url, request))
            | "OnePerUrl" >> beam.CombinePerKey(_first_by_feed)
            | "DropUrlKey" >> beam.Values()
        )
        return {"requests": unique_requests, "errors": results[ERRORS_TAG]}


def _first_by_feed(requests: Sequence[PageRequest]) -> PageRequest:
    return min(requests, key=lambda request: (request.feed_url or "", request.entry_title or ""))


class ReadUrlList(beam.PTransform):
    """Article URLs (already read from the list) -> PCollection[PageRequest]."""

    def __init__(self, urls: Sequence[str]):
        super().__init__()
        self._urls = list(urls)

    def expand(self, begin: beam.pvalue.PBegin) -> beam.PCollection:
        return (
            begin
            | "ArticleUrls" >> beam.Create([PageRequest(url=url) for url in self._urls])
            | "SpreadUrls" >> beam.Reshuffle()
        )


def read_saved_page(path: str, data: bytes, now: Optional[datetime.datetime] = None) -> FetchedPage:
    """A saved ``.html`` or ``.html.gz`` file as a FetchedPage; its URL is settled when cleaned."""
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    file_url = path if "://" in path else f"file://{path}"
    return FetchedPage(
        url=file_url,
        final_url=file_url,
        html=decode_html(data, None),
        fetched_at=now or datetime.datetime.now(datetime.timezone.utc),
        replayed=True,
    )


class _ReadSavedPageFn(beam.DoFn):
    """A matched file -> FetchedPage, or an ErrorRecord on ``errors`` when it cannot be read."""

    def __init__(self) -> None:
        self._pages_read = Metrics.counter("replay", "pages_read")

    def process(self, readable: fileio.ReadableFile) -> Iterator[Union[FetchedPage, beam.pvalue.TaggedOutput]]:
        path = readable.metadata.path
        try:
            # Opened raw: read_saved_page decompresses, so errors in .gz files surface as rows.
            page = read_saved_page(path, readable.open(compression_type=CompressionTypes.UNCOMPRESSED).read())
        except FileNotFoundError as error:
            yield beam.pvalue.TaggedOutput(ERRORS_TAG, make_error("replay", path, "file_not_found", str(error)))
            return
        except (OSError, EOFError, zlib.error, UndecodableBody) as error:
            # A truncated .gz or bytes in no known encoding.
            yield beam.pvalue.TaggedOutput(ERRORS_TAG, make_error("replay", path, "decode_error", repr(error)))
            return
        self._pages_read.inc()
        yield page


class ReadHtmlDir(beam.PTransform):
    """A folder of saved pages (searched recursively) -> outputs ``pages`` (main) and ``errors``."""

    def __init__(self, directory: str):
        super().__init__()
        self._patterns = [FileSystems.join(directory, pattern) for pattern in HTML_PATTERNS]

    def expand(self, begin: beam.pvalue.PBegin) -> beam.pvalue.DoOutputsTuple:
        return (
            begin
            | "HtmlPatterns" >> beam.Create(self._patterns)
            | "MatchHtmlFiles" >> fileio.MatchAll(empty_match_treatment=fileio.EmptyMatchTreatment.ALLOW)
            | "SpreadFiles" >> beam.Reshuffle()
            | "OpenHtmlFiles" >> fileio.ReadMatches()
            | "ReadSavedPage" >> beam.ParDo(_ReadSavedPageFn()).with_outputs(ERRORS_TAG, main="pages")
        )


def count_saved_pages(directory: str) -> int:
    """How many saved pages a folder holds (checked before the run, to fail early on none)."""
    patterns = [FileSystems.join(directory, pattern) for pattern in HTML_PATTERNS]
    return sum(len(result.metadata_list) for result in FileSystems.match(patterns))
