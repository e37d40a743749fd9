"""A feed entry's time keeps the zone the feed gives, so its article's day is the publisher's day."""

from __future__ import annotations

import datetime

import feedparser
import pytest

from transforms.sources.feeds import _entry_time

RSS = "<rss><channel><item><title>x</title><link>https://a.example/b</link><pubDate>{}</pubDate></item></channel></rss>"
ATOM = (
    '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title><link href="https://a.example/b"/>'
    "<published>{}</published></entry></feed>"
)


@pytest.mark.parametrize(
    "template, written, day, offset_hours",
    [
        (RSS, "Tue, 03 Dec 2024 23:30:00 +0200", "2024-12-03", 2),  # 21:30 UTC: same day either way
        (RSS, "Tue, 03 Dec 2024 01:30:00 +0200", "2024-12-03", 2),  # 23:30 UTC on the 2nd
        (RSS, "Tue, 03 Dec 2024 21:30:00 EDT", "2024-12-03", -4),  # 01:30 UTC on the 4th
        (RSS, "Tue, 03 Dec 2024 21:30:00 PST", "2024-12-03", -8),
        (ATOM, "2024-12-03T00:15:00+05:30", "2024-12-03", 5.5),
        (RSS, "Tue, 03 Dec 2024 21:30:00 GMT", "2024-12-03", 0),
    ],
)
def test_the_feed_s_zone_is_kept(template, written, day, offset_hours):
    moment = _entry_time(feedparser.parse(template.format(written)).entries[0])
    assert moment.date().isoformat() == day
    assert moment.utcoffset() == datetime.timedelta(hours=offset_hours)


def test_a_time_feedparser_cannot_read_gives_none_and_a_zoneless_one_utc():
    assert _entry_time(feedparser.parse(RSS.format("not a date")).entries[0]) is None
    moment = _entry_time(feedparser.parse(ATOM.format("2024-12-03T10:00:00")).entries[0])
    assert moment == datetime.datetime(2024, 12, 3, 10, tzinfo=datetime.timezone.utc)
