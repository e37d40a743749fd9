"""Cleaner.body_text on article text that plain trafilatura loses or keeps wrongly.

Each page is written here: a body split into parts around an advertisement, subscriber-only
paragraphs hidden in the saved page, a list of points after a lead-in sentence, a fact box.
"""

from __future__ import annotations

import pytest
import trafilatura
from lxml import etree

from transforms.clean import body_repairs as repairs
from transforms.clean.body_repairs import body_repairs, restore_lead_in_lists
from transforms.clean.boilerplate import load_rules
from transforms.clean.extract import Cleaner
from transforms.clean.parse import html_parser, parse_html

PARAGRAPHS = [
    "The council met on Tuesday evening to discuss the harbour plan, which has divided the town for years.",
    "Residents packed the hall, and the debate ran well past the scheduled end of the meeting at ten o'clock.",
    "Engineers told the meeting that the sea wall would need to be raised within the next decade.",
    "The mayor said the plan would be revised before a final vote in the spring, after further consultation.",
    "Fishermen said the new quay would leave too little room for their boats during the winter storms.",
    "A second hearing is set for March, when the port authority will present its own cost estimates.",
]
LATER_PART = [
    "Opponents of the plan have collected more than four thousand signatures in the past month alone.",
    "They want the town to hold a referendum before any money is spent on the new terminal building.",
    "The port authority said a referendum would delay the works by at least two years.",
]


def _page(body: str, title: str = "Harbour plan divides town") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def _paragraphs(texts: list[str], attributes: str = "") -> str:
    return "".join(f"<p{attributes}>{text}</p>" for text in texts)


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner()


def _body_text(cleaner: Cleaner, html: str) -> str:
    return cleaner.body_text(parse_html(html, html_parser()), None, [])


SPLIT_BODY = _page(
    "<main><article><h1>Harbour plan divides town</h1>"
    f'<div class="grid"><div class="article-body body-part">{_paragraphs(PARAGRAPHS)}</div></div>'
    '<div class="grid"><div class="ad-slot">Advertisement</div></div>'
    f'<div class="grid"><div class="article-body body-part">{_paragraphs(LATER_PART)}</div></div>'
    "</article></main>"
)


def test_a_body_split_around_an_advertisement_is_read_whole(cleaner):
    assert LATER_PART[0] not in trafilatura.extract(SPLIT_BODY)  # trafilatura reads the first part only
    text = _body_text(cleaner, SPLIT_BODY)
    assert all(paragraph in text for paragraph in PARAGRAPHS + LATER_PART)
    assert text.index(PARAGRAPHS[-1]) < text.index(LATER_PART[0])


def test_the_page_tree_itself_is_not_changed(cleaner):
    tree = parse_html(SPLIT_BODY, html_parser())
    before = etree.tostring(tree)
    cleaner.body_text(tree, None, [])
    assert etree.tostring(tree) == before


def test_the_repairs_do_nothing_outside_the_cleaner():
    # trafilatura's expression and pruning are wrapped for the whole process, active only in body_repairs
    assert repairs.REPAIRS_INSTALLED
    assert LATER_PART[0] not in trafilatura.extract(SPLIT_BODY)
    with body_repairs(load_rules()):
        assert LATER_PART[0] in trafilatura.extract(SPLIT_BODY)


def test_articles_of_their_own_are_not_joined(cleaner):
    # an endless scroll: the next article has a container of the same class, under its own headline
    html = _page(
        f'<div class="feed"><article><h1>Harbour plan divides town</h1><div class="article-body">{_paragraphs(PARAGRAPHS)}</div></article>'
        f'<article><h1>School reopens after repairs</h1><div class="article-body">{_paragraphs(LATER_PART)}</div></article></div>'
    )
    assert LATER_PART[0] not in _body_text(cleaner, html)


def test_parts_with_more_text_between_them_than_in_them_are_not_joined(cleaner):
    # template blocks of one class scattered among other content are not one body
    between = "".join(f'<div class="card"><h3>Card {n}</h3>{_paragraphs(PARAGRAPHS[:3])}</div>' for n in range(3))
    html = _page(
        f'<main><div class="article-body part">{_paragraphs(PARAGRAPHS)}</div>{between}'
        f'<div class="article-body part"><p>{LATER_PART[0]}</p></div></main>'
    )
    candidates = parse_html(html, html_parser()).xpath("//div[@class='article-body part']")
    assert repairs._split_body(candidates) == []


@pytest.mark.parametrize(
    "paywall",
    [
        '<div class="paywall" style="display:none">{}</div>',
        '<section class="premium-content blurred">{}</section>',
        '<div class="article-paid-content">{}</div>',
        '<div id="premium-part" class="locked hidden">{}</div>',
    ],
)
def test_subscriber_only_paragraphs_in_the_saved_page_are_kept(cleaner, paywall):
    html = _page(
        f"<article><h1>Harbour plan divides town</h1>{_paragraphs(PARAGRAPHS)}"
        f"{paywall.format(_paragraphs(LATER_PART))}</article>"
    )
    assert LATER_PART[0] not in (trafilatura.extract(html) or "")  # pruned as hidden or as boilerplate
    text = _body_text(cleaner, html)
    assert all(paragraph in text for paragraph in PARAGRAPHS + LATER_PART)


def test_paragraphs_marked_one_by_one_are_kept(cleaner):
    marked = _paragraphs(LATER_PART, ' class="paywall hidden"')
    html = _page(f"<article><h1>Harbour plan divides town</h1>{_paragraphs(PARAGRAPHS)}{marked}</article>")
    assert all(paragraph in _body_text(cleaner, html) for paragraph in LATER_PART)


def test_a_hidden_offer_to_subscribe_stays_hidden(cleaner):
    offer = (
        '<div class="paywall-offer hidden"><p>Subscribers read every article on the site and in the app, '
        'for one euro a week.</p><a href="/subscribe">Subscribe now</a></div>'
    )
    html = _page(f"<article><h1>Harbour plan divides town</h1>{_paragraphs(PARAGRAPHS)}{offer}</article>")
    assert "Subscribers read" not in _body_text(cleaner, html)


LEAD_IN = "The revised plan makes three changes to the original proposal:"
POINTS = [
    "The sea wall is raised by half a metre along the whole quay.",
    "The ferry terminal moves to the north pier.",
    "Parking on the waterfront is replaced by a public square.",
]


def _points(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def test_a_list_after_its_lead_in_sentence_is_kept(cleaner):
    # no container that trafilatura knows: it collects paragraphs across the page, and no lists
    html = _page(
        f'<div class="wrapper"><h1>Harbour plan divides town</h1>{_paragraphs(PARAGRAPHS[:2])}'
        f"<p>{LEAD_IN}</p>{_points(POINTS)}{_paragraphs(PARAGRAPHS[2:])}</div>"
    )
    assert POINTS[0] not in trafilatura.extract(html)
    lines = _body_text(cleaner, html).split("\n")
    position = lines.index(LEAD_IN)
    assert lines[position + 1 : position + 4] == [f"- {point}" for point in POINTS]
    assert lines[position + 4] == PARAGRAPHS[2]


def test_a_list_of_links_after_a_lead_in_is_not_put_back():
    page = parse_html(
        _page(
            f"<div>{_paragraphs(PARAGRAPHS[:2])}<p>More from our coverage of the harbour:</p>"
            '<ul><li><a href="/a">Quay wall repairs delayed</a></li><li><a href="/b">Ferry timetable</a></li></ul></div>'
        ),
        html_parser(),
    )
    body = etree.fromstring(f"<body><p>{PARAGRAPHS[0]}</p><p>More from our coverage of the harbour:</p></body>")
    restore_lead_in_lists(body, page)
    assert body.find("list") is None


def test_a_list_already_in_the_text_is_not_repeated():
    page = parse_html(_page(f"<div><p>{LEAD_IN}</p>{_points(POINTS)}</div>"), html_parser())
    items = "".join(f"<item>{point}</item>" for point in POINTS)
    body = etree.fromstring(f"<body><p>{LEAD_IN}</p><list>{items}</list></body>")
    restore_lead_in_lists(body, page)
    assert len(body.findall("list")) == 1


def test_a_fact_box_beside_the_article_is_dropped(cleaner):
    box = (
        '<div class="column factbox"><h3>Fakta: the harbour</h3><ul><li>Built in 1887 by the port company.</li>'
        "<li>Rebuilt after the storm flood of 1953, with a longer breakwater.</li></ul>"
        "<p>The harbour handles about two million tonnes of cargo a year, most of it timber and grain.</p></div>"
    )
    html = _page(
        f"<article><h1>Harbour plan divides town</h1>{_paragraphs(PARAGRAPHS[:3])}{box}"
        f"{_paragraphs(PARAGRAPHS[3:])}</article>"
    )
    assert "Built in 1887" in trafilatura.extract(html)
    text = _body_text(cleaner, html)
    assert "Built in 1887" not in text and "two million tonnes" not in text
    assert all(paragraph in text for paragraph in PARAGRAPHS)


def test_articles_appended_after_the_pages_own_are_left_out():
    html = _page(
        f"<main><article><h1>Harbour plan divides town</h1>{_paragraphs(PARAGRAPHS)}</article>"
        f"<article><h1>School reopens after repairs</h1>{_paragraphs(LATER_PART)}</article></main>"
    )
    tree = parse_html(html, html_parser())
    page = repairs.readable_page(tree)
    assert page is not tree and len(tree.findall(".//article")) == 2  # the page's tree is not changed
    assert [" ".join(article.itertext())[:25] for article in page.iter("article")] == ["Harbour plan divides town"]


def test_a_page_with_one_article_is_read_as_it_is():
    # articles without a headline of their own (teasers, embedded posts) are parts of the page
    html = _page(
        f"<main><article><h1>Harbour plan divides town</h1>{_paragraphs(PARAGRAPHS)}"
        f"<article><h2>Embedded post</h2><p>{LATER_PART[0]}</p></article></article>"
        f"<article><h3>Teaser</h3><p>{LATER_PART[1]}</p></article></main>"
    )
    tree = parse_html(html, html_parser())
    assert repairs.readable_page(tree) is tree


def test_text_written_straight_under_body_is_put_in_paragraphs():
    html = _page(
        f"<h1>The harbour plan</h1>{PARAGRAPHS[0]} <b>{PARAGRAPHS[1]}</b><ul><li>One</li></ul>{PARAGRAPHS[2]} {PARAGRAPHS[3]}"
    )
    tree = parse_html(html, html_parser())
    body = repairs.readable_page(tree).find("body")
    assert [child.tag for child in body] == ["h1", "p", "ul", "p"]
    assert "".join(body[1].itertext()) == f"{PARAGRAPHS[0]} {PARAGRAPHS[1]}"
    assert "".join(body[3].itertext()) == f"{PARAGRAPHS[2]} {PARAGRAPHS[3]}"
    assert tree.find("body/p") is None  # the page's own tree is not changed


def test_a_page_written_straight_under_body_is_read_with_its_list(cleaner):
    # a hand-written page: no containers, no paragraphs, the text and a list straight under <body>
    html = _page(
        "<h1>The harbour plan</h1><h2>Problem</h2>"
        f"{PARAGRAPHS[0]} <b>{PARAGRAPHS[1]}</b> What would the plan change?"
        "<ol><li>The sea wall is raised.</li><li>The ferry terminal moves.</li><li>The quay gets a square.</li></ol>"
        f"{PARAGRAPHS[2]} {PARAGRAPHS[3]}<h2>History</h2>{PARAGRAPHS[4]} <i>{PARAGRAPHS[5]}</i>"
    )
    lines = _body_text(cleaner, html).split("\n")
    assert lines[0] == f"{PARAGRAPHS[0]} {PARAGRAPHS[1]} What would the plan change?"
    assert lines[1:4] == ["- The sea wall is raised.", "- The ferry terminal moves.", "- The quay gets a square."]
    assert f"{PARAGRAPHS[4]} {PARAGRAPHS[5]}" in lines
