"""What an output already holds, as an in-memory index that a stream's stateful steps look keys up in.

A batch run joins its input with the stored rows (``stages.ReadStored``). A stream cannot join an
unbounded input with tables that grow beneath it, so each worker process keeps this index instead:
read from the output when the stream's steps start, and afterwards only from files that appeared
since (``refresh_if_due``: every ``refresh_seconds``, one listing of the two tables and a read of
the key columns of new files). It answers, like ``ReadStored``:

- is this URL settled: stored as an article, recorded as a ``duplicate``, or held back by the retry
  policy after a permanent failure (``transforms.dedupe.retry``, judged at the time of the question)?
- is an article with this id stored, and which stored article has this text hash?

Keys are kept as 64-bit digests (BLAKE2b), not as strings: about 200 bytes of memory per stored
article instead of about 450, in every worker process that runs a stream's dedupe steps (1 million
stored articles: about 200 MB). Two different keys share a digest with a probability of about
n / 2**64 per look-up (5e-14 with a million keys): an article lost that way would be one in many
lifetimes of the output.

Every path is read through Beam's ``FileSystems``; a file that cannot be read is skipped with a
warning, once, as ``ReadStored`` skips it.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Optional

import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from schemas import ARTICLES, ERRORS
from schemas.table import TableSpec
from transforms.dedupe.retry import PageFailure, held_back, page_failure
from transforms.sinks.integrity import footer_problems
from transforms.sinks.layout import partition_problem, table_tree_pattern

ARTICLE_COLUMNS = ["article_id", "url", "text_hash"]
ERROR_COLUMNS = ["stage", "url", "error_type", "http_status", "occurred_at"]
# Why a URL is not fetched again (the counters of the stream's first dedupe step are named so).
URL_STORED = "urls_already_stored"
URL_FAILED_RECENTLY = "urls_failed_recently"

_LOG = logging.getLogger(__name__)


def digest(key: str) -> int:
    """A key's 64-bit digest, as the index keeps it."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class IndexSource:
    """Where a StoredIndex reads from and how it judges: the output, the retry policy's wait
    (``--retry-permanent-after``) and the seconds between two looks for new files."""

    output_dir: str
    retry_after: datetime.timedelta
    refresh_seconds: float


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class StoredIndex:
    """The keys of an output's ``articles`` and ``errors`` files; see the module docstring.

    Safe to share between threads: look-ups read sets that a refresh only adds to, under a lock.
    """

    def __init__(
        self,
        source: IndexSource,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime.datetime] = _utc_now,
    ):
        self._source = source
        self._clock = clock
        self._now = now
        self._lock = threading.Lock()
        # Per table, the files already read (or skipped as unreadable).
        self._files_read: dict[str, set[str]] = {}
        self._refreshed_at: Optional[float] = None
        self._settled_urls: set[int] = set()
        self._article_ids: set[int] = set()
        self._texts: dict[int, str] = {}
        self._failures: dict[int, PageFailure] = {}

    @property
    def files_read(self) -> int:
        return sum(len(paths) for paths in self._files_read.values())

    def refresh(self) -> int:
        """Read the files that appeared since the last refresh; returns how many were read."""
        with self._lock:
            read = 0
            for spec, columns, add in (
                (ARTICLES, ARTICLE_COLUMNS, self._add_articles),
                (ERRORS, ERROR_COLUMNS, self._add_errors),
            ):
                listed = set(self._table_files(spec))
                for path in sorted(listed - self._files_read.get(spec.name, set())):
                    rows = _key_rows(path, spec, columns)
                    if rows is not None:
                        add(rows)
                        read += 1
                # Paths of files compaction merged away are forgotten; their keys stay.
                self._files_read[spec.name] = listed
            self._refreshed_at = self._clock()
            return read

    def refresh_if_due(self) -> None:
        """Refresh when ``refresh_seconds`` have passed since the last refresh (or none was made)."""
        if self._refreshed_at is None or self._clock() - self._refreshed_at >= self._source.refresh_seconds:
            self.refresh()

    def url_status(self, url: str) -> Optional[str]:
        """``URL_STORED``, ``URL_FAILED_RECENTLY`` or None (the URL is new to the output)."""
        key = digest(url)
        if key in self._settled_urls:
            return URL_STORED
        failure = self._failures.get(key)
        if failure is not None and held_back(failure, self._source.retry_after, self._now()):
            return URL_FAILED_RECENTLY
        return None

    def has_article(self, article_id: str) -> bool:
        return digest(article_id) in self._article_ids

    def article_with_text(self, text_hash: str) -> Optional[str]:
        """The id of the stored article whose text has this hash, if one is stored."""
        return self._texts.get(digest(text_hash))

    def _table_files(self, spec: TableSpec) -> list[str]:
        """The table's files in partition folders (any other is no file of the table)."""
        output_dir = self._source.output_dir
        matched = FileSystems.match([table_tree_pattern(output_dir, spec.name)])[0].metadata_list
        return [item.path for item in matched if partition_problem(item.path, output_dir, spec.name) is None]

    def _add_articles(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self._settled_urls.add(digest(row["url"]))
            self._article_ids.add(digest(row["article_id"]))
            self._texts.setdefault(digest(row["text_hash"]), row["article_id"])

    def _add_errors(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            if row["error_type"] == "duplicate" and row["url"]:
                self._settled_urls.add(digest(row["url"]))
                continue
            failure = page_failure(row)
            if failure is not None:
                key = digest(row["url"])
                latest = self._failures.get(key)
                self._failures[key] = failure if latest is None else max(latest, failure)


def _key_rows(path: str, spec: TableSpec, columns: list[str]) -> Optional[list[dict[str, Any]]]:
    """The ``columns`` of a table file as rows, or None (with a warning) when it cannot be read as
    a newsbeam file of ``spec``'s table."""
    damaged, foreign = footer_problems(path, spec.name)
    problem = damaged or foreign
    if problem is None:
        try:
            with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
                return pq.ParquetFile(handle).read(columns=columns).to_pylist()
        except Exception as error:  # noqa: BLE001 - any failure to read means the same: skipped
            problem = (str(error).splitlines() or [type(error).__name__])[0]
    _LOG.warning("skipping Parquet file %s: %s", path, problem)
    return None
