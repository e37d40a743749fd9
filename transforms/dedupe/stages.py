"""Beam stages that keep re-runs and syndicated copies out of the tables.

What the output already holds is read as a PCollection (only the id, URL and hash columns), never
as a side input, so the check scales with the dataset on a distributed runner.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional, Union

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.io.parquetio import ReadFromParquet
from apache_beam.metrics import Metrics

from schemas import ARTICLES, ERRORS
from schemas.articles import Article
from schemas.pages import PageRequest
from transforms.dedupe.rules import pick_by_id, pick_by_text

ERRORS_TAG = "errors"


def table_files(output_dir: str, table: str) -> str:
    return FileSystems.join(output_dir, table, "**.parquet")


def has_files(pattern: str) -> bool:
    return bool(FileSystems.match([pattern])[0].metadata_list)


class ReadStored(beam.PTransform):
    """The output's stored articles and recorded duplicates -> dicts with url, article_id, text_hash.

    Rows of recorded duplicates carry only a URL (so they are not fetched again).
    """

    def __init__(self, output_dir: str):
        super().__init__()
        self._articles = table_files(output_dir, ARTICLES.name)
        self._errors = table_files(output_dir, ERRORS.name)

    def expand(self, begin: beam.pvalue.PBegin) -> beam.PCollection:
        parts = [begin | "NothingStored" >> beam.Create([])]
        if has_files(self._articles):
            parts.append(begin | "ReadStoredArticles" >> ReadFromParquet(self._articles, columns=["article_id", "url", "text_hash"]))
        if has_files(self._errors):
            parts.append(
                begin
                | "ReadRecordedErrors" >> ReadFromParquet(self._errors, columns=["url", "error_type"])
                | "OnlyDuplicates" >> beam.Filter(lambda row: row["error_type"] == "duplicate" and row["url"])
                | "AsUrlOnly" >> beam.Map(lambda row: {"url": row["url"], "article_id": None, "text_hash": None})
            )
        return parts | "AllStored" >> beam.Flatten()


class SkipStoredUrls(beam.PTransform):
    """Elements with a ``url`` (PageRequests, Articles) whose URL is already stored or recorded as a
    duplicate are dropped: requests are not fetched again, replayed pages not recorded again.

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
                "stored": self._stored | "KeyStoredByUrl" >> beam.Map(lambda row: (row["url"], True)),
            }
            | "JoinOnUrl" >> beam.CoGroupByKey()
            | "KeepUnstored" >> beam.ParDo(_KeepUnstoredFn())
        )


class _KeepUnstoredFn(beam.DoFn):
    def __init__(self) -> None:
        self._skipped = Metrics.counter("dedupe", "urls_already_stored")

    def process(self, joined: tuple[str, dict[str, list[Any]]]) -> Iterator[Union[PageRequest, Article]]:
        _, groups = joined
        if groups["stored"]:
            self._skipped.inc(len(groups["requests"]))
            return
        yield from groups["requests"]


class DropDuplicates(beam.PTransform):
    """Articles -> outputs ``articles`` (new and unique) and ``errors`` (duplicate rows)."""

    def __init__(self, stored: beam.PCollection):
        super().__init__()
        self._stored = stored

    def expand(self, articles: beam.PCollection) -> dict[str, beam.PCollection]:
        articles = articles | "SkipStoredUrls" >> SkipStoredUrls(self._stored)
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

    def process(self, joined: tuple[str, dict[str, list[Any]]]) -> Iterator[Union[Article, beam.pvalue.TaggedOutput]]:
        _, groups = joined
        if not groups["new"]:
            return
        already_stored = bool(groups["stored"])
        if already_stored:
            self._already_stored.inc(len(groups["new"]))
        survivors = pick_by_id(groups["new"], already_stored)
        self._duplicates.inc(len(survivors.duplicates))
        yield from _emit(survivors.kept, survivors.duplicates)


class _PickByTextFn(beam.DoFn):
    def __init__(self) -> None:
        self._duplicates = Metrics.counter("dedupe", "duplicate_texts")

    def process(self, joined: tuple[str, dict[str, list[Any]]]) -> Iterator[Union[Article, beam.pvalue.TaggedOutput]]:
        _, groups = joined
        if not groups["new"]:
            return
        stored_id: Optional[str] = groups["stored"][0] if groups["stored"] else None
        survivors = pick_by_text(groups["new"], stored_id)
        self._duplicates.inc(len(survivors.duplicates))
        yield from _emit(survivors.kept, survivors.duplicates)


def _emit(kept: Optional[Article], duplicates: list) -> Iterator[Union[Article, beam.pvalue.TaggedOutput]]:
    if kept is not None:
        yield kept
    for record in duplicates:
        yield beam.pvalue.TaggedOutput(ERRORS_TAG, record)
