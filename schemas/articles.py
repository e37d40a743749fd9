"""The ``articles`` table: one row per cleaned article page."""

from __future__ import annotations

import datetime
from typing import NamedTuple, Optional

import pyarrow as pa

from schemas.table import PARTITION_COLUMN, UTC_TIMESTAMP, TableSpec


class Article(NamedTuple):
    """A cleaned article, exactly the columns of the ``articles`` table."""

    article_id: str
    url: str
    canonical_url: str
    feed_url: Optional[str]
    source_domain: str
    title: Optional[str]
    author: Optional[str]
    published_at: Optional[datetime.datetime]
    language: Optional[str]
    text: str
    text_hash: str
    word_count: int
    fetched_at: datetime.datetime
    ingest_date: str
    # Last, with a default: added in schema version 2, and older code builds Articles without it.
    published_local_date: Optional[datetime.date] = None
    # Added in version 5 (transforms/clean/tone.py): percentages of the article's words.
    tone: Optional[float] = None
    tone_positive: Optional[float] = None
    tone_negative: Optional[float] = None
    tone_polarity: Optional[float] = None


ARTICLES = TableSpec(
    name="articles",
    rows_per_file=20_000,
    sort_by=("published_at", "article_id"),
    schema=pa.schema(
        [
            pa.field("article_id", pa.string(), nullable=False),
            pa.field("url", pa.string(), nullable=False),
            pa.field("canonical_url", pa.string(), nullable=False),
            pa.field("feed_url", pa.string()),
            pa.field("source_domain", pa.string(), nullable=False),
            pa.field("title", pa.string()),
            pa.field("author", pa.string()),
            pa.field("published_at", UTC_TIMESTAMP),
            pa.field("language", pa.string()),
            pa.field("text", pa.string(), nullable=False),
            pa.field("text_hash", pa.string(), nullable=False),
            pa.field("word_count", pa.int32(), nullable=False),
            pa.field("fetched_at", UTC_TIMESTAMP, nullable=False),
            # Added in version 2 (then in the middle; last since version 4, by the append-only rule).
            pa.field("published_local_date", pa.date32()),
            # Added in version 5, GDELT's V2Tone on its scale (percent of the words; tone = positive -
            # negative, polarity = positive + negative), from vaderSentiment's lexicon: transforms/clean/tone.py.
            pa.field("tone", pa.float64()),
            pa.field("tone_positive", pa.float64()),
            pa.field("tone_negative", pa.float64()),
            pa.field("tone_polarity", pa.float64()),
            pa.field(PARTITION_COLUMN, pa.string(), nullable=False),
        ]
    ),
)
