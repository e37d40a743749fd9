"""Filters that cut a backfill to what a study needs: the outlets of ``--domains FILE`` and the
publication dates from ``--since`` to ``--until``.

- A domain keeps every host under it: ``bbc.co.uk`` keeps ``www.bbc.co.uk`` and
  ``news.bbc.co.uk``, ``news.bbc.co.uk`` keeps only that host and those below it. Lines are
  checked against the Public Suffix List bundled with ``tld`` (never fetched): a public suffix
  (``co.uk``, ``github.io``) is refused, because it would keep every site under it.
- Requests (feed entries, listed URLs) are checked before they are fetched, WARC records before
  their page is read, saved pages (``--html-dir``) once cleaning has found the URL they declare.
- The date is the article's ``published_at``, or its ``fetched_at`` when cleaning found none
  (for a WARC record: its ``WARC-Date``), and is checked once the article is cleaned.

What a filter drops is counted (``backfill/filtered_by_domain``, ``backfill/filtered_by_date``),
not recorded as an error: the user asked for it.
"""

from __future__ import annotations

import datetime
import re
from typing import AbstractSet, Iterator, Optional

import apache_beam as beam
import tld
from apache_beam.metrics import Metrics

from schemas.articles import Article
from schemas.pages import PageRequest
from transforms.fetch.urls import safe_split
from transforms.sources.lists import SourceListError, read_list_text

COUNTER_NAMESPACE = "backfill"
DATE_FORMS = "a date (YYYY-MM-DD, UTC) or an ISO 8601 time such as 2024-01-31T18:00:00Z"
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_DATE_ONLY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DomainListError(ValueError):
    """A ``--domains`` file that cannot be used; the message names the file and the line."""


def parse_domain(text: str) -> str:
    """``text`` as a domain in ASCII (IDNA) lower case; ValueError says why it is not one."""
    name = text.strip().lower().removesuffix(".")
    if "/" in name or ":" in name:
        raise ValueError("give the domain alone, such as bbc.co.uk, not a URL")
    try:
        ascii_name = name.encode("idna").decode("ascii")
        unicode_name = ascii_name.encode("ascii").decode("idna")
    except UnicodeError:
        raise ValueError("is not a domain name") from None
    labels = ascii_name.split(".")
    if len(ascii_name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError("is not a domain name")
    if labels[-1].isdigit():
        raise ValueError("is an IP address, not a domain")
    # tld's list holds internationalised suffixes in Unicode (公司.cn), not as xn-- labels.
    if tld.is_tld(ascii_name) or tld.is_tld(unicode_name):
        raise ValueError("is a public suffix: list the domains under it (bbc.co.uk, not co.uk)")
    if len(labels) < 2:
        raise ValueError("is a single name, not a domain such as bbc.co.uk")
    return ascii_name


def read_domains(location: str) -> frozenset[str]:
    """The domains of a list file (local or on any Beam file system): one per line, ``#`` starts a
    comment. Raises DomainListError for an unreadable or empty file or a line that is no domain."""
    try:
        text = read_list_text(location, "--domains file")
    except SourceListError as error:
        raise DomainListError(str(error)) from error
    domains = set()
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        try:
            domains.add(parse_domain(entry))
        except ValueError as problem:
            raise DomainListError(f"--domains file {location!r}, line {number}: {entry!r} {problem}") from None
    if not domains:
        raise DomainListError(f"--domains file {location!r} lists no domain (only blanks or comments)")
    return frozenset(domains)


def url_in_domains(url: str, domains: AbstractSet[str]) -> bool:
    """True when the host of ``url`` is one of ``domains`` or lies under one of them."""
    parts = safe_split(url)
    host = parts.hostname if parts is not None else None
    if not host:
        return False
    try:
        labels = host.removesuffix(".").encode("idna").decode("ascii").split(".")
    except UnicodeError:
        return False
    return any(".".join(labels[start:]) in domains for start in range(len(labels)))


def date_bound(text: str, *, end_of_day: bool) -> datetime.datetime:
    """A ``--since`` (``end_of_day`` False) or ``--until`` value as an aware UTC time.

    A date alone is a UTC day: ``--since 2024-01-01`` begins at its midnight, ``--until
    2024-01-31`` ends with its last microsecond. A time without a zone is taken as UTC.
    ValueError for anything else.
    """
    text = text.strip()
    if _DATE_ONLY.fullmatch(text):
        day = datetime.date.fromisoformat(text)
        moment = datetime.datetime.combine(day, datetime.time.max if end_of_day else datetime.time.min)
    else:
        if text.endswith(("Z", "z")):  # Python 3.10's fromisoformat does not read the "Z" of UTC
            text = text[:-1] + "+00:00"
        moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def published_within(
    moment: datetime.datetime, since: Optional[datetime.datetime], until: Optional[datetime.datetime]
) -> bool:
    """True when ``moment`` lies from ``since`` to ``until``, both included (None: unbounded)."""
    return (since is None or moment >= since) and (until is None or moment <= until)


def article_date(article: Article) -> datetime.datetime:
    """The date a backfill filters on: the publication time, else the time the page was fetched."""
    return article.published_at or article.fetched_at


class _KeepRequestsInDomainsFn(beam.DoFn):
    """PageRequest -> the same request when its URL is in the domains (else counted and dropped)."""

    def __init__(self, domains: frozenset[str]) -> None:
        self._domains = domains
        self._filtered = Metrics.counter(COUNTER_NAMESPACE, "filtered_by_domain")

    def process(self, request: PageRequest) -> Iterator[PageRequest]:
        if url_in_domains(request.url, self._domains):
            yield request
        else:
            self._filtered.inc()


class KeepRequestsInDomains(beam.PTransform):
    """PCollection[PageRequest] -> the requests whose URL lies in ``domains``, before any fetch."""

    def __init__(self, domains: frozenset[str]):
        super().__init__()
        self._domains = domains

    def expand(self, requests: beam.PCollection) -> beam.PCollection:
        return requests | "KeepRequestsInDomains" >> beam.ParDo(_KeepRequestsInDomainsFn(self._domains))


class _KeepArticlesFn(beam.DoFn):
    """Article -> the same article when it passes the domain and date filters (else counted)."""

    def __init__(
        self,
        domains: Optional[frozenset[str]],
        since: Optional[datetime.datetime],
        until: Optional[datetime.datetime],
    ) -> None:
        self._domains = domains
        self._since = since
        self._until = until
        self._by_domain = Metrics.counter(COUNTER_NAMESPACE, "filtered_by_domain")
        self._by_date = Metrics.counter(COUNTER_NAMESPACE, "filtered_by_date")

    def process(self, article: Article) -> Iterator[Article]:
        if self._domains is not None and not url_in_domains(article.url, self._domains):
            self._by_domain.inc()
        elif not published_within(article_date(article), self._since, self._until):
            self._by_date.inc()
        else:
            yield article


class KeepBackfillArticles(beam.PTransform):
    """PCollection[Article] -> the articles published from ``since`` to ``until`` (see
    ``article_date``) and, when ``domains`` is given, whose URL lies in them (for saved pages,
    whose URL is known only once they are cleaned)."""

    def __init__(
        self,
        since: Optional[datetime.datetime] = None,
        until: Optional[datetime.datetime] = None,
        domains: Optional[frozenset[str]] = None,
    ):
        super().__init__()
        self._fn = _KeepArticlesFn(domains, since, until)

    def expand(self, articles: beam.PCollection) -> beam.PCollection:
        return articles | "KeepBackfillArticles" >> beam.ParDo(self._fn)
