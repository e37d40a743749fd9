"""Authors: credits cleaned down to names, the outlet dropped for a person, names from every source."""

from __future__ import annotations

import lxml.html
import pytest

from transforms.clean.authors import Credit, choose_authors, load_author_rules, split_credit
from transforms.clean.metadata import read_metadata
from transforms.clean.titles import SiteNames

URL = "https://www.ledger.example/news/2024/storm"


def _author(head: str, body: str = "", url: str | None = URL) -> str | None:
    page = (
        f"<html><head><meta charset='utf-8'>{head}</head><body>{body}<p>The storm closed the harbour.</p></body></html>"
    )
    return read_metadata(lxml.html.fromstring(page), url).author


def _names(credit: str) -> list[str]:
    return split_credit(credit, load_author_rules()).names


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ("Lena Marsh ·", ["Lena Marsh"]),
        ("Lena Marsh • Politics reporter", ["Lena Marsh"]),
        ("By Lena Marsh, Senior Correspondent", ["Lena Marsh"]),
        ("by Lena Marsh Contributing Writer", ["Lena Marsh"]),
        ("Lena Marsh in Kyiv | 5 March 2024", ["Lena Marsh"]),
        ("Lena Marsh Jul 18, 2024 7 min read", ["Lena Marsh"]),
        ("Dylan Bailey, MS, RD, Ph.D.", ["Dylan Bailey"]),
        ("Von Lena Marsh und Tom Reed", ["Lena Marsh", "Tom Reed"]),
        ("Lena Marsh; Tom Reed & Ana Ruiz", ["Lena Marsh", "Tom Reed", "Ana Ruiz"]),
        ("Reviewed by: Lena Marsh", ["Lena Marsh"]),
        ("Von Ursula von der Leyen", ["Ursula von der Leyen"]),
    ],
)
def test_credits_are_cut_down_to_names(credit, expected):
    assert _names(credit) == expected


@pytest.mark.parametrize(
    "credit", ["Last Updated", "Full Bio", "Share on Twitter Facebook", "lena.marsh", "@lenamarsh"]
)
def test_labels_and_handles_are_no_names(credit):
    assert _names(credit) == []


def test_last_first_is_one_person_turned_round():
    assert _names("Marsh, Lena") == ["Lena Marsh"]
    head = '<meta name="citation_author" content="Marsh, Lena"><meta name="citation_author" content="Reed, Tom">'
    assert _author(head) == "Lena Marsh; Tom Reed"


def test_a_desk_is_credited_only_where_no_one_is_named():
    assert split_credit("By the Ledger Sports Desk", load_author_rules()).teams == ["the Ledger Sports Desk"]
    assert _author("", '<p class="byline">By the Harbour Desk</p>', url=None) == "the Harbour Desk"
    assert _author('<meta name="author" content="Harbour Desk">', '<p class="byline">By Lena Marsh</p>') == "Lena Marsh"


def test_json_ld_author_arrays_are_joined_with_semicolons():
    head = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",'
        ' "headline": "Storm", "author": [{"@type": "Person", "name": "Lena Marsh"},'
        ' {"@type": "Person", "name": "Tom Reed"}]}</script>'
    )
    assert _author(head) == "Lena Marsh; Tom Reed"


def test_json_ld_author_references_are_followed():
    head = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "Article", "headline": "Storm", "author": {"@id": "https://ledger.example/#lena"}},'
        '{"@type": "Person", "@id": "https://ledger.example/#lena", "name": "Lena Marsh"}]}</script>'
    )
    assert _author(head) == "Lena Marsh"


def test_the_outlet_gives_way_to_a_person_named_elsewhere():
    head = (
        '<meta property="og:site_name" content="The Coastal Ledger"><meta name="author" content="The Coastal Ledger">'
    )
    assert _author(head, '<span class="byline">By Lena Marsh</span>') == "Lena Marsh"
    assert _author(head) == "The Coastal Ledger"
    # the domain names the outlet too
    assert _author('<meta name="author" content="Ledger.example">', '<a rel="author">Lena Marsh</a>') == "Lena Marsh"


def test_an_agency_the_markup_names_as_author_is_kept():
    head = (
        '<meta property="og:site_name" content="The Coastal Ledger"><meta name="author" content="The Coastal Ledger">'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",'
        ' "headline": "Storm", "author": {"@type": "Organization", "name": "dpa"}}</script>'
    )
    assert _author(head, '<aside class="teaser"><p class="author">By Tom Reed</p></aside>') == "dpa"


def test_names_trafilatura_finds_in_the_markup_are_found():
    assert _author('<meta name="author" content="Lena Marsh">') == "Lena Marsh"
    assert _author('<meta property="article:author" content="https://social.example/lena">') is None
    assert _author("", '<a href="/staff/lena" rel="author">Lena Marsh</a>') == "Lena Marsh"
    assert _author("", '<div class="article-byline">By<a href="/staff/lena">Lena Marsh</a></div>') == "Lena Marsh"


def test_bylines_of_comments_and_teasers_are_not_the_authors():
    body = (
        '<div class="comments"><span class="author">Tom Reed</span></div>'
        '<aside class="related-stories"><p class="byline">By Ana Ruiz</p></aside>'
        '<p class="byline">By Lena Marsh</p>'
    )
    assert _author("", body) == "Lena Marsh"


def test_a_full_name_from_a_later_byline_beats_a_single_word():
    bylines = [[Credit("lm")], [Credit("Lena Marsh")]]
    assert choose_authors(bylines, SiteNames(frozenset()), load_author_rules()) == "Lena Marsh"
    assert choose_authors([[Credit("lm")]], SiteNames(frozenset()), load_author_rules()) == "lm"


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Lena Marsh · Politics", "Lena Marsh"),
        ("Lena Marsh, Springfield", "Lena Marsh"),
        ("Lena Marsh and Tom Reed", "Lena Marsh; Tom Reed"),
        ("Marsh, Lena", "Lena Marsh"),
    ],
)
def test_beside_a_full_name_a_single_word_is_a_section_or_place(byline, expected):
    assert _author(f'<meta name="author" content="{byline}">') == expected


def test_the_outlet_the_markup_credits_beats_a_sign_off():
    head = (
        '<meta property="og:site_name" content="The Coastal Ledger">'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",'
        ' "headline": "Storm", "author": {"@type": "Organization", "name": "The Coastal Ledger"}}</script>'
    )
    assert _author(head, '<span class="byline">amw</span>') == "The Coastal Ledger"
    assert _author(head, '<span class="byline">von APA</span>') == "The Coastal Ledger"
    # a first name is a person, not a sign-off
    assert _author(head, '<span class="byline">By Tom</span>') == "Tom"


@pytest.mark.parametrize("credit", ["(Image: Getty Images/iStockphoto)", "Photo: Lena Marsh", "Foto: dpa"])
def test_picture_credits_name_no_author(credit):
    assert _names(credit) == []


def test_a_picture_credit_among_the_authors_is_left_out():
    head = '<meta name="author" content="Lena Marsh"><meta name="author" content="(Image: Getty Images)">'
    assert _author(head) == "Lena Marsh"


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ("Reporting by Lena Marsh and Tom Reed; Editing by Ana Ruiz", ["Lena Marsh", "Tom Reed"]),
        ("Von Lena Marsh; Fotos von Ana Ruiz", ["Lena Marsh"]),
        ("Edited by Ana Ruiz", []),
        ("Analysis by Lena Marsh, Ledger Editor-at-large", ["Lena Marsh"]),
    ],
)
def test_other_hands_in_the_article_are_not_its_authors(credit, expected):
    assert _names(credit) == expected


def test_an_agency_credited_with_the_writer_gives_way_to_the_writer():
    assert _names("Lena Marsh, with Reuters") == ["Lena Marsh", "Reuters"]
    assert _names("Lena Marsh with Tom Reed") == ["Lena Marsh", "Tom Reed"]
    assert _names("With files from The Canadian Wire") == ["The Canadian Wire"]
    assert _author('<meta name="author" content="Lena Marsh with Reuters">') == "Lena Marsh"


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ("Lena Marsh (AP)", ["Lena Marsh"]),
        ("(AP)", ["AP"]),
        ("Lena Marsh (Ledger)", ["Lena Marsh (Ledger)"]),
        ("Lena Marsh lena.marsh@ledger.example", ["Lena Marsh"]),
        ("By Lena Marsh, mailto:lena@ledger.example", ["Lena Marsh"]),
        ("By LENA MARSH and TOM REED Associated Press", ["LENA MARSH", "TOM REED"]),
    ],
)
def test_agency_codes_addresses_and_outlets_beside_a_name_go(credit, expected):
    assert _names(credit) == expected


def test_the_outlet_as_author_loses_its_byline_word():
    head = '<meta property="og:site_name" content="The Coastal Ledger"><meta name="author" content="By The Coastal Ledger">'
    assert _author(head) == "The Coastal Ledger"
