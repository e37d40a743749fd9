"""``newsbeam run --streaming``: poll the feeds, process what is new, write fixed windows of files.

The graph reuses the batch stages; what differs is the source (``PollFeeds``: a poll every
``--poll-interval`` seconds, entries deduplicated across polls) and the windowing: everything after
the source lives in fixed windows of ``--window`` seconds, so each window's files are written and
committed together, named ``<run-id>-<window-start>-<shard>.parquet``.

Runners: Dataflow (and Flink) run this as a real stream. Locally ``FnApiRunner`` is chosen when no
``--runner`` is given: it runs ``PeriodicImpulse`` and the per-URL timers but processes the stream
batch-like (results after a GroupByKey appear when polling ends), so local runs use
``--stop-after``. In Beam 2.77 ``BundleBasedDirectRunner`` fails on ``PeriodicImpulse``, and
``DirectRunner`` tries to download Prism before falling back to ``FnApiRunner``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

import apache_beam as beam
from apache_beam.transforms.window import FixedWindows
from apache_beam.utils.timestamp import Duration, Timestamp

from pipeline.graph import PagesToTables
from transforms.fetch.client import FetchSettings
from transforms.fetch.fetch_pages import FetchPages
from transforms.sources.poll import DEFAULT_DEDUPE_HORIZON, PollFeeds


@dataclass(frozen=True)
class StreamingConfig:
    feed_urls: Sequence[str]
    output_dir: str
    run_id: str
    poll_interval: float
    window_seconds: int
    stop_after: Optional[float] = None
    fetch: FetchSettings = field(default_factory=FetchSettings)
    dedupe_horizon: Duration = DEFAULT_DEDUPE_HORIZON


def build_streaming_graph(pipeline: beam.Pipeline, config: StreamingConfig, start: Timestamp) -> None:
    """Poll from ``start`` (for ``stop_after`` seconds, or forever) and process what is new."""
    stop = start + Duration(seconds=config.stop_after) if config.stop_after is not None else None
    polled = pipeline | "PollFeeds" >> PollFeeds(
        config.feed_urls, config.fetch, config.poll_interval, start, stop, config.dedupe_horizon
    )
    _ = (polled["requests"], polled["errors"]) | "ProcessWindows" >> ProcessWindows(config)


class ProcessWindows(beam.PTransform):
    """(new PageRequests, feed ErrorRecords), both timestamped by their poll -> committed files of
    the three tables, one commit per fixed window."""

    def __init__(self, config: StreamingConfig):
        super().__init__()
        self._config = config

    def expand(self, inputs: tuple[beam.PCollection, beam.PCollection]) -> beam.PCollection:
        config = self._config
        requests, feed_errors = inputs
        windowing = FixedWindows(config.window_seconds)
        requests = requests | "RequestsIntoWindows" >> beam.WindowInto(windowing)
        error_streams = [feed_errors | "FeedErrorsIntoWindows" >> beam.WindowInto(windowing)]

        fetched = requests | "FetchPages" >> FetchPages(config.fetch, allow_file=True)
        error_streams.append(fetched.errors)
        earlier_errors = error_streams | "FeedAndFetchErrors" >> beam.Flatten()
        return (fetched.pages, earlier_errors) | "PagesToTables" >> PagesToTables(config.output_dir, config.run_id)
