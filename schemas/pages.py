"""Records in flight between the source, fetch and clean stages (they never reach a table)."""

from __future__ import annotations

import datetime
from typing import NamedTuple, Optional


class PageRequest(NamedTuple):
    """An article URL to fetch, with what its feed said about it."""

    url: str
    feed_url: Optional[str] = None
    entry_title: Optional[str] = None
    entry_published: Optional[datetime.datetime] = None


class FetchedPage(NamedTuple):
    """A downloaded (or replayed) HTML page. Raw HTML travels no further than cleaning."""

    url: str
    final_url: str
    html: str
    fetched_at: datetime.datetime
    feed_url: Optional[str] = None
    entry_title: Optional[str] = None
    entry_published: Optional[datetime.datetime] = None
    # True for pages read from --html-dir: their URL is the one the page declares, not a file path.
    replayed: bool = False
    # When newsbeam read the page, for one fetched long before by someone else (a WARC record, whose
    # fetched_at is its WARC-Date); None: at fetched_at. The day of the article's ingest_date.
    added_at: Optional[datetime.datetime] = None
