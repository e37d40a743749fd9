"""Title, author, site name and canonical URL of a page, from its markup.

trafilatura's metadata readers do the work; they are composed here without its date step, which
``dates`` replaces, so a page's dates are searched only once.
"""

from __future__ import annotations

from itertools import islice
from typing import NamedTuple

from lxml.html import HtmlElement
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import examine_meta, extract_meta_json, extract_sitename, extract_title

from transforms.fetch.urls import safe_join, safe_split

# Visible bylines, for pages whose markup names no author. trafilatura's own byline search copies
# and prunes the whole tree and runs regular expressions over every element: ten times the cost of
# this walk, which stops at the first byline, for 2% more authors found on the wcxb dev set.
BYLINE_TAGS = ("a", "span", "div", "p", "address")
BYLINE_CANDIDATES = 8
MAX_BYLINE_CHARS = 120


class PageMetadata(NamedTuple):
    """What the page says about itself, apart from its date and language."""

    title: str | None
    author: str | None
    sitename: str | None
    canonical_url: str | None


def canonical_url(tree: HtmlElement, page_url: str | None) -> str | None:
    """``<link rel=canonical>``, else ``og:url``, made absolute against the page URL; values that
    are no http(s) URL (or cannot be parsed at all) are passed over."""
    candidates = [
        link.get("href")
        for link in tree.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    candidates += [meta.get("content") for meta in tree.iter("meta") if meta.get("property") == "og:url"]
    for candidate in candidates:
        if not candidate or not candidate.strip():
            continue
        absolute = safe_join(page_url or "", candidate.strip())
        parts = safe_split(absolute) if absolute else None
        if parts and parts.scheme in ("http", "https") and parts.netloc:
            return absolute
    return None


def headlines(tree: HtmlElement, metadata: PageMetadata) -> list[str]:
    """Every form of the page's headline: the extracted title, ``<title>``, ``og:title``, first ``<h1>``.

    Only the first ``<h1>``: pages that use it for every section heading have those in the text.
    """
    found = [metadata.title] if metadata.title else []
    found += [title.text_content() for title in tree.iterfind(".//head/title")]
    found += [meta.get("content") or "" for meta in tree.iter("meta") if meta.get("property") == "og:title"]
    first_heading = next(tree.iter("h1"), None)
    if first_heading is not None:
        found.append(first_heading.text_content())
    return [cleaned for text in found if (cleaned := _clean(text))]


def _looks_like_byline(element: HtmlElement) -> bool:
    if element.get("rel") == "author" or "author" in element.get("itemprop", ""):
        return True
    marks = f"{element.get('class', '')} {element.get('id', '')}"
    return "author" in marks or "byline" in element.get("class", "")


def _in_comments(element: HtmlElement) -> bool:
    # commenters are authors too, of something else
    return any("comment" in ancestor.get("class", "") for ancestor in element.iterancestors())


def byline_author(tree: HtmlElement) -> str | None:
    """The first short byline text on the page, normalised ("By Jane Doe" -> "Jane Doe")."""
    candidates = (
        element for element in tree.iter(BYLINE_TAGS) if _looks_like_byline(element) and not _in_comments(element)
    )
    for element in islice(candidates, BYLINE_CANDIDATES):
        text = " ".join(element.text_content().split())
        if 2 < len(text) < MAX_BYLINE_CHARS:
            return normalize_authors(None, text)
    return None


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
    author = found.author or byline_author(tree)
    sitename = found.sitename or extract_sitename(tree)
    if sitename:
        sitename = sitename.lstrip("@")
    return PageMetadata(
        title=_clean(title),
        author=_clean(author),
        sitename=_clean(sitename),
        canonical_url=canonical_url(tree, page_url),
    )
