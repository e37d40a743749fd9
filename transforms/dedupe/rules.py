"""Which article survives when several share an id or a text (plain functions, no Beam)."""

from __future__ import annotations

import datetime
from typing import Iterable, NamedTuple, Optional

from schemas.articles import Article
from schemas.errors import ErrorRecord, make_error

_LATEST = datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)


class Survivors(NamedTuple):
    kept: Optional[Article]
    duplicates: list[ErrorRecord]


def _preference(article: Article) -> tuple:
    """Earliest publication first (the original rather than a copy), then the shortest URL."""
    return (article.published_at or _LATEST, len(article.canonical_url), article.canonical_url, article.url)


def pick_by_id(candidates: Iterable[Article], already_stored: bool) -> Survivors:
    """Articles sharing one canonical URL: none is kept if it is stored already, else one is.

    Every other copy (a second URL for it from two feeds or tracking variants, or a second saved
    page of it in a replayed folder) is recorded as a duplicate. So is every copy of an article an
    earlier run stored: its URL (which the earlier run did not see, or the copy would not have been
    fetched) is then remembered, and a feed that links to it with tracking parameters does not cost
    a fetch on every run.
    """
    ordered = sorted(candidates, key=_preference)
    if already_stored:
        return Survivors(None, [_duplicate(article, None, "the same canonical URL", article.article_id) for article in ordered])
    if not ordered:
        return Survivors(None, [])
    kept, others = ordered[0], ordered[1:]
    return Survivors(kept, [_duplicate(other, kept, "the same canonical URL") for other in others])


def pick_by_text(candidates: Iterable[Article], stored_article_id: Optional[str]) -> Survivors:
    """Articles with one text hash: syndicated copies of a text already stored, or of each other."""
    ordered = sorted(candidates, key=_preference)
    if not ordered:
        return Survivors(None, [])
    if stored_article_id is not None:
        return Survivors(None, [_duplicate(article, None, "the same text", stored_article_id) for article in ordered])
    kept = ordered[0]
    return Survivors(kept, [_duplicate(other, kept, "the same text") for other in ordered[1:]])


def _duplicate(article: Article, kept: Optional[Article], what: str, kept_id: Optional[str] = None) -> ErrorRecord:
    original = kept.article_id if kept else kept_id
    return make_error(
        "dedupe",
        article.url,
        "duplicate",
        f"{what} as article {original}; not stored twice",
        feed_url=article.feed_url,
    )
