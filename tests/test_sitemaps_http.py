"""Sitemaps served on 127.0.0.1: the walk through indexes (no Beam), then `newsbeam run --sitemaps`
with the real graph, read back from Parquet."""

from __future__ import annotations

import datetime
import gzip
import re
from collections import Counter
from pathlib import Path

import pytest

from pipeline.cli import EXIT_USAGE, main
from schemas.errors import ErrorRecord
from schemas.pages import PageRequest
from tests.local_servers import LocalServer, Reply, fetch_settings_for, html_page
from tests.test_pipeline_http import STORY
from transforms.fetch.client import HttpClient
from transforms.sources.sitemaps import DateWindow, SitemapWalker

FIXTURES = Path(__file__).parent / "fixtures" / "sitemaps"
XML = "application/xml"
UTC = datetime.timezone.utc


def fixture(name: str, server: LocalServer) -> bytes:
    return (FIXTURES / name).read_text(encoding="utf-8").replace("http://SITE", server.url("")).encode("utf-8")


def serve_site(server: LocalServer) -> None:
    """The fixture site: robots.txt naming an index, its sitemaps (one gzip, one malformed, one
    missing) and the article pages they list."""
    server.route("/robots.txt", Reply(body=fixture("robots.txt", server), content_type="text/plain"))
    for name in ("sitemap_index.xml", "news_sitemap.xml", "sitemap-2019.xml", "malformed.xml"):
        server.route(f"/{name}", Reply(body=fixture(name, server), content_type=XML))
    server.route("/archive.xml.gz", Reply(body=gzip.compress(fixture("archive.xml", server)), content_type="application/octet-stream"))
    server.route("/news/talks", Reply(body=html_page("Kenya and Ethiopia hold border talks", *STORY)))
    server.route("/news/roads", Reply(body=html_page("Ministers agree on roads", *reversed(STORY))))
    server.route("/news/archive-1", Reply(body=html_page("Talks to continue in Addis Ababa", STORY[1], STORY[2], STORY[0])))
    server.route("/news/old", Reply(body=html_page("An old story", STORY[2], STORY[0], STORY[1])))
    server.route("/news/2019", Reply(body=html_page("A story of 2019", STORY[0], STORY[2], STORY[1])))


def walk(
    server: LocalServer, listed: str, window: DateWindow | None = None, max_sitemaps: int = 1000, **settings
) -> tuple[list, list, Counter]:
    """(requests, errors, counts) of SitemapWalker over ``listed``, with a client that may reach ``server``."""
    tally: Counter[str] = Counter()
    with HttpClient(fetch_settings_for(server, **settings)) as client:
        walker = SitemapWalker(client, window, max_sitemaps, count=lambda name, amount: tally.update({name: amount}))
        items = list(walker.walk(listed))
    requests = [item for item in items if isinstance(item, PageRequest)]
    errors = [item for item in items if isinstance(item, ErrorRecord)]
    assert len(requests) + len(errors) == len(items)
    return requests, errors, tally


def test_site_root_is_read_through_robots_txt_and_its_index(server):
    serve_site(server)
    requests, errors, tally = walk(server, server.url(""), DateWindow(since=datetime.datetime(2026, 1, 1, tzinfo=UTC)))
    index, news = server.url("/sitemap_index.xml"), server.url("/news_sitemap.xml")
    by_url = {(request.url, request.feed_url): request for request in requests}
    assert sorted(by_url) == sorted([
        (server.url("/news/talks"), news),
        (server.url("/news/roads"), news),
        (server.url("/news/archive-1"), server.url("/archive.xml.gz")),  # gzip, inflated
        (server.url("/news/talks"), server.url("/archive.xml.gz")),  # deduplicated by ReadSitemaps
    ])
    talks = by_url[(server.url("/news/talks"), news)]
    assert talks.entry_title == "Kenya and Ethiopia hold border talks"
    assert talks.entry_published.astimezone(UTC) == datetime.datetime(2026, 11, 18, 8, 30, tzinfo=UTC)
    assert {(error.error_type, error.url, error.feed_url) for error in errors} == {
        ("not_a_sitemap", server.url("/malformed.xml"), index),
        ("http_status", server.url("/missing.xml"), index),
        ("unsupported_scheme", "file:///etc/hostname", news),
        ("invalid_url", None, news),
    }
    assert all(error.stage == "sitemap" for error in errors)
    assert server.hits("/sitemap-2019.xml") == 0  # last changed before --since: not fetched
    assert not any(seen.path.startswith("/news/") for seen in server.requests)  # pages are FetchPages' job
    assert server.hits("/robots.txt") == 1  # read once for its Sitemap: lines and its rules
    assert tally == Counter(
        sitemaps_read=3, sitemap_errors=2, entries_found=4, entry_errors=2, entries_outside_dates=1, sitemaps_outside_dates=1
    )


def test_without_a_date_window_every_sitemap_and_entry_is_read(server):
    serve_site(server)
    requests, _, tally = walk(server, server.url("/sitemap_index.xml"))
    assert server.url("/news/2019") in {request.url for request in requests}
    assert server.url("/news/old") in {request.url for request in requests}
    assert tally["sitemaps_read"] == 4 and "entries_outside_dates" not in tally


def test_site_without_sitemap_lines_falls_back_to_sitemap_xml(server):
    server.route("/sitemap.xml", Reply(body=b"http://127.0.0.1/one\n", content_type="text/plain"))
    requests, errors, _ = walk(server, server.url("/"))  # robots.txt: 404
    assert [request.url for request in requests] == ["http://127.0.0.1/one"] and errors == []
    server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow:\n", content_type="text/plain"))
    requests, _, _ = walk(server, server.url(""))
    assert [request.url for request in requests] == ["http://127.0.0.1/one"]


def test_sitemaps_go_through_the_hardened_client(server):
    serve_site(server)
    server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /news_sitemap.xml\n", content_type="text/plain"))
    _, errors, _ = walk(server, server.url("/sitemap_index.xml"))
    assert ("robots_disallowed", server.url("/news_sitemap.xml")) in {(error.error_type, error.url) for error in errors}
    assert server.hits("/news_sitemap.xml") == 0
    with HttpClient(fetch_settings_for(server, allowed_hosts=frozenset())) as client:
        (blocked,) = SitemapWalker(client).walk(server.url(""))
    assert blocked.error_type == "blocked_address" and server.hits("/robots.txt") == 1  # only the first walk's


def test_gzip_bomb_and_oversized_sitemaps_are_too_large(server):
    bomb = gzip.compress(b"<urlset>" + b" " * 2_000_000 + b"</urlset>")
    server.route("/bomb.xml.gz", Reply(body=bomb, content_type="application/octet-stream"))
    _, errors, _ = walk(server, server.url("/bomb.xml.gz"), max_decompressed_bytes=1_000_000)
    assert [(error.error_type, error.url) for error in errors] == [("too_large", server.url("/bomb.xml.gz"))]
    server.route("/big.xml", Reply(body=b"<urlset>" + b" " * 5000 + b"</urlset>", content_type=XML))
    _, errors, _ = walk(server, server.url("/big.xml"), max_bytes=1000)
    assert [error.error_type for error in errors] == ["too_large"]


def test_content_encoding_gzip_is_inflated_by_the_client(server):
    body = gzip.compress(b"<urlset><url><loc>http://127.0.0.1/x</loc></url></urlset>")
    server.route("/s.xml", Reply(body=body, content_type=XML, headers={"Content-Encoding": "gzip"}))
    requests, errors, _ = walk(server, server.url("/s.xml"))
    assert [request.url for request in requests] == ["http://127.0.0.1/x"] and errors == []


@pytest.mark.parametrize("content_type", ["application/gzip", "application/x-gzip", "binary/octet-stream"])
def test_gzip_sitemaps_served_with_gzip_or_storage_types_are_read(server, content_type):
    body = gzip.compress(b"<urlset><url><loc>http://127.0.0.1/x</loc></url></urlset>")
    server.route("/s.xml.gz", Reply(body=body, content_type=content_type))
    requests, errors, _ = walk(server, server.url("/s.xml.gz"))
    assert [request.url for request in requests] == ["http://127.0.0.1/x"] and errors == []


def index_of(*locations: tuple[str, str | None]) -> bytes:
    sitemaps = "".join(
        f"<sitemap><loc>{loc}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</sitemap>"
        for loc, lastmod in locations
    )
    return f"<sitemapindex>{sitemaps}</sitemapindex>".encode()


def urlset_of(*locations: str) -> bytes:
    return ("<urlset>" + "".join(f"<url><loc>{loc}</loc></url>" for loc in locations) + "</urlset>").encode()


def test_the_cap_leaves_out_the_oldest_sitemaps_and_says_so(server):
    days = ["2026-11-01", None, "2026-11-18", "2026-10-01", "2026-11-10"]
    server.route("/index.xml", Reply(body=index_of(*[(f"/day-{n}.xml", day) for n, day in enumerate(days)]), content_type=XML))
    for n in range(len(days)):
        server.route(f"/day-{n}.xml", Reply(body=urlset_of(f"/page-{n}"), content_type=XML))
    requests, errors, tally = walk(server, server.url("/index.xml"), max_sitemaps=3)
    assert sorted(request.url for request in requests) == [server.url("/page-2"), server.url("/page-4")]  # the two newest
    (cut,) = errors
    assert cut.error_type == "too_many_sitemaps" and cut.url == server.url("/index.xml")
    assert cut.message.startswith("3 sitemap(s) not read: more than 3 sitemaps (--max-sitemaps)")
    assert tally["sitemaps_not_read"] == 3 and tally["sitemaps_read"] == 3
    assert server.hits("/day-3.xml") == 0 and server.hits("/day-1.xml") == 0


def test_nested_indexes_stop_at_the_depth_limit_and_loops_are_read_once(server):
    for level in range(6):
        server.route(f"/level-{level}.xml", Reply(body=index_of((f"/level-{level + 1}.xml", None), ("/level-0.xml", None)), content_type=XML))
    _, errors, tally = walk(server, server.url("/level-0.xml"))
    assert [(error.error_type, error.url) for error in errors] == [("too_many_sitemaps", server.url("/level-0.xml"))]
    assert "nested more than 3 levels deep" in errors[0].message and server.url("/level-4.xml") in errors[0].message
    assert tally["sitemaps_read"] == 4 and server.hits("/level-0.xml") == 1 and server.hits("/level-4.xml") == 0


def test_a_local_sitemap_file_may_list_local_pages(tmp_path):
    page = tmp_path / "pages" / "a.html"
    page.parent.mkdir()
    page.write_bytes(html_page("A", *STORY))
    (tmp_path / "sitemap.xml").write_bytes(urlset_of("pages/a.html"))
    with LocalServer() as unused:
        requests, errors, _ = walk(unused, str(tmp_path / "sitemap.xml"))
    assert [request.url for request in requests] == [page.as_uri()] and errors == []


def run_sitemaps(sitemap_list: Path, output: Path, server: LocalServer, run_id: str, *extra: str) -> int:
    return main([
        "run", "--sitemaps", str(sitemap_list), "--output", str(output),
        "--allow-host", server.host_port, "--host-delay", "0", "--run-id", run_id, *extra,
    ])


def test_newsbeam_run_with_sitemaps_writes_articles_and_errors_and_fetches_nothing_twice(tmp_path, query, capsys):
    with LocalServer() as server:
        serve_site(server)
        sitemap_list = tmp_path / "sites.txt"
        sitemap_list.write_text(f"# one site, read through its robots.txt\n{server.url('')}\n")
        assert run_sitemaps(sitemap_list, tmp_path / "out", server, "first") == 0
        summary = capsys.readouterr().out
        pages = ("/news/talks", "/news/roads", "/news/archive-1", "/news/old", "/news/2019")
        assert [server.hits(page) for page in pages] == [1, 1, 1, 1, 1]
        articles = query("select url, feed_url, title, published_at from articles order by url")
        assert [article["url"] for article in articles] == sorted(server.url(page) for page in pages)
        talks = next(article for article in articles if article["url"] == server.url("/news/talks"))
        assert talks["feed_url"] == server.url("/news_sitemap.xml")  # the listing with the news block won
        errors = {(row["stage"], row["error_type"]) for row in query("select stage, error_type from errors")}
        assert errors == {
            ("sitemap", "not_a_sitemap"), ("sitemap", "http_status"), ("sitemap", "unsupported_scheme"), ("sitemap", "invalid_url")
        }
        assert "sitemaps/sitemaps_read" in summary and "sitemaps/entries_found" in summary

        sitemap_list.write_text(f"{server.url('/sitemap_index.xml')}\n")  # the same pages, listed by URL this time
        assert run_sitemaps(sitemap_list, tmp_path / "out", server, "second") == 0
        assert [server.hits(page) for page in pages] == [1, 1, 1, 1, 1]  # stored: not fetched again
    assert "dedupe/urls_already_stored" in capsys.readouterr().out
    assert query("select count(*) as n from articles")[0]["n"] == len(pages)


def test_since_skips_old_entries_and_old_sitemaps_before_fetching_them(tmp_path, query, capsys):
    with LocalServer() as server:
        serve_site(server)
        sitemap_list = tmp_path / "sites.txt"
        sitemap_list.write_text(f"{server.url('')}\n")
        assert run_sitemaps(sitemap_list, tmp_path / "out", server, "since", "--since", "2026-11-01") == 0
        assert server.hits("/sitemap-2019.xml") == 0 and server.hits("/news/old") == 0 and server.hits("/news/2019") == 0
    counters = capsys.readouterr().out
    assert re.search(r"sitemaps/entries_outside_dates +1\n", counters)
    assert re.search(r"sitemaps/sitemaps_outside_dates +1\n", counters)
    urls = [row["url"] for row in query("select url from articles order by url")]
    assert urls == [server.url("/news/archive-1"), server.url("/news/roads"), server.url("/news/talks")]
    published = query("select published_local_date from articles where url like '%/news/roads'")
    assert published == [{"published_local_date": datetime.date(2026, 11, 17)}]  # from the news sitemap: the page has none


def test_sitemap_list_errors_are_usage_errors(tmp_path, capsys):
    code = main(["run", "--sitemaps", str(tmp_path / "missing.txt"), "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE and "cannot read sitemap list" in err and "Traceback" not in err
    (tmp_path / "sites.txt").write_text("https://news.example/\n")
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--sitemaps", str(tmp_path / "sites.txt"), "--feeds", str(tmp_path / "sites.txt")])
    assert exit_.value.code == EXIT_USAGE
    code = main(["run", "--sitemaps", str(tmp_path / "sites.txt"), "--streaming", "--output", str(tmp_path / "out")])
    assert code == EXIT_USAGE and "--streaming polls feeds" in capsys.readouterr().err
