"""Feed and URL lists, and feed documents -> page requests (plain functions, no Beam)."""

from __future__ import annotations

import datetime

import pytest

from schemas.errors import ErrorRecord
from schemas.pages import PageRequest
from transforms.sources.feeds import DiscoveredFeed, parse_feed
from transforms.sources.lists import SourceListError, parse_list, read_list, resolve_entry

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>Relative</title><link>../pages/a.html</link><pubDate>Wed, 18 Nov 2026 09:30:00 +0100</pubDate></item>
<item><title>Absolute</title><link>https://news.example/b</link></item>
<item><title>Local file</title><link>file:///etc/hostname</link></item>
<item><title>No link</title></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<id>urn:x</id><updated>2026-11-18T10:00:00Z</updated>
<entry><title>One</title><id>urn:1</id><link rel="alternate" href="https://news.example/one"/>
<updated>2026-11-18T10:00:00Z</updated></entry></feed>"""


def test_parse_list_skips_comments_blanks_and_repeats_but_keeps_fragments():
    text = "# my feeds\n\nhttps://a.example/rss\nfeeds/local.xml  # inline note\nhttps://a.example/rss\nhttps://b.example/#top\n"
    assert parse_list(text) == ["https://a.example/rss", "feeds/local.xml", "https://b.example/#top"]


def test_relative_paths_are_taken_from_the_list_folder(tmp_path):
    list_file = tmp_path / "lists" / "feeds.txt"
    assert resolve_entry("feeds/world.rss", str(list_file)) == (tmp_path / "lists" / "feeds" / "world.rss").as_uri()
    assert resolve_entry("https://a.example/rss", str(list_file)) == "https://a.example/rss"


def test_read_list_reports_missing_and_empty_files(tmp_path):
    with pytest.raises(SourceListError, match="no such file"):
        read_list(str(tmp_path / "missing.txt"), "feed")
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing here\n\n")
    with pytest.raises(SourceListError, match="no entries"):
        read_list(str(empty), "feed")


def test_remote_feed_gives_http_pages_and_refuses_local_links():
    items = list(parse_feed("https://news.example/feeds/world.rss", RSS))
    requests = [item for item in items if isinstance(item, PageRequest)]
    errors = [item for item in items if isinstance(item, ErrorRecord)]
    assert [r.url for r in requests] == ["https://news.example/pages/a.html", "https://news.example/b"]
    assert requests[0].entry_published == datetime.datetime(2026, 11, 18, 8, 30, tzinfo=datetime.timezone.utc)
    assert requests[0].feed_url == "https://news.example/feeds/world.rss"
    assert sorted(e.error_type for e in errors) == ["invalid_url", "unsupported_scheme"]


def test_local_feed_resolves_relative_links_to_files():
    items = list(parse_feed("file:///corpus/feeds/world.rss", RSS))
    urls = [item.url for item in items if isinstance(item, PageRequest)]
    assert urls[0] == "file:///corpus/pages/a.html"


def test_atom_entries_and_non_feeds():
    (request,) = parse_feed("https://news.example/atom", ATOM)
    assert request.url == "https://news.example/one" and request.entry_title == "One"
    (error,) = parse_feed("https://news.example/page", b"<!DOCTYPE html>\n<html><body><p>Hello</p></body></html>")
    assert error.error_type == "not_a_feed" and "an HTML page that advertises no feed" in error.message
    (error,) = parse_feed("https://news.example/plain", b"just some text")
    assert error.error_type == "not_a_feed" and "not an RSS, Atom or JSON feed" in error.message


OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
<outline text="World"><outline text="A" type="rss" xmlUrl="https://a.example/rss"/>
<outline text="B" type="rss" xmlUrl="https://b.example/atom.xml"/></outline>
<outline text="A again" type="rss" xmlUrl="https://a.example/rss"/><outline text="folder without feed"/>
</body></opml>"""


def test_opml_feed_lists_give_every_nested_feed_once(tmp_path):
    opml = tmp_path / "subscriptions.opml"
    opml.write_text(OPML)
    assert read_list(str(opml), "feed") == ["https://a.example/rss", "https://b.example/atom.xml"]


def test_json_feed_items_become_requests():
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
        b'{"id": "1", "url": "/news/1", "title": "One", "date_published": "2026-11-18T10:00:00+01:00"},'
        b'{"id": "2", "external_url": "https://other.example/2"}, {"id": "3"}]}'
    )
    items = list(parse_feed("https://news.example/feed.json", body))
    assert [(i.url, i.entry_published) for i in items if isinstance(i, PageRequest)] == [
        ("https://news.example/news/1", datetime.datetime(2026, 11, 18, 9, 0, tzinfo=datetime.timezone.utc)),
        ("https://other.example/2", None),
    ]
    assert [i.error_type for i in items if isinstance(i, ErrorRecord)] == ["invalid_url"]


def test_html_page_given_as_feed_yields_the_feeds_it_advertises():
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        b'<link rel="alternate" type="application/atom+xml" href="file:///etc/passwd">'
        b'<link rel="stylesheet" href="/site.css"></head><body>Home</body></html>'
    )
    assert list(parse_feed("https://news.example/", page)) == [
        DiscoveredFeed(url="https://news.example/rss.xml", page_url="https://news.example/")
    ]


def test_malformed_but_readable_feed_still_gives_its_entries():
    broken = b"<rss version='2.0'><channel><title>T & Co</title><item><title>A</title><link>https://news.example/a</link></item>"
    (request,) = parse_feed("https://news.example/rss", broken)
    assert request.url == "https://news.example/a"
