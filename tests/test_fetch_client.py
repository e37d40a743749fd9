"""HttpClient against local servers: what a caller sees for ordinary pages, feeds and files."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.local_servers import LocalServer, Reply, fetch_settings_for, gzipped, html_page
from transforms.fetch.client import HttpClient

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


@pytest.fixture
def client(server: LocalServer) -> Iterator[HttpClient]:
    with HttpClient(fetch_settings_for(server)) as running:
        yield running


def test_html_page_is_decoded_and_headers_are_lower_cased(server, client):
    url = server.route(
        "/article", Reply(body=html_page("Élection", "Résultats"), headers={"ETag": '"v1"'})
    )
    result = client.get(url)
    assert result.error_type is None
    assert result.status == 200
    assert result.final_url == url
    assert "Élection" in result.text
    assert result.body == html_page("Élection", "Résultats")
    assert result.headers["etag"] == '"v1"'
    assert result.content_type.startswith("text/html")
    assert result.attempts == 1


def test_request_carries_the_configured_user_agent(server):
    url = server.route("/a", Reply(body=html_page("a")))
    with HttpClient(fetch_settings_for(server, user_agent="probe/9 (+test)")) as client:
        client.get(url)
    page_requests = [seen for seen in server.requests if seen.path == "/a"]
    assert page_requests[0].headers["User-Agent"] == "probe/9 (+test)"


def test_feed_body_is_kept_as_bytes_and_extra_headers_are_sent(server, client):
    url = server.route("/feed.xml", Reply(body=RSS, content_type="application/rss+xml"))
    result = client.get(url, kind="feed", headers={"If-None-Match": '"abc"'})
    assert result.error_type is None
    assert result.body == RSS
    assert result.text is None
    feed_requests = [seen for seen in server.requests if seen.path == "/feed.xml"]
    assert feed_requests[0].headers["If-None-Match"] == '"abc"'


def test_not_modified_feed_is_a_success_without_body(server, client):
    url = server.route("/feed.xml", Reply(status=304, body=b"", content_type=None))
    result = client.get(url, kind="feed", headers={"If-None-Match": '"abc"'})
    assert (result.status, result.error_type, result.body) == (304, None, b"")


def test_feed_kind_refuses_images(server, client):
    url = server.route("/logo.png", Reply(body=b"\x89PNG", content_type="image/png"))
    assert client.get(url, kind="feed").error_type == "unsupported_content_type"


def test_page_kind_refuses_xml(server, client):
    url = server.route("/feed.xml", Reply(body=RSS, content_type="application/xml"))
    result = client.get(url)
    assert result.error_type == "unsupported_content_type"
    assert result.text is None


def test_untyped_body_is_accepted_as_a_page_only_if_it_looks_like_html(server, client):
    html_url = server.route("/untyped", Reply(body=html_page("x"), content_type=None))
    text_url = server.route("/untyped.txt", Reply(body=b"just words", content_type=None))
    assert client.get(html_url).error_type is None
    assert client.get(text_url).error_type == "unsupported_content_type"


def test_http_error_status_is_reported_with_its_code(server, client):
    result = client.get(server.url("/missing"))
    assert (result.error_type, result.status, result.attempts) == ("http_status", 404, 1)


def test_redirect_is_followed_and_final_url_reported(server, client):
    target = server.route("/new", Reply(body=html_page("moved")))
    start = server.route("/old", Reply(status=301, headers={"Location": "/new"}))
    result = client.get(start)
    assert result.error_type is None
    assert result.url == start
    assert result.final_url == target
    assert "moved" in result.text


def test_gzip_body_is_decompressed(server, client):
    page = html_page("compressed", "text " * 500)
    url = server.route("/gz", Reply(body=gzipped(page), headers={"Content-Encoding": "gzip"}))
    result = client.get(url)
    assert result.error_type is None
    assert result.body == page


def test_streamed_body_without_length_is_read_to_the_end(server, client):
    chunks = [b"<html><body>", b"<p>one</p>" * 1000, b"<p>two</p></body></html>"]
    url = server.route("/stream", Reply(body=lambda: iter(chunks)))
    result = client.get(url)
    assert result.error_type is None
    assert result.body == b"".join(chunks)


def test_chunked_body_is_reassembled(server, client):
    parts = [b"<html><body>", b"<p>chunked</p>" * 300, b"</body></html>"]
    framed = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"
    url = server.route("/chunked", Reply(body=lambda: iter([framed]), headers={"Transfer-Encoding": "chunked"}))
    result = client.get(url)
    assert result.error_type is None
    assert result.body == b"".join(parts)


def test_caller_headers_replace_defaults_whatever_their_case(server, client):
    url = server.route("/a", Reply(body=html_page("a")))
    client.get(url, headers={"user-agent": "override/1"})
    sent = [seen.headers for seen in server.requests if seen.path == "/a"][0]
    assert [value for name, value in sent.items() if name.lower() == "user-agent"] == ["override/1"]


def test_latin_1_page_decodes_as_windows_1252(server, client):
    # Pages labelled ISO-8859-1 really use Windows-1252: the euro sign and curly quotes live at 0x80-0x9f.
    body = "<html><body><p>Müller sagte: “5 €”</p></body></html>".encode("cp1252")
    url = server.route("/latin", Reply(body=body, content_type="text/html; charset=ISO-8859-1"))
    assert "Müller sagte: “5 €”" in client.get(url).text


def test_meta_charset_is_used_when_the_header_has_none(server, client):
    body = html_page("Straße", "Grüße aus Köln", charset="windows-1252")
    url = server.route("/meta", Reply(body=body, content_type="text/html"))
    assert "Grüße aus Köln" in client.get(url).text


def test_undeclared_charset_is_detected(server, client):
    text = "<html><body><p>" + "Les élèves français étudient à l'école. " * 20 + "</p></body></html>"
    url = server.route("/guess", Reply(body=text.encode("cp1252"), content_type="text/html"))
    assert "élèves français étudient à l'école" in client.get(url).text


def test_scheme_and_url_errors_are_values(client):
    assert client.get("ftp://example.org/file").error_type == "unsupported_scheme"
    assert client.get("file:///etc/hostname").error_type == "unsupported_scheme"
    assert client.get("http://").error_type == "invalid_url"
    assert client.get("http://example.org:99999/").error_type == "invalid_url"
    assert client.get("no scheme here").error_type == "invalid_url"


def test_local_files_are_read_only_when_allowed(client, tmp_path):
    page = tmp_path / "story.html"
    page.write_bytes(html_page("Local", "from disk"))
    feed = tmp_path / "feed.xml"
    feed.write_bytes(RSS)

    from_path = client.get(str(page), allow_file=True)
    assert from_path.error_type is None
    assert "from disk" in from_path.text
    assert from_path.final_url == page.as_uri()

    from_uri = client.get(feed.as_uri(), kind="feed", allow_file=True)
    assert (from_uri.error_type, from_uri.body) == (None, RSS)

    missing = client.get(str(tmp_path / "absent.xml"), kind="feed", allow_file=True)
    assert missing.error_type == "file_not_found"
    assert client.get(page.as_uri()).error_type == "unsupported_scheme"


def test_local_non_html_file_is_not_a_page(client, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("plain words, no markup")
    assert client.get(str(notes), allow_file=True).error_type == "unsupported_content_type"


def test_get_many_keeps_order_and_runs_concurrently(server):
    urls = [
        server.route(f"/slow{i}", Reply(body=html_page(f"page {i}"), delay=0.2)) for i in range(8)
    ]
    urls.append("ftp://example.org/not-fetched")
    with HttpClient(fetch_settings_for(server, max_per_host=8, max_workers=8)) as client:
        started = time.monotonic()
        results = client.get_many(urls)
        elapsed = time.monotonic() - started
    assert [r.url for r in results] == urls
    assert all(f"page {i}" in results[i].text for i in range(8))
    assert results[-1].error_type == "unsupported_scheme"
    # Eight 0.2 s responses one after another would take 1.6 s.
    assert elapsed < 1.3
