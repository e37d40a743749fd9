"""Feed documents (RSS and Atom, through feedparser) -> the article pages they announce."""

from __future__ import annotations

import datetime
import time
from typing import Iterator, Optional, Union
from urllib.parse import urljoin, urlsplit

import feedparser

from schemas.errors import ErrorRecord, make_error
from schemas.pages import PageRequest
from transforms.sources.lists import REMOTE_SCHEMES, is_local


def parse_feed(feed_url: str, body: bytes, final_url: Optional[str] = None) -> Iterator[Union[PageRequest, ErrorRecord]]:
    """Each entry of a feed document as a PageRequest, or an ErrorRecord for what cannot be used.

    Relative links are resolved against the feed's own address. A feed fetched from the web may only
    announce http(s) pages: remote content must never make the pipeline read local files.
    """
    base = final_url or feed_url
    # Links are resolved here, not by feedparser, which mangles file:// bases.
    parsed = feedparser.parse(body, resolve_relative_uris=False)
    if not parsed.entries:
        if parsed.bozo or not parsed.get("version"):
            detail = parsed.get("bozo_exception")
            message = "not an RSS or Atom feed" + (f" ({detail})" if detail else "")
            yield make_error("feed", feed_url, "not_a_feed", message, feed_url=feed_url)
        return
    local_feed = is_local(base)
    for entry in parsed.entries:
        link = _entry_link(entry)
        if not link:
            yield make_error("feed", None, "invalid_url", f"entry {entry.get('title')!r} has no link", feed_url=feed_url)
            continue
        url = urljoin(base, link)
        scheme = urlsplit(url).scheme
        if scheme not in REMOTE_SCHEMES and not (local_feed and scheme == "file"):
            yield make_error(
                "feed", url, "unsupported_scheme", f"feed links to a {scheme or 'relative'} URL", feed_url=feed_url
            )
            continue
        yield PageRequest(
            url=url,
            feed_url=feed_url,
            entry_title=entry.get("title"),
            entry_published=_entry_time(entry),
        )


def _entry_link(entry: feedparser.FeedParserDict) -> Optional[str]:
    if entry.get("link"):
        return entry["link"]
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None


def _entry_time(entry: feedparser.FeedParserDict) -> Optional[datetime.datetime]:
    """feedparser gives struct_time in UTC; keep it as an aware datetime."""
    moment: Optional[time.struct_time] = entry.get("published_parsed") or entry.get("updated_parsed")
    if moment is None:
        return None
    return datetime.datetime(*moment[:6], tzinfo=datetime.timezone.utc)
