"""Cleaner.clean on our own HTML fixtures: article kept, furniture dropped, metadata normalised."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import trafilatura

from transforms.clean.extract import CleanedPage, Cleaner, clean_html

FIXTURES = Path(__file__).parent / "fixtures" / "html"
HARBOUR_URL = "https://ledger.example/news/2024/harbour-flood-barrier?utm_source=feed"

HARBOUR_FURNITURE = [
    "Read more: Fishermen fear",
    "Sign up for our morning newsletter",
    "Related stories",
    "Island ferry changes its winter timetable",
    "Follow us on Twitter",
    "All rights reserved",
    "Harbour council approves new flood barrier",  # the headline is the title field
]


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner()


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def harbour(cleaner) -> CleanedPage:
    return cleaner.clean(_fixture("harbour_article.html"), HARBOUR_URL)


def test_article_paragraphs_are_kept_in_order(harbour):
    paragraphs = harbour.text.split("\n")
    assert paragraphs[0].startswith("The harbour council voted on Tuesday evening")
    assert paragraphs[-1].startswith("The council said it would publish a detailed timetable")
    assert len(paragraphs) == 6
    assert "Local traders welcomed the decision" in harbour.text


@pytest.mark.parametrize("furniture", HARBOUR_FURNITURE)
def test_furniture_that_plain_trafilatura_keeps_is_dropped(harbour, furniture):
    plain = trafilatura.extract(_fixture("harbour_article.html"), url=HARBOUR_URL) or ""
    assert furniture in plain, "the fixture should exercise a rule trafilatura alone does not apply"
    assert furniture not in harbour.text


def test_metadata_of_the_article(harbour):
    assert harbour.title == "Harbour council approves new flood barrier"
    assert harbour.author == "Marta Quillfeather"
    assert harbour.sitename == "The Coastal Ledger"
    assert harbour.canonical_url == "https://ledger.example/news/2024/harbour-flood-barrier"
    assert harbour.language == "en"


def test_publication_date_is_normalised_to_utc(harbour):
    # 23:30 on 5 March in New York is 04:30 on 6 March in UTC
    assert harbour.published_at == datetime.datetime(2024, 3, 6, 4, 30, tzinfo=datetime.timezone.utc)


def test_publication_day_is_also_kept_on_the_publishers_calendar(harbour):
    # the day the Ledger printed, and the one its "yesterday" means the day before of
    assert harbour.published_local_date == datetime.date(2024, 3, 5)


def test_a_page_that_names_no_zone_has_its_utc_day(cleaner):
    page = cleaner.clean(
        "<html><head><meta property='article:published_time' content='2024-03-05T23:30:00Z'></head>"
        f"<body><article><h1>Harbour</h1><p>{'The harbour council met late into the night. ' * 8}</p></article></body></html>"
    )
    assert page.published_local_date == datetime.date(2024, 3, 5) == page.published_at.date()


def test_undeclared_language_is_detected_and_date_read_from_meta(cleaner):
    page = cleaner.clean(_fixture("bergdorf_artikel.html"), None)
    assert page.language == "de"
    assert page.published_at == datetime.datetime(2023, 11, 2, 8, 15, tzinfo=datetime.timezone.utc)
    assert page.canonical_url == "https://lokal.example/verkehr/buslinie-bergdoerfer"
    assert page.text.startswith("Seit Montag fährt eine neue Buslinie")
    assert "Lesen Sie auch" not in page.text


def test_a_page_without_article_text_gives_empty_text(cleaner):
    page = cleaner.clean(_fixture("navigation_only.html"), "https://ledger.example/sitemap")
    assert page.text == ""
    assert page.title == "Site map"


def test_an_article_inside_page_furniture_is_read_in_recall_mode(cleaner):
    # a template that puts the article inside an overlay and a header, which trafilatura's default
    # reading prunes whole
    paragraphs = "".join(
        f"<p>The harbour board met on Tuesday to discuss point {number} of the flood barrier plan, "
        "and members argued for an hour about its cost.</p>"
        for number in range(6)
    )
    html = (
        "<html><head><title>Barrier plan</title></head><body><aside class='popup-overlay'><header>"
        f"<article><h1>Barrier plan</h1><div class='entry-text'>{paragraphs}</div></article>"
        "</header></aside></body></html>"
    )
    assert trafilatura.extract(html) is None
    text = cleaner.clean(html, "https://ledger.example/news/barrier-plan").text
    assert text.count("flood barrier plan") == 6


@pytest.mark.parametrize("html", ["", "   ", "<html></html>", "not html at all \x00"])
def test_unusable_input_gives_an_empty_page_not_an_exception(cleaner, html):
    assert cleaner.clean(html).text == ""


def test_clean_html_uses_the_same_cleaning(harbour):
    assert clean_html(_fixture("harbour_article.html"), HARBOUR_URL) == harbour
