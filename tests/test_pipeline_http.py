"""The real graph over HTTP: a feed and pages served on 127.0.0.1, read back with DuckDB."""

from __future__ import annotations

from pipeline.cli import main
from pipeline.run import EXIT_NO_SOURCE_READ
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
    assert code == EXIT_NO_SOURCE_READ  # the only feed could not be read: a scheduler should hear of it
    assert query("select error_type from errors") == [{"error_type": "blocked_address"}]


def _run(feed_list, output, server, run_id):
    return main([
        "run", "--feeds", str(feed_list), "--output", str(output),
        "--allow-host", server.host_port, "--host-delay", "0", "--run-id", run_id,
    ])


def test_unchanged_feed_answers_304_on_the_next_run_and_is_not_parsed(tmp_path, query, capsys):
    with LocalServer() as server:
        feed = server.route(
            "/feed.xml",
            Reply(body=rss("/news/1"), content_type="application/rss+xml", headers={"ETag": '"v1"', "Last-Modified": "Wed, 18 Nov 2026 10:00:00 GMT"}),
            Reply(status=304, body=b"", content_type=None),
        )
        server.route("/news/1", Reply(body=html_page("Kenya and Ethiopia hold talks", *STORY)))
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(feed + "\n")
        assert _run(feeds, tmp_path / "out", server, "first") == 0
        capsys.readouterr()
        assert _run(feeds, tmp_path / "out", server, "second") == 0
        second_request = [r for r in server.requests if r.path == "/feed.xml"][1]
    sent = {name.lower(): value for name, value in second_request.headers.items()}
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Wed, 18 Nov 2026 10:00:00 GMT"
    summary = capsys.readouterr().out
    assert "feeds/feeds_not_modified" in summary and "feeds/entries_found" not in summary
    assert query("select count(*) as n from articles")[0]["n"] == 1
    assert query("select count(*) as n from errors")[0]["n"] == 0


def test_failed_run_keeps_no_validators(tmp_path):
    from transforms.sources import validators

    output = tmp_path / "out"
    (output / "_temp" / "crashed").mkdir(parents=True)
    validators.write_run_validators(str(output), "crashed", [("https://a.example/rss", {"etag": '"x"'})])
    assert validators.load(validators.state_file(str(output))) == {}
    assert validators.merge_after_success(str(output), "crashed") == 1
    assert validators.load(validators.state_file(str(output))) == {"https://a.example/rss": {"etag": '"x"'}}


def test_html_page_in_the_feed_list_is_followed_to_its_feed(tmp_path, query):
    with LocalServer() as server:
        feed = server.route("/rss.xml", Reply(body=rss("/news/1"), content_type="application/rss+xml"))
        home = server.route(
            "/", Reply(body=b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head><body>Home</body></html>')
        )
        server.route("/news/1", Reply(body=html_page("Kenya and Ethiopia hold talks", *STORY)))
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(home + "\n")
        assert _run(feeds, tmp_path / "out", server, "discover") == 0
    assert query("select url, feed_url from articles") == [{"url": server.url("/news/1"), "feed_url": feed}]


def test_a_stored_article_linked_under_a_tracking_url_is_fetched_once_and_then_remembered(tmp_path, query):
    # Feeds often add tracking parameters to links: the article they name is stored already, and
    # the new URL is recorded (a duplicate row) so that later runs do not fetch it again.
    with LocalServer() as server:
        tracked = "/news/1?utm_source=rss"
        feed = server.route(
            "/feed.xml",
            Reply(body=rss("/news/1"), content_type="application/rss+xml"),
            Reply(body=rss("/news/1", tracked), content_type="application/rss+xml"),
        )
        server.route("/news/1", Reply(body=html_page("Kenya and Ethiopia hold talks", *STORY)))
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(feed + "\n")
        fetches = []
        for run_id in ("first", "second", "third"):
            assert _run(feeds, tmp_path / "out", server, run_id) == 0
            fetches.append(sum(1 for seen in server.requests if seen.path.startswith("/news/1")))
    assert fetches == [1, 2, 2]  # the tracking URL fetched by the second run only
    assert query("select url from articles") == [{"url": server.url("/news/1")}]
    duplicates = query("select url, message from errors where error_type = 'duplicate'")
    assert [row["url"] for row in duplicates] == [server.url(tracked)]
    assert duplicates[0]["message"].startswith("the same canonical URL as article ")
