"""The order of date evidence, and the kinds of fault it is built against (docs/cleaning.md).

Each page here is our own few lines of HTML, made to hold one kind of evidence or one fault.
"""

from __future__ import annotations

import datetime
import itertools
import json

import lxml.html
import pytest

from transforms.clean.dates import DateFinder, parse_local_timestamp
from transforms.clean.extract import Cleaner

UTC = datetime.timezone.utc
FILLER = "<p>" + "The harbour reopened after the storm, and the first ferries came in. " * 6 + "</p>"
PLAIN_URL = "https://news.example/harbour-reopens"


@pytest.fixture(scope="module")
def finder() -> DateFinder:
    return DateFinder()


def _json_ld(document: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(document)}</script>'


def _page(head: str = "", before_headline: str = "", under_headline: str = "", further_down: str = "") -> str:
    return (
        f"<html><head>{head}</head><body>{before_headline}<h1>Harbour reopens</h1>{under_headline}"
        f"<p>The harbour reopened today.</p>{FILLER}{further_down}</body></html>"
    )


def _find(finder: DateFinder, html: str, url: str = PLAIN_URL) -> datetime.datetime | None:
    return finder.find(lxml.html.fromstring(html), url)


# Each kind of evidence alone, on its own day of March 2024, listed in the order it is trusted.
EVIDENCE = {
    "printed, labelled published": {"under_headline": "<p>Published March 1, 2024</p>"},
    "printed byline": {"under_headline": "<p>By Ada Moor · March 2, 2024</p>"},
    "JSON-LD article datePublished": {
        "head": _json_ld({"@type": "NewsArticle", "datePublished": "2024-03-03T10:00:00Z"})
    },
    "meta article:published_time": {"head": '<meta property="article:published_time" content="2024-03-04T10:00:00Z">'},
    "<time itemprop=datePublished>": {
        "under_headline": '<time itemprop="datePublished" datetime="2024-03-05T10:00:00Z"></time>'
    },
    "JSON-LD web page datePublished": {"head": _json_ld({"@type": "WebPage", "datePublished": "2024-03-06T10:00:00Z"})},
    "<time datetime>": {"under_headline": '<time datetime="2024-03-07T10:00:00Z"></time>'},
    "URL": {"url": "https://news.example/2024/03/08/harbour-reopens"},
    "creation date": {"head": '<meta name="dateCreated" content="2024-03-10T10:00:00Z">'},
    "printed further down": {"further_down": "<p>March 11, 2024</p>"},
    "update date": {"head": '<meta property="article:modified_time" content="2024-03-12T10:00:00Z">'},
}
DAYS = dict(zip(EVIDENCE, [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12]))  # 9: htmldate's, below


def _page_with(*names: str) -> tuple[str, str]:
    parts: dict[str, str] = {"head": "", "under_headline": "", "further_down": ""}
    url = PLAIN_URL
    for name in names:
        for place, html in EVIDENCE[name].items():
            if place == "url":
                url = html
            else:
                parts[place] += html
    return _page(**parts), url


@pytest.mark.parametrize("name", EVIDENCE)
def test_each_kind_of_evidence_dates_a_page_alone(finder, name):
    found = _find(finder, *_page_with(name))
    assert found is not None and found.day == DAYS[name]


@pytest.mark.parametrize(("first", "second"), itertools.combinations(EVIDENCE, 2))
def test_of_two_kinds_of_evidence_that_disagree_the_one_trusted_more_wins(finder, first, second):
    found = _find(finder, *_page_with(second, first))
    assert found is not None and found.day == DAYS[first]


def test_htmldate_comes_after_the_url_and_before_a_date_further_down(finder):
    abbr = '<abbr class="published" title="2024-03-09">9 March</abbr>'
    assert _find(finder, _page(before_headline=abbr)).day == 9
    assert _find(finder, _page(before_headline=abbr), EVIDENCE["URL"]["url"]).day == 8
    assert _find(finder, _page(before_headline=abbr, further_down="<p>March 11, 2024</p>")).day == 9


class TestUpdateIsNotThePublication:
    def test_update_labelled_under_the_headline(self, finder):
        head = '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
        found = _find(finder, _page(head, under_headline="<p>Updated March 9, 2024</p>"))
        assert found == datetime.datetime(2024, 3, 5, 10, tzinfo=UTC)

    def test_unlabelled_byline_on_the_markup_update_day(self, finder):
        head = _json_ld(
            {"@type": "NewsArticle", "dateModified": "2024-03-09T08:00:00Z", "datePublished": "2024-03-05T10:00:00Z"}
        )
        found = _find(finder, _page(head, under_headline="<p>March 9, 2024</p>"))
        assert found == datetime.datetime(2024, 3, 5, 10, tzinfo=UTC)

    def test_update_time_on_the_printed_day_is_not_taken_as_the_time_of_publication(self, finder):
        head = '<meta property="article:modified_time" content="2024-03-05T21:31:00Z">'
        found = _find(finder, _page(head, under_headline="<p>Published March 5, 2024</p>"))
        assert found == datetime.datetime(2024, 3, 5, tzinfo=UTC)

    def test_htmldate_taking_the_update_time_leaves_the_evidence_after_it(self, finder):
        # htmldate answers article:modified_time when the page has no publication time
        head = '<meta property="article:modified_time" content="2024-03-09T08:00:00Z">'
        found = _find(finder, _page(head, further_down="<p>March 1, 2024</p>"))
        assert found == datetime.datetime(2024, 3, 1, tzinfo=UTC)


class TestLivePage:
    """A ticker's markup and body are full of its latest entries; the page began earlier."""

    ENTRIES = [f"2024-08-05T{hour:02d}:10:00+01:00" for hour in (19, 18, 17)]

    def _live_page(self) -> str:
        document = {
            "@type": "LiveBlogPosting",
            "liveBlogUpdate": [
                {"@type": "BlogPosting", "datePublished": moment, "dateModified": moment} for moment in self.ENTRIES
            ],
            "datePublished": "2024-08-04T13:23:00+00:00",
            "dateModified": "2024-08-05T18:10:00+00:00",
        }
        head = (
            '<meta property="article:published_time" content="2024-08-05T18:10:00+00:00">'
            '<meta property="article:modified_time" content="2024-08-05T18:10:00+00:00">' + _json_ld(document)
        )
        entries = "".join(
            f'<div class="entry"><time datetime="{moment}"></time><p>Update.</p></div>' for moment in self.ENTRIES
        )
        return _page(head, further_down=entries)

    def test_the_live_blog_own_date_not_its_latest_entry(self, finder):
        assert _find(finder, self._live_page()) == datetime.datetime(2024, 8, 4, 13, 23, tzinfo=UTC)


class TestNumbersThatAreNotTheDate:
    def test_photo_caption_under_the_headline(self, finder):
        caption = "Soldiers at a ceremony in Kundus (6.12.2010), where the mission began years before the vote"
        head = _json_ld({"@type": "NewsArticle", "datePublished": "2024-04-25T19:30:04+02:00"})
        html = _page(head, under_headline=f"<figure><img src='a.jpg'><figcaption>{caption}</figcaption></figure>")
        assert _find(finder, html).date() == datetime.date(2024, 4, 25)

    def test_a_sentence_that_mentions_a_date(self, finder):
        sentence = "A file photograph shows the minister speaking in Shah Alam on November 19, 2024, at a rally."
        head = '<meta property="article:published_time" content="2024-11-22T16:55:35+08:00">'
        assert _find(finder, _page(head, under_headline=f"<p>{sentence}</p>")).date() == datetime.date(2024, 11, 22)

    @pytest.mark.parametrize(
        "html",
        [
            "<h1>The ten best harbours of 2024</h1><p>Text.</p>",
            "<h1>Harbour reopens</h1><p>Order number 20240512 is ready.</p><footer>© 2023 Example Media</footer>",
            "<h1>Harbour reopens</h1><p>Call 2024-555-0101.</p><p>Founded in 2019.</p>",
        ],
    )
    def test_numbers_that_only_look_like_a_year_leave_a_page_undated(self, finder, html):
        assert _find(finder, f"<html><body>{html}</body></html>") is None

    def test_a_number_in_the_url_is_not_a_date(self, finder):
        assert _find(finder, _page(), "https://news.example/story/2024-11-30000218734/harbour") is None


class TestBareDates:
    """A date without a time of day is written as midnight UTC; no zone conversion may move its day."""

    def test_bare_date_keeps_its_day_beside_the_same_moment_in_a_western_zone(self, finder):
        head = _json_ld({"@type": "NewsArticle", "datePublished": "2024-05-03T00:00:00Z"}) + (
            '<meta property="article:published_time" content="2024-05-02T20:00:00-04:00">'
        )
        found = _find(finder, _page(head))
        assert found == datetime.datetime(2024, 5, 3, tzinfo=UTC) and found.date() == datetime.date(2024, 5, 3)

    def test_bare_date_takes_the_time_of_that_day_from_the_markup(self, finder):
        head = '<meta name="date" content="2024-04-22">' + (
            '<meta name="DC.date.issued" content="2024-04-22T06:00:00+02:00">'
        )
        found = _find(finder, _page(head))
        assert found.isoformat() == "2024-04-22T06:00:00+02:00"

    def test_bare_date_through_cleaning_is_the_same_day_in_both_fields(self):
        html = _page(_json_ld({"@type": "NewsArticle", "datePublished": "2024-05-03"}))
        cleaned = Cleaner().clean(html, PLAIN_URL)
        assert cleaned.published_local_date == datetime.date(2024, 5, 3)
        assert cleaned.published_at == datetime.datetime(2024, 5, 3, tzinfo=UTC)

    def test_local_time_mislabelled_as_utc_takes_the_offset_written_beside_it(self, finder):
        head = _json_ld({"@type": "NewsArticle", "datePublished": "2023-04-28T23:11:01Z"}) + (
            '<meta name="date" content="2023-04-28T23:11:01+02:00">'
        )
        assert _find(finder, _page(head)).isoformat() == "2023-04-28T23:11:01+02:00"


class TestFeedDatesKeepTheirZone:
    """What a feed entry's date parses to, for ``clean_articles`` to take the publisher's day from."""

    @pytest.mark.parametrize(
        ("written", "day", "offset_hours"),
        [
            ("Fri, 03 May 2024 23:30:00 +0200", datetime.date(2024, 5, 3), 2),
            ("Fri, 03 May 2024 21:30:00 EDT", datetime.date(2024, 5, 3), -4),
            ("Fri, 03 May 2024 20:30:00 PST", datetime.date(2024, 5, 3), -8),
            ("2024-05-03T23:30:00+02:00", datetime.date(2024, 5, 3), 2),
        ],
    )
    def test_rss_and_atom_dates_keep_the_offset_they_are_written_with(self, written, day, offset_hours):
        moment = parse_local_timestamp(written)
        assert moment.date() == day and moment.utcoffset() == datetime.timedelta(hours=offset_hours)


def test_json_ld_nested_deeper_than_python_recurses_costs_only_its_dates():
    """Hostile markup must not make cleaning raise: the page is cleaned without that script's dates."""
    from transforms.clean.extract import Cleaner

    deep = "[" * 100_000 + "]" * 100_000
    html = (
        f'<html><head><script type="application/ld+json">{deep}</script></head><body><article><h1>Title</h1>'
        + "<p>A paragraph long enough to count as the prose of an article, written for this test.</p>" * 5
        + "</article></body></html>"
    )
    page = Cleaner().clean(html, "https://a.example/news/1")
    assert page.published_at is None and "paragraph long enough" in page.text
