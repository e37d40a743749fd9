"""HttpClient.open_archive: a WARC download streamed through the one HTTP client, with its checks
(address policy, robots.txt, redirects) and without the page caps."""

from __future__ import annotations

import gzip
import io

from tests.local_servers import LocalServer, Reply, fetch_settings_for
from tests.warc_files import as_file, response
from transforms.fetch.client import FetchSettings, HttpClient
from transforms.sources.warc import read_warc

ARCHIVE = as_file([response(f"https://news.example.com/{n}", b"<html><body>%d</body></html>" % n) for n in range(300)])


def test_an_archive_larger_than_the_page_cap_is_streamed_whole_in_pieces():
    with LocalServer() as server:
        url = server.route("/a.warc.gz", Reply(body=ARCHIVE, content_type="application/octet-stream"))
        with HttpClient(fetch_settings_for(server, max_bytes=10_000, max_decompressed_bytes=10_000)) as client:
            result = client.open_archive(url)
            assert result.error_type is None and result.body == b""
            with result.stream as stream:
                pieces = iter(lambda: stream.read(4096), b"")
                assert b"".join(pieces) == ARCHIVE
    assert len(ARCHIVE) > 7 * 10_000


def test_a_content_encoding_is_removed_as_the_archive_is_read():
    with LocalServer() as server:
        url = server.route("/a.warc", Reply(body=gzip.compress(ARCHIVE), headers={"Content-Encoding": "gzip"}))
        with HttpClient(fetch_settings_for(server)) as client:
            with client.open_archive(url).stream as stream:
                pages = list(read_warc(io.BufferedReader(stream), url, 1 << 20))
    assert len(pages) == 300 and all(page.url.startswith("https://news.example.com/") for page in pages)


def test_archives_obey_the_address_policy_robots_txt_and_redirect_checks():
    with LocalServer() as server:
        url = server.route("/a.warc.gz", Reply(body=ARCHIVE))
        with HttpClient(FetchSettings(min_host_delay=0.0)) as client:
            blocked = client.open_archive(url)
        assert blocked.error_type == "blocked_address" and blocked.stream is None and server.hits("/a.warc.gz") == 0
        server.route("/robots.txt", Reply(body=b"User-agent: newsbeam\nDisallow: /private/\n", content_type="text/plain"))
        private = server.route("/private/a.warc.gz", Reply(body=ARCHIVE))
        moved = server.route("/moved.warc.gz", Reply(status=301, headers={"Location": "file:///etc/passwd"}))
        with HttpClient(fetch_settings_for(server)) as client:
            refused = client.open_archive(private)
            redirected = client.open_archive(moved)
        assert refused.error_type == "robots_disallowed" and server.hits("/private/a.warc.gz") == 0
        assert redirected.error_type == "unsupported_scheme"
