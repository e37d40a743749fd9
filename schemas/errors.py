"""The ``errors`` table: one row per feed, entry or page that could not become an article."""

from __future__ import annotations

import datetime
from typing import NamedTuple, Optional

import pyarrow as pa

from schemas.table import PARTITION_COLUMN, UTC_TIMESTAMP, TableSpec

# The fixed vocabulary of ``error_type``; the README documents it from this mapping.
ERROR_TYPES: dict[str, str] = {
    "invalid_url": "the URL could not be parsed or has no host",
    "unsupported_scheme": "the URL's scheme is not http, https or (for local sources) file",
    "file_not_found": "a local feed, page or HTML file does not exist or cannot be read",
    "http_status": "the server answered with a 4xx or 5xx status",
    "timeout": "connecting or reading took longer than the timeout",
    "connection_error": "DNS, TCP or TLS failure before an answer arrived",
    "too_large": "the body (or its decompressed size) is larger than the download cap",
    "blocked_address": "the host resolves to a private, loopback, link-local, multicast or reserved address",
    "robots_disallowed": "the site's robots.txt does not allow newsbeam's user agent to fetch the URL (a robots.txt answering 429 or 5xx counts as a refusal for now; `http_status` then holds its status)",
    "redirect_loop": "a redirect leads back to a URL already visited",
    "too_many_redirects": "more redirects than allowed (5)",
    "unsupported_content_type": "the page is not HTML or XHTML",
    "not_a_feed": "the feed URL returned something that is neither RSS, Atom nor JSON Feed, nor an HTML page advertising one",
    "not_a_sitemap": "the sitemap URL returned something that is neither a sitemap nor a sitemap index (malformed XML included)",
    "too_many_sitemaps": "sitemaps left unread: more than `--max-sitemaps` below one listed entry, or indexes nested more than 3 levels deep; the message says how many",
    "decode_error": "the body could not be decoded to text",
    "empty_content": "cleaning found no article text on the page",
    "extraction_failed": "the cleaner raised on this page (a bug worth reporting; the run goes on)",
    "duplicate": "a copy of an article already stored (same canonical URL or same text); the message names it",
    "coding_failed": "the event coder raised on this article (the article itself is kept)",
    "broken_record": "a WARC record that cannot be read (cut short, a damaged gzip member, a header without a valid Content-Length or WARC-Date, bytes that are no record); the message gives the file and byte offset, and reading goes on after it",
}

# Failures that the same request would meet again tomorrow: the URL itself, the server's lasting
# answer about it, or what the page holds. Everything else (timeouts, connection errors, 5xx, 408,
# 429, unreadable bodies, cleaner bugs, missing local files) may pass on the next run.
PERMANENT_ERROR_TYPES = frozenset(
    {
        "invalid_url",
        "unsupported_scheme",
        "blocked_address",
        "robots_disallowed",
        "redirect_loop",
        "too_many_redirects",
        "too_large",
        "unsupported_content_type",
        "empty_content",
    }
)
_TRANSIENT_CLIENT_STATUSES = frozenset({408, 429})


def is_permanent_failure(error_type: str, http_status: Optional[int]) -> bool:
    """Whether fetching the URL again soon would fail the same way, so a scheduler need not retry.

    A 4xx answer is permanent except 408 (timeout) and 429 (rate limit), which ask to come back; a
    5xx answer or a "come back" status anywhere is transient whatever the error type.
    """
    if http_status is not None and (http_status >= 500 or http_status in _TRANSIENT_CLIENT_STATUSES):
        return False
    if error_type == "http_status":
        return http_status is not None and 400 <= http_status < 500
    return error_type in PERMANENT_ERROR_TYPES


class ErrorRecord(NamedTuple):
    """Why one feed, entry or page did not make it, exactly the columns of ``errors``."""

    stage: str
    url: Optional[str]
    feed_url: Optional[str]
    error_type: str
    http_status: Optional[int]
    message: str
    attempts: int
    occurred_at: datetime.datetime
    ingest_date: str
    # Stamped once, just before the errors are written, so a scheduler can tell runs apart.
    run_id: Optional[str] = None


def make_error(
    stage: str,
    url: Optional[str],
    error_type: str,
    message: str,
    *,
    feed_url: Optional[str] = None,
    http_status: Optional[int] = None,
    attempts: int = 1,
    now: Optional[datetime.datetime] = None,
) -> ErrorRecord:
    """Build an error row stamped with the current UTC time; rejects types outside the vocabulary."""
    if error_type not in ERROR_TYPES:
        raise ValueError(f"unknown error_type {error_type!r}")
    occurred_at = now or datetime.datetime.now(datetime.timezone.utc)
    return ErrorRecord(
        stage=stage,
        url=url,
        feed_url=feed_url,
        error_type=error_type,
        http_status=http_status,
        message=message[:2000],
        attempts=attempts,
        occurred_at=occurred_at,
        ingest_date=occurred_at.date().isoformat(),
    )


ERRORS = TableSpec(
    name="errors",
    sort_by=("occurred_at",),
    schema=pa.schema(
        [
            pa.field("stage", pa.string(), nullable=False),
            pa.field("url", pa.string()),
            pa.field("feed_url", pa.string()),
            pa.field("error_type", pa.string(), nullable=False),
            pa.field("http_status", pa.int32()),
            pa.field("message", pa.string(), nullable=False),
            pa.field("attempts", pa.int32(), nullable=False),
            pa.field("occurred_at", UTC_TIMESTAMP, nullable=False),
            pa.field("run_id", pa.string()),
            pa.field(PARTITION_COLUMN, pa.string(), nullable=False),
        ]
    ),
)
