"""``newsbeam run --streaming``: poll the feeds, store what is new exactly once, commit per window.

    PollFeeds (PeriodicImpulse; conditional GET with validators kept in state)
      -> SkipSeenUrls (state per URL + what the output holds)  -> FetchPages -> CleanArticles
      -> DropStreamDuplicates (state per article id and text hash + what the output holds)
      -> CodeEvents -> fixed windows of ``--window`` seconds -> the three tables, committed per window
      -> each committed window's feed validators into ``_state``

Everything up to the writers stays in the global window, so what the stream has seen is remembered
across windows (``transforms.dedupe.stream``); only the writers group by window.

Runners. On Dataflow (and Flink) the graph is one streaming job. Beam's in-process runner, the
local default, is a batch runner: a stage after a grouping step runs only once everything before
it is done, so one job polling for hours would commit nothing until it stopped. Locally the stream
is therefore run as one job per window (``window_jobs``): each polls for the rest of its window,
then writes and commits it, and the next job starts. What the stream has stored is then carried
from window to window by the output itself (the stored-key index, re-read when each job starts)
and by ``_state`` (the feeds' validators): the same path a restarted stream takes.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping, NamedTuple, Optional, Sequence

import apache_beam as beam
from apache_beam.transforms.window import FixedWindows
from apache_beam.utils.timestamp import Timestamp

from pipeline.graph import PagesToTables
from transforms.coding.confidence_floor import ARTICLE_CONFIDENCE_FLOOR
from transforms.dedupe.stored_index import IndexSource
from transforms.dedupe.stream import DropStreamDuplicates, SharedIndex, SkipSeenUrls, seen_ttl
from transforms.fetch.client import FetchSettings
from transforms.fetch.fetch_pages import FetchPages
from transforms.sources import validators
from transforms.sources.poll import PollFeeds, SaveWindowValidators


@dataclass(frozen=True)
class StreamingConfig:
    feed_urls: Sequence[str]
    output_dir: str
    index: SharedIndex  # one per stream: every job of a local stream shares the process's index
    run_id: str
    poll_interval: float
    window_seconds: int
    fetch: FetchSettings = field(default_factory=FetchSettings)
    # ETag/Last-Modified per feed kept by earlier runs; the first poll of each feed sends them.
    stored_validators: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    conditional_get: bool = True
    min_article_confidence: float = ARTICLE_CONFIDENCE_FLOOR


def stored_index_source(output_dir: str, retry_after: datetime.timedelta, window_seconds: int) -> IndexSource:
    """The index of a stream's output, looked at again once a window (each step also reads it when
    it starts): while the stream holds the lock, new files come from its own commits, which state
    covers, or from writers that bypass the lock (a launcher that went away, a file system without
    an atomic create)."""
    return IndexSource(output_dir, retry_after, refresh_seconds=float(window_seconds))


def build_streaming_graph(
    pipeline: beam.Pipeline, config: StreamingConfig, first_poll: Timestamp, stop: Optional[Timestamp] = None
) -> None:
    """Poll from ``first_poll`` until ``stop`` (exclusive; None: until cancelled) and store what is new."""
    ttl = seen_ttl(config.window_seconds, config.index.source.refresh_seconds)
    polled = pipeline | "PollFeeds" >> PollFeeds(
        config.feed_urls,
        config.fetch,
        config.poll_interval,
        first_poll,
        stop,
        config.stored_validators,
        config.conditional_get,
    )
    new_requests = polled["requests"] | "SkipSeenUrls" >> SkipSeenUrls(config.index, ttl)
    # Local pages are allowed only for entries of local feeds: remote feeds' file links are refused.
    fetched = new_requests | "FetchPages" >> FetchPages(config.fetch, allow_file=True)
    earlier_errors = (polled["errors"], fetched.errors) | "FeedAndFetchErrors" >> beam.Flatten()
    committed = (fetched.pages, earlier_errors) | "PagesToTables" >> PagesToTables(
        config.output_dir,
        config.run_id,
        DropStreamDuplicates(config.index, ttl),
        windowing=FixedWindows(config.window_seconds),
        min_article_confidence=config.min_article_confidence,
    )
    _ = polled["validators"] | "SaveWindowValidators" >> SaveWindowValidators(committed, config.output_dir)


class WindowJob(NamedTuple):
    """One job of a local stream, in seconds since the epoch: its polls from ``first_poll`` on,
    every poll interval, until ``end`` (exclusive), all in one window."""

    first_poll: float
    end: float


def next_window_job(
    started: float, stop: Optional[float], poll_interval: float, window_seconds: int, now: float
) -> Optional[WindowJob]:
    """The job for the window ``now`` is in, or None once ``stop`` has passed.

    Polls keep the stream's beat (``started`` + n x ``poll_interval``). A job that starts late (the
    previous window took long to write) polls at once for the latest beat missed, not for each one:
    a poll reads the feeds as they are now. A job may have no poll at all (``first_poll >= end``)
    when a window is shorter than the poll interval.
    """
    if stop is not None and now >= stop:
        return None
    window_start = math.floor(now / window_seconds) * window_seconds
    end = window_start + window_seconds if stop is None else min(window_start + window_seconds, stop)
    latest_beat = started + max(0, math.floor((now - started) / poll_interval)) * poll_interval
    if latest_beat < window_start:  # that poll belonged to the previous window
        latest_beat = started + math.ceil((window_start - started) / poll_interval) * poll_interval
    return WindowJob(latest_beat, end)


def window_jobs(
    config: StreamingConfig,
    started: float,
    stop: Optional[float],
    new_pipeline: Callable[[], beam.Pipeline],
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[beam.Pipeline]:
    """A local stream as one pipeline per window, each built when the previous one has finished
    and its window is over (a job ends after its last poll and commit, often before its window
    does; two jobs of one window would write files of the same name)."""
    window_over = started
    while True:
        sleep(max(0.0, window_over - clock()))
        job = next_window_job(started, stop, config.poll_interval, config.window_seconds, max(clock(), window_over))
        if job is None:
            return
        window_over = job.end
        if job.first_poll < job.end:
            pipeline = new_pipeline()
            build_streaming_graph(pipeline, with_kept_validators(config), Timestamp(job.first_poll), Timestamp(job.end))
            yield pipeline


def with_kept_validators(config: StreamingConfig) -> StreamingConfig:
    """The config with the validators ``_state`` holds now, the committed windows' included."""
    if not config.conditional_get:
        return config
    return dataclasses.replace(config, stored_validators=validators.load(validators.state_file(config.output_dir)))
