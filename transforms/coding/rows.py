"""Coded events as rows of the ``events`` table (plain functions: ``newsbeam code`` needs no Beam)."""

from __future__ import annotations

import datetime
import hashlib
from typing import Optional, Sequence

from schemas.articles import Article
from schemas.events import CodedEvent, Event
from transforms.coding import CODER_VERSION
from transforms.coding.event_key import event_key


def event_id(article_key: str, event: CodedEvent, ordinal: int) -> str:
    """A stable id: the same article coded by the same coder gives the same ids on every run."""
    parts = (
        article_key,
        str(event.sentence_index),
        event.event_code,
        event.actor1_code or "",
        event.actor2_code or "",
        str(ordinal),
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def to_events(
    coded: Sequence[CodedEvent],
    article_key: str,
    article_id: Optional[str],
    url: Optional[str],
    added_at: Optional[datetime.datetime] = None,
    tone: Optional[float] = None,
) -> list[Event]:
    """Tie coded events to their article; ``article_key`` seeds the ids (article id or input id).

    ``added_at`` (default: now, UTC) stamps the rows; its UTC day is their ``ingest_date`` partition.
    ``tone`` is the article's (``articles.tone``); every row gets its ``event_key``.
    """
    added_at = (added_at or datetime.datetime.now(datetime.timezone.utc)).astimezone(datetime.timezone.utc)
    ingest_date = added_at.date().isoformat()
    seen: dict[tuple, int] = {}
    events = []
    for item in coded:
        signature = (item.sentence_index, item.event_code, item.actor1_code, item.actor2_code)
        ordinal = seen.get(signature, 0)
        seen[signature] = ordinal + 1
        day = datetime.date.fromisoformat(item.event_date)
        mention_id = event_id(article_key, item, ordinal)
        events.append(
            Event(
                event_id=mention_id,
                article_id=article_id,
                url=url,
                coder_version=CODER_VERSION,
                added_at=added_at,
                ingest_date=ingest_date,
                event_key=event_key(
                    mention_id,
                    day,
                    item.actor1_code,
                    item.actor2_code,
                    item.event_base_code,
                    item.action_geo_country_code,
                    item.action_geo_adm1_code,
                ),
                tone=tone,
                **{**item._asdict(), "event_date": day},
            )
        )
    return events


def article_date(article: Article) -> datetime.date:
    """The date events are anchored on: the publisher's own day of publication if known ("yesterday"
    in the text counts from it), else the UTC day of publication, else of fetching."""
    if article.published_local_date is not None:
        return article.published_local_date
    moment = article.published_at or article.fetched_at
    return moment.astimezone(datetime.timezone.utc).date()
