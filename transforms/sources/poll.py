"""Streaming source: read every feed again each poll interval and pass on only entries not seen yet.

Every poll is an element of ``PeriodicImpulse``, timestamped with the poll's time, so what a poll
finds lands in the fixed window of that time. Feeds keep an entry for many polls; a page is
fetched once because entries are deduplicated by URL across polls (``DeduplicatePerKey``, state
kept per URL until the event-time horizon passes, so memory does not grow forever).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import apache_beam as beam
from apache_beam.transforms.deduplicate import DeduplicatePerKey
from apache_beam.transforms.periodicsequence import PeriodicImpulse
from apache_beam.typehints import KV
from apache_beam.utils.timestamp import MAX_TIMESTAMP, Duration, Timestamp

from transforms.fetch.client import FetchSettings
from transforms.sources.read import ERRORS_TAG, VALIDATORS_TAG, FetchFeedFn

# How long a URL is remembered after it was first seen. Feeds rarely keep an entry longer; a URL
# seen again after this is fetched and stored again.
DEFAULT_DEDUPE_HORIZON = Duration(seconds=7 * 24 * 3600)


def feed_batches(feed_urls: Sequence[str], batch_size: int) -> list[list[str]]:
    """The feed list cut into batches that one fetching worker downloads in parallel."""
    urls = list(feed_urls)
    return [urls[start : start + batch_size] for start in range(0, len(urls), batch_size)]


class FirstSightingOnly(beam.PTransform):
    """PageRequests (global window) -> each URL once, the first time it appears, within ``horizon``."""

    def __init__(self, horizon: Duration = DEFAULT_DEDUPE_HORIZON):
        super().__init__()
        self._horizon = horizon

    def expand(self, requests: beam.PCollection) -> beam.PCollection:
        return (
            requests
            # A str key: state is keyed by its encoding, which must be deterministic.
            | "KeyByUrl" >> beam.Map(lambda request: (request.url, request)).with_output_types(KV[str, Any])
            | "DropSeenUrls" >> DeduplicatePerKey(event_time_duration=self._horizon)
            | "DropUrlKey" >> beam.Values()
        )


class PollFeeds(beam.PTransform):
    """Feed URLs polled every ``poll_interval`` seconds from ``start`` until ``stop`` (forever when
    None) -> outputs ``requests`` (entries new to the stream) and ``errors`` (one per failed poll)."""

    def __init__(
        self,
        feed_urls: Sequence[str],
        settings: FetchSettings,
        poll_interval: float,
        start: Timestamp,
        stop: Optional[Timestamp] = None,
        horizon: Duration = DEFAULT_DEDUPE_HORIZON,
    ):
        super().__init__()
        self._batches = feed_batches(feed_urls, settings.max_workers)
        self._settings = settings
        self._poll_interval = poll_interval
        self._start = start
        self._stop = stop if stop is not None else MAX_TIMESTAMP
        self._horizon = horizon

    def expand(self, begin: beam.pvalue.PBegin) -> dict[str, beam.PCollection]:
        batches = self._batches
        results = (
            begin
            | "PollTicks"
            >> PeriodicImpulse(start_timestamp=self._start, stop_timestamp=self._stop, fire_interval=self._poll_interval)
            | "FeedBatchesPerPoll" >> beam.FlatMap(lambda _: batches)
            # Validators of the first poll are not carried to later ones: unchanged entries are
            # dropped by URL anyway, and a full download keeps every poll independent.
            | "FetchFeed"
            >> beam.ParDo(FetchFeedFn(self._settings, {})).with_outputs(ERRORS_TAG, VALIDATORS_TAG, main="requests")
        )
        new_requests = results.requests | "FirstSightingOnly" >> FirstSightingOnly(self._horizon)
        return {"requests": new_requests, "errors": results[ERRORS_TAG]}
