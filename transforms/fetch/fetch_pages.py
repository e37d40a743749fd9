"""The FetchPages stage: article URLs in, downloaded HTML pages out, failures as error rows.

    result = requests | "FetchPages" >> FetchPages(settings)
    result.pages    # PCollection[FetchedPage]   (also result["pages"])
    result.errors   # PCollection[ErrorRecord]   (also result["errors"]), stage "fetch"

Fetching one page after another would leave a worker idle on the network almost all the time, so
the DoFn hands each request to the process-wide client's polite thread pool as it arrives, emits
pages as they complete, and waits for the rest at the end of the bundle.
"""

from __future__ import annotations

import datetime
import queue
from collections.abc import Iterator
from concurrent.futures import Future
from functools import partial
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import PCollection, TaggedOutput
from apache_beam.utils.windowed_value import WindowedValue

from schemas.errors import ErrorRecord, make_error
from schemas.pages import FetchedPage, PageRequest
from transforms.fetch.client import FetchResult, FetchSettings
from transforms.fetch.shared_client import acquire_client, release_client
from transforms.side_outputs import ERRORS_TAG, SeveralPCollections

PAGES = "pages"
STAGE = "fetch"


def page_or_error(
    request: PageRequest, result: FetchResult, fetched_at: datetime.datetime
) -> FetchedPage | ErrorRecord:
    """The page a successful fetch gives, or the error row explaining why there is none."""
    succeeded = result.error_type is None and result.text is not None
    if succeeded and (result.status is None or 200 <= result.status < 300):
        return FetchedPage(
            url=request.url,
            final_url=result.final_url,
            html=result.text,
            fetched_at=fetched_at,
            feed_url=request.feed_url,
            entry_title=request.entry_title,
            entry_published=request.entry_published,
        )
    # No error type but no page either: a 2xx-less answer such as 304.
    message = result.message or f"HTTP {result.status} without a page"
    return make_error(
        STAGE,
        request.url,
        result.error_type or "http_status",
        message,
        feed_url=request.feed_url,
        http_status=result.status,
        attempts=result.attempts,
        now=fetched_at,
    )


class _FetchPagesFn(beam.DoFn):
    """PageRequest in; FetchedPage out, or ErrorRecord on the ``errors`` output.

    Outputs leave out of input order, each with its own request's timestamp and window.
    """

    def __init__(self, settings: FetchSettings, allow_file: bool, max_pending: int) -> None:
        self._settings = settings
        self._allow_file = allow_file
        self._max_pending = max_pending
        self.pages_fetched = Metrics.counter(STAGE, "pages_fetched")
        self.fetch_errors = Metrics.counter(STAGE, "fetch_errors")

    def setup(self) -> None:
        self._client = acquire_client(self._settings)

    def start_bundle(self) -> None:
        self._pending = 0
        self._completed: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()

    def process(
        self,
        request: PageRequest,
        timestamp: Any = beam.DoFn.TimestampParam,
        window: Any = beam.DoFn.WindowParam,
    ) -> Iterator[Any]:
        future = self._client.submit(request.url, kind="page", allow_file=self._allow_file)
        self._pending += 1
        future.add_done_callback(partial(self._on_done, request, timestamp, window))
        yield from self._emit_completed(keep_pending=self._max_pending)

    def finish_bundle(self) -> Iterator[Any]:
        yield from self._emit_completed(keep_pending=0)

    def teardown(self) -> None:
        if getattr(self, "_client", None) is not None:
            release_client(self._settings)
            self._client = None

    def _on_done(
        self, request: PageRequest, timestamp: Any, window: Any, future: Future[FetchResult]
    ) -> None:
        # Runs on a fetch thread: only hand over; outputs must be emitted by the bundle's thread.
        fetched_at = datetime.datetime.now(datetime.timezone.utc)
        self._completed.put((request, timestamp, window, future, fetched_at))

    def _emit_completed(self, keep_pending: int) -> Iterator[Any]:
        """Emit every finished fetch, waiting for more while over ``keep_pending`` in flight."""
        while self._pending:
            try:
                completed = self._completed.get(block=self._pending > keep_pending)
            except queue.Empty:
                return
            self._pending -= 1
            request, timestamp, window, future, fetched_at = completed
            outcome = page_or_error(request, future.result(), fetched_at)
            value = WindowedValue(outcome, timestamp, (window,))
            if isinstance(outcome, FetchedPage):
                self.pages_fetched.inc()
                yield value
            else:
                self.fetch_errors.inc()
                yield TaggedOutput(ERRORS_TAG, value)


class FetchPages(beam.PTransform):
    """PCollection[PageRequest] -> pages (FetchedPage) and errors (ErrorRecord, stage "fetch").

    ``allow_file`` lets ``file://`` URLs and plain paths be read from disk: only for URL lists the
    user wrote, never for URLs that came out of remote feeds. ``max_pending`` bounds how many
    requests one DoFn instance keeps in flight (and so how many pages wait in memory).
    """

    def __init__(
        self, settings: FetchSettings, allow_file: bool = False, max_pending: int = 2000
    ) -> None:
        super().__init__()
        self._settings = settings
        self._allow_file = allow_file
        self._max_pending = max_pending

    def expand(self, requests: PCollection) -> SeveralPCollections:
        fetch = _FetchPagesFn(self._settings, self._allow_file, self._max_pending)
        return requests | "FetchEachPage" >> beam.ParDo(fetch).with_outputs(ERRORS_TAG, main=PAGES)
