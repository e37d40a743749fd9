"""Sitemap documents -> entries, child sitemaps and error rows (plain functions, no Beam, no network)."""

from __future__ import annotations

import datetime
import gzip
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from schemas.errors import ERROR_TYPES, ErrorRecord
from schemas.pages import PageRequest
from tests.local_servers import gzip_bomb
from transforms.fetch.robots import RobotsResponse, RobotsRules, rules_from_response
from transforms.sources.sitemaps import (
    ChildSitemap,
    DateWindow,
    SitemapEntry,
    W3cDate,
    absolute_sitemaps,
    inflate,
    is_site_root,
    most_informative,
    page_request,
    parse_sitemap,
    parse_w3c_date,
)

FIXTURES = Path(__file__).parent / "fixtures" / "sitemaps"
SITE = "https://news.example"
UTC = datetime.timezone.utc


def fixture(name: str, site: str = SITE) -> bytes:
    return (FIXTURES / name).read_text(encoding="utf-8").replace("http://SITE", site).encode("utf-8")


def utc(*fields: int) -> datetime.datetime:
    return datetime.datetime(*fields, tzinfo=UTC)


def test_news_sitemap_gives_title_publication_date_and_lastmod():
    document = parse_sitemap(f"{SITE}/news_sitemap.xml", fixture("news_sitemap.xml"))
    assert document.kind == "urlset"
    talks, roads = document.entries
    assert talks.url == f"{SITE}/news/talks"
    assert talks.title == "Kenya and Ethiopia hold border talks"  # not the image's title
    zone = datetime.timezone(datetime.timedelta(hours=1))
    assert talks.published.first == datetime.datetime(2026, 11, 18, 9, 30, tzinfo=zone)  # the publisher's zone kept
    assert talks.lastmod == W3cDate(utc(2026, 11, 18, 10), utc(2026, 11, 18, 10))
    assert roads.url == f"{SITE}/news/roads"  # relative <loc> resolved against the sitemap
    assert roads.title == "Ministers agree on roads & bridges"
    assert roads.published == W3cDate(utc(2026, 11, 17), utc(2026, 11, 17, 23, 59, 59, 999999))
    assert roads.lastmod is None
    errors = {(error.error_type, error.url) for error in document.errors}
    assert errors == {("unsupported_scheme", "file:///etc/hostname"), ("invalid_url", None)}
    assert all(error.stage == "sitemap" and error.feed_url == f"{SITE}/news_sitemap.xml" for error in document.errors)


def test_sitemap_index_gives_child_sitemaps():
    document = parse_sitemap(f"{SITE}/sitemap_index.xml", fixture("sitemap_index.xml"))
    assert document.kind == "sitemapindex" and not document.entries and not document.errors
    assert [child.url for child in document.children] == [
        f"{SITE}/news_sitemap.xml", f"{SITE}/archive.xml.gz", f"{SITE}/sitemap-2019.xml", f"{SITE}/malformed.xml",
        f"{SITE}/missing.xml",
    ]
    assert document.children[2].lastmod.first == utc(2019, 12, 31)
    assert document.children[3].lastmod is None


def test_malformed_xml_is_one_error_row_not_half_a_sitemap():
    document = parse_sitemap(f"{SITE}/malformed.xml", fixture("malformed.xml"))
    assert document.kind == "" and not document.entries
    (error,) = document.errors
    assert error.error_type == "not_a_sitemap" and error.url == f"{SITE}/malformed.xml"
    assert "malformed XML" in error.message and "line 4" in error.message


def test_an_undeclared_news_prefix_still_reads():
    body = b"<urlset><url><loc>https://a.example/x</loc><news:news><news:title>T</news:title></news:news></url></urlset>"
    (entry,) = parse_sitemap("https://a.example/s.xml", body).entries
    assert entry.title == "T"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "an HTML page"),
        (b"<rss version='2.0'><channel></channel></rss>", "list it with --feeds"),
        (b"<catalog/>", "root is <catalog>"),
        (b"", "neither XML nor a list of URLs"),
        (b"\x89PNG\r\n", "neither XML nor a list of URLs"),
        (b"<urlset", "malformed XML"),
    ],
)
def test_what_is_no_sitemap_says_what_it_is(body, reason):
    document = parse_sitemap("https://a.example/sitemap.xml", body)
    assert document.kind == "" and [error.error_type for error in document.errors] == ["not_a_sitemap"]
    assert reason in document.errors[0].message


def test_an_xml_bomb_is_refused_without_expanding_it():
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY l0 "lol">{laughs}]><urlset><url><loc>&l9;</loc></url></urlset>'
    document = parse_sitemap("https://a.example/s.xml", body.encode())
    assert [error.error_type for error in document.errors] == ["not_a_sitemap"]
    assert "amplification" in document.errors[0].message


def test_entities_are_never_expanded_nor_read_from_files(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("https://a.example/leaked")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY word "news"><!ENTITY file SYSTEM "{secret.as_uri()}">]>'
        "<urlset><url><loc>https://a.example/&word;</loc></url><url><loc>&file;</loc></url>"
        "<url><loc>https://a.example/ok</loc></url></urlset>"
    ).encode()
    document = parse_sitemap("https://a.example/s.xml", body)
    assert [entry.url for entry in document.entries] == ["https://a.example/ok"]
    assert [error.error_type for error in document.errors] == ["invalid_url", "invalid_url"]


def test_text_sitemap_lists_one_url_per_line():
    body = b"https://a.example/one\n\nhttps://a.example/two\r\nftp://a.example/three\n"
    document = parse_sitemap("https://a.example/sitemap.txt", body)
    assert document.kind == "text"
    assert [entry.url for entry in document.entries] == ["https://a.example/one", "https://a.example/two"]
    assert [error.error_type for error in document.errors] == ["unsupported_scheme"]


def test_a_local_sitemap_may_list_local_pages_a_remote_one_may_not():
    body = b"<urlset><url><loc>pages/a.html</loc></url></urlset>"
    assert parse_sitemap("file:///corpus/sitemap.xml", body).entries[0].url == "file:///corpus/pages/a.html"
    (error,) = parse_sitemap("https://a.example/sitemap.xml", b"<urlset><url><loc>file:///etc/passwd</loc></url></urlset>").errors
    assert error.error_type == "unsupported_scheme"


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026", utc(2026, 1, 1), utc(2026, 12, 31, 23, 59, 59, 999999)),
        ("2026-12", utc(2026, 12, 1), utc(2026, 12, 31, 23, 59, 59, 999999)),
        ("2026-11-18", utc(2026, 11, 18), utc(2026, 11, 18, 23, 59, 59, 999999)),
        ("2026-11-18T09:30Z", utc(2026, 11, 18, 9, 30), utc(2026, 11, 18, 9, 30)),
        (" 2026-11-18T09:30:15.5-05:00 ", utc(2026, 11, 18, 14, 30, 15, 500000), utc(2026, 11, 18, 14, 30, 15, 500000)),
        ("2026-11-18T09:30:00", utc(2026, 11, 18, 9, 30), utc(2026, 11, 18, 9, 30)),
    ],
)
def test_w3c_dates_are_the_span_they_name(text, first, last):
    assert parse_w3c_date(text) == W3cDate(first, last)


@pytest.mark.parametrize("text", [None, "", "yesterday", "2026-13-01", "18/11/2026", "0001-01-01T00:00+01:00"])
def test_what_is_no_w3c_date_is_none(text):
    assert parse_w3c_date(text) is None


def test_robots_txt_sitemap_lines_are_absolute_and_unique():
    body = "User-agent: *\nDisallow: /private/\nSitemap: https://a.example/news.xml\nsitemap: /index.xml\nSitemap: https://a.example/news.xml\n"
    rules, _ = rules_from_response(RobotsResponse(200, body.encode(), None, ""))
    assert absolute_sitemaps(rules.sitemaps, "https://a.example/robots.txt") == ["https://a.example/news.xml", "https://a.example/index.xml"]
    assert absolute_sitemaps(RobotsRules().sitemaps, "https://a.example/robots.txt") == []


@pytest.mark.parametrize(
    ("location", "root"),
    [
        ("https://a.example", True), ("https://a.example/", True), ("http://a.example:8080/", True),
        ("https://a.example/sitemap.xml", False), ("https://a.example/?page=1", False), ("/srv/sitemap.xml", False),
        ("http://[zz]/", False),
    ],
)
def test_a_site_root_is_an_http_url_without_a_path(location, root):
    assert is_site_root(location) is root


def test_gzip_bodies_are_inflated_within_the_cap():
    xml = fixture("archive.xml")
    assert inflate(gzip.compress(xml), 10_000) == xml
    assert inflate(xml, 10) == xml  # not gzip: as it is
    assert inflate(gzip_bomb(1_000_000), 100_000).error_type == "too_large"
    assert inflate(b"\x1f\x8b\x08\x00garbage", 100_000).error_type == "decode_error"


def test_date_window_uses_lastmod_only_against_since():
    window = DateWindow(since=utc(2026, 11, 1), until=utc(2026, 11, 30))
    day = parse_w3c_date

    def entry(published=None, lastmod=None):
        return SitemapEntry("https://a.example/x", None, day(published), day(lastmod))

    assert not window.excludes_entry(entry(published="2026-11-18"))
    assert window.excludes_entry(entry(published="2026-10-31"))
    assert window.excludes_entry(entry(published="2026-12-01"))
    assert not window.excludes_entry(entry(published="2026-11-01"))  # the whole day overlaps
    assert window.excludes_entry(entry(lastmod="2026-10-01"))  # changed before since: published before too
    assert not window.excludes_entry(entry(lastmod="2027-01-01"))  # changed after until: published when?
    assert not window.excludes_entry(entry(published="2026-11-18", lastmod="2025-01-01"))  # publication date wins
    assert not window.excludes_entry(entry())
    assert window.excludes_sitemap(ChildSitemap("https://a.example/2019.xml", day("2019-12-31")))
    assert not window.excludes_sitemap(ChildSitemap("https://a.example/new.xml", None))
    assert not DateWindow().excludes_entry(entry(published="1990-01-01"))


def test_a_page_in_several_sitemaps_is_requested_with_what_says_most():
    plain = page_request(SitemapEntry("https://a.example/x", None, None, None), "https://a.example/a.xml")
    news = page_request(
        SitemapEntry("https://a.example/x", "Title", parse_w3c_date("2026-11-18"), None), "https://a.example/b.xml"
    )
    assert news == PageRequest("https://a.example/x", "https://a.example/b.xml", "Title", utc(2026, 11, 18))
    assert most_informative([plain, news]) == news
    assert most_informative([plain, plain._replace(feed_url="https://a.example/0.xml")]).feed_url == "https://a.example/0.xml"


XML_PIECES = (
    "<urlset>", "</urlset>", "<sitemapindex>", "</sitemapindex>", "<url>", "</url>", "<sitemap>", "</sitemap>",
    "<loc>", "</loc>", "<lastmod>", "</lastmod>", "<news:news>", "</news:news>", "<news:title>", "</news:title>",
    "<news:publication_date>", "</news:publication_date>", "https://a.example/", "file:///etc/passwd", "http://[zz]/",
    "2026-11-18", "2026-11-18T09:30:00+01:00", "9999-12-31", "0001-01-01", "&amp;", "&", "&#0;", "&#xD800;", "<![CDATA[",
    "]]>", "<!--", "-->", '<?xml version="1.0" encoding="utf-16"?>', "<!DOCTYPE x [<!ENTITY e 'x'>]>", "&e;", "\x00",
    "\ufeff", "é", " ", "\n",
)
sitemap_like = st.lists(st.one_of(st.sampled_from(XML_PIECES), st.text(max_size=6)), max_size=30).map(
    lambda pieces: "".join(pieces).encode("utf-8", "surrogatepass")
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), sitemap_like))
def test_any_body_gives_a_document_and_never_raises(body):
    document = parse_sitemap("https://a.example/sitemap.xml", body)
    assert document.kind in ("urlset", "sitemapindex", "text", "")
    assert all(isinstance(error, ErrorRecord) and error.error_type in ERROR_TYPES for error in document.errors)
    if not document.kind:
        assert [error.error_type for error in document.errors] == ["not_a_sitemap"]
    for entry in document.entries:
        assert entry.url.startswith(("http://", "https://"))
        entry.url.encode("utf-8")  # storable in the tables
    assert all(child.url.startswith(("http://", "https://")) for child in document.children)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["<url>", "<loc>", "<news:title>", "</url>"]) | st.text(max_size=12), max_size=12),
)
@example(["a\r\nb\r"])
def test_any_loc_and_title_text_is_escaped_and_read_back_or_reported(pieces):
    text = "".join(pieces)
    body = (
        '<urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://a.example/'
        f"{escape(text)}</loc><news:news><news:title>{escape(text)}</news:title></news:news></url></urlset>"
    ).encode("utf-8", "surrogatepass")
    document = parse_sitemap("https://a.example/sitemap.xml", body)
    assert len(document.entries) + len(document.errors) == 1
    as_xml_reads_it = text.replace("\r\n", "\n").replace("\r", "\n").strip()  # XML's end-of-line handling
    for entry in document.entries:
        assert entry.title == (as_xml_reads_it or None)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_date_text_gives_a_span_or_none(text):
    date = parse_w3c_date(text)
    assert date is None or (date.first <= date.last and date.first.utcoffset() is not None)
