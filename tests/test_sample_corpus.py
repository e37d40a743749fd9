"""Consistency checks for the bundled offline sample corpus (sample_corpus/)."""

from __future__ import annotations

import collections
import datetime
import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import feedparser
import lxml.html
import pytest
import trafilatura

CORPUS = Path(__file__).resolve().parents[1] / "sample_corpus"
PAGES = CORPUS / "pages"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
ALL_CAMEO_ROOTS = {f"{root:02d}" for root in range(1, 21)}

# Boilerplate is recognised by what the page's markup says it is, so the check follows the
# templates rather than a list of phrases that could drift out of date.
BOILERPLATE_MARKER = re.compile(
    r"cookie|consent|gdpr|newsletter|signup|alert|related|recommended|more|share|social|rail|sidebar|promo|footer|nav|menu"
)
# Short labels ("Share", "Log in") can legitimately occur inside article text; whole sentences cannot.
MIN_BOILERPLATE_WORDS = 5


def _feed_paths() -> list[str]:
    lines = (CORPUS / "feeds.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


FEEDS = _feed_paths()


def _parsed_feed(relative_path: str) -> feedparser.FeedParserDict:
    return feedparser.parse((CORPUS / relative_path).read_bytes())


def _entry_page(relative_feed_path: str, link: str) -> Path:
    """Resolve an entry link the way the pipeline does: against the feed's own location."""
    resolved = urljoin((CORPUS / relative_feed_path).resolve().as_uri(), link)
    return Path(unquote(urlparse(resolved).path))


def _page_tree(file_name: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((PAGES / file_name).read_bytes())


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _first_body_paragraph(tree: lxml.html.HtmlElement) -> str:
    paragraphs = tree.xpath("//article//p[not(ancestor::header)]")
    return _normalise(paragraphs[0].text_content())


def _boilerplate_texts(tree: lxml.html.HtmlElement) -> list[str]:
    texts = []
    for element in tree.iter():
        # Containers of the article (body, wrappers) are not boilerplate; boxes inside it can be.
        if not isinstance(element.tag, str) or element.xpath("boolean(self::article or .//article)"):
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')} {element.tag}".lower()
        if not BOILERPLATE_MARKER.search(marker):
            continue
        for text in element.itertext():
            text = _normalise(text)
            if len(text.split()) >= MIN_BOILERPLATE_WORDS:
                texts.append(text)
    return texts


def test_every_manifest_page_exists_once_and_every_page_is_listed():
    listed = [item["file"] for item in MANIFEST]
    assert len(listed) == len(set(listed))
    assert set(listed) == {path.name for path in PAGES.glob("*.html")}
    assert all(re.fullmatch(r"\d{3}-[a-z0-9-]+\.html", name) for name in listed)


def test_feeds_txt_lists_the_two_bundled_feeds_by_relative_path():
    assert FEEDS == ["feeds/world.rss", "feeds/regions.atom"]
    assert all((CORPUS / path).is_file() for path in FEEDS)
    assert (CORPUS / "feeds.txt").read_text(encoding="utf-8").startswith("#")


@pytest.mark.parametrize(("feed_path", "version"), [("feeds/world.rss", "rss20"), ("feeds/regions.atom", "atom10")])
def test_feed_parses_cleanly_with_complete_entries(feed_path, version):
    feed = _parsed_feed(feed_path)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == version
    assert feed.entries
    for entry in feed.entries:
        assert entry.title and entry.summary and entry.id
        assert entry.get("published_parsed") or entry.get("updated_parsed")
        assert not urlparse(entry.link).scheme, "entry links must stay relative"
        assert _entry_page(feed_path, entry.link).is_file(), entry.link


def test_every_page_appears_in_exactly_one_feed_matching_the_manifest():
    feed_of_page = collections.defaultdict(list)
    for feed_path in FEEDS:
        for entry in _parsed_feed(feed_path).entries:
            feed_of_page[_entry_page(feed_path, entry.link).name].append(feed_path)
    for item in MANIFEST:
        assert feed_of_page[item["file"]] == [item["feed"]], item["file"]
    assert set(feed_of_page) == {item["file"] for item in MANIFEST}


def test_feed_entries_agree_with_the_manifest():
    by_file = {item["file"]: item for item in MANIFEST}
    for feed_path in FEEDS:
        for entry in _parsed_feed(feed_path).entries:
            item = by_file[_entry_page(feed_path, entry.link).name]
            assert entry.id == item["canonical_url"]
            assert entry.title == item["title"]
            published = datetime.datetime(*(entry.get("published_parsed") or entry.updated_parsed)[:6])
            assert published.strftime("%Y-%m-%dT%H:%M:%SZ") == item["published"]


@pytest.mark.parametrize("item", MANIFEST, ids=lambda item: item["file"])
def test_page_head_matches_the_manifest(item):
    tree = _page_tree(item["file"])
    assert tree.get("lang") == "en"
    assert tree.xpath("string(//link[@rel='canonical']/@href)") == item["canonical_url"]
    assert tree.xpath("string(//meta[@property='og:url']/@content)") == item["canonical_url"]
    assert tree.xpath("string(//meta[@name='author']/@content)") == item["author"]
    assert tree.xpath("string(//meta[@property='article:published_time']/@content)") == item["published"]
    assert tree.xpath("string(//title)").startswith(item["title"])
    assert _normalise(tree.xpath("string(//article//h1)")) == item["title"]
    assert tree.xpath("//article//time/@datetime") == [item["published"]]


def test_canonical_urls_are_unique_https_addresses_on_reserved_example_domains():
    urls = [item["canonical_url"] for item in MANIFEST]
    assert len(urls) == len(set(urls))
    hosts = set()
    for url in urls:
        parsed = urlparse(url)
        assert parsed.scheme == "https"
        assert parsed.hostname.endswith(".example")
        hosts.add(parsed.hostname)
    assert 4 <= len(hosts) <= 5


def test_publication_dates_fall_in_november_2026():
    for item in MANIFEST:
        published = datetime.datetime.strptime(item["published"], "%Y-%m-%dT%H:%M:%SZ")
        assert (published.year, published.month) == (2026, 11), item["file"]


def test_corpus_size_and_coverage():
    political = [item for item in MANIFEST if item["political"]]
    non_political = [item for item in MANIFEST if not item["political"]]
    assert len(MANIFEST) >= 30
    assert len(non_political) >= 6
    assert len({country for item in political for country in item["countries"]}) >= 25
    assert {root for item in political for root in item["expected_roots"]} == ALL_CAMEO_ROOTS
    assert all(item["expected_roots"] and item["countries"] for item in political)
    assert all(item["expected_roots"] == [] and item["countries"] == [] for item in non_political)
    assert any(item["decoy"] for item in non_political)
    assert not any(item["decoy"] for item in political)


def test_country_codes_look_like_iso_alpha3():
    for item in MANIFEST:
        assert all(re.fullmatch(r"[A-Z]{3}", code) for code in item["countries"]), item["file"]


@pytest.mark.parametrize("item", MANIFEST, ids=lambda item: item["file"])
def test_article_body_is_news_length(item):
    body = _page_tree(item["file"]).xpath("//article//p[not(ancestor::header)]")
    word_count = sum(len(paragraph.text_content().split()) for paragraph in body)
    assert 150 <= word_count <= 400


@pytest.mark.parametrize("item", MANIFEST, ids=lambda item: item["file"])
def test_trafilatura_keeps_the_body_and_drops_the_boilerplate(item):
    html = (PAGES / item["file"]).read_text(encoding="utf-8")
    tree = _page_tree(item["file"])
    extracted = _normalise(trafilatura.extract(html) or "")
    assert _first_body_paragraph(tree) in extracted
    boilerplate = _boilerplate_texts(tree)
    assert len(boilerplate) >= 2, "the page should carry boilerplate for the cleaner to drop"
    leaked = [text for text in boilerplate if text in extracted]
    assert not leaked
