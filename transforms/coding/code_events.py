"""The CodeEvents stage: ``Article`` rows -> ``Event`` rows, through the coder's ``code_text``."""

from __future__ import annotations

import datetime
import hashlib
from typing import Iterator, Optional, Sequence, Union

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.articles import Article
from schemas.errors import make_error
from schemas.events import CodedEvent, Event
from transforms.coding import CODER_VERSION, Coder

ERRORS_TAG = "errors"


def event_id(article_key: str, event: CodedEvent, ordinal: int) -> str:
    """A stable id: the same article coded by the same coder gives the same ids on every run."""
    parts = (
        article_key,
        str(event.sentence_index),
        event.event_code,
        event.actor1_code or "",
        event.actor2_code or "",
        str(ordinal),
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def to_events(
    coded: Sequence[CodedEvent], article_key: str, article_id: Optional[str], url: Optional[str]
) -> list[Event]:
    """Tie coded events to their article; ``article_key`` seeds the ids (article id or input id)."""
    seen: dict[tuple, int] = {}
    events = []
    for item in coded:
        signature = (item.sentence_index, item.event_code, item.actor1_code, item.actor2_code)
        ordinal = seen.get(signature, 0)
        seen[signature] = ordinal + 1
        events.append(
            Event(
                event_id=event_id(article_key, item, ordinal),
                article_id=article_id,
                url=url,
                coder_version=CODER_VERSION,
                **item._asdict(),
            )
        )
    return events


def article_date(article: Article) -> datetime.date:
    """The date events are anchored on: publication if known, else when the page was fetched."""
    moment = article.published_at or article.fetched_at
    return moment.astimezone(datetime.timezone.utc).date()


class _CodeArticleFn(beam.DoFn):
    """Article -> its Events; an article the coder fails on becomes an ``errors`` row."""

    def __init__(self) -> None:
        self._coder: Optional[Coder] = None
        self._events_coded = Metrics.counter("coding", "events_coded")
        self._articles_with_events = Metrics.counter("coding", "articles_with_events")
        self._failures = Metrics.counter("coding", "coding_failures")

    def setup(self) -> None:
        self._coder = Coder()

    def process(self, article: Article) -> Iterator[Union[Event, beam.pvalue.TaggedOutput]]:
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
        events = to_events(coded, article.article_id, article.article_id, article.url)
        if events:
            self._articles_with_events.inc()
            self._events_coded.inc(len(events))
        yield from events


class CodeEvents(beam.PTransform):
    """PCollection[Article] -> outputs ``events`` (main) and ``errors``."""

    def expand(self, articles: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return articles | "CodeArticle" >> beam.ParDo(_CodeArticleFn()).with_outputs(
            ERRORS_TAG, main="events"
        )
