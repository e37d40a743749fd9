"""Streaming source: read every feed again each poll interval, conditionally.

Every poll is an element of ``PeriodicImpulse``, timestamped with the poll's time, so what a poll
finds lands in the fixed window of that time. The feed list is cut into batches, each keyed by its
position, and a stateful step keeps the ETag and Last-Modified each feed last sent: the next poll
asks conditionally and an unchanged feed answers 304, costing neither parsing nor entries. The
first poll of a stream starts from what the output's ``_state`` kept (``transforms.sources.validators``),
and each committed window adds what its polls learnt there (``SaveWindowValidators``), so a
restarted stream goes on asking conditionally. Entries a feed keeps for many polls are dropped
downstream by URL (``transforms.dedupe.stream.SkipSeenUrls``).
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Optional, Sequence

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.transforms.periodicsequence import PeriodicImpulse
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec
from apache_beam.typehints import KV
from apache_beam.utils.timestamp import MAX_TIMESTAMP, Timestamp

from transforms.fetch.client import FetchSettings
from transforms.side_outputs import ERRORS_TAG, VALIDATORS_TAG, SeveralPCollections
from transforms.sources import validators
from transforms.sources.read import FetchFeedFn

_KNOWN = ReadModifyWriteStateSpec("validators", PickleCoder())
_KNOWN_STATE = beam.DoFn.StateParam(_KNOWN)


def feed_batches(feed_urls: Sequence[str], batch_size: int) -> list[list[str]]:
    """The feed list cut into batches that one fetching worker downloads in parallel."""
    urls = list(feed_urls)
    return [urls[start : start + batch_size] for start in range(0, len(urls), batch_size)]


def learnt_validators(outputs: Sequence[Any]) -> dict[str, dict[str, str]]:
    """The (feed URL, validators) pairs among a FetchFeedFn's outputs, as a mapping."""
    return dict(
        output.value
        for output in outputs
        if isinstance(output, beam.pvalue.TaggedOutput) and output.tag == VALIDATORS_TAG
    )


class _PollFeedBatchFn(FetchFeedFn):
    """(batch position, feed URLs) of one poll -> what ``FetchFeedFn`` gives for them, asking each
    feed with the validators it sent last (kept in state, first taken from ``stored``)."""

    def __init__(self, settings: FetchSettings, stored: Mapping[str, Mapping[str, str]], conditional: bool):
        super().__init__(settings, {})
        self._stored = dict(stored)
        self._conditional = conditional

    def process(self, keyed: tuple[int, Sequence[str]], known: Any = _KNOWN_STATE) -> Iterator[Any]:
        _, feed_urls = keyed
        current = known.read()
        if current is None:
            current = {url: self._stored[url] for url in feed_urls if url in self._stored}
        # FetchFeedFn sends what it finds here; one process call at a time per instance.
        self._known_validators = current if self._conditional else {}
        outputs = list(super().process(feed_urls))
        known.write({**current, **learnt_validators(outputs)})
        yield from outputs


class PollFeeds(beam.PTransform):
    """Feed URLs polled every ``poll_interval`` seconds from ``start`` until ``stop`` (exclusive;
    None: forever) -> outputs ``requests`` (every entry of every poll that read its feed),
    ``errors`` (one per failed poll of a feed) and ``validators`` ((feed URL, validators) learnt),
    each timestamped with its poll, in the global window.

    ``stored`` holds the validators earlier runs kept; ``conditional=False`` (``--no-conditional-get``)
    fetches every feed in full on every poll.
    """

    def __init__(
        self,
        feed_urls: Sequence[str],
        settings: FetchSettings,
        poll_interval: float,
        start: Timestamp,
        stop: Optional[Timestamp] = None,
        stored: Optional[Mapping[str, Mapping[str, str]]] = None,
        conditional: bool = True,
    ):
        super().__init__()
        self._batches = feed_batches(feed_urls, settings.max_workers)
        self._settings = settings
        self._poll_interval = poll_interval
        self._start = start
        self._stop = stop
        self._stored = dict(stored or {})
        self._conditional = conditional

    def expand(self, begin: beam.pvalue.PBegin) -> SeveralPCollections:
        batches = list(enumerate(self._batches))
        stop = self._stop if self._stop is not None else MAX_TIMESTAMP
        results = (
            begin
            | "PollTicks"
            >> PeriodicImpulse(start_timestamp=self._start, stop_timestamp=stop, fire_interval=self._poll_interval)
            | "FeedBatchesPerPoll" >> beam.FlatMap(lambda _: batches).with_output_types(KV[int, Any])
            | "FetchFeeds"
            >> beam.ParDo(_PollFeedBatchFn(self._settings, self._stored, self._conditional)).with_outputs(
                ERRORS_TAG, VALIDATORS_TAG, main="requests"
            )
        )
        return {"requests": results.requests, "errors": results[ERRORS_TAG], "validators": results[VALIDATORS_TAG]}


class _SaveWindowValidatorsFn(beam.DoFn):
    """A window's commit (files moved) -> the validators its polls learnt, merged into ``_state``.

    Only after the commit: a restarted stream that sent them would be answered 304 and skip the
    entries of that feed version, which must therefore already be stored.
    """

    def __init__(self, output_dir: str):
        self._output_dir = output_dir

    def process(self, _committed: int, learnt: Sequence[tuple[float, str, dict[str, str]]]) -> Iterator[int]:
        latest = {url: values for _, url, values in sorted(learnt, key=lambda item: item[0])}
        yield validators.merge_into_state(self._output_dir, latest)


class SaveWindowValidators(beam.PTransform):
    """(feed URL, validators) of the polls (global window) -> merged into the output's ``_state``
    once the window they fall into has committed its files (``committed``: one element per commit)."""

    def __init__(self, committed: beam.PCollection, output_dir: str):
        super().__init__()
        self._committed = committed
        self._output_dir = output_dir

    def expand(self, learnt: beam.PCollection) -> beam.PCollection:
        windowed = (
            learnt
            | "WithPollTime" >> beam.Map(lambda pair, at=beam.DoFn.TimestampParam: (float(at), pair[0], pair[1]))
            | "IntoCommitWindows" >> beam.WindowInto(self._committed.windowing.windowfn)
        )
        return self._committed | "MergeIntoState" >> beam.ParDo(
            _SaveWindowValidatorsFn(self._output_dir), beam.pvalue.AsList(windowed)
        )
