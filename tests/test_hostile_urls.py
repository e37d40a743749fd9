"""URLs from outside (feed links, list lines, redirects, canonical tags) are data, never a crash.

``http://[zz]/y`` and ``http://[::1/x`` make urllib raise ValueError; such a URL must become an
``invalid_url`` error row (or, for a declared canonical, be ignored) and everything else goes on.
"""

from __future__ import annotations

import datetime
import json
from xml.sax.saxutils import escape, quoteattr

import apache_beam as beam
import lxml.html
import pytest
from apache_beam.testing.util import assert_that, equal_to
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from schemas.errors import ERROR_TYPES, ErrorRecord
from schemas.pages import FetchedPage, PageRequest
from tests.local_servers import Reply, fetch_settings_for, html_page
from transforms.clean.clean_articles import build_article
from transforms.clean.extract import Cleaner
from transforms.clean.identity import article_id, canonical_url, source_domain
from transforms.clean.metadata import canonical_url as declared_canonical_url
from transforms.fetch.client import FetchSettings, HttpClient
from transforms.fetch.fetch_pages import FetchPages
from transforms.fetch.urls import (
    UrlProblem,
    checked_http_url,
    host_of,
    local_path,
    redirect_target,
    safe_join,
    safe_split,
)
from transforms.side_outputs import ERRORS_TAG
from transforms.sources.feeds import DiscoveredFeed, discover_feeds, parse_feed
from transforms.sources.lists import SourceListError, is_local, parse_list, read_list, resolve_entry
from transforms.sources.read import FetchFeedFn

UNPARSABLE = ("http://[zz]/y", "http://[::1/x", "https://a]/", "http://a:99999/", "http://a:port/")
REMOTE_FEED = "https://news.example/feed.xml"
NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.timezone.utc)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
STORY = (
    "The foreign ministers of Kenya and Ethiopia met in Nairobi on Tuesday to discuss trade across their shared border.",
    "Officials from both governments said the talks would continue next month in Addis Ababa, the Ethiopian capital.",
    "Kenya's president later said the two countries would sign a new agreement on cross-border roads before the end of the year.",
)

URL_PIECES = (
    "[", "]", "[::1", "::1]", "[zz]", "[::1]", "[fe80::1%eth0]", "[v1.x]", "%", "%zz", "%00", "%ff",
    ":99999", ":-1", ":abc", ":", "@", "//", "\\", "#", "?", "\x00", "\x1f", "\x7f", " ", "\t", "\n",
    "é", "ß", "\u202e", "\ufeff", "\uff0f", "xn--", "..", "a.example", "localhost", "127.0.0.1",
)
url_like = st.builds(
    lambda scheme, pieces: scheme + "".join(pieces),
    st.sampled_from(["http://", "https://", "HTTP://", "file://", "//", "", "ftp://", "javascript:", "mailto:"]),
    st.lists(st.one_of(st.sampled_from(URL_PIECES), st.text(max_size=4)), max_size=8),
)
hostile_urls = st.one_of(st.text(), url_like)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | hostile_urls,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def rss(*links: str) -> bytes:
    items = "".join(f"<item><title>Story {i}</title><link>{escape(link)}</link></item>" for i, link in enumerate(links))
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{items}</channel></rss>".encode()


def atom(*links: str) -> bytes:
    entries = "".join(
        f"<entry><title>E{i}</title><id>urn:{i}</id><link rel='alternate' href={quoteattr(link)}/></entry>"
        for i, link in enumerate(links)
    )
    return f"<feed xmlns='http://www.w3.org/2005/Atom'><title>A</title><id>urn:a</id>{entries}</feed>".encode()


def json_feed(*items: object) -> bytes:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": list(items)}).encode()


def assert_only_requests_and_error_rows(items: list, feed_url: str) -> None:
    for item in items:
        if isinstance(item, ErrorRecord):
            assert item.stage == "feed" and item.feed_url == feed_url and item.error_type in ERROR_TYPES
        elif isinstance(item, PageRequest):
            assert safe_split(item.url) is not None and item.feed_url == feed_url
            assert item.entry_title is None or isinstance(item.entry_title, str)
        else:
            assert isinstance(item, DiscoveredFeed) and safe_split(item.url) is not None


# --- feeds ---------------------------------------------------------------------------------------


def test_unparsable_feed_links_become_invalid_url_rows_and_the_other_entries_go_on():
    for body in (rss("/news/1", *UNPARSABLE[:2], "/news/2"), atom("/news/1", *UNPARSABLE[:2], "/news/2")):
        items = list(parse_feed(REMOTE_FEED, body))
        assert [i.url for i in items if isinstance(i, PageRequest)] == ["https://news.example/news/1", "https://news.example/news/2"]
        errors = [i for i in items if isinstance(i, ErrorRecord)]
        assert [(e.stage, e.url, e.feed_url, e.error_type) for e in errors] == [
            ("feed", "http://[zz]/y", REMOTE_FEED, "invalid_url"),
            ("feed", "http://[::1/x", REMOTE_FEED, "invalid_url"),
        ]


def test_json_feed_items_with_non_string_or_unparsable_fields_are_error_rows():
    body = json_feed(
        {"url": "/ok", "title": {"nested": 1}, "date_published": 5},
        {"url": 5}, {"url": ["x"], "external_url": {"a": 1}}, {"url": "http://[zz]/y"},
        {"url": "/surrogate-title", "title": "\ud800", "date_published": "0001-01-01T00:00:00+05:00"},
        {"url": "/\udfff"}, "not an item", None,
    )
    items = list(parse_feed(REMOTE_FEED, body))
    requests = [i for i in items if isinstance(i, PageRequest)]
    assert [(r.url, r.entry_title, r.entry_published) for r in requests] == [
        ("https://news.example/ok", None, None),
        ("https://news.example/surrogate-title", None, None),
    ]
    assert [i.error_type for i in items if isinstance(i, ErrorRecord)] == ["invalid_url"] * 4


def test_feed_bodies_that_make_the_parsers_raise_are_not_a_feed():
    lone_surrogate_reference = b"<rss version='2.0'><channel><item><link>http://a.example/&#xD800;</link></item></channel></rss>"
    too_deep = b"{" + b'"a":[' * 100_000
    for body in (lone_surrogate_reference, too_deep):
        (error,) = parse_feed(REMOTE_FEED, body)
        assert (error.stage, error.error_type, error.feed_url) == ("feed", "not_a_feed", REMOTE_FEED)


def test_discovered_feed_links_that_do_not_parse_are_passed_over():
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" href="http://[zz]/rss">'
        b'<link rel="alternate" type="application/atom+xml" href="http://[::1/atom">'
        b'<link rel="alternate" type="application/rss+xml" href="/rss.xml"></head><body>Home</body></html>'
    )
    assert discover_feeds(page, "https://news.example/") == [
        DiscoveredFeed(url="https://news.example/rss.xml", page_url="https://news.example/")
    ]
    assert discover_feeds(page, "http://[zz]/") == []


@FAST
@given(link=hostile_urls)
def test_any_link_in_rss_atom_or_json_feeds_gives_a_request_or_an_error_row(link):
    for body in (rss(link), atom(link), json_feed({"url": link, "title": link})):
        for feed_url in (REMOTE_FEED, "file:///corpus/feed.xml"):
            assert_only_requests_and_error_rows(list(parse_feed(feed_url, body)), feed_url)


@FAST
@given(link=st.sampled_from(UNPARSABLE[:3]), prefix=st.text(alphabet=" \t", max_size=2))
def test_each_unparsable_link_gives_an_invalid_url_row(link, prefix):
    for body in (rss(prefix + link), atom(link), json_feed({"url": prefix + link})):
        (error,) = parse_feed(REMOTE_FEED, body)
        assert (error.error_type, error.feed_url) == ("invalid_url", REMOTE_FEED)


@FAST
@given(item=st.dictionaries(st.sampled_from(["url", "external_url", "title", "date_published", "date_modified"]), json_values))
def test_json_feed_items_of_any_shape(item):
    assert_only_requests_and_error_rows(list(parse_feed(REMOTE_FEED, json_feed(item, item))), REMOTE_FEED)


@FAST
@given(body=st.one_of(st.binary(), st.binary().map(lambda b: b"{" + b), st.binary().map(lambda b: b"<rss " + b)))
def test_random_bytes_as_feed_bodies(body):
    assert_only_requests_and_error_rows(list(parse_feed(REMOTE_FEED, body)), REMOTE_FEED)


@FAST
@given(href=hostile_urls, page_url=hostile_urls)
def test_discover_feeds_takes_any_href_and_page_url(href, page_url):
    page = f'<html><head><link rel="alternate" type="application/rss+xml" href={quoteattr(href)}></head></html>'
    for found in discover_feeds(page.encode("utf-8", "surrogatepass"), page_url):
        assert safe_split(found.url) is not None


# --- lists ---------------------------------------------------------------------------------------


def test_unparsable_list_lines_are_kept_as_written(tmp_path):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("local.xml\nhttp://[zz]/y\nhttp://[::1/x\n~no-such-user-here/a.xml\n")
    assert read_list(str(feeds), "feed") == [
        (tmp_path / "local.xml").as_uri(), "http://[zz]/y", "http://[::1/x", "~no-such-user-here/a.xml",
    ]
    assert resolve_entry("a\x00b.xml", str(feeds)) == "a\x00b.xml"
    assert not is_local("http://[zz]/y")


def test_a_list_whose_first_line_opens_with_angle_bracket_is_no_document(tmp_path):
    # A lone "<" or an address in angle brackets is a (bad) line of a list, kept as written; only
    # a declaration, doctype or tag opens a document (hypothesis found "<" refused as one).
    listed = tmp_path / "list.txt"
    listed.write_text("<\n<https://example.com/feed>\n")
    assert len(read_list(str(listed), "url")) == 2  # each resolved as a path beside the list
    listed.write_text("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>\n</urlset>\n")
    with pytest.raises(SourceListError, match="itself an XML or HTML document"):
        read_list(str(listed), "url")


@FAST
@given(lines=st.lists(hostile_urls, max_size=5))
def test_read_list_takes_any_lines(tmp_path, lines):
    text = "\n".join(lines)
    listed = tmp_path / "list.txt"
    listed.write_text(text, encoding="utf-8")
    try:
        entries = read_list(str(listed), "url")
    except SourceListError:
        assert not parse_list(text)
        return
    assert entries and all(isinstance(entry, str) for entry in entries)


@FAST
@given(entry=hostile_urls, list_location=hostile_urls)
def test_resolve_entry_takes_any_entry(entry, list_location):
    assert isinstance(resolve_entry(entry, list_location), str)


# --- the client ----------------------------------------------------------------------------------


@FAST
@given(url=hostile_urls, location=hostile_urls)
def test_client_url_checks_raise_nothing_but_url_problems(url, location):
    for check in (checked_http_url, local_path, lambda u: redirect_target("https://news.example/a", u)):
        for candidate in (url, location):
            try:
                check(candidate)
            except UrlProblem as problem:
                assert problem.error_type in ERROR_TYPES
    host_of(url)
    safe_join(url, location)


def test_client_get_and_submit_turn_unparsable_urls_into_invalid_url_results():
    with HttpClient(FetchSettings()) as client:
        for allow_file in (False, True):
            for kind in ("page", "feed"):
                results = [client.get(url, kind=kind, allow_file=allow_file) for url in UNPARSABLE]
                results += [client.submit(url, kind=kind, allow_file=allow_file).result(timeout=10) for url in UNPARSABLE]
                assert {r.error_type for r in results} == {"invalid_url"}
                assert [r.url for r in results] == [*UNPARSABLE, *UNPARSABLE]


def test_redirects_to_unparsable_locations_are_invalid_url_results(server):
    targets = {f"/hop{i}": location for i, location in enumerate([*UNPARSABLE, "//[zz]/y"])}
    for path, location in targets.items():
        server.route(path, Reply(status=302, headers={"Location": location}, body=b""))
    with HttpClient(fetch_settings_for(server)) as client:
        results = client.get_many([server.url(path) for path in targets])
    assert [(r.error_type, r.status) for r in results] == [("invalid_url", 302)] * len(targets)


def test_feed_stage_records_unparsable_feed_urls_and_reads_the_others(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss("page.html", "http://[zz]/y"))
    fetch = FetchFeedFn(FetchSettings(), {})
    fetch.setup()
    try:
        outputs = list(fetch.process(["http://[::1/x", feed.as_uri(), "http://[zz]/y"]))
    finally:
        fetch.teardown()
    requests = [o for o in outputs if isinstance(o, PageRequest)]
    errors = [o.value for o in outputs if isinstance(o, beam.pvalue.TaggedOutput) and o.tag == ERRORS_TAG]
    assert [r.url for r in requests] == [(tmp_path / "page.html").as_uri()]
    assert sorted((e.stage, e.url, e.feed_url, e.error_type) for e in errors) == [
        ("feed", "http://[::1/x", "http://[::1/x", "invalid_url"),
        ("feed", "http://[zz]/y", feed.as_uri(), "invalid_url"),
        ("feed", "http://[zz]/y", "http://[zz]/y", "invalid_url"),
    ]


def test_fetch_stage_records_unparsable_urls_of_a_url_list(tmp_path, beam_pipeline):
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(UNPARSABLE) + "\n")
    requests = [PageRequest(url) for url in read_list(str(urls), "url")]
    with beam_pipeline as p:
        fetched = p | beam.Create(requests) | "FetchPages" >> FetchPages(FetchSettings(), allow_file=True)
        errors = fetched.errors | beam.Map(lambda e: (e.stage, e.url, e.error_type))
        assert_that(errors, equal_to([("fetch", url, "invalid_url") for url in UNPARSABLE]), label="Errors")
        assert_that(fetched.pages, equal_to([]), label="NoPages")


# --- canonical URLs and identity -----------------------------------------------------------------


def test_unparsable_declared_canonical_falls_back_to_the_fetched_url():
    fetched = "https://news.example/world/story-1"
    for declared in UNPARSABLE:
        assert canonical_url(fetched, declared) == fetched
        tree = lxml.html.fromstring(
            f'<html><head><link rel="canonical" href="{declared}"><meta property="og:url" content="/world/story-1?x=1">'
            "</head><body></body></html>"
        )
        assert declared_canonical_url(tree, fetched) == "https://news.example/world/story-1?x=1"
    assert source_domain("http://[zz]/y") == "unknown"


def test_page_declaring_an_unparsable_canonical_is_cleaned_under_its_fetched_url():
    html = html_page("Kenya and Ethiopia hold talks", *STORY).decode().replace(
        "<head>", '<head><link rel="canonical" href="http://[zz]/y"><meta property="og:url" content="http://[::1/x">'
    )
    fetched = "https://news.example/world/talks"
    cleaned = Cleaner().clean(html, fetched)
    assert cleaned.canonical_url is None and "Nairobi" in cleaned.text
    page = FetchedPage(url=fetched, final_url=fetched, html=html, fetched_at=NOW)
    article = build_article(page, cleaned)
    assert (article.url, article.canonical_url, article.source_domain) == (fetched, fetched, "news.example")
    replayed = page._replace(url="file:///saved/talks.html", final_url="file:///saved/talks.html", replayed=True)
    assert build_article(replayed, cleaned).url == "file:///saved/talks.html"


@FAST
@given(fetched=hostile_urls, declared=st.none() | hostile_urls)
def test_identity_takes_any_urls(fetched, declared):
    canonical = canonical_url(fetched, declared)
    assert isinstance(canonical, str) and len(article_id(canonical)) == 32
    assert isinstance(source_domain(canonical), str) and isinstance(source_domain(fetched), str)


@FAST
@given(declared=hostile_urls, page_url=st.none() | hostile_urls)
def test_declared_canonical_is_an_http_url_or_nothing(declared, page_url):
    html = f"<html><head><link rel=canonical href={quoteattr(declared)}><meta property=og:url content={quoteattr(declared)}></head></html>"
    found = declared_canonical_url(lxml.html.fromstring(html), page_url)
    assert found is None or safe_split(found).scheme in ("http", "https")


# --- the whole run -------------------------------------------------------------------------------


def test_run_with_unparsable_feed_links_stores_the_good_article_and_two_error_rows(tmp_path, query):
    (tmp_path / "page.html").write_bytes(html_page("Kenya and Ethiopia hold talks", *STORY))
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss("page.html", "http://[zz]/y", "http://[::1/x"))
    feed_list = tmp_path / "feeds.txt"
    feed_list.write_text("feed.xml\n")
    code = main(["run", "--feeds", str(feed_list), "--output", str(tmp_path / "out"), "--run-id", "r1"])
    assert code == 0
    assert [a["url"] for a in query("select url from articles")] == [(tmp_path / "page.html").as_uri()]
    errors = query("select stage, url, feed_url, error_type from errors order by url desc")
    assert errors == [
        {"stage": "feed", "url": "http://[zz]/y", "feed_url": feed.as_uri(), "error_type": "invalid_url"},
        {"stage": "feed", "url": "http://[::1/x", "feed_url": feed.as_uri(), "error_type": "invalid_url"},
    ]

