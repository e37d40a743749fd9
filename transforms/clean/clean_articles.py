"""The CleanArticles stage: fetched HTML pages -> ``Article`` rows (and ``errors`` rows)."""

from __future__ import annotations

import datetime
from typing import Iterator, Optional, Union

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.articles import Article
from schemas.errors import ErrorRecord, make_error
from schemas.pages import FetchedPage
from transforms.clean import identity
from transforms.clean.dates import to_utc
from transforms.clean.extract import CleanedPage, Cleaner
from transforms.clean.tone import ToneLexicon
from transforms.side_outputs import ERRORS_TAG, ErrorOutput, SeveralPCollections


def build_article(
    page: FetchedPage, cleaned: CleanedPage, tone_lexicon: Optional[ToneLexicon] = None
) -> Union[Article, ErrorRecord]:
    """Combine what was fetched with what cleaning found; a page without text is an error row.

    With ``tone_lexicon`` the article gets its tone (``transforms/clean/tone.py``), else NULL tone."""
    if not cleaned.text.strip():
        return make_error(
            "clean", page.url, "empty_content", "no article text found on the page", feed_url=page.feed_url
        )
    canonical = identity.canonical_url(page.final_url, cleaned.canonical_url)
    # A replayed page has no address of its own: it is known by the one it declares.
    url = canonical if page.replayed and cleaned.canonical_url else page.url
    tone = tone_lexicon.tone(cleaned.text) if tone_lexicon is not None else None
    return Article(
        article_id=identity.article_id(canonical),
        url=url,
        canonical_url=canonical,
        feed_url=page.feed_url,
        source_domain=identity.source_domain(canonical),
        title=cleaned.title or page.entry_title,
        author=cleaned.author,
        published_at=cleaned.published_at or (to_utc(page.entry_published) if page.entry_published else None),
        # the feed entry's day in the zone its date is written in, not in UTC: "Sat, 04 May 2024 00:30:00
        # +0200" is the publisher's 4 May (a date without a zone is taken as UTC)
        published_local_date=cleaned.published_local_date
        or (page.entry_published.date() if page.entry_published else None),
        language=cleaned.language,
        text=cleaned.text,
        text_hash=identity.text_hash(cleaned.text),
        word_count=identity.word_count(cleaned.text),
        fetched_at=page.fetched_at,
        # The day the row is added: for a page read from a web archive not the day it was fetched
        # (its WARC-Date), as a run adds files only to the days it runs in.
        ingest_date=_ingest_date(page.added_at or page.fetched_at),
        tone=tone.tone if tone else None,
        tone_positive=tone.positive if tone else None,
        tone_negative=tone.negative if tone else None,
        tone_polarity=tone.polarity if tone else None,
    )


def _ingest_date(added_at: datetime.datetime) -> str:
    return added_at.astimezone(datetime.timezone.utc).date().isoformat()


class _CleanPageFn(beam.DoFn):
    """FetchedPage -> Article, or an ErrorRecord on the ``errors`` output."""

    def __init__(self) -> None:
        self._cleaner: Optional[Cleaner] = None
        self._tone_lexicon: Optional[ToneLexicon] = None
        self._cleaned = Metrics.counter("clean", "articles_cleaned")
        self._empty = Metrics.counter("clean", "pages_without_text")

    def setup(self) -> None:
        self._cleaner = Cleaner()
        self._tone_lexicon = ToneLexicon.load()

    def process(self, page: FetchedPage) -> Iterator[Union[Article, ErrorOutput]]:
        assert self._cleaner is not None
        try:
            result = build_article(page, self._cleaner.clean(page.html, page.final_url), self._tone_lexicon)
        except Exception as error:  # noqa: BLE001 - a cleaner bug on one page must not stop the run
            result = make_error("clean", page.url, "extraction_failed", repr(error), feed_url=page.feed_url)
        if isinstance(result, ErrorRecord):
            self._empty.inc()
            yield beam.pvalue.TaggedOutput(ERRORS_TAG, result)
        else:
            self._cleaned.inc()
            yield result


class CleanArticles(beam.PTransform):
    """PCollection[FetchedPage] -> outputs ``articles`` (main) and ``errors``."""

    def expand(self, pages: beam.PCollection) -> SeveralPCollections:
        return pages | "CleanPage" >> beam.ParDo(_CleanPageFn()).with_outputs(
            ERRORS_TAG, main="articles"
        )
