"""Publication dates: which of the dates a page offers is its publication date, in UTC."""

from __future__ import annotations

import datetime
import json

import lxml.html
import pytest

from schemas.pages import FetchedPage
from transforms.clean.clean_articles import build_article
from transforms.clean.dates import (
    DateFinder,
    DateKind,
    Evidence,
    HeadlineText,
    PrintedDateParser,
    json_ld_dates,
    load_date_labels,
    load_month_names,
    text_after_headline,
    url_date,
)
from transforms.clean.extract import CleanedPage

UTC = datetime.timezone.utc


@pytest.fixture(scope="module")
def finder() -> DateFinder:
    return DateFinder()


@pytest.fixture(scope="module")
def parser() -> PrintedDateParser:
    return PrintedDateParser(load_month_names(), load_date_labels())


def _page(
    head: str = "", body: str = "<h1>Harbour reopens</h1><p>The harbour reopened today.</p>"
) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def _json_ld(document: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(document)}</script>'


def test_json_ld_published_wins_over_modified_listed_first(finder):
    head = _json_ld(
        {"@type": "NewsArticle", "dateModified": "2024-03-09T08:00:00Z", "datePublished": "2024-03-05T10:00:00Z"}
    )
    assert finder.find(_page(head)) == datetime.datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


def test_json_ld_article_date_comes_before_the_page_around_it():
    document = {
        "@graph": [
            {"@type": "WebPage", "datePublished": "2019-01-01T00:00:00Z"},
            {"@type": "BlogPosting", "datePublished": "2024-03-05T10:00:00Z"},
        ]
    }
    first = json_ld_dates(document)[0]
    assert (first.kind, first.moment.date()) == (DateKind.PUBLISHED, datetime.date(2024, 3, 5))


@pytest.mark.parametrize(
    "meta",
    [
        '<meta name="parsely-pub-date" content="2024-03-05T10:00:00Z">',
        '<meta name="DC.date.issued" content="2024-03-05T10:00:00Z">',
        '<meta name="sailthru.date" content="2024-03-05 10:00:00">',
        '<meta itemprop="datePublished" content="2024-03-05T10:00:00Z">',
    ],
)
def test_publication_meta_tags(finder, meta):
    assert finder.find(_page(meta)) == datetime.datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


def test_modified_meta_tag_does_not_beat_published_one(finder):
    head = (
        '<meta property="article:modified_time" content="2024-03-09T08:00:00Z">'
        '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
    )
    assert finder.find(_page(head)) == datetime.datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


def test_update_date_is_used_only_when_nothing_else_dates_the_page(finder):
    head = '<meta property="article:modified_time" content="2024-03-09T08:00:00Z">'
    assert finder.find(_page(head)) == datetime.datetime(2024, 3, 9, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Published 5 March 2024 · Updated March 9, 2024", [DateKind.PUBLISHED, DateKind.MODIFIED]),
        ("Veröffentlicht am 5. März 2024, aktualisiert am 9. März 2024", [DateKind.PUBLISHED, DateKind.MODIFIED]),
        ("Publié le 5 mars 2024 | Mis à jour le 9 mars 2024", [DateKind.PUBLISHED, DateKind.MODIFIED]),
        ("Actualizado el 9 de marzo de 2024", [DateKind.MODIFIED]),
        ("By Ada Moor, March 5, 2024", [None]),
    ],
)
def test_printed_dates_keep_what_their_label_says(parser, text, kinds):
    assert [date.kind for date in parser.dates(text)] == kinds


def test_byline_publication_date_wins_over_markup(finder):
    body = "<h1>Harbour reopens</h1><p>Published March 4, 2024</p><p>The harbour reopened.</p>"
    head = '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
    assert finder.find(_page(head, body)) == datetime.datetime(2024, 3, 4, tzinfo=UTC)


def test_printed_update_date_leaves_the_markup_publication_date(finder):
    body = "<h1>Harbour reopens</h1><p>Last updated: March 9, 2024</p><p>The harbour reopened.</p>"
    head = '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
    assert finder.find(_page(head, body)) == datetime.datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


def test_unlabelled_byline_on_the_markup_update_day_is_that_update(finder):
    body = "<h1>Harbour reopens</h1><p>By Ada Moor · March 9, 2024</p><p>The harbour reopened.</p>"
    head = (
        '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
        '<meta property="article:modified_time" content="2024-03-09T08:00:00Z">'
    )
    assert finder.find(_page(head, body)) == datetime.datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


def test_printed_day_takes_the_markup_time_of_that_day(finder):
    body = "<h1>Harbour reopens</h1><p>By Ada Moor · March 5, 2024</p><p>The harbour reopened.</p>"
    head = _json_ld({"@type": "NewsArticle", "datePublished": "2024-03-05T21:30:00-05:00"})
    # the publisher's evening of March 5 is March 6 in UTC: the day is compared in the publisher's zone
    assert finder.find(_page(head, body)) == datetime.datetime(2024, 3, 6, 2, 30, tzinfo=UTC)


def test_date_far_below_the_headline_does_not_beat_the_markup(finder):
    filler = "<p>" + "The harbour reopened after the storm. " * 10 + "</p>"
    body = f"<h1>Harbour reopens</h1>{filler}<p>Related: Storm warning, January 2, 2024</p>"
    head = '<meta name="pubdate" content="2024-03-05T10:00:00Z">'
    assert finder.find(_page(head, body)) == datetime.datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


def test_markup_offset_is_normalised_to_utc(finder):
    head = '<meta property="article:published_time" content="2024-03-05T23:30:00-05:00">'
    assert finder.find(_page(head)) == datetime.datetime(2024, 3, 6, 4, 30, tzinfo=UTC)


def test_url_date_is_a_fallback(finder):
    assert finder.find(_page(), "https://news.example/2024/03/05/harbour-reopens") == datetime.datetime(
        2024, 3, 5, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/2024/03/05/harbour", datetime.date(2024, 3, 5)),
        ("https://news.example/archive/2024-3-5-harbour", datetime.date(2024, 3, 5)),
        ("https://news.example/2024/13/45/harbour", None),
        ("https://news.example/items/20240305", None),
        (None, None),
    ],
)
def test_dates_in_url_paths(url, expected):
    found = url_date(url)
    assert (found.date() if found else None) == expected


@pytest.mark.parametrize(
    "content",
    ["2999-01-01T00:00:00Z", "1990-06-01T00:00:00Z"],
)
def test_implausible_markup_dates_are_skipped_for_the_next_source(finder, content):
    head = (
        f'<meta property="article:published_time" content="{content}"><meta name="date" content="2024-03-05T10:00:00Z">'
    )
    assert finder.find(_page(head)) == datetime.datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Posted 2/24/2026", [datetime.date(2026, 2, 24)]),
        ("Posted 24/2/2026", [datetime.date(2026, 2, 24)]),
        # the second date shows the order of the first
        ("8/1/2025 · updated 8/27/2025", [datetime.date(2025, 8, 1), datetime.date(2025, 8, 27)]),
        # nothing shows whether 3 is the month or the day
        ("Posted 03/10/2023", []),
    ],
)
def test_slashed_dates_only_in_an_order_the_text_shows(parser, text, expected):
    assert [date.moment.date() for date in parser.dates(text)] == expected


def test_json_ld_article_date_comes_before_the_meta_tags(finder):
    # the meta tag gives the print edition's day; the article's JSON-LD the evening it went online
    head = '<meta name="date" content="2024-04-26">' + _json_ld(
        {"@type": "NewsArticle", "datePublished": "2024-04-25T19:30:04+02:00"}
    )
    found = finder.find(_page(head))
    assert found == datetime.datetime(2024, 4, 25, 19, 30, 4, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))


def test_markup_dates_are_listed_in_the_order_they_are_trusted(finder):
    head = (
        '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
        + _json_ld({"@graph": [{"@type": "WebPage", "datePublished": "2024-03-01T09:00:00Z"}]})
        + _json_ld({"@type": "NewsArticle", "datePublished": "2024-03-05T10:00:00Z"})
    )
    body = (
        '<h1>Harbour reopens</h1><time datetime="2024-03-07T08:00:00Z">Thursday</time>'
        '<time itemprop="datePublished" datetime="2024-03-05T10:00:00Z">Tuesday</time>'
    )
    found = [date.evidence for date in finder.markup_dates(_page(head, body))]
    assert found == [
        Evidence.JSON_LD_ARTICLE,
        Evidence.META,
        Evidence.TIME_ITEMPROP,
        Evidence.JSON_LD_PAGE,
        Evidence.TIME,
    ]


def test_meta_tag_with_a_day_written_for_readers(finder):
    assert finder.find(_page('<meta name="published" content="July 17, 2025">')) == datetime.datetime(
        2025, 7, 17, tzinfo=UTC
    )


def test_url_date_comes_before_htmldate_and_takes_the_markup_time_of_that_day(finder):
    head = '<meta name="dateCreated" content="2024-03-05T10:15:00-05:00">'
    found = finder.find(_page(head), "https://news.example/2024/03/05/harbour-reopens")
    assert found == datetime.datetime(2024, 3, 5, 15, 15, tzinfo=UTC)


def test_printed_day_takes_the_published_time_not_the_created_or_updated_one(finder):
    body = "<h1>Harbour reopens</h1><p>By Ada Moor · March 5, 2024</p><p>The harbour reopened.</p>"
    head = _json_ld(
        {
            "@type": "NewsArticle",
            "dateCreated": "2024-03-05T07:02:00Z",
            "dateModified": "2024-03-05T06:00:00Z",
            "datePublished": "2024-03-05T07:55:00Z",
        }
    )
    assert finder.find(_page(head, body)) == datetime.datetime(2024, 3, 5, 7, 55, tzinfo=UTC)


def test_dates_in_long_runs_of_text_under_the_headline_are_not_bylines(finder):
    caption = "Fire is seen on a plane after it takes off from the airport on April 24, 2023, in this picture."
    body = f"<h1>Plane lands safely</h1><p>{caption}</p><p>By Ada Moor</p><p>The plane landed.</p>"
    assert [date.moment.date() for date in finder.printed_dates(_page(body=body))] == []


def test_a_byline_padded_with_whitespace_is_still_short():
    tree = _page(body="<h1>Harbour reopens</h1><p>Nov 18, 2019          at            9:24 pm ET • 2 min read</p>")
    assert text_after_headline(tree) == HeadlineText("Nov 18, 2019 at 9:24 pm ET • 2 min read", [])


def _fetched(entry_published: datetime.datetime) -> FetchedPage:
    return FetchedPage(
        url="https://news.example/harbour",
        final_url="https://news.example/harbour",
        html="",
        fetched_at=datetime.datetime(2024, 5, 4, 6, tzinfo=UTC),
        feed_url="https://news.example/feed.xml",
        entry_published=entry_published,
    )


def test_feed_date_keeps_the_feeds_own_day():
    cleaned = CleanedPage(None, None, None, "en", "The harbour reopened after the storm.", None, None)
    # "Sat, 04 May 2024 00:30:00 +0200": the publisher's 4 May, still 3 May in UTC
    after_midnight = datetime.datetime(2024, 5, 4, 0, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    article = build_article(_fetched(after_midnight), cleaned)
    assert article.published_local_date == datetime.date(2024, 5, 4)
    assert article.published_at == datetime.datetime(2024, 5, 3, 22, 30, tzinfo=UTC)
    assert article.published_at.tzinfo is UTC


def test_feed_date_without_a_zone_is_taken_as_utc():
    cleaned = CleanedPage(None, None, None, "en", "The harbour reopened after the storm.", None, None)
    article = build_article(_fetched(datetime.datetime(2024, 5, 3, 23, 30)), cleaned)
    assert article.published_local_date == datetime.date(2024, 5, 3)
    assert article.published_at == datetime.datetime(2024, 5, 3, 23, 30, tzinfo=UTC)
