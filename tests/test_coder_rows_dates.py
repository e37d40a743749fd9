"""Events are anchored on the publisher's own day, so "yesterday" means what the page meant."""

from __future__ import annotations

import datetime

from schemas.articles import Article
from transforms.coding import Coder
from transforms.coding.rows import article_date

UTC = datetime.timezone.utc
# 23:30 on 5 March in New York: 04:30 on 6 March in UTC
PUBLISHED_AT = datetime.datetime(2024, 3, 6, 4, 30, tzinfo=UTC)
TEXT = "Russian forces shelled the outskirts of Kharkiv yesterday, Ukrainian officials said."


def _article(local_date: datetime.date | None) -> Article:
    return Article(
        article_id="a", url="https://ledger.example/a", canonical_url="https://ledger.example/a", feed_url=None,
        source_domain="ledger.example", title=None, author=None, published_at=PUBLISHED_AT, language="en",
        text=TEXT, text_hash="h", word_count=12, fetched_at=datetime.datetime(2024, 3, 6, 6, tzinfo=UTC),
        ingest_date="2024-03-06", published_local_date=local_date,
    )


def test_events_count_from_the_publishers_day_when_it_is_known():
    assert article_date(_article(datetime.date(2024, 3, 5))) == datetime.date(2024, 3, 5)
    assert article_date(_article(None)) == datetime.date(2024, 3, 6)


def test_yesterday_in_a_late_evening_story_is_the_day_before_its_printed_date():
    coded = Coder().code_text(TEXT, article_date(_article(datetime.date(2024, 3, 5))))
    assert coded and all(event.event_date == "2024-03-04" for event in coded)
