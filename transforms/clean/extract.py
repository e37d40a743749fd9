"""From a page's HTML to its article: text without boilerplate, plus title, author, date, language.

``Cleaner`` is what the pipeline's clean stage and ``newsbeam clean`` call. It parses each page once
and hands the same tree to trafilatura (body text) and to the metadata, date and language readers.
"""

from __future__ import annotations

import datetime
from copy import copy
from typing import NamedTuple

from lxml.etree import strip_tags
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt

from transforms.clean.body_repairs import body_repairs, readable_page, restore_lead_in_lists
from transforms.clean.boilerplate import load_rules, prune_link_blocks, remove_boilerplate_lines
from transforms.clean.dates import DateFinder, to_utc
from transforms.clean.language import LanguageDetector, declared_language
from transforms.clean.metadata import headlines, read_metadata
from transforms.clean.parse import html_parser, parse_html
from transforms.clean.readability_gate import readability_gate


class CleanedPage(NamedTuple):
    """An article as cleaning leaves it; ``text`` is ``""`` when the page has no article text.

    ``published_at`` is in UTC; ``published_local_date`` is the same moment's day in the zone the page
    gives (the day printed on the page; the UTC day when the page names no zone).
    """

    title: str | None
    author: str | None
    published_at: datetime.datetime | None
    language: str | None
    text: str
    canonical_url: str | None
    sitename: str | None
    published_local_date: datetime.date | None = None


EMPTY_PAGE = CleanedPage(None, None, None, None, "", None, None)
# Text without a single line this long is a menu or a list of links, not an article; characters
# rather than words so that languages written without spaces are measured alike.
MIN_PROSE_LINE_CHARS = 40


def has_prose(text: str) -> bool:
    """Whether any line of the text is long enough to be a sentence of an article."""
    return any(len(line.strip()) >= MIN_PROSE_LINE_CHARS for line in text.split("\n"))


class Cleaner:
    """Extracts articles; everything costly to build (options, models) is built once, here."""

    def __init__(self) -> None:
        # comments are reader chatter, not the article; links show which blocks are teasers;
        # "txt" leaves the body tree unrendered (it is rendered here, after pruning)
        self._extractor = Extractor(output_format="txt", comments=False, tables=True, links=True)
        # for pages where the default finds no article: trafilatura's recall mode reads wider containers
        self._recall_extractor = Extractor(output_format="txt", comments=False, tables=True, links=True, recall=True)
        self._rules = load_rules()
        self._dates = DateFinder()
        self._languages = LanguageDetector()
        self._parser = html_parser()

    def body_text(self, tree: HtmlElement, url: str | None, page_headlines: list[str]) -> str:
        """The article text of a parsed page without boilerplate, one paragraph per line.

        When trafilatura's default reading leaves no line of prose (templates that put the article
        inside an overlay or a header, which it prunes whole), the page is read again in its recall mode.
        """
        text = self._extracted_text(tree, url, page_headlines, self._extractor)
        if not has_prose(text):
            text = self._extracted_text(tree, url, page_headlines, self._recall_extractor)
        return text if has_prose(text) else ""

    def _extracted_text(self, tree: HtmlElement, url: str | None, page_headlines: list[str], extractor: Extractor) -> str:
        options = copy(extractor)
        options.url = url
        page = readable_page(tree)
        with readability_gate(), body_repairs(self._rules):
            document = bare_extraction(page, options=options)
        if document is None or document.body is None:
            return ""
        prune_link_blocks(document.body)
        strip_tags(document.body, "ref")
        restore_lead_in_lists(document.body, page)
        return remove_boilerplate_lines(xmltotxt(document.body, False), self._rules, page_headlines)

    def clean(self, html: str, url: str | None = None) -> CleanedPage:
        """Clean one page; never raises on bad HTML, returns an empty page instead."""
        tree = parse_html(html, self._parser) if html and html.strip() else None
        if tree is None:
            return EMPTY_PAGE
        metadata = read_metadata(tree, url)
        text = self.body_text(tree, url, headlines(tree, metadata))
        language = self._languages.article_language(declared_language(tree), text)
        published = self._dates.find(tree, metadata.canonical_url or url)
        return CleanedPage(
            title=metadata.title,
            author=metadata.author,
            published_at=to_utc(published) if published else None,
            language=language,
            text=text,
            canonical_url=metadata.canonical_url,
            sitename=metadata.sitename,
            published_local_date=published.date() if published else None,
        )


_shared_cleaner: Cleaner | None = None


def clean_html(html: str, url: str | None = None) -> CleanedPage:
    """Clean one page with a cleaner built on first use and shared afterwards."""
    global _shared_cleaner
    if _shared_cleaner is None:
        _shared_cleaner = Cleaner()
    return _shared_cleaner.clean(html, url)
