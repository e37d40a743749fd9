"""Titles: the site's name taken off the headline, the visible headline preferred to a search variant."""

from __future__ import annotations

import lxml.html
import pytest

from transforms.clean.metadata import read_metadata
from transforms.clean.titles import SiteNames, load_title_rules, strip_site, title_key

URL = "https://www.ledger.example/news/2024/storm"


def _title(head: str, body: str = "", url: str | None = URL) -> str | None:
    page = (
        f"<html><head><meta charset='utf-8'>{head}</head><body>{body}<p>The storm closed the harbour.</p></body></html>"
    )
    return read_metadata(lxml.html.fromstring(page), url).title


def _site(*names: str, url: str | None = URL) -> SiteNames:
    return SiteNames.of(names, url, load_title_rules())


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Storm closes harbour | The Coastal Ledger", "Storm closes harbour"),
        ("The Coastal Ledger - Storm closes harbour", "Storm closes harbour"),
        ("Storm closes harbour :: The Coastal Ledger", "Storm closes harbour"),
        ("Storm closes harbour … – The Coastal Ledger", "Storm closes harbour …"),
        ("Storm closes harbour | Ledger.example", "Storm closes harbour"),
        ("Storm closes harbour | Europe | The Coastal Ledger | 28.04.2024", "Storm closes harbour"),
    ],
)
def test_the_site_name_goes_as_a_prefix_or_suffix(title, expected):
    assert strip_site(title, _site("The Coastal Ledger"), load_title_rules()) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Storm closes harbour | World news | The Coastal Ledger", "Storm closes harbour"),
        ("The Coastal Ledger » Politics » Storm closes harbour", "Storm closes harbour"),
        # a dash also joins two clauses of a headline; a part with figures is no section
        ("Storm closes harbour - ferries stop - The Coastal Ledger", "Storm closes harbour - ferries stop"),
        ("Storm closes harbour | Part 2 | The Coastal Ledger", "Storm closes harbour | Part 2"),
        # without the site's name at that end, nothing says the part is a section
        ("Storm closes harbour | Europe", "Storm closes harbour | Europe"),
    ],
)
def test_a_section_between_the_headline_and_the_site_name_goes_with_it(title, expected):
    assert strip_site(title, _site("The Coastal Ledger"), load_title_rules()) == expected


def test_a_piece_of_the_host_name_or_the_initials_of_the_site_name_the_site():
    host = _site(url="https://www.getledgerhr.example/blog/storm")
    assert strip_site("Storm closes harbour | LedgerHR", host, load_title_rules()) == "Storm closes harbour"
    assert strip_site("Storm closes harbour | Harbour", host, load_title_rules()) == "Storm closes harbour | Harbour"
    initials = _site("Coastal Ledger Archive")
    assert strip_site("Storm closes harbour | CLA", initials, load_title_rules()) == "Storm closes harbour"
    assert strip_site("Storm closes harbour | CLX", initials, load_title_rules()) == "Storm closes harbour | CLX"


@pytest.mark.parametrize(
    ("title", "site_name", "expected"),
    [
        ("嵐で港が閉鎖｜港新報", "港新報", "嵐で港が閉鎖"),
        ("嵐で港が閉鎖：港新報デジタル", "港新報デジタル", "嵐で港が閉鎖"),
        ("【港新報】嵐で港が閉鎖", "港新報", "嵐で港が閉鎖"),
        ("폭풍으로 항구 폐쇄 | 항구일보", "항구일보", "폭풍으로 항구 폐쇄"),
        ("폭풍으로 항구 폐쇄-사회ㅣ항구일보", "항구일보", "폭풍으로 항구 폐쇄-사회"),
    ],
)
def test_full_width_separators_and_brackets_of_cjk_titles(title, site_name, expected):
    assert strip_site(title, _site(site_name), load_title_rules()) == expected


def test_the_domain_names_the_site_when_the_page_declares_no_name():
    site = _site(url="https://www.tageblatt.example/a")
    title = "Harbour closes after the storm of the century – Die Neue Südtiroler Tageblatt"
    assert strip_site(title, site, load_title_rules()) == "Harbour closes after the storm of the century"
    assert strip_site("Harbour closes | tageblatt.example", site, load_title_rules()) == "Harbour closes"


@pytest.mark.parametrize(
    "title",
    [
        "Storm: Harbour closes - and reopens a day later",  # separators inside a headline
        "Ledger of Sins: a novel of the harbour | Books",  # the site's name within a headline's words
        "Coastal Ledger's 2024 review - the year of storms",  # a headline that begins with the site
        "10-year-old rescued from harbour",
    ],
)
def test_titles_that_contain_separators_keep_them(title):
    assert strip_site(title, _site("Coastal Ledger"), load_title_rules()) == title


def test_a_kicker_before_a_colon_stays_unless_it_is_exactly_the_site():
    site = _site("Ledger")
    assert strip_site("Ledger Sports: Storm closes harbour", site, load_title_rules()) == (
        "Ledger Sports: Storm closes harbour"
    )
    assert strip_site("Ledger: Storm closes harbour", site, load_title_rules()) == "Storm closes harbour"


def test_title_keys_ignore_quotes_dashes_case_and_spacing():
    assert title_key("Mayor’s ‘plan’ – a  Storm") == title_key("mayor's 'plan' - a storm")


def test_the_visible_headline_wins_over_a_search_variant_it_matches():
    head = (
        "<title>Storm closes harbour | The Ledger</title>"
        '<meta property="og:title" content="Harbour shut: what we know">'
        '<meta property="og:site_name" content="The Ledger">'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",'
        ' "headline": "Storm closes harbour"}</script>'
    )
    assert _title(head, "<h1>Storm closes harbour</h1>") == "Storm closes harbour"


def test_the_printed_headline_wins_where_the_h1_is_a_search_engines():
    head = '<meta property="og:title" content="Harbour shut as storm hits"><title>Storm closes the harbour</title>'
    body = (
        '<nav><h1 class="breadcrumb-seo-title">Storm closes the harbour</h1></nav>'
        '<header><span class="kicker">Weather</span><span class="headline">Harbour shut as storm hits</span></header>'
    )
    assert _title(head, body) == "Harbour shut as storm hits"


def test_the_visible_headline_keeps_its_typography():
    head = "<title>Mayor's 'plan' for the harbour - The Ledger</title>"
    assert _title(head, "<h1>Mayor’s ‘plan’ for the harbour</h1>") == "Mayor’s ‘plan’ for the harbour"


def test_a_logo_in_the_h1_is_not_the_headline():
    head = "<title>Storm closes harbour | Coastal Ledger</title>"
    url = "https://coastal-ledger.example/storm"
    assert _title(head, "<h1>Coastal Ledger</h1>", url) == "Storm closes harbour"


def test_the_site_name_is_taken_off_the_h1_as_well():
    head = '<meta property="og:title" content="Storm closes harbour – The Ledger">'
    assert _title(head, "<h1>Storm closes harbour – The Ledger</h1>") == "Storm closes harbour"


def test_a_meta_title_cut_short_does_not_replace_the_headline():
    head = "<title>Storm closes harbour after a night of hi | The Ledger</title>"
    body = (
        "<h1>Storm closes harbour after a night of high winds</h1>"
        '<ol class="breadcrumb"><li>Storm closes harbour after a night of hi</li></ol>'
    )
    assert _title(head, body) == "Storm closes harbour after a night of high winds"


def test_the_form_most_sources_agree_on_without_a_heading():
    head = (
        '<meta property="og:title" content="Storm closes harbour - The Ledger">'
        '<meta name="twitter:title" content="Storm closes harbour">'
        "<title>Storm closes harbour | Ledger Online</title>"
    )
    assert _title(head) == "Storm closes harbour"


def test_a_headline_meta_shows_where_an_unparted_rest_names_the_site():
    head = (
        '<meta property="og:site_name" content="항구일보">'
        '<meta property="og:title" content="폭풍으로 항구 폐쇄-사회ㅣ항구일보">'
        '<meta name="headline" content="폭풍으로 항구 폐쇄">'
    )
    assert _title(head) == "폭풍으로 항구 폐쇄"


@pytest.mark.parametrize("title", ["Bayern vs Real - 2:1", "Election night - 10:12", "Top 10 - 3"])
def test_scores_times_and_counts_are_no_dates_to_take_off(title):
    assert strip_site(title, _site("The Coastal Ledger"), load_title_rules()) == title
