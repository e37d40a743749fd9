"""Title, author, site name and canonical URL of a page, from its markup.

trafilatura's metadata readers do the work; they are composed here without its date step, which
``dates`` replaces, so a page's dates are searched only once.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
)


class PageMetadata(NamedTuple):
    """What the page says about itself, apart from its date and language."""

    title: str | None
    author: str | None
    sitename: str | None
    canonical_url: str | None


def canonical_url(tree: HtmlElement, page_url: str | None) -> str | None:
    """``<link rel=canonical>``, else ``og:url``, made absolute against the page URL."""
    candidates = [
        link.get("href")
        for link in tree.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    candidates += [meta.get("content") for meta in tree.iter("meta") if meta.get("property") == "og:url"]
    for candidate in candidates:
        if not candidate or not candidate.strip():
            continue
        absolute = urljoin(page_url or "", candidate.strip())
        if urlsplit(absolute).scheme in ("http", "https") and urlsplit(absolute).netloc:
            return absolute
    return None


def headlines(tree: HtmlElement, metadata: PageMetadata) -> list[str]:
    """Every form of the page's headline: the extracted title, ``<title>``, ``og:title``, ``<h1>``."""
    found = [metadata.title] if metadata.title else []
    found += [title.text_content() for title in tree.iterfind(".//head/title")]
    found += [meta.get("content") or "" for meta in tree.iter("meta") if meta.get("property") == "og:title"]
    found += [heading.text_content() for heading in tree.iter("h1")]
    return [cleaned for text in found if (cleaned := _clean(text))]


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def read_metadata(tree: HtmlElement, page_url: str | None) -> PageMetadata:
    """Meta tags and JSON-LD first, then the visible page (``<h1>``, bylines, ``<title>``)."""
    found = examine_meta(tree)
    # a single word is more often a site or a handle than a person's name
    if found.author and " " not in found.author:
        found.author = None
    try:
        found = extract_meta_json(tree, found)
    except (ValueError, TypeError, AttributeError, KeyError):
        pass  # malformed JSON-LD only costs us what it would have added
    title = found.title or extract_title(tree)
    author = found.author or extract_author(tree)
    sitename = found.sitename or extract_sitename(tree)
    if sitename:
        sitename = sitename.lstrip("@")
    return PageMetadata(
        title=_clean(title),
        author=_clean(author),
        sitename=_clean(sitename),
        canonical_url=canonical_url(tree, page_url),
    )
