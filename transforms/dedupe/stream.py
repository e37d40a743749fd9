"""Exactly-once for streams: stateful steps that drop what this stream or the output already has.

A stream cannot wait for all its input to pick one copy per key, as a batch run does
(``stages.DropDuplicates``). It decides as elements arrive, in the global window (state in a fixed
window would forget everything at the window's end), keyed by the thing compared:

1. ``SkipSeenUrls``, keyed by page URL, before anything is fetched: a URL passes once; a later
   poll listing it again, or another feed, is dropped. So is a URL the output holds (``StoredIndex``).
2. ``DropStreamDuplicates``, keyed by article id and then by text hash, after cleaning: the first
   article of a canonical URL or of a text is kept; a later copy (another URL of the same page, a
   syndicated copy) becomes a ``duplicate`` row, as in batch; one the output already holds is not
   stored again.

What this stream has passed on is remembered in per-key state that a timer in processing time
clears after ``ttl`` (``seen_ttl``): by then the window that stored it has long been committed and
the index has read its files, so the output remembers it instead, and the state stays as small as a
few windows of new keys. The index (``transforms.dedupe.stored_index``) is one per worker process,
shared by the steps through Beam's ``Shared``, and refreshed when each step starts and then every
``refresh_seconds``.

The decisions are plain functions (``first_sighting``, ``by_id``, ``by_text``); the DoFns only
read and write state around them.
"""

from __future__ import annotations

import time
from typing import Any, Iterator, NamedTuple, Optional, Protocol, Union

import apache_beam as beam
from apache_beam.coders import FloatCoder, StrUtf8Coder, TupleCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.typehints import KV
from apache_beam.utils.shared import Shared
from apache_beam.utils.timestamp import Duration, Timestamp

from schemas.articles import Article
from schemas.errors import ErrorRecord, make_error
from schemas.pages import PageRequest
from transforms.dedupe.rules import pick_by_text
from transforms.dedupe.stored_index import URL_FAILED_RECENTLY, URL_STORED, IndexSource, StoredIndex
from transforms.side_outputs import ERRORS_TAG, SeveralPCollections

# The shortest time a stream remembers a key in its own state; longer windows lengthen it.
MIN_SEEN_TTL_SECONDS = 24 * 3600


def seen_ttl(window_seconds: float, refresh_seconds: float) -> Duration:
    """How long state remembers a key: a day, or longer when three windows and a refresh take
    longer, so a key is still in state when the index has not yet read the files that stored it."""
    return Duration(seconds=max(MIN_SEEN_TTL_SECONDS, 3 * window_seconds + refresh_seconds))


class KeyLookup(Protocol):
    """What the decisions ask the output (a ``StoredIndex``)."""

    def url_status(self, url: str) -> Optional[str]: ...

    def has_article(self, article_id: str) -> bool: ...

    def article_with_text(self, text_hash: str) -> Optional[str]: ...


class Decision(NamedTuple):
    """What happens to one element: kept, or not (``reason``, a counter name), then perhaps
    recorded as a ``duplicate`` row."""

    kept: Optional[Any] = None
    duplicate: Optional[ErrorRecord] = None
    reason: Optional[str] = None


def first_sighting(request: PageRequest, seen: bool, stored: KeyLookup) -> Decision:
    """A polled entry is fetched only if neither this stream (``seen``) nor the output has its URL."""
    if seen:
        return Decision(reason="urls_seen_by_stream")
    status = stored.url_status(request.url)
    return Decision(reason=status) if status else Decision(kept=request)


def by_id(article: Article, seen: bool, stored: KeyLookup) -> Decision:
    """One article per canonical URL: one stored by an earlier run is not stored again and, as in
    batch, its URL is recorded as a ``duplicate`` row so that it is not fetched again; so is a
    second one in this stream."""
    if stored.has_article(article.article_id):
        message = f"the same canonical URL as article {article.article_id}, stored by an earlier run; not stored twice"
        duplicate = make_error("dedupe", article.url, "duplicate", message, feed_url=article.feed_url)
        return Decision(duplicate=duplicate, reason="articles_already_stored")
    if seen:
        message = (
            f"the same canonical URL as article {article.article_id}, kept earlier in this stream; not stored twice"
        )
        duplicate = make_error("dedupe", article.url, "duplicate", message, feed_url=article.feed_url)
        return Decision(duplicate=duplicate, reason="duplicate_urls")
    return Decision(kept=article)


def by_text(article: Article, kept_before: Optional[str], stored: KeyLookup) -> Decision:
    """One article per text: a copy of a text stored before, or kept earlier in this stream (as
    article ``kept_before``), is a ``duplicate`` row naming that article."""
    original = stored.article_with_text(article.text_hash) or kept_before
    survivors = pick_by_text([article], original)
    if survivors.kept is not None:
        return Decision(kept=survivors.kept)
    return Decision(duplicate=survivors.duplicates[0], reason="duplicate_texts")


class SharedIndex:
    """A picklable handle on the process's StoredIndex for one ``IndexSource`` (Beam's ``Shared``:
    one index per worker process, kept while any step holds it, and the last one in between)."""

    def __init__(self, source: IndexSource):
        self.source = source
        self._shared = Shared()

    def acquire(self) -> StoredIndex:
        """The process's index, brought up to date: a step that starts must see every file
        committed before it, the windows a restarted or local stream committed last included."""
        index = self._shared.acquire(lambda: StoredIndex(self.source), tag=self.source)
        index.refresh()
        return index


def remembered(value: Optional[tuple[str, float]], now: float) -> Optional[str]:
    """What a step's state holds for its key, ``(what was kept, until when)``: the kept element's
    id while ``now`` (seconds since the epoch) is before its time is up, else None."""
    if value is None or now >= value[1]:
        return None
    return value[0]


# State and timers of the stateful steps, and the parameters that hand them to a DoFn's methods.
# State says until when it holds, and the timer only clears what is due: Beam's in-process runner
# fires processing-time timers at once (at the element's time, not the time they were set for).
# A timer spec is bound to the one callback registered for it, so each step has its own.
_REMEMBERED = ReadModifyWriteStateSpec("remembered", TupleCoder((StrUtf8Coder(), FloatCoder())))
_REMEMBERED_STATE = beam.DoFn.StateParam(_REMEMBERED)
_URL_EXPIRY = TimerSpec("url_expiry", TimeDomain.REAL_TIME)
_ID_EXPIRY = TimerSpec("id_expiry", TimeDomain.REAL_TIME)
_TEXT_EXPIRY = TimerSpec("text_expiry", TimeDomain.REAL_TIME)
_URL_EXPIRY_TIMER = beam.DoFn.TimerParam(_URL_EXPIRY)
_ID_EXPIRY_TIMER = beam.DoFn.TimerParam(_ID_EXPIRY)
_TEXT_EXPIRY_TIMER = beam.DoFn.TimerParam(_TEXT_EXPIRY)


class _KeyedStateFn(beam.DoFn):
    """Base of the stateful steps: the index, one counter per reason, and state that expires.

    Subclasses give ``_decide`` and declare ``process`` and the timer callback with their own timer.
    """

    def __init__(self, index: SharedIndex, ttl: Duration, reasons: tuple[str, ...]):
        self._shared_index = index
        self._ttl_seconds = ttl.micros / 1e6
        self._counters = {reason: Metrics.counter("dedupe", reason) for reason in reasons}
        self._index: Optional[StoredIndex] = None

    def setup(self) -> None:
        self._index = self._shared_index.acquire()

    def _decide(self, element: Any, kept_before: Optional[str], stored: KeyLookup) -> Decision:
        raise NotImplementedError

    def _step(self, element: Any, state: Any, expiry: Any) -> Iterator[Any]:
        assert self._index is not None
        self._index.refresh_if_due()
        now = time.time()
        decision = self._decide(element, remembered(state.read(), now), self._index)
        if decision.reason is not None:
            self._counters[decision.reason].inc()
        if decision.duplicate is not None:
            yield beam.pvalue.TaggedOutput(ERRORS_TAG, decision.duplicate)
        if decision.kept is not None:
            until = now + self._ttl_seconds
            state.write((_identity(decision.kept), until))
            expiry.set(Timestamp(until))
            yield decision.kept

    @staticmethod
    def _forget_if_due(state: Any) -> None:
        if remembered(state.read(), time.time()) is None:
            state.clear()


def _identity(kept: Union[PageRequest, Article]) -> str:
    """What state keeps of a kept element: the article id a later copy names (a request's URL)."""
    return kept.article_id if isinstance(kept, Article) else kept.url


class _FirstSightingFn(_KeyedStateFn):
    """(url, PageRequest) -> the request, the first time the stream meets its URL."""

    def __init__(self, index: SharedIndex, ttl: Duration):
        super().__init__(index, ttl, ("urls_seen_by_stream", URL_STORED, URL_FAILED_RECENTLY))

    def _decide(self, element: PageRequest, kept_before: Optional[str], stored: KeyLookup) -> Decision:
        return first_sighting(element, kept_before is not None, stored)

    def process(
        self, keyed: tuple[str, PageRequest], state: Any = _REMEMBERED_STATE, expiry: Any = _URL_EXPIRY_TIMER
    ) -> Iterator[Any]:
        yield from self._step(keyed[1], state, expiry)

    @on_timer(_URL_EXPIRY)
    def expire(self, state: Any = _REMEMBERED_STATE) -> None:
        self._forget_if_due(state)


class _OnePerIdFn(_KeyedStateFn):
    """(article id, Article) -> the article, unless one with its id was stored or kept before."""

    def __init__(self, index: SharedIndex, ttl: Duration):
        super().__init__(index, ttl, ("articles_already_stored", "duplicate_urls"))

    def _decide(self, element: Article, kept_before: Optional[str], stored: KeyLookup) -> Decision:
        return by_id(element, kept_before is not None, stored)

    def process(
        self, keyed: tuple[str, Article], state: Any = _REMEMBERED_STATE, expiry: Any = _ID_EXPIRY_TIMER
    ) -> Iterator[Any]:
        yield from self._step(keyed[1], state, expiry)

    @on_timer(_ID_EXPIRY)
    def expire(self, state: Any = _REMEMBERED_STATE) -> None:
        self._forget_if_due(state)


class _OnePerTextFn(_KeyedStateFn):
    """(text hash, Article) -> the article, unless its text was stored or kept before."""

    def __init__(self, index: SharedIndex, ttl: Duration):
        super().__init__(index, ttl, ("duplicate_texts",))

    def _decide(self, element: Article, kept_before: Optional[str], stored: KeyLookup) -> Decision:
        return by_text(element, kept_before, stored)

    def process(
        self, keyed: tuple[str, Article], state: Any = _REMEMBERED_STATE, expiry: Any = _TEXT_EXPIRY_TIMER
    ) -> Iterator[Any]:
        yield from self._step(keyed[1], state, expiry)

    @on_timer(_TEXT_EXPIRY)
    def expire(self, state: Any = _REMEMBERED_STATE) -> None:
        self._forget_if_due(state)


class SkipSeenUrls(beam.PTransform):
    """PageRequests (global window) -> those whose URL is new to this stream and to the output."""

    def __init__(self, index: SharedIndex, ttl: Duration):
        super().__init__()
        self._index = index
        self._ttl = ttl

    def expand(self, requests: beam.PCollection) -> beam.PCollection:
        return (
            requests
            # A str key: state is keyed by its encoding, which must be deterministic.
            | "KeyByUrl" >> beam.Map(lambda request: (request.url, request)).with_output_types(KV[str, Any])
            | "FirstSighting" >> beam.ParDo(_FirstSightingFn(self._index, self._ttl))
        )


class DropStreamDuplicates(beam.PTransform):
    """Articles (global window) -> outputs ``articles`` (new to the stream and the output) and
    ``errors`` (``duplicate`` rows); the stream's counterpart of ``stages.DropDuplicates``."""

    def __init__(self, index: SharedIndex, ttl: Duration):
        super().__init__()
        self._index = index
        self._ttl = ttl

    def expand(self, articles: beam.PCollection) -> SeveralPCollections:
        by_id = (
            articles
            | "KeyById" >> beam.Map(lambda article: (article.article_id, article)).with_output_types(KV[str, Any])
            | "OnePerId" >> beam.ParDo(_OnePerIdFn(self._index, self._ttl)).with_outputs(ERRORS_TAG, main="articles")
        )
        by_text = (
            by_id.articles
            | "KeyByText" >> beam.Map(lambda article: (article.text_hash, article)).with_output_types(KV[str, Any])
            | "OnePerText"
            >> beam.ParDo(_OnePerTextFn(self._index, self._ttl)).with_outputs(ERRORS_TAG, main="articles")
        )
        errors = (by_id[ERRORS_TAG], by_text[ERRORS_TAG]) | "DuplicateRows" >> beam.Flatten()
        return {"articles": by_text.articles, "errors": errors}
