"""The cleaner's own parsing and its readability gate give exactly what plain trafilatura gives."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import external, load_html
from trafilatura.settings import Extractor

from sample_corpus import CORPUS_FOLDER
from transforms.clean import extract, readability_gate
from transforms.clean.parse import html_parser, parse_html

FIXTURES = Path(__file__).parent / "fixtures" / "html"
PAGES = sorted((CORPUS_FOLDER / "pages").glob("*.html"))[:12] + sorted(FIXTURES.glob("*.html"))

# One short paragraph inside a page of long link lists: trafilatura's own text is small next to
# the page, so readability must still be asked.
THIN_ARTICLE_PAGE = (
    "<html><body><ul class='nav'>"
    + "".join(f"<li><a href='/s/{n}'>Section {n} headline and teaser for readers to browse</a></li>" for n in range(40))
    + "</ul><article><p>Council meets on Friday to vote on the harbour budget for next year.</p></article>"
    "</body></html>"
)
FULL_ARTICLE_PAGE = (
    "<html><head><title>Harbour vote</title><style>p { color: black; }</style></head><body><article>"
    + "".join(
        f"<p>Paragraph {n}: the harbour council debated the flood barrier budget for another long hour.</p>"
        for n in range(12)
    )
    + "</article><footer>Contact</footer></body></html>"
)


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_parsed_tree_is_the_one_trafilatura_builds(page: Path):
    html = page.read_text(encoding="utf-8")
    ours, theirs = parse_html(html, html_parser()), load_html(html)
    assert etree.tostring(ours) == etree.tostring(theirs)
    assert all(isinstance(element, HtmlElement) for element in ours.iter(etree.Element))


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>Declared encoding</p></body></html>',
        "<html/>\n<body><p>Self-closing html tag</p></body>",
        "plain text, no markup at all",
        "<p>only one fragment</p>",
    ],
)
def test_odd_inputs_are_parsed_or_rejected_as_trafilatura_does(text: str):
    ours, theirs = parse_html(text, html_parser()), load_html(text)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert etree.tostring(ours) == etree.tostring(theirs)


@pytest.fixture()
def readability_calls(monkeypatch) -> list[int]:
    """Counts the times trafilatura's readability really runs."""
    calls: list[int] = []
    gated = external.try_readability
    original = gated.__wrapped__

    def counting(raw_tree):
        calls.append(1)
        return original(raw_tree)

    gated_again = readability_gate._gated_readability(counting)
    monkeypatch.setattr(external, "try_readability", gated_again)
    return calls


def test_gate_is_installed_on_this_trafilatura():
    assert readability_gate.INSTALLED


def test_readability_skipped_when_the_article_is_most_of_the_page(readability_calls):
    extract.Cleaner().clean(FULL_ARTICLE_PAGE)
    assert readability_calls == []


def test_readability_still_asked_when_it_could_find_more(readability_calls):
    extract.Cleaner().clean(THIN_ARTICLE_PAGE)
    assert readability_calls


def test_outside_the_gate_trafilatura_runs_readability_as_usual(readability_calls):
    trafilatura.extract(FULL_ARTICLE_PAGE)
    assert readability_calls


@pytest.mark.parametrize("page", PAGES + [None, None], ids=lambda path: path.name if path else "synthetic")
def test_cleaned_pages_are_the_same_with_and_without_the_gate(page, monkeypatch):
    html = page.read_text(encoding="utf-8") if page else THIN_ARTICLE_PAGE + FULL_ARTICLE_PAGE
    cleaner = extract.Cleaner()
    gated = cleaner.clean(html, "https://news.example/a")
    monkeypatch.setattr(extract, "readability_gate", contextlib.nullcontext)
    monkeypatch.setattr(extract, "parse_html", lambda text, parser: load_html(text))
    assert cleaner.clean(html, "https://news.example/a") == gated


def test_recall_focus_and_odd_extractions_are_never_gated():
    tree = parse_html(FULL_ARTICLE_PAGE, html_parser())
    body = etree.fromstring("<body><p>Some text of the article.</p></body>")
    balanced, recall = Extractor(), Extractor()
    recall.focus = "recall"
    long_text = "x" * 10_000
    assert readability_gate.readability_cannot_win(tree, body, long_text, balanced)
    assert not readability_gate.readability_cannot_win(tree, body, long_text, recall)
    assert not readability_gate.readability_cannot_win(tree, body, "", balanced)
    tables = etree.fromstring("<body><table><tr><td>1</td></tr></table><table/><p>x</p></body>")
    assert not readability_gate.readability_cannot_win(tree, tables, long_text, balanced)


def test_script_and_style_text_do_not_count_as_readable():
    tree = parse_html(FULL_ARTICLE_PAGE, html_parser())
    assert "color" not in "".join(readability_gate._READABLE_TEXT(tree))
    assert readability_gate.readable_length(tree) < len(tree.text_content())
