"""Feed documents -> the article pages they announce.

RSS 0.9x/1.0/2.0 and Atom go through feedparser (which also reads malformed feeds as far as it
can); JSON Feed 1.0/1.1, which feedparser does not read, is parsed here; an HTML page given as a
feed is searched for the feeds it advertises with ``<link rel="alternate">``.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import time
from typing import Any, Iterator, NamedTuple, Optional, Union

import feedparser
import lxml.html

from schemas.errors import ErrorRecord, make_error
from schemas.pages import PageRequest
from transforms.fetch.content import looks_like_html
from transforms.fetch.urls import safe_join
from transforms.sources.lists import link_refusal

FEED_MEDIA_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json", "application/rdf+xml"}
)


class DiscoveredFeed(NamedTuple):
    """A feed that an HTML page (given where a feed was expected) advertises."""

    url: str
    page_url: str


class Entry(NamedTuple):
    title: Optional[str]
    link: Optional[str]
    published: Optional[datetime.datetime]


def parse_feed(
    feed_url: str, body: bytes, final_url: Optional[str] = None
) -> Iterator[Union[PageRequest, ErrorRecord, DiscoveredFeed]]:
    """Each entry of a feed document as a PageRequest, or an ErrorRecord for what cannot be used.

    Relative links are resolved against the feed's own address. A feed fetched from the web may only
    announce http(s) pages: remote content must never make the pipeline read local files. An HTML page
    yields the feeds it advertises as DiscoveredFeed, for the caller to fetch.
    """
    base = final_url or feed_url
    entries, problem = _read_entries(body)
    if problem:
        discovered = discover_feeds(body, base)
        if discovered:
            yield from discovered
            return
        if looks_like_html(body):
            # The XML parser's complaint ("<unknown>:2:0: syntax error") says nothing to the user.
            problem = "an HTML page that advertises no feed (no <link rel=\"alternate\"> to RSS, Atom or JSON Feed)"
        yield make_error("feed", feed_url, "not_a_feed", problem, feed_url=feed_url)
        return
    for entry in entries:
        if not entry.link:
            yield make_error("feed", None, "invalid_url", f"entry {entry.title!r} has no link", feed_url=feed_url)
            continue
        url = safe_join(base, entry.link.strip())
        if url is None:
            message = f"entry {entry.title!r} links to {entry.link!r}, which is not a URL"
            yield make_error("feed", entry.link, "invalid_url", message, feed_url=feed_url)
            continue
        refusal = link_refusal(url, base, "feed")
        if refusal:
            yield make_error("feed", url, "unsupported_scheme", refusal, feed_url=feed_url)
            continue
        yield PageRequest(url=url, feed_url=feed_url, entry_title=entry.title, entry_published=entry.published)


def _read_entries(body: bytes) -> tuple[list[Entry], Optional[str]]:
    """The entries of an RSS, Atom or JSON feed, or why the body is not a feed."""
    if body.lstrip()[:1] == b"{":
        return _json_feed_entries(body)
    # Links are resolved by the caller, not by feedparser, which mangles file:// bases.
    try:
        parsed = feedparser.parse(body, resolve_relative_uris=False)
    except ValueError as error:  # feedparser's loose parser raises on "&#xD800;" (a lone surrogate)
        return [], f"not a readable feed ({error})"
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        detail = parsed.get("bozo_exception")
        return [], "not an RSS, Atom or JSON feed" + (f" ({detail})" if detail else "")
    return [Entry(entry.get("title"), _entry_link(entry), _entry_time(entry)) for entry in parsed.entries], None


def _json_feed_entries(body: bytes) -> tuple[list[Entry], Optional[str]]:
    """JSON Feed (https://jsonfeed.org/version/1.1): ``items`` with ``url`` and ``date_published``."""
    try:
        document: Any = json.loads(body)
    except (ValueError, RecursionError) as error:
        return [], f"not a JSON feed ({error})"
    if not isinstance(document, dict) or "jsonfeed.org" not in str(document.get("version", "")):
        return [], "JSON document without a jsonfeed.org version"
    items = document.get("items")
    if not isinstance(items, list):
        return [], "JSON feed without an items list"
    entries = []
    for item in items:
        if isinstance(item, dict):
            link = item.get("url") or item.get("external_url")
            moment = _iso_time(item.get("date_published") or item.get("date_modified"))
            entries.append(Entry(_text_or_none(item.get("title")), _text_or_none(link), moment))
    return entries, None


def _text_or_none(value: Any) -> Optional[str]:
    """JSON Feed fields are whatever the publisher wrote: only strings that are valid text are used
    (``"\\ud800"`` decodes to a lone surrogate, which no output table can store)."""
    if not isinstance(value, str):
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


def _iso_time(value: Any) -> Optional[datetime.datetime]:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.timezone.utc)
        moment.astimezone(datetime.timezone.utc)  # raises OverflowError for a moment outside the calendar in UTC
        return moment  # in the feed's own zone: the publisher's day
    except (ValueError, OverflowError):  # not ISO 8601, or a year 1 or 9999 moment that leaves the calendar in UTC
        return None


def discover_feeds(body: bytes, page_url: str) -> list[DiscoveredFeed]:
    """Feeds an HTML page advertises with ``<link rel="alternate" type="application/rss+xml" ...>``."""
    if b"<" not in body[:2048]:
        return []
    try:
        tree = lxml.html.fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return []
    found: list[DiscoveredFeed] = []
    for link in tree.iterfind(".//link"):
        rel = (link.get("rel") or "").lower().split()
        media_type = (link.get("type") or "").lower().split(";")[0].strip()
        href = link.get("href")
        if "alternate" in rel and media_type in FEED_MEDIA_TYPES and href:
            url = safe_join(page_url, href.strip())
            if url and not link_refusal(url, page_url, "feed") and url not in {feed.url for feed in found}:
                found.append(DiscoveredFeed(url=url, page_url=page_url))
    return found


def _entry_link(entry: feedparser.FeedParserDict) -> Optional[str]:
    if entry.get("link"):
        return entry["link"]
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None


def _entry_time(entry: feedparser.FeedParserDict) -> Optional[datetime.datetime]:
    """The entry's time in the zone the feed gives (``+0200``, ``EDT``): the publisher's day, which
    "yesterday" in the article counts from. feedparser's own value is the same moment in UTC, used
    when the raw text is not RFC 2822 or ISO 8601, or when our reading disagrees with it."""
    parsed: Optional[time.struct_time] = entry.get("published_parsed") or entry.get("updated_parsed")
    utc = datetime.datetime(*parsed[:6], tzinfo=datetime.timezone.utc) if parsed is not None else None
    raw = entry.get("published") or entry.get("updated")
    zoned = _zoned_time(raw) if isinstance(raw, str) else None
    if zoned is not None and (utc is None or zoned == utc):
        return zoned
    return utc


def _zoned_time(text: str) -> Optional[datetime.datetime]:
    """RFC 2822 (RSS) or ISO 8601 (Atom) text with its zone kept; None without a zone or when unreadable."""
    for parse in (email.utils.parsedate_to_datetime, lambda value: datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))):
        try:
            moment = parse(text.strip())
        except (TypeError, ValueError, IndexError, OverflowError):
            continue
        return moment if moment.tzinfo is not None else None
    return None
