"""The CodeEvents stage: ``Article`` rows -> ``Event`` rows, through the coder's ``code_text``."""

from __future__ import annotations

import gc
from typing import Iterator, Optional, Union

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.articles import Article
from schemas.errors import make_error
from schemas.events import Event
from transforms.coding import Coder
from transforms.coding.confidence_floor import ARTICLE_CONFIDENCE_FLOOR
from transforms.coding.rows import article_date, to_events
from transforms.side_outputs import ERRORS_TAG, ErrorOutput, SeveralPCollections


class _CodeArticleFn(beam.DoFn):
    """Article -> its Events; an article the coder fails on becomes an ``errors`` row."""

    def __init__(self, min_article_confidence: float) -> None:
        self._min_article_confidence = min_article_confidence
        self._coder: Optional[Coder] = None
        self._events_coded = Metrics.counter("coding", "events_coded")
        self._articles_with_events = Metrics.counter("coding", "articles_with_events")
        self._failures = Metrics.counter("coding", "coding_failures")

    def setup(self) -> None:
        self._coder = Coder(min_article_confidence=self._min_article_confidence)
        # The coder's dictionaries are a few hundred thousand long-lived objects; frozen, the
        # garbage collector stops scanning them on every full collection while articles stream by.
        # Collected first, so no garbage is frozen with them (a frozen cycle is never freed).
        gc.collect()
        gc.freeze()

    def teardown(self) -> None:
        # A process may run many jobs (a local stream runs one per window): without this, every
        # job's coder stayed frozen, and so alive, after its job, about 12 MB a window.
        self._coder = None
        gc.unfreeze()

    def process(self, article: Article) -> Iterator[Union[Event, ErrorOutput]]:
        assert self._coder is not None
        try:
            coded = self._coder.code_text(article.text, article_date(article))
        except Exception as error:  # noqa: BLE001 - one bad article must not stop the run
            self._failures.inc()
            yield beam.pvalue.TaggedOutput(
                ERRORS_TAG,
                make_error("code", article.url, "coding_failed", repr(error), feed_url=article.feed_url),
            )
            return
        events = to_events(coded, article.article_id, article.article_id, article.url, tone=article.tone)
        if events:
            self._articles_with_events.inc()
            self._events_coded.inc(len(events))
        yield from events


class CodeEvents(beam.PTransform):
    """PCollection[Article] -> outputs ``events`` (main) and ``errors``. An article's events below
    ``min_article_confidence`` are not kept (``transforms.coding.confidence_floor``)."""

    def __init__(self, min_article_confidence: float = ARTICLE_CONFIDENCE_FLOOR) -> None:
        super().__init__()
        self._min_article_confidence = min_article_confidence

    def expand(self, articles: beam.PCollection) -> SeveralPCollections:
        return articles | "CodeArticle" >> beam.ParDo(_CodeArticleFn(self._min_article_confidence)).with_outputs(
            ERRORS_TAG, main="events"
        )
