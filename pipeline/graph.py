"""Assembles the one newsbeam graph: a source, FetchPages, CleanArticles, dedupe, CodeEvents, sinks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Mapping, Optional

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipeline.plan import FeedSource, HtmlDirSource, Source
from schemas import ARTICLES, ERRORS, EVENTS
from schemas.errors import ErrorRecord
from transforms.clean.clean_articles import CleanArticles
from transforms.coding.code_events import CodeEvents
from transforms.dedupe.stages import (
    DropDuplicates,
    ReadCodedArticleIds,
    ReadStored,
    SkipCodedArticles,
    SkipStoredUrls,
)
from transforms.fetch.client import FetchSettings
from transforms.fetch.fetch_pages import FetchPages
from transforms.sinks.commit import CommitFiles
from transforms.sinks.parquet import WriteTable
from transforms.sources.read import KeepValidators, ReadFeeds, ReadUrlList
from transforms.sources.replay import ReadHtmlDir


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
    else:
        if isinstance(source, FeedSource):
            feeds = pipeline | "ReadFeeds" >> ReadFeeds(source.urls, config.fetch, config.feed_validators)
            requests = feeds["requests"]
            error_streams.append(feeds["errors"])
            _ = feeds["validators"] | "KeepValidators" >> KeepValidators(config.output_dir, config.run_id)
        else:
            requests = pipeline | "ReadUrlList" >> ReadUrlList(source.urls)
        requests = requests | "SkipStoredUrls" >> SkipStoredUrls(stored)
        # Local pages are allowed only because every request here comes from the user's own list or a
        # local feed: feeds read from the web are refused any non-http(s) link in ReadFeeds.
        fetched = requests | "FetchPages" >> FetchPages(config.fetch, allow_file=True)
        pages = fetched.pages
        error_streams.append(fetched.errors)

    earlier_errors = error_streams | "SourceAndFetchErrors" >> beam.Flatten()
    coded_article_ids = pipeline | "ReadCodedArticleIds" >> ReadCodedArticleIds(config.output_dir)
    _ = (pages, earlier_errors) | "PagesToTables" >> PagesToTables(config.output_dir, config.run_id, stored, coded_article_ids)


class PagesToTables(beam.PTransform):
    """(FetchedPages, ErrorRecords so far) -> clean, drop duplicates, code events, write the three
    tables and commit their files together. Shared by the batch and the streaming graph.

    ``stored`` (what the output already holds, from ReadStored) enables dedupe against earlier
    runs; without it only this run's own duplicates are dropped. ``coded_article_ids`` (from
    ReadCodedArticleIds) keeps the events of an article stored again from being stored twice.
    """

    def __init__(
        self,
        output_dir: str,
        run_id: str,
        stored: Optional[beam.PCollection] = None,
        coded_article_ids: Optional[beam.PCollection] = None,
    ):
        super().__init__()
        self._output_dir = output_dir
        self._run_id = run_id
        self._stored = stored
        self._coded_article_ids = coded_article_ids

    def expand(self, inputs: tuple[beam.PCollection, beam.PCollection]) -> beam.PCollection:
        pages, earlier_errors = inputs
        error_streams = [earlier_errors]
        cleaned = pages | "CleanArticles" >> CleanArticles()
        error_streams.append(cleaned.errors)
        stored = self._stored
        if stored is None:  # nothing to compare with, but in the pages' windows so the joins line up
            stored = (
                pages.pipeline
                | "NothingStored" >> beam.Create([])
                | "InPagesWindows" >> beam.WindowInto(pages.windowing.windowfn)
            )
        unique = cleaned.articles | "DropDuplicates" >> DropDuplicates(stored)
        error_streams.append(unique["errors"])
        articles = unique["articles"]
        to_code = articles
        if self._coded_article_ids is not None:
            to_code = articles | "SkipCodedArticles" >> SkipCodedArticles(self._coded_article_ids)
        coded = to_code | "CodeEvents" >> CodeEvents()
        error_streams.append(coded.errors)

        output, run_id = self._output_dir, self._run_id
        written = (
            articles | "WriteArticles" >> WriteTable(ARTICLES, output, run_id),
            coded.events | "WriteEvents" >> WriteTable(EVENTS, output, run_id),
            error_streams
            | "AllErrors" >> beam.Flatten()
            | "StampRunIdAndCount" >> beam.Map(_stamp_run_id_and_count, run_id)
            | "WriteErrors" >> WriteTable(ERRORS, output, run_id),
        )
        return written | "AllFiles" >> beam.Flatten() | "CommitFiles" >> CommitFiles(output, run_id)


def _stamp_run_id_and_count(record: ErrorRecord, run_id: str) -> ErrorRecord:
    """The run's id on every error row (stamped here, once, rather than by every stage), and one
    Beam counter per error type, so the run summary can show them without reading files."""
    Metrics.counter("error_types", record.error_type).inc()
    return record._replace(run_id=run_id)
