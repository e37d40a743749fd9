"""Source stages for the web: feed, sitemap and article URLs -> PageRequests for FetchPages."""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Optional, Sequence, Union

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.errors import ErrorRecord, make_error
from schemas.pages import PageRequest
from transforms.fetch.client import FetchResult, FetchSettings, HttpClient
from transforms.fetch.shared_client import acquire_client, release_client
from transforms.side_outputs import ERRORS_TAG, VALIDATORS_TAG, ErrorOutput, SeveralPCollections, ValidatorsOutput
from transforms.sources import validators
from transforms.sources.feeds import DiscoveredFeed, parse_feed
from transforms.sources.lists import is_local
from transforms.sources.sitemaps import COUNTED, DateWindow, SitemapWalker, most_informative


class _SharedClientFn(beam.DoFn):
    """A DoFn that reads through the HTTP client ``self._settings`` names, shared with FetchPages in
    this process so that per-host politeness covers feeds, sitemaps and pages together."""

    _settings: FetchSettings
    _client: Optional[HttpClient]

    def setup(self) -> None:
        self._client = acquire_client(self._settings)

    def teardown(self) -> None:
        if self._client is not None:
            release_client(self._settings)
            self._client = None


class FetchFeedFn(_SharedClientFn):
    """A batch of feed URLs -> PageRequests for their entries; ErrorRecords on ``errors``; the
    feeds' (url, validators) on ``validators``."""

    def __init__(self, settings: FetchSettings, known_validators: Mapping[str, Mapping[str, str]]):
        self._settings = settings
        self._known_validators = dict(known_validators)
        self._client: Optional[HttpClient] = None
        self._feeds_read = Metrics.counter("feeds", "feeds_read")
        self._not_modified = Metrics.counter("feeds", "feeds_not_modified")
        self._discovered = Metrics.counter("feeds", "feeds_discovered_in_pages")
        self._feed_errors = Metrics.counter("feeds", "feed_errors")
        self._entries = Metrics.counter("feeds", "entries_found")

    def process(self, feed_urls: Sequence[str]) -> Iterator[Union[PageRequest, ErrorOutput, ValidatorsOutput]]:
        assert self._client is not None
        # Feed URLs come from the user's own list, so local feed files are allowed for them.
        futures = [
            self._client.submit(
                url, kind="feed", allow_file=True,
                headers=validators.request_headers(self._known_validators.get(url)),
            )
            for url in feed_urls
        ]
        for future in futures:
            yield from self._entries_of(future.result(), discovered_via=None)

    def _entries_of(self, result: FetchResult, discovered_via: Optional[str]) -> Iterator[Any]:
        feed_url = result.url
        if result.error_type:
            self._feed_errors.inc()
            yield beam.pvalue.TaggedOutput(
                ERRORS_TAG,
                make_error(
                    "feed", feed_url, result.error_type, result.message,
                    feed_url=discovered_via or feed_url, http_status=result.status, attempts=result.attempts,
                ),
            )
            return
        if result.status == 304:
            self._not_modified.inc()
            return
        items = list(parse_feed(feed_url, result.body, result.final_url))
        advertised = [item for item in items if isinstance(item, DiscoveredFeed)]
        if advertised:
            yield from self._advertised_feeds(feed_url, advertised, discovered_via)
            return
        if not any(isinstance(item, ErrorRecord) and item.error_type == "not_a_feed" for item in items):
            # Only a document that is a feed counts as read; its validators are kept only then, as
            # a 304 on a page would skip the feeds the page advertises.
            self._feeds_read.inc()
            learnt = validators.from_headers(result.headers)
            if learnt:
                yield beam.pvalue.TaggedOutput(VALIDATORS_TAG, (feed_url, learnt))
        for item in items:
            if isinstance(item, PageRequest):
                self._entries.inc()
                yield item
            else:
                self._feed_errors.inc()
                yield beam.pvalue.TaggedOutput(ERRORS_TAG, item)

    def _advertised_feeds(
        self, page_url: str, advertised: Sequence[DiscoveredFeed], discovered_via: Optional[str]
    ) -> Iterator[Any]:
        """The entries of the feeds an HTML page given as a feed advertises, one level deep: a page
        found that way that is again a page (itself, or another page) is an error, not a chain to follow."""
        if discovered_via is not None:
            self._feed_errors.inc()
            others = f" and {len(advertised) - 1} more" if len(advertised) > 1 else ""
            message = (
                f"advertised as a feed by {discovered_via}, but an HTML page that advertises feeds itself "
                f"({advertised[0].url}{others}); only the feeds of a listed page are followed"
            )
            yield beam.pvalue.TaggedOutput(
                ERRORS_TAG, make_error("feed", page_url, "not_a_feed", message, feed_url=discovered_via)
            )
            return
        assert self._client is not None
        for feed in advertised:
            self._discovered.inc()
            found = self._client.get(feed.url, kind="feed", allow_file=is_local(feed.page_url))
            yield from self._entries_of(found, discovered_via=page_url)


class ReadFeeds(beam.PTransform):
    """Feed URLs (already read from the list) -> ``requests``, ``errors`` and ``validators``.

    ``known_validators`` (ETag/Last-Modified per feed from earlier runs) make the requests
    conditional: an unchanged feed answers 304 and costs no parsing. The same page announced by
    several feeds is fetched once (the first feed in sort order keeps it).
    """

    def __init__(
        self,
        feed_urls: Sequence[str],
        settings: FetchSettings,
        known_validators: Optional[Mapping[str, Mapping[str, str]]] = None,
    ):
        super().__init__()
        self._feed_urls = list(feed_urls)
        self._settings = settings
        self._known_validators = dict(known_validators or {})

    def expand(self, begin: beam.pvalue.PBegin) -> SeveralPCollections:
        results = (
            begin
            | "FeedUrls" >> beam.Create(self._feed_urls)
            | "SpreadFeeds" >> beam.Reshuffle()
            | "BatchFeeds" >> beam.BatchElements(min_batch_size=1, max_batch_size=self._settings.max_workers)
            | "FetchFeed"
            >> beam.ParDo(FetchFeedFn(self._settings, self._known_validators)).with_outputs(
                ERRORS_TAG, VALIDATORS_TAG, main="requests"
            )
        )
        unique_requests = (
            results.requests
            | "KeyByUrl" >> beam.Map(lambda request: (request.url, request))
            | "OnePerUrl" >> beam.CombinePerKey(_first_by_feed)
            | "DropUrlKey" >> beam.Values()
        )
        return {"requests": unique_requests, "errors": results[ERRORS_TAG], "validators": results[VALIDATORS_TAG]}


def _first_by_feed(requests: Sequence[PageRequest]) -> PageRequest:
    return min(requests, key=lambda request: (request.feed_url or "", request.entry_title or ""))


class ReadSitemapFn(_SharedClientFn):
    """A listed sitemap or site root -> PageRequests for the pages it and the sitemaps below it list;
    ErrorRecords on ``errors`` (see ``transforms.sources.sitemaps.SitemapWalker``)."""

    def __init__(self, settings: FetchSettings, window: DateWindow, max_sitemaps: int):
        self._settings = settings
        self._window = window
        self._max_sitemaps = max_sitemaps
        self._client: Optional[HttpClient] = None
        self._counters = {name: Metrics.counter("sitemaps", name) for name in COUNTED}

    def process(self, listed: str) -> Iterator[Union[PageRequest, ErrorOutput]]:
        assert self._client is not None
        walker = SitemapWalker(self._client, self._window, self._max_sitemaps, self._count)
        for item in walker.walk(listed):
            yield item if isinstance(item, PageRequest) else beam.pvalue.TaggedOutput(ERRORS_TAG, item)

    def _count(self, name: str, amount: int) -> None:
        self._counters[name].inc(amount)


class ReadSitemaps(beam.PTransform):
    """Sitemap URLs and site roots (already read from the list) -> ``requests`` and ``errors``.

    Entries dated outside ``window`` are skipped before anything is fetched. A page listed by
    several sitemaps is fetched once, with what the most informative listing says about it.
    """

    def __init__(self, listed: Sequence[str], settings: FetchSettings, window: DateWindow, max_sitemaps: int):
        super().__init__()
        self._listed = list(listed)
        self._settings = settings
        self._window = window
        self._max_sitemaps = max_sitemaps

    def expand(self, begin: beam.pvalue.PBegin) -> SeveralPCollections:
        results = (
            begin
            | "ListedSitemaps" >> beam.Create(self._listed)
            | "SpreadSitemaps" >> beam.Reshuffle()
            | "WalkSitemaps"
            >> beam.ParDo(ReadSitemapFn(self._settings, self._window, self._max_sitemaps)).with_outputs(
                ERRORS_TAG, main="requests"
            )
        )
        unique_requests = (
            results.requests
            | "KeyByUrl" >> beam.Map(lambda request: (request.url, request))
            | "OnePerUrl" >> beam.CombinePerKey(most_informative)
            | "DropUrlKey" >> beam.Values()
        )
        return {"requests": unique_requests, "errors": results[ERRORS_TAG]}


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


class _WriteValidatorsFn(beam.DoFn):
    """All (feed url, validators) pairs of the run -> one file under the run's temp folder."""

    def __init__(self, output_dir: str, run_id: str):
        self._output_dir = output_dir
        self._run_id = run_id

    def process(self, learnt: list[tuple[str, dict[str, str]]]) -> Iterator[int]:
        validators.write_run_validators(self._output_dir, self._run_id, learnt)
        yield len(learnt)


class KeepValidators(beam.PTransform):
    """Feeds' validators -> written for the launcher to merge into ``_state`` once the run succeeded."""

    def __init__(self, output_dir: str, run_id: str):
        super().__init__()
        self._output_dir = output_dir
        self._run_id = run_id

    def expand(self, learnt: beam.PCollection) -> beam.PCollection:
        return (
            learnt
            | "AllValidators" >> beam.combiners.ToList()
            | "WriteValidators" >> beam.ParDo(_WriteValidatorsFn(self._output_dir, self._run_id))
        )
