"""Publication dates: which of the dates a page offers is its publication date, in UTC."""

from __future__ import annotations

import datetime
import json

import lxml.html
import pytest

from transforms.clean.dates import (
    DateFinder,
    DateKind,
    PrintedDateParser,
    json_ld_dates,
    load_date_labels,
    load_month_names,
    url_date,
)

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
