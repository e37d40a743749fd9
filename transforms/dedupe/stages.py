"""Beam stages that keep re-runs and syndicated copies out of the tables.

What the output already holds is read as a PCollection (only the id, URL and hash columns of
articles, and the few columns of errors the retry policy needs), never as a side input, so the
check scales with the dataset on a distributed runner.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any, Iterator, Optional, Union

import apache_beam as beam
from apache_beam.io.parquetio import ReadAllFromParquet
from apache_beam.metrics import Metrics

from schemas import ARTICLES, ERRORS, EVENTS
from schemas.articles import Article
from schemas.table import TableSpec
from transforms.dedupe.retry import PageFailure, held_back, page_failure
from transforms.dedupe.rules import pick_by_id, pick_by_text
from transforms.side_outputs import ERRORS_TAG, ErrorOutput, SeveralPCollections
from transforms.sinks.integrity import match_partitioned_files

# Marks a ReadStored row of a URL held back by the retry policy (not stored, only not to be fetched).
FAILED_RECENTLY = "failed_recently"

_log = logging.getLogger(__name__)


def readable_files(output_dir: str, spec: TableSpec) -> list[str]:
    """The table's files that can be read and sit in a partition folder; any other is skipped with
    a warning, so one truncated or stray file does not make every later run fail or count."""
    found = match_partitioned_files(output_dir, spec)
    for path, problem in found.left_out:
        _log.warning("skipping Parquet file %s: %s", path, problem)
    return found.readable


class ReadStored(beam.PTransform):
    """The output's stored articles, recorded duplicates and recently failed URLs -> dicts with url,
    article_id, text_hash.

    Rows of recorded duplicates carry only a URL (so they are not fetched again); so do rows of URLs
    the retry policy holds back (see ``transforms.dedupe.retry``), which are also marked
    ``FAILED_RECENTLY``. ``now`` defaults to the time the graph is built.
    """

    def __init__(
        self, output_dir: str, retry_after: datetime.timedelta, now: Optional[datetime.datetime] = None
    ):
        super().__init__()
        self._output_dir = output_dir
        self._retry_after = retry_after
        self._now = now or datetime.datetime.now(datetime.timezone.utc)

    def expand(self, begin: beam.pvalue.PBegin) -> beam.PCollection:
        parts = [begin | "NothingStored" >> beam.Create([])]
        article_files = readable_files(self._output_dir, ARTICLES)
        if article_files:
            parts.append(
                begin
                | "ArticleFiles" >> beam.Create(article_files)
                | "ReadStoredArticles" >> ReadAllFromParquet(columns=["article_id", "url", "text_hash"])
            )
        error_files = readable_files(self._output_dir, ERRORS)
        if error_files:
            recorded = (
                begin
                | "ErrorFiles" >> beam.Create(error_files)
                | "ReadRecordedErrors"
                >> ReadAllFromParquet(columns=["stage", "url", "error_type", "http_status", "occurred_at"])
            )
            parts.append(
                recorded
                | "OnlyDuplicates" >> beam.Filter(lambda row: row["error_type"] == "duplicate" and row["url"])
                | "AsUrlOnly" >> beam.Map(lambda row: {"url": row["url"], "article_id": None, "text_hash": None})
            )
            parts.append(recorded | "FailedRecently" >> FailedRecently(self._retry_after, self._now))
        return parts | "AllStored" >> beam.Flatten()


class ReadCodedArticleIds(beam.PTransform):
    """The ids of the articles whose events the output already holds -> PCollection[str], one each.

    An article can be stored a second time when the file that held it was damaged (and left out or
    quarantined) while its events were not: its events must then not be stored again.
    """

    def __init__(self, output_dir: str):
        super().__init__()
        self._output_dir = output_dir

    def expand(self, begin: beam.pvalue.PBegin) -> beam.PCollection:
        event_files = readable_files(self._output_dir, EVENTS)
        if not event_files:
            return begin | "NoEventsStored" >> beam.Create([])
        return (
            begin
            | "EventFiles" >> beam.Create(event_files)
            | "ReadEventArticleIds" >> ReadAllFromParquet(columns=["article_id"])
            | "ArticleIdOnly" >> beam.Map(lambda row: row["article_id"])
            | "OncePerArticle" >> beam.Distinct()
        )


class SkipCodedArticles(beam.PTransform):
    """Articles -> those that have no events stored yet (see ReadCodedArticleIds), the ones to code.

    Joined on articles rather than on their events: fewer elements, and no coding spent on events
    that would be dropped.
    """

    def __init__(self, coded_article_ids: beam.PCollection):
        super().__init__()
        self._coded = coded_article_ids

    def expand(self, articles: beam.PCollection) -> beam.PCollection:
        return (
            {
                "articles": articles | "KeyById" >> beam.Map(lambda article: (article.article_id, article)),
                "coded": self._coded | "KeyCodedId" >> beam.Map(lambda article_id: (article_id, True)),
            }
            | "JoinOnId" >> beam.CoGroupByKey()
            | "KeepUncoded" >> beam.ParDo(_KeepUncodedFn())
        )


class _KeepUncodedFn(beam.DoFn):
    def __init__(self) -> None:
        self._skipped = Metrics.counter("dedupe", "articles_already_coded")

    def process(self, joined: tuple[str, dict[str, list[Any]]]) -> Iterator[Article]:
        _, groups = joined
        if groups["coded"]:
            self._skipped.inc(len(groups["articles"]))
            return
        yield from groups["articles"]


class FailedRecently(beam.PTransform):
    """``errors`` rows -> one row per URL held back by the retry policy (url, ``FAILED_RECENTLY``).

    Only a URL's latest failure counts: a 404 followed by a 503 is retried by the next run.
    """

    def __init__(self, retry_after: datetime.timedelta, now: datetime.datetime):
        super().__init__()
        self._retry_after = retry_after
        self._now = now

    def expand(self, recorded: beam.PCollection) -> beam.PCollection:
        retry_after, now = self._retry_after, self._now
        return (
            recorded
            | "PageFailures" >> beam.FlatMap(_keyed_page_failure)
            | "LatestPerUrl" >> beam.CombinePerKey(max)
            | "HeldBack" >> beam.Filter(lambda keyed: held_back(keyed[1], retry_after, now))
            | "AsFailedUrl"
            >> beam.Map(lambda keyed: {"url": keyed[0], "article_id": None, "text_hash": None, FAILED_RECENTLY: True})
        )


def _keyed_page_failure(row: dict[str, Any]) -> Iterator[tuple[str, PageFailure]]:
    failure = page_failure(row)
    if failure is not None:
        yield row["url"], failure


class SkipStoredUrls(beam.PTransform):
    """Elements with a ``url`` (PageRequests, Articles) whose URL is already stored, recorded as a
    duplicate or held back after a permanent failure are dropped: requests are not fetched again,
    replayed pages not recorded again.

    Every new element goes on, two of one URL included: requests arrive unique (lists and feeds are
    deduplicated where they are read), and of two replayed pages with one canonical URL the next
    stage keeps one and records the other as a ``duplicate`` row.
    """

    def __init__(self, stored: beam.PCollection):
        super().__init__()
        self._stored = stored

    def expand(self, elements: beam.PCollection) -> beam.PCollection:
        return (
            {
                "requests": elements | "KeyByUrl" >> beam.Map(lambda element: (element.url, element)),
                "stored": self._stored
                | "KeyStoredByUrl" >> beam.Map(lambda row: (row["url"], row.get(FAILED_RECENTLY, False))),
            }
            | "JoinOnUrl" >> beam.CoGroupByKey()
            | "KeepUnstored" >> beam.ParDo(_KeepUnstoredFn())
        )


class _KeepUnstoredFn(beam.DoFn):
    """(url, {requests, stored: [failed recently?]}) -> the requests, unless the URL is stored."""

    def __init__(self) -> None:
        self._skipped = Metrics.counter("dedupe", "urls_already_stored")
        self._failed_recently = Metrics.counter("dedupe", "urls_failed_recently")

    def process(self, joined: tuple[str, dict[str, list[Any]]]) -> Iterator[Any]:
        # The requests or the articles it was given, as they came (Beam 2.78 would type a Union
        # of both and refuse it where only one kind is taken).
        _, groups = joined
        if not groups["stored"]:
            yield from groups["requests"]
            return
        counter = self._failed_recently if all(groups["stored"]) else self._skipped
        counter.inc(len(groups["requests"]))


class DropDuplicates(beam.PTransform):
    """Articles -> outputs ``articles`` (new and unique) and ``errors`` (duplicate rows)."""

    def __init__(self, stored: beam.PCollection):
        super().__init__()
        self._stored = stored

    def expand(self, articles: beam.PCollection) -> SeveralPCollections:
        # The retry policy is about fetching: a page that cleans well now is stored, whatever it gave before.
        stored_urls = self._stored | "NotFailedUrls" >> beam.Filter(lambda row: not row.get(FAILED_RECENTLY))
        articles = articles | "SkipStoredUrls" >> SkipStoredUrls(stored_urls)
        by_id = (
            {
                "new": articles | "KeyById" >> beam.Map(lambda article: (article.article_id, article)),
                "stored": self._stored
                | "StoredIds" >> beam.Filter(lambda row: row["article_id"])
                | "KeyStoredById" >> beam.Map(lambda row: (row["article_id"], True)),
            }
            | "JoinOnId" >> beam.CoGroupByKey()
            | "OnePerId" >> beam.ParDo(_PickByIdFn()).with_outputs(ERRORS_TAG, main="articles")
        )
        by_text = (
            {
                "new": by_id.articles | "KeyByText" >> beam.Map(lambda article: (article.text_hash, article)),
                "stored": self._stored
                | "StoredTexts" >> beam.Filter(lambda row: row["text_hash"])
                | "KeyStoredByText" >> beam.Map(lambda row: (row["text_hash"], row["article_id"])),
            }
            | "JoinOnText" >> beam.CoGroupByKey()
            | "OnePerText" >> beam.ParDo(_PickByTextFn()).with_outputs(ERRORS_TAG, main="articles")
        )
        errors = (by_id[ERRORS_TAG], by_text[ERRORS_TAG]) | "DuplicateRows" >> beam.Flatten()
        return {"articles": by_text.articles, "errors": errors}


class _PickByIdFn(beam.DoFn):
    def __init__(self) -> None:
        self._already_stored = Metrics.counter("dedupe", "articles_already_stored")
        self._duplicates = Metrics.counter("dedupe", "duplicate_urls")

    def process(self, joined: tuple[str, dict[str, list[Any]]]) -> Iterator[Union[Article, ErrorOutput]]:
        _, groups = joined
        if not groups["new"]:
            return
        already_stored = bool(groups["stored"])
        survivors = pick_by_id(groups["new"], already_stored)
        counter = self._already_stored if already_stored else self._duplicates
        counter.inc(len(groups["new"]) if already_stored else len(survivors.duplicates))
        yield from _emit(survivors.kept, survivors.duplicates)


class _PickByTextFn(beam.DoFn):
    def __init__(self) -> None:
        self._duplicates = Metrics.counter("dedupe", "duplicate_texts")

    def process(self, joined: tuple[str, dict[str, list[Any]]]) -> Iterator[Union[Article, ErrorOutput]]:
        _, groups = joined
        if not groups["new"]:
            return
        stored_id: Optional[str] = groups["stored"][0] if groups["stored"] else None
        survivors = pick_by_text(groups["new"], stored_id)
        self._duplicates.inc(len(survivors.duplicates))
        yield from _emit(survivors.kept, survivors.duplicates)


def _emit(kept: Optional[Article], duplicates: list) -> Iterator[Union[Article, ErrorOutput]]:
    if kept is not None:
        yield kept
    for record in duplicates:
        yield beam.pvalue.TaggedOutput(ERRORS_TAG, record)
