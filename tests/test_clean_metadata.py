"""Page metadata for cleaning: dates in UTC, language codes, canonical URL, byline."""

from __future__ import annotations

import datetime

import lxml.html
import pytest

from transforms.clean.dates import DateFinder, PrintedDateParser, load_month_names, parse_local_timestamp, to_utc
from transforms.clean.language import LanguageDetector, declared_language, normalise_language_tag
from transforms.clean.metadata import byline_author, canonical_url, headlines, read_metadata

UTC = datetime.timezone.utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05T23:30:00-05:00", datetime.datetime(2024, 3, 6, 4, 30, tzinfo=UTC)),
        ("2024-03-05T10:00:00+0200", datetime.datetime(2024, 3, 5, 8, 0, tzinfo=UTC)),
        ("2024-03-05T10:00:00Z", datetime.datetime(2024, 3, 5, 10, 0, tzinfo=UTC)),
        ("2024-03-05 10:00:00", datetime.datetime(2024, 3, 5, 10, 0, tzinfo=UTC)),
        ("2024-03-05", datetime.datetime(2024, 3, 5, tzinfo=UTC)),
        ("20240305T1030", datetime.datetime(2024, 3, 5, 10, 30, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 10:00:00 GMT", datetime.datetime(2024, 3, 5, 10, 0, tzinfo=UTC)),
    ],
)
def test_timestamps_are_parsed_to_utc(value, expected):
    parsed = to_utc(parse_local_timestamp(value))
    assert parsed == expected
    assert parsed.utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize("value", ["", "yesterday", "2024-13-45", "no date here"])
def test_non_timestamps_give_none(value):
    assert parse_local_timestamp(value) is None


def _tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html)


def test_date_from_markup_keeps_its_offset_and_converts_to_utc():
    tree = _tree(
        '<html><head><meta property="article:published_time" content="2022-06-30T22:00:00-04:00"></head>'
        "<body><p>Text.</p></body></html>"
    )
    found = DateFinder().find(tree)
    assert found.date() == datetime.date(2022, 6, 30) and found.utcoffset() == datetime.timedelta(hours=-4)
    assert to_utc(found) == datetime.datetime(2022, 7, 1, 2, 0, tzinfo=UTC)


def test_future_dates_are_not_publication_dates():
    tree = _tree(
        '<html><head><meta property="article:published_time" content="2999-01-01T00:00:00Z"></head>'
        "<body><p>Text.</p></body></html>"
    )
    assert DateFinder().find(tree) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By Ada Moor | March 5, 2024 | 4 min read", datetime.date(2024, 3, 5)),
        ("Published Sept. 30th, 2023 at 9:00", datetime.date(2023, 9, 30)),
        ("Von Ada Moor, 5. März 2024", datetime.date(2024, 3, 5)),
        ("Publicado el 7 de octubre de 2022", datetime.date(2022, 10, 7)),
        ("Mis à jour le 1er février 2021", datetime.date(2021, 2, 1)),
        ("Posted 2020-11-03 by the desk", datetime.date(2020, 11, 3)),
        ("Stand: 04.06.2019", datetime.date(2019, 6, 4)),
        # the first date printed wins, whatever its format
        ("2021-01-02 (updated March 9, 2022)", datetime.date(2021, 1, 2)),
    ],
)
def test_printed_dates_in_several_languages(text, expected):
    first = PrintedDateParser(load_month_names()).dates(text)[0]
    assert first.moment == datetime.datetime.combine(expected, datetime.time(0), tzinfo=UTC)


@pytest.mark.parametrize("text", ["no date here", "February 30, 2024", "in 2024 the 5 March plan", "31.02.2020"])
def test_text_without_a_valid_printed_date(text):
    assert PrintedDateParser(load_month_names()).dates(text) == []


def test_date_printed_under_the_headline_when_markup_has_none():
    tree = _tree(
        "<html><body><p>Menu: April 1, 2001</p><h1>Storm closes harbour</h1>"
        "<p class='meta'>By Ada Moor · 12 January 2024</p><p>The storm closed the harbour.</p></body></html>"
    )
    assert DateFinder().find(tree) == datetime.datetime(2024, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tag", "expected"), [("en", "en"), ("en-US", "en"), ("pt_BR", "pt"), ("DE", "de"), ("", None), ("english", None)]
)
def test_language_tags_are_normalised_to_iso_639_1(tag, expected):
    assert normalise_language_tag(tag) == expected


def test_declared_language_comes_from_html_lang_or_meta():
    assert declared_language(_tree('<html lang="fr-CA"><body><p>x</p></body></html>')) == "fr"
    assert (
        declared_language(_tree('<html><head><meta property="og:locale" content="es_ES"></head><body></body></html>'))
        == "es"
    )
    assert declared_language(_tree("<html><body><p>x</p></body></html>")) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The minister said on Monday that the new railway line would open before the end of the year.", "en"),
        ("Der Minister sagte am Montag, die neue Bahnstrecke werde noch vor Ende des Jahres eröffnet.", "de"),
        ("Le ministre a déclaré lundi que la nouvelle ligne ferroviaire ouvrirait avant la fin de l'année.", "fr"),
        ("El ministro dijo el lunes que la nueva línea de tren abrirá antes de que termine el año.", "es"),
    ],
)
def test_language_is_detected_from_text(text, expected):
    assert LanguageDetector().detect(text) == expected


def test_too_little_text_has_no_language():
    assert LanguageDetector().detect("OK") is None


def test_canonical_url_is_made_absolute_and_falls_back_to_og_url():
    relative = _tree('<html><head><link rel="canonical" href="/a/story"></head><body></body></html>')
    assert canonical_url(relative, "https://news.example/a/story?utm_source=x") == "https://news.example/a/story"
    og_only = _tree('<html><head><meta property="og:url" content="https://news.example/b"></head><body></body></html>')
    assert canonical_url(og_only, None) == "https://news.example/b"
    assert canonical_url(_tree("<html><body></body></html>"), "https://news.example/c") is None


def test_byline_is_read_when_markup_names_no_author():
    tree = _tree('<html><body><p class="byline">By Ada Moor</p><p>Text of the story.</p></body></html>')
    assert byline_author(tree) == "Ada Moor"
    assert read_metadata(tree, None).author == "Ada Moor"


def test_headlines_gather_every_form_of_the_title():
    tree = _tree(
        "<html><head><title>Storm closes harbour | Ledger</title>"
        '<meta property="og:title" content="Storm closes harbour"></head>'
        "<body><h1>Storm closes the harbour</h1></body></html>"
    )
    found = headlines(tree, read_metadata(tree, None))
    assert {"Storm closes harbour | Ledger", "Storm closes harbour", "Storm closes the harbour"} <= set(found)
