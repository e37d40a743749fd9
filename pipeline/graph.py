"""Assembles the one newsbeam graph: a source, FetchPages, CleanArticles, dedupe, CodeEvents, sinks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Mapping, Optional

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import WindowFn

from pipeline.plan import FeedSource, HtmlDirSource, SitemapSource, Source, WarcSource
from schemas import ARTICLES, ERRORS, EVENTS
from schemas.errors import ErrorRecord
from transforms.clean.clean_articles import CleanArticles
from transforms.coding.code_events import CodeEvents
from transforms.coding.confidence_floor import ARTICLE_CONFIDENCE_FLOOR
from transforms.dedupe.stages import (
    DropDuplicates,
    ReadCodedArticleIds,
    ReadStored,
    SkipCodedArticles,
    SkipStoredUrls,
)
from transforms.fetch.client import FetchSettings
from transforms.fetch.fetch_pages import FetchPages
from transforms.side_outputs import SeveralPCollections
from transforms.sinks.commit import CommitFiles
from transforms.sinks.parquet import WriteTable
from transforms.sources.backfill_filters import KeepBackfillArticles, KeepRequestsInDomains
from transforms.sources.read import KeepValidators, ReadFeeds, ReadSitemaps, ReadUrlList
from transforms.sources.replay import ReadHtmlDir
from transforms.sources.sitemaps import DateWindow
from transforms.sources.warc import ReadWarc


@dataclass(frozen=True)
class GraphConfig:
    source: Source
    output_dir: str
    run_id: str
    fetch: FetchSettings = field(default_factory=FetchSettings)
    # ETag/Last-Modified per feed from earlier runs (conditional GET).
    feed_validators: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # How long an article URL that failed permanently is not fetched again (transforms.dedupe.retry).
    retry_permanent_after: datetime.timedelta = datetime.timedelta(days=7)
    # Events below this confidence are not kept from an article (transforms.coding.confidence_floor).
    min_article_confidence: float = ARTICLE_CONFIDENCE_FLOOR
    # Backfill filters (transforms/sources/backfill_filters.py), as on RunPlan; None: no filter.
    allowed_domains: Optional[frozenset[str]] = None
    published_since: Optional[datetime.datetime] = None
    published_until: Optional[datetime.datetime] = None


def build_graph(pipeline: beam.Pipeline, config: GraphConfig) -> None:
    """Add every stage to ``pipeline``; failures of every stage meet in the errors table.

    What the output already holds is neither fetched nor stored again, so a scheduled job can run
    into the same folder as often as it likes.
    """
    source = config.source
    error_streams = []
    stored = pipeline | "ReadStored" >> ReadStored(config.output_dir, config.retry_permanent_after)
    if isinstance(source, HtmlDirSource):
        replayed = pipeline | "ReadHtmlDir" >> ReadHtmlDir(source.folder)
        pages = replayed.pages
        error_streams.append(replayed.errors)
    elif isinstance(source, WarcSource):
        archived = pipeline | "ReadWarc" >> ReadWarc(source.locations, config.fetch, config.allowed_domains)
        pages = archived["pages"]
        error_streams.append(archived["errors"])
    else:
        if isinstance(source, FeedSource):
            feeds = pipeline | "ReadFeeds" >> ReadFeeds(source.urls, config.fetch, config.feed_validators)
            requests = feeds["requests"]
            error_streams.append(feeds["errors"])
            _ = feeds["validators"] | "KeepValidators" >> KeepValidators(config.output_dir, config.run_id)
        elif isinstance(source, SitemapSource):
            # Entries dated outside --since/--until are not even fetched; the rest meet the article filter too.
            window = DateWindow(config.published_since, config.published_until)
            sitemaps = pipeline | "ReadSitemaps" >> ReadSitemaps(source.urls, config.fetch, window, source.max_sitemaps)
            requests = sitemaps["requests"]
            error_streams.append(sitemaps["errors"])
        else:
            requests = pipeline | "ReadUrlList" >> ReadUrlList(source.urls)
        if config.allowed_domains is not None:
            requests = requests | "KeepRequestsInDomains" >> KeepRequestsInDomains(config.allowed_domains)
        requests = requests | "SkipStoredUrls" >> SkipStoredUrls(stored)
        # Local pages are allowed only because every request here comes from the user's own list or a
        # local feed or sitemap: remote ones are refused any non-http(s) link where they are read.
        fetched = requests | "FetchPages" >> FetchPages(config.fetch, allow_file=True)
        pages = fetched.pages
        error_streams.append(fetched.errors)

    earlier_errors = error_streams | "SourceAndFetchErrors" >> beam.Flatten()
    coded_article_ids = pipeline | "ReadCodedArticleIds" >> ReadCodedArticleIds(config.output_dir)
    _ = (pages, earlier_errors) | "PagesToTables" >> PagesToTables(
        config.output_dir, config.run_id, DropDuplicates(stored), coded_article_ids,
        keep_articles=_backfill_article_filter(config),
        min_article_confidence=config.min_article_confidence,
    )


def _backfill_article_filter(config: GraphConfig) -> Optional[beam.PTransform]:
    """The date filter on cleaned articles, and the domain filter for saved pages, whose URL is
    known only once cleaned (requests and WARC records are checked before they are fetched or read)."""
    domains = config.allowed_domains if isinstance(config.source, HtmlDirSource) else None
    if domains is None and config.published_since is None and config.published_until is None:
        return None
    return KeepBackfillArticles(config.published_since, config.published_until, domains)


class PagesToTables(beam.PTransform):
    """(FetchedPages, ErrorRecords so far) -> clean, drop duplicates, code events, write the three
    tables and commit their files together. Shared by the batch and the streaming graph.

    ``drop_duplicates`` takes cleaned Articles to outputs ``articles`` and ``errors``: a batch run's
    ``DropDuplicates`` (joined with what the output holds), a stream's ``DropStreamDuplicates``.
    ``coded_article_ids`` (from ReadCodedArticleIds) keeps the events of an article stored again from
    being stored twice. ``keep_articles`` (Articles -> Articles) drops cleaned articles a backfill
    does not want before they are deduplicated. ``min_article_confidence``: the coder's floor for an
    article's events (``transforms.coding.confidence_floor``). With ``windowing`` (a stream's fixed windows), rows are written and committed
    per window; everything before the writers stays in the window it came in (a stream's: global).
    """

    def __init__(
        self,
        output_dir: str,
        run_id: str,
        drop_duplicates: beam.PTransform,
        coded_article_ids: Optional[beam.PCollection] = None,
        windowing: Optional[WindowFn] = None,
        keep_articles: Optional[beam.PTransform] = None,
        min_article_confidence: float = ARTICLE_CONFIDENCE_FLOOR,
    ):
        super().__init__()
        self._min_article_confidence = min_article_confidence
        self._output_dir = output_dir
        self._run_id = run_id
        self._drop_duplicates = drop_duplicates
        self._coded_article_ids = coded_article_ids
        self._windowing = windowing
        self._keep_articles = keep_articles

    def expand(self, inputs: SeveralPCollections) -> beam.PCollection:
        pages, earlier_errors = inputs
        error_streams = [earlier_errors]
        cleaned = pages | "CleanArticles" >> CleanArticles()
        error_streams.append(cleaned.errors)
        articles = cleaned.articles
        if self._keep_articles is not None:
            articles = articles | "KeepBackfillArticles" >> self._keep_articles
        unique = articles | "DropDuplicates" >> self._drop_duplicates
        error_streams.append(unique["errors"])
        articles = unique["articles"]
        to_code = articles
        if self._coded_article_ids is not None:
            to_code = articles | "SkipCodedArticles" >> SkipCodedArticles(self._coded_article_ids)
        coded = to_code | "CodeEvents" >> CodeEvents(self._min_article_confidence)
        error_streams.append(coded.errors)

        output, run_id = self._output_dir, self._run_id
        errors = error_streams | "AllErrors" >> beam.Flatten()
        written = (
            self._in_windows(articles, "Articles") | "WriteArticles" >> WriteTable(ARTICLES, output, run_id),
            self._in_windows(coded.events, "Events") | "WriteEvents" >> WriteTable(EVENTS, output, run_id),
            self._in_windows(errors, "Errors")
            | "StampRunIdAndCount" >> beam.Map(_stamp_run_id_and_count, run_id)
            | "WriteErrors" >> WriteTable(ERRORS, output, run_id),
        )
        return written | "AllFiles" >> beam.Flatten() | "CommitFiles" >> CommitFiles(output, run_id)

    def _in_windows(self, rows: beam.PCollection, what: str) -> beam.PCollection:
        if self._windowing is None:
            return rows
        return rows | f"{what}IntoWindows" >> beam.WindowInto(self._windowing)


def _stamp_run_id_and_count(record: ErrorRecord, run_id: str) -> ErrorRecord:
    """The run's id on every error row (stamped here, once, rather than by every stage), and one
    Beam counter per error type, so the run summary can show them without reading files."""
    Metrics.counter("error_types", record.error_type).inc()
    return record._replace(run_id=run_id)
