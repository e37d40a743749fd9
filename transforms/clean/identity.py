"""Stable identities for articles: canonical URL, article id, source domain and text hash."""

from __future__ import annotations

import hashlib
import re
from typing import Optional
from urllib.parse import urldefrag

import courlan

from transforms.fetch.urls import safe_join, safe_split

_WHITESPACE = re.compile(r"\s+")


def canonical_url(fetched_url: str, declared_canonical: Optional[str] = None) -> str:
    """The URL that identifies an article: the page's own canonical claim when it is credible.

    A declared canonical (``<link rel=canonical>`` or og:url) is resolved against the fetched URL and
    used unless it points at a site's front page while the article itself does not, a common template
    mistake that would otherwise merge every article of a site into one. A declared URL that cannot
    be parsed is ignored. Tracking parameters and fragments are removed by courlan's normaliser.
    """
    chosen = fetched_url
    resolved = safe_join(fetched_url, declared_canonical.strip()) if declared_canonical else None
    if resolved and _is_web_url(resolved) and not _is_front_page_of_article(resolved, fetched_url):
        chosen = resolved
    if _is_web_url(chosen):
        return courlan.normalize_url(urldefrag(chosen).url, strict=False)
    return chosen


def _is_web_url(url: str) -> bool:
    parts = safe_split(url)
    return parts is not None and parts.scheme in ("http", "https")


def _is_front_page_of_article(candidate: str, fetched_url: str) -> bool:
    return not _path_of(candidate) and bool(_path_of(fetched_url))


def _path_of(url: str) -> str:
    parts = safe_split(url)
    return parts.path.strip("/") if parts else ""


def article_id(canonical: str) -> str:
    """A stable 128-bit hex id of a canonical URL, so re-runs and re-coding give the same id."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def source_domain(url: str) -> str:
    """The registrable domain that published the article (``bbc.co.uk``); ``local`` for files."""
    parts = safe_split(url)
    if parts is None:
        return "unknown"
    if parts.scheme not in ("http", "https"):
        return "local"
    return courlan.extract_domain(url) or parts.hostname or "unknown"


def text_hash(text: str) -> str:
    """A hash of the body that survives whitespace and case changes: syndicated copies match."""
    normalised = _WHITESPACE.sub(" ", text).strip().lower()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]


def word_count(text: str) -> int:
    return len(text.split())
