"""The real graph over HTTP: a feed and pages served on 127.0.0.1, read back with DuckDB."""

from __future__ import annotations

from pipeline.cli import main
from tests.local_servers import LocalServer, Reply, html_page

STORY = (
    "The foreign ministers of Kenya and Ethiopia met in Nairobi on Tuesday to discuss trade across their shared border.",
    "Officials from both governments said the talks would continue next month in Addis Ababa, the Ethiopian capital.",
    "Kenya's president later said the two countries would sign a new agreement on cross-border roads before the end of the year.",
)


def rss(*links: str) -> bytes:
    items = "".join(f"<item><title>Story {i}</title><link>{link}</link></item>" for i, link in enumerate(links))
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Local</title>{items}</channel></rss>".encode()


def test_feed_over_http_gives_articles_events_and_error_rows(tmp_path, query):
    with LocalServer() as server:
        feed = server.route(
            "/feed.xml",
            Reply(body=rss("/news/1", "/news/2", "/gone", "/image.png", "file:///etc/passwd"), content_type="application/rss+xml"),
        )
        server.route("/news/1", Reply(body=html_page("Kenya and Ethiopia hold talks", *STORY)))
        server.route("/news/2", Reply(body=html_page("Ministers meet", *reversed(STORY))))
        server.route("/gone", Reply(status=404, body=b"not here"))
        server.route("/image.png", Reply(body=b"\x89PNG....", content_type="image/png"))
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(feed + "\n")
        code = main([
            "run", "--feeds", str(feeds), "--output", str(tmp_path / "out"),
            "--allow-host", server.host_port, "--host-delay", "0", "--run-id", "http-run",
        ])
    assert code == 0
    articles = query("select url, feed_url, source_domain, word_count from articles order by url")
    assert [a["url"] for a in articles] == [server.url("/news/1"), server.url("/news/2")]
    assert all(a["feed_url"] == feed and a["word_count"] > 40 for a in articles)
    errors = {(e["error_type"], e["http_status"]) for e in query("select error_type, http_status from errors")}
    assert errors == {("http_status", 404), ("unsupported_content_type", 200), ("unsupported_scheme", None)}
    assert query("select count(*) as n from events")[0]["n"] > 0


def test_loopback_is_refused_without_allow_host(tmp_path, query):
    with LocalServer() as server:
        feed = server.route("/feed.xml", Reply(body=rss("/news/1"), content_type="application/rss+xml"))
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(feed + "\n")
        code = main(["run", "--feeds", str(feeds), "--output", str(tmp_path / "out")])
        assert server.hits("/feed.xml") == 0
    assert code == 0
    assert query("select error_type from errors") == [{"error_type": "blocked_address"}]
