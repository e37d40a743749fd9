"""Sitemaps -> the article pages they list (plain functions; the Beam stage is ``ReadSitemaps`` in read.py).

What is read (https://www.sitemaps.org/protocol.html and Google's news extension):

- ``<urlset>`` sitemaps: each ``<url>``'s ``<loc>`` and ``<lastmod>``, and from a Google News
  ``<news:news>`` block its ``<news:publication_date>`` and ``<news:title>``;
- ``<sitemapindex>`` documents, whose ``<sitemap>`` children are read in turn (``SitemapWalker``);
- plain-text sitemaps (one URL per line) and gzip-compressed sitemaps (``.xml.gz``);
- a site root (``https://example.com``): the ``Sitemap:`` lines of its robots.txt, else ``/sitemap.xml``.

Elements are matched by local name, so a sitemap that forgets to declare a namespace prefix still
reads. Sitemaps come from the web: the XML parser expands no entities, loads no DTD and opens no
URL, so an XML bomb or an external entity costs nothing and reads nothing.
"""

from __future__ import annotations

import datetime
import gzip
import io
import zlib
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, NamedTuple, Optional, Sequence, Union

import lxml.etree
from dateutil.parser import isoparse

from schemas.errors import ErrorRecord, make_error
from schemas.pages import PageRequest
from transforms.fetch.client import FetchResult, HttpClient
from transforms.fetch.robots import robots_url
from transforms.fetch.urls import safe_join, safe_split
from transforms.sources.lists import REMOTE_SCHEMES, is_local, link_refusal

STAGE = "sitemap"
# How many levels of sitemap indexes below a listed sitemap are followed: the protocol allows one
# (an index lists sitemaps), some sites nest more; a deeper chain is more likely a loop of generated URLs.
MAX_DEPTH = 3
DEFAULT_MAX_SITEMAPS = 1000
_GZIP_MAGIC = b"\x1f\x8b"
# What SitemapWalker counts, for Beam counters in the ``sitemaps`` namespace.
COUNTED = (
    "sitemaps_read",
    "sitemap_errors",
    "entries_found",
    "entry_errors",
    "entries_outside_dates",
    "sitemaps_outside_dates",
    "sitemaps_not_read",
)
_UTC = datetime.timezone.utc
# libxml2 reports an undeclared prefix (``<news:news>`` without ``xmlns:news``) in this domain; the
# element still parses, and elements are matched by local name, so it costs nothing.
_HARMLESS_ERROR_DOMAIN = "NAMESPACE"


class W3cDate(NamedTuple):
    """A W3C Datetime as the span of instants it names: one instant (``2026-11-18T09:30:00+01:00``),
    or a whole day, month or year (``2026-11-18``, read in UTC), from ``first`` to ``last`` inclusive."""

    first: datetime.datetime
    last: datetime.datetime


class SitemapEntry(NamedTuple):
    """One ``<url>`` of a sitemap; ``published`` and ``title`` from its Google News block, if any."""

    url: str
    title: Optional[str]
    published: Optional[W3cDate]
    lastmod: Optional[W3cDate]


class ChildSitemap(NamedTuple):
    """One ``<sitemap>`` of a sitemap index."""

    url: str
    lastmod: Optional[W3cDate]


class SitemapDocument(NamedTuple):
    """What one fetched sitemap holds. ``kind`` is ``urlset``, ``sitemapindex`` or ``text``, or ``""``
    when the body is no sitemap (``errors`` then says why); ``errors`` also holds unusable entries."""

    kind: str
    entries: list[SitemapEntry]
    children: list[ChildSitemap]
    errors: list[ErrorRecord]


def parse_sitemap(sitemap_url: str, body: bytes, final_url: Optional[str] = None) -> SitemapDocument:
    """The entries or child sitemaps of a sitemap body (already inflated); never raises.

    Relative locations are resolved against ``final_url`` (where the body came from). A sitemap
    fetched from the web may only list http(s) URLs; a local one may also list local files.
    """
    base = final_url or sitemap_url
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] == b"<":
        root, problem = _xml_root(body)
    elif head[:7].lower() == b"http://" or head[:8].lower() == b"https://":
        return _text_sitemap(sitemap_url, body, base)
    else:
        root, problem = None, "neither XML nor a list of URLs"
    if root is not None:
        name = _local_name(root.tag)
        if name == "urlset":
            return _urlset(sitemap_url, root, base)
        if name == "sitemapindex":
            return _sitemap_index(sitemap_url, root, base)
        problem = _not_a_sitemap_reason(name)
    return SitemapDocument("", [], [], [make_error(STAGE, sitemap_url, "not_a_sitemap", problem, feed_url=sitemap_url)])


def _xml_root(body: bytes) -> tuple[Optional[lxml.etree._Element], str]:
    """The root element of an XML body, or None and why it cannot be read."""
    # recover=True only to read past undeclared namespace prefixes; every other error is fatal
    # here, as recovering from it can silently change a URL (``?a=1&b=2`` would lose ``&b``).
    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
    )
    try:
        root = lxml.etree.fromstring(body, parser)
    except (lxml.etree.LxmlError, ValueError) as error:
        return None, f"XML that cannot be parsed ({error})"
    serious = [
        entry for entry in parser.error_log
        if entry.level_name in ("ERROR", "FATAL") and entry.domain_name != _HARMLESS_ERROR_DOMAIN
    ]
    if serious:
        first = serious[0]
        return None, f"malformed XML ({first.message.strip()}, line {first.line})"
    if root is None:
        return None, "XML without a root element"
    return root, ""


def _not_a_sitemap_reason(root_name: str) -> str:
    if root_name in ("rss", "feed", "RDF"):
        return f"an RSS or Atom feed (<{root_name}>), not a sitemap: list it with --feeds"
    if root_name == "html":
        return "an HTML page, not a sitemap"
    return f"XML whose root is <{root_name}>, not <urlset> or <sitemapindex>"


def _urlset(sitemap_url: str, root: lxml.etree._Element, base: str) -> SitemapDocument:
    entries: list[SitemapEntry] = []
    errors: list[ErrorRecord] = []
    for url_element in _children(root, "url"):
        fields = _fields(url_element)
        news = next(_children(url_element, "news"), None)
        news_fields = _fields(news) if news is not None else {}
        location = _checked_location(fields.get("loc"), base, sitemap_url)
        if isinstance(location, ErrorRecord):
            errors.append(location)
            continue
        entries.append(
            SitemapEntry(
                url=location,
                title=news_fields.get("title"),
                published=parse_w3c_date(news_fields.get("publication_date")),
                lastmod=parse_w3c_date(fields.get("lastmod")),
            )
        )
    return SitemapDocument("urlset", entries, [], errors)


def _sitemap_index(sitemap_url: str, root: lxml.etree._Element, base: str) -> SitemapDocument:
    children: list[ChildSitemap] = []
    errors: list[ErrorRecord] = []
    for sitemap_element in _children(root, "sitemap"):
        fields = _fields(sitemap_element)
        location = _checked_location(fields.get("loc"), base, sitemap_url)
        if isinstance(location, ErrorRecord):
            errors.append(location)
            continue
        children.append(ChildSitemap(location, parse_w3c_date(fields.get("lastmod"))))
    return SitemapDocument("sitemapindex", [], children, errors)


def _text_sitemap(sitemap_url: str, body: bytes, base: str) -> SitemapDocument:
    """A plain-text sitemap: one URL per line, UTF-8 (the protocol's third format)."""
    entries: list[SitemapEntry] = []
    errors: list[ErrorRecord] = []
    for line in body.decode("utf-8", "replace").splitlines():
        if line.strip():
            location = _checked_location(line, base, sitemap_url)
            if isinstance(location, ErrorRecord):
                errors.append(location)
            else:
                entries.append(SitemapEntry(location, None, None, None))
    return SitemapDocument("text", entries, [], errors)


def _checked_location(text: Optional[str], base: str, sitemap_url: str) -> Union[str, ErrorRecord]:
    """A ``<loc>`` as an absolute URL the sitemap may name, or the error row saying why not."""
    if not text:
        return make_error(STAGE, None, "invalid_url", "an entry without a usable <loc>", feed_url=sitemap_url)
    url = safe_join(base, text.strip())
    if url is None:
        return make_error(STAGE, text, "invalid_url", f"<loc> {text!r} is not a URL", feed_url=sitemap_url)
    refusal = link_refusal(url, base, "sitemap")
    if refusal:
        return make_error(STAGE, url, "unsupported_scheme", refusal, feed_url=sitemap_url)
    return url


def _local_name(tag: object) -> str:
    """``{namespace}name`` and ``prefix:name`` (an undeclared prefix) as ``name``; "" for comments,
    entities and processing instructions."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _children(element: lxml.etree._Element, name: str) -> Iterator[lxml.etree._Element]:
    return (child for child in element if _local_name(child.tag) == name)


def _fields(element: lxml.etree._Element) -> dict[str, str]:
    """The text of each child element by local name (the first of a name wins), stripped.

    Text with an unexpanded entity reference in it is left out: what the entity stood for is unknown.
    """
    fields: dict[str, str] = {}
    for child in element:
        name = _local_name(child.tag)
        if not name or name in fields:
            continue
        if len(child) == 0:  # text alone, by far the most common: no need to walk the nodes
            text = child.text or ""
        elif any(isinstance(node, lxml.etree._Entity) for node in child):
            continue
        else:
            text = "".join(child.itertext())
        if text.strip():
            fields[name] = text.strip()
    return fields


def parse_w3c_date(text: Optional[str]) -> Optional[W3cDate]:
    """A W3C Datetime (``2026``, ``2026-11``, ``2026-11-18``, ``2026-11-18T09:30+01:00`` ...) as the
    span it names; a time without a zone is read in UTC. None for anything else."""
    if not text:
        return None
    text = text.strip()
    try:
        moment = isoparse(text)
        offset = moment.utcoffset()
        zone = _UTC if offset is None else datetime.timezone(offset)
        moment = moment.replace(tzinfo=zone)
        moment.astimezone(_UTC)  # raises OverflowError for a moment that leaves the calendar in UTC
    except (ValueError, OverflowError):
        return None
    if "T" in text or " " in text:
        return W3cDate(moment, moment)
    try:
        if len(text) == 4:
            end = moment.replace(year=moment.year + 1)
        elif len(text) == 7:
            end = moment.replace(year=moment.year + moment.month // 12, month=moment.month % 12 + 1)
        else:
            end = moment + datetime.timedelta(days=1)
    except (ValueError, OverflowError):  # the year 9999: the span ends with the calendar
        return W3cDate(moment, datetime.datetime.max.replace(tzinfo=_UTC))
    return W3cDate(moment, end - datetime.timedelta(microseconds=1))


def absolute_sitemaps(lines: Iterable[str], robots_location: str) -> list[str]:
    """A robots.txt's ``Sitemap:`` lines as absolute URLs, in order, without repeats."""
    found: list[str] = []
    for line in lines:
        url = safe_join(robots_location, line.strip())
        if url and url not in found:
            found.append(url)
    return found


def is_site_root(location: str) -> bool:
    """True for ``https://example.com`` and ``https://example.com/``: a site, not a sitemap."""
    parts = safe_split(location)
    return (
        parts is not None
        and parts.scheme.lower() in REMOTE_SCHEMES
        and bool(parts.netloc)
        and parts.path in ("", "/")
        and not parts.query
    )


class GzipProblem(NamedTuple):
    error_type: str
    message: str


def inflate(body: bytes, limit: int) -> Union[bytes, GzipProblem]:
    """A gzip body (``.xml.gz``, recognised by its magic bytes) inflated, at most ``limit`` bytes
    (a gzip bomb costs no memory); any other body as it is. A truncated stream is a problem, not
    the part that arrived."""
    if body[:2] != _GZIP_MAGIC:
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
            inflated = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as error:  # OSError: gzip.BadGzipFile
        return GzipProblem("decode_error", f"gzip sitemap cannot be inflated: {error}")
    if len(inflated) > limit:
        return GzipProblem("too_large", f"gzip sitemap inflates to more than {limit} bytes")
    return inflated


@dataclass(frozen=True)
class DateWindow:
    """Publication dates a run keeps (``--since``/``--until``, inclusive), None for open ends."""

    since: Optional[datetime.datetime] = None
    until: Optional[datetime.datetime] = None

    def excludes_entry(self, entry: SitemapEntry) -> bool:
        """True when the entry was surely published outside the window.

        ``lastmod`` stands in for a missing publication date only against ``since``: a page last
        changed before ``since`` was published before it too, but one changed after ``until`` may
        have been published long before.
        """
        if entry.published is not None:
            return self._before(entry.published) or self._after(entry.published)
        return entry.lastmod is not None and self._before(entry.lastmod)

    def excludes_sitemap(self, child: ChildSitemap) -> bool:
        """True when a child sitemap last changed before ``since``, so it lists nothing newer."""
        return child.lastmod is not None and self._before(child.lastmod)

    def _before(self, date: W3cDate) -> bool:
        return self.since is not None and date.last < self.since

    def _after(self, date: W3cDate) -> bool:
        return self.until is not None and date.first > self.until


def page_request(entry: SitemapEntry, sitemap_url: str) -> PageRequest:
    """What FetchPages needs; the sitemap takes the place a feed has for feed entries."""
    published = entry.published.first if entry.published is not None else None
    return PageRequest(url=entry.url, feed_url=sitemap_url, entry_title=entry.title, entry_published=published)


def most_informative(requests: Iterable[PageRequest]) -> PageRequest:
    """Of the requests for one URL (listed by several sitemaps), the one that says most about the page:
    a news sitemap's title and publication date beat a bare ``<loc>``; ties go to the first sitemap URL."""
    return min(
        requests,
        key=lambda request: (request.entry_published is None, request.entry_title is None, request.feed_url or ""),
    )


class _Pending(NamedTuple):
    url: str
    parent: str  # the listed entry or the index that named this sitemap
    may_be_local: bool


class SitemapWalker:
    """Reads one listed entry (a sitemap or a site root) and every sitemap below it, through the
    shared HTTP client (robots.txt, politeness, address checks and size caps all apply).

    Yields a PageRequest for each entry inside the date window and an ErrorRecord for each failure;
    ``count(name, amount)`` hears what was read, skipped and cut (the names in ``COUNTED``).
    Sitemaps of one level are fetched in parallel; at most ``MAX_DEPTH`` levels below the listed one
    are followed and at most ``max_sitemaps`` sitemaps are read per listed entry, the newest by
    ``lastmod`` first. What a limit cuts is counted and recorded as a ``too_many_sitemaps`` row.
    """

    def __init__(
        self,
        client: HttpClient,
        window: Optional[DateWindow] = None,
        max_sitemaps: int = DEFAULT_MAX_SITEMAPS,
        count: Optional[Callable[[str, int], None]] = None,
    ):
        self._client = client
        self._window = window or DateWindow()
        self._max_sitemaps = max_sitemaps
        self._count = count

    def _add(self, name: str, amount: int = 1) -> None:
        if self._count is not None and amount:
            self._count(name, amount)

    def walk(self, listed: str) -> Iterator[Union[PageRequest, ErrorRecord]]:
        if is_site_root(listed):
            starts, failure = self._site_sitemaps(listed)
            if failure is not None:
                yield failure
            level = [_Pending(url, listed, False) for url in starts]
        else:
            level = [_Pending(listed, listed, is_local(listed))]
        seen = {pending.url for pending in level}
        budget = self._max_sitemaps
        for depth in range(MAX_DEPTH + 1):
            if not level:
                return
            if len(level) > budget:
                yield self._cut(listed, level[budget:], f"more than {self._max_sitemaps} sitemaps (--max-sitemaps)")
                level = level[:budget]
            budget -= len(level)
            futures = [
                self._client.submit(pending.url, kind="feed", allow_file=pending.may_be_local) for pending in level
            ]
            children: list[tuple[ChildSitemap, _Pending]] = []
            for pending, future in zip(level, futures):
                for item in self._read(pending, future.result()):
                    if isinstance(item, ChildSitemap):
                        if item.url not in seen:
                            seen.add(item.url)
                            children.append((item, pending))
                    else:
                        yield item
            level = self._next_level(children)
            if level and depth == MAX_DEPTH:
                yield self._cut(listed, level, f"sitemap indexes nested more than {MAX_DEPTH} levels deep")

    def _site_sitemaps(self, site: str) -> tuple[list[str], Optional[ErrorRecord]]:
        """The sitemaps robots.txt names for a site root, else its ``/sitemap.xml``; or none and why."""
        rules = self._client.robots_rules(site)
        if isinstance(rules, FetchResult):
            self._add("sitemap_errors")
            return [], self._fetch_error(rules, site)
        # No robots.txt (or one without Sitemap: lines) is no reason not to try /sitemap.xml.
        named = absolute_sitemaps(rules.sitemaps, robots_url(site))
        return named or [safe_join(site, "/sitemap.xml") or site], None

    def _read(self, pending: _Pending, result: FetchResult) -> Iterator[Union[PageRequest, ErrorRecord, ChildSitemap]]:
        if result.error_type:
            self._add("sitemap_errors")
            yield self._fetch_error(result, pending.parent)
            return
        body = inflate(result.body, self._client.settings.max_decompressed_bytes)
        if isinstance(body, GzipProblem):
            self._add("sitemap_errors")
            yield make_error(STAGE, pending.url, body.error_type, body.message, feed_url=pending.parent)
            return
        document = parse_sitemap(pending.url, body, result.final_url)
        if not document.kind:  # the whole sitemap is unusable: its row names who listed it, as for a failed fetch
            self._add("sitemap_errors")
            yield from (error._replace(feed_url=pending.parent) for error in document.errors)
            return
        self._add("sitemaps_read")
        self._add("entry_errors", len(document.errors))
        yield from document.errors
        for entry in document.entries:
            if self._window.excludes_entry(entry):
                self._add("entries_outside_dates")
            else:
                self._add("entries_found")
                yield page_request(entry, pending.url)
        yield from document.children

    def _next_level(self, children: list[tuple[ChildSitemap, _Pending]]) -> list[_Pending]:
        """The children to read next, newest first (undated ones after, in the order listed), so that
        the cap leaves out the oldest; those that last changed before ``--since`` are skipped."""
        kept = []
        for child, parent in children:
            if self._window.excludes_sitemap(child):
                self._add("sitemaps_outside_dates")
            else:
                kept.append((child, parent))
        kept.sort(key=lambda pair: _newest_first(pair[0]))
        # A local index may name local sitemaps; anything named by a remote one was checked to be http(s).
        return [_Pending(child.url, parent.url, parent.may_be_local) for child, parent in kept]

    def _cut(self, listed: str, left_out: Sequence[_Pending], why: str) -> ErrorRecord:
        self._add("sitemaps_not_read", len(left_out))
        message = f"{len(left_out)} sitemap(s) not read: {why}; the first left out is {left_out[0].url}"
        return make_error(STAGE, listed, "too_many_sitemaps", message, feed_url=listed)

    @staticmethod
    def _fetch_error(result: FetchResult, parent: str) -> ErrorRecord:
        return make_error(
            STAGE, result.url, result.error_type or "connection_error", result.message,
            feed_url=parent, http_status=result.status, attempts=result.attempts,
        )


def _newest_first(child: ChildSitemap) -> tuple[bool, float]:
    return (child.lastmod is None, -child.lastmod.last.timestamp() if child.lastmod else 0.0)
