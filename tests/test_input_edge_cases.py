"""Input a new user gave newsbeam that it accepted silently, hung on or crashed on.

Each section is one fault: a page advertising itself as its feed, malformed ``--allow-host`` values,
non-finite or unparsable numbers, URL list lines with spaces or bytes that are not UTF-8, a FIFO or a
relative path in ``--html-dir``, and dates with impossible offsets or years.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import faulthandler
import json
import os
import sys
from collections.abc import Iterator

import lxml.html
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.cli import EXIT_USAGE
from pipeline.options import add_run_arguments, allowed_host, fetch_settings_from
from pipeline.run import EXIT_NO_SOURCE_READ
from tests.local_servers import Reply, html_page
from tests.test_cli import run_cli
from transforms.clean.dates import (
    DateFinder,
    PrintedDateParser,
    json_ld_dates,
    load_date_labels,
    load_month_names,
    parse_local_timestamp,
    url_date,
)
from transforms.clean.extract import Cleaner
from transforms.fetch.urls import UrlProblem, checked_http_url, redirect_target
from transforms.sources.lists import SourceListError, read_list
from transforms.sources.replay import count_saved_pages, html_dir_problem

UTC = datetime.timezone.utc
STORY = (
    "The foreign ministers of Kenya and Ethiopia met in Nairobi on Tuesday to discuss trade across their shared border.",
    "Officials from both governments said the talks would continue next month in Addis Ababa, the Ethiopian capital.",
    "Kenya's president later said the two countries would sign a new agreement on cross-border roads before the end of the year.",
)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def run_with_server(capsys, server, *source: str, output, run_id: str) -> tuple[int, str, str]:
    return run_cli(
        capsys, "run", *source, "--output", str(output), "--run-id", run_id,
        "--allow-host", server.host_port, "--host-delay", "0",
    )


def advertising_page(feed_path: str) -> Reply:
    return Reply(body=f'<html><head><link rel="alternate" type="application/rss+xml" href="{feed_path}"></head></html>'.encode())


# --- 1. an HTML page advertised as a feed is a feed error, not a feed read ----------------------------


@pytest.mark.parametrize(
    "routes",
    [
        {"/selfalt": "/selfalt"},  # a page advertising itself
        {"/home": "/section", "/section": "/home"},  # a page advertising another page
    ],
    ids=["itself", "another-page"],
)
def test_a_feed_that_is_again_an_html_page_is_a_not_a_feed_row_and_exits_3(tmp_path, capsys, query, server, routes):
    for path, advertised in routes.items():
        server.route(path, advertising_page(advertised))
    listed = next(iter(routes))
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(server.url(listed) + "\n")
    code, out, _ = run_with_server(capsys, server, "--feeds", str(feeds), output=tmp_path / "out", run_id="pages-only")
    assert code == EXIT_NO_SOURCE_READ
    assert "feeds/feeds_read" not in out
    (error,) = query("select url, error_type, feed_url, message from errors")
    assert (error["url"], error["error_type"], error["feed_url"]) == (server.url(routes[listed]), "not_a_feed", server.url(listed))
    assert "HTML page" in error["message"]


def test_a_page_advertising_a_real_feed_counts_only_that_feed_as_read(tmp_path, capsys, query, server):
    server.route("/", advertising_page("/rss.xml"))
    items = "<item><title>Talks</title><link>/news/1</link></item>"
    server.route("/rss.xml", Reply(body=f"<rss version='2.0'><channel><title>T</title>{items}</channel></rss>".encode(), content_type="application/rss+xml"))
    server.route("/news/1", Reply(body=html_page("Kenya and Ethiopia hold talks", *STORY)))
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(server.url("/") + "\n")
    code, out, _ = run_with_server(capsys, server, "--feeds", str(feeds), output=tmp_path / "out", run_id="page-then-feed")
    assert code == 0
    feeds_read = next(line for line in out.splitlines() if "feeds/feeds_read" in line)
    assert feeds_read.split()[-1] == "1"
    assert query("select count(*) as n from articles")[0]["n"] == 1


# --- 2. --allow-host takes HOST or HOST:PORT only ---------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["127.0.0.1:abc", "http://127.0.0.1:8765", "127.0.0.1:8765/", "", "::1", "[::1", "[zz]:80", "127.0.0.1:0", "h:65536", "999.1.1.1", "a b"],
)
def test_malformed_allow_host_is_a_usage_error_naming_the_form(capsys, tmp_path, value):
    code, out, err = run_cli(capsys, "run", "--sample", "--output", str(tmp_path / "out"), "--allow-host", value)
    assert code == EXIT_USAGE
    assert "--allow-host" in err and "expected HOST or HOST:PORT" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists() and out == ""


def test_allow_host_values_are_kept_in_the_spelling_requests_are_matched_against():
    parser = argparse.ArgumentParser()
    add_run_arguments(parser)
    args = parser.parse_args(["--allow-host", " Intranet.Example ", "--allow-host", "[0:0::1]:08080", "--allow-host", "bücher.example:81"])
    assert fetch_settings_from(args).allowed_hosts == {
        "intranet.example:80", "intranet.example:443", "[::1]:8080", "bücher.example:81",
    }
    assert allowed_host("[::1]") == "[::1]" and allowed_host("10.0.0.5:8080") == "10.0.0.5:8080"


# --- 3. numbers must be finite and parsable ---------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--lock-timeout", "nan"), ("--host-delay", "nan"), ("--timeout", "inf"), ("--poll-interval", "nan"),
        ("--stop-after", "infinity"), ("--progress-interval", "-inf"), ("--retry-permanent-after", "NaN"),
    ],
)
def test_non_finite_numbers_are_usage_errors(capsys, tmp_path, option, value):
    code, _, err = run_cli(capsys, "run", "--sample", "--output", str(tmp_path / "out"), f"{option}={value}")
    assert code == EXIT_USAGE
    assert f"argument {option}: must be a finite number of" in err and repr(value) in err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["run", "--sample", "--timeout", "abc"], "argument --timeout: must be a number of seconds, not 'abc'"),
        (["run", "--sample", "--retry-permanent-after", "a week"], "must be a number of days, not 'a week'"),
        (["run", "--sample", "--fetch-workers", "many"], "argument --fetch-workers: must be a whole number, not 'many'"),
        (["run", "--sample", "--window", "0"], "must be a positive whole number, not '0'"),
        (["run", "--sample", "--min-article-confidence", "1.2"], "argument --min-article-confidence: '1.2' is not a number from 0 to 1"),
        (["run", "--sample", "--min-article-confidence", "nan"], "argument --min-article-confidence: 'nan' is not a number from 0 to 1"),
        (["compact", "--lock-timeout", "nan"], "argument --lock-timeout: must be a finite number of seconds, not 'nan'"),
    ],
)
def test_unparsable_numbers_are_named_in_words(capsys, tmp_path, arguments, message):
    code, _, err = run_cli(capsys, *arguments, "--output", str(tmp_path / "out"))
    assert code == EXIT_USAGE
    assert message in err and "invalid" not in err


# --- 4. URL list lines with spaces, control characters or bytes that are not UTF-8 ---------------


@pytest.mark.parametrize(
    "url",
    ["http://news.example/p.html extra words", "http://news.example/a\x00b.html", "http://news.example/a\tb",
     "http://news.example/?q=a b", "http://news.example/a\u00a0b", "http://news.example/a\x85b", "http://news.example/a#x y"],
)
def test_urls_with_spaces_or_control_characters_anywhere_are_invalid(url):
    with pytest.raises(UrlProblem) as problem:
        checked_http_url(url)
    assert problem.value.error_type == "invalid_url"


def test_urls_without_spaces_stay_valid_and_redirects_with_spaces_are_encoded_as_browsers_do():
    assert checked_http_url("  https://news.example/café?q=a%20b  ") == "https://news.example/café?q=a%20b"
    assert redirect_target("https://news.example/a", "/my page.html") == "https://news.example/my%20page.html"
    with pytest.raises(UrlProblem):
        redirect_target("https://news.example/a", "/a\x00b")


def test_url_list_lines_with_spaces_or_nul_are_invalid_url_rows_and_never_requested(tmp_path, capsys, query, server):
    good = server.route("/news/1", Reply(body=html_page("Kenya and Ethiopia hold talks", *STORY)))
    bad = [server.url("/news/1.html extra words"), server.url("/news/\x00.html")]
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join([good, *bad]) + "\n", encoding="utf-8")
    code, _, _ = run_with_server(capsys, server, "--urls", str(urls), output=tmp_path / "out", run_id="spaces")
    assert code == 0
    assert sorted(row["url"] for row in query("select url from articles")) == [good]
    errors = query("select url, error_type from errors order by url")
    assert sorted((e["url"], e["error_type"]) for e in errors) == sorted((url, "invalid_url") for url in bad)
    assert {seen.path for seen in server.requests} <= {"/robots.txt", "/news/1"}


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"https://a.example/1\nhttps://a.example/2\n\xff\xfe bad\n", 3),
        (b"\xef\xbb\xbfhttps://a.example/1\r\nhttps://a.example/\xe9t\xe9\r\n", 2),
        (b"\x80", 1),
    ],
)
def test_a_list_that_is_not_utf8_names_the_line(tmp_path, data, line):
    listed = tmp_path / "urls.txt"
    listed.write_bytes(data)
    with pytest.raises(SourceListError, match=rf"^URL list '.*urls\.txt' is not UTF-8 text \(line {line}\)$"):
        read_list(str(listed), "URL")


def test_a_list_that_is_not_utf8_is_a_usage_error_naming_the_line(tmp_path, capsys):
    urls = tmp_path / "urls.txt"
    urls.write_bytes(b"# saved links\nhttps://a.example/1\nhttps://a.example/caf\xe9\n")
    code, _, err = run_cli(capsys, "run", "--urls", str(urls), "--output", str(tmp_path / "out"), "--run-id", "latin1")
    assert code == EXIT_USAGE
    assert "is not UTF-8 text (line 3)" in err and len(err.strip().splitlines()) == 1


# --- 5. --html-dir: regular files only, absolute file:// URLs, a clear reason for a bad folder --------


@contextlib.contextmanager
def fails_instead_of_hanging(seconds: float) -> Iterator[None]:
    """A hang (the fault: reading a FIFO) ends the test process with a traceback instead of never ending."""
    faulthandler.dump_traceback_later(seconds, exit=True, file=sys.__stderr__)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_the_html_dir_is_an_error_row_and_the_other_pages_are_read(tmp_path, capsys, query):
    saved = tmp_path / "hd"
    saved.mkdir()
    (saved / "talks.html").write_bytes(html_page("Kenya and Ethiopia hold talks", *STORY))
    os.mkfifo(saved / "fifo.html")
    assert count_saved_pages(str(saved)) == 1
    with fails_instead_of_hanging(300):
        code, _, _ = run_cli(capsys, "run", "--html-dir", str(saved), "--output", str(tmp_path / "out"), "--run-id", "fifo")
    assert code == 0
    assert query("select count(*) as n from articles")[0]["n"] == 1
    (error,) = query("select url, error_type, message from errors")
    assert error["url"].endswith("fifo.html") and error["error_type"] == "file_not_found"
    assert "not a regular file" in error["message"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_folder_of_fifos_holds_no_saved_pages(tmp_path):
    os.mkfifo(tmp_path / "only.html")
    assert count_saved_pages(str(tmp_path)) == 0
    assert html_dir_problem(str(tmp_path)) == "holds no *.html or *.html.gz files"


def test_a_relative_html_dir_gives_absolute_file_urls(tmp_path, capsys, query, monkeypatch):
    (tmp_path / "hd").mkdir()
    (tmp_path / "hd" / "my talks.html").write_bytes(html_page("Kenya and Ethiopia hold talks", *STORY))
    monkeypatch.chdir(tmp_path)
    code, _, _ = run_cli(capsys, "run", "--html-dir", "hd", "--output", str(tmp_path / "out"), "--run-id", "relative")
    assert code == 0
    assert query("select url from articles") == [{"url": (tmp_path / "hd" / "my talks.html").as_uri()}]


def test_html_dir_problem_names_what_is_wrong_with_the_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "a-file.html").write_text("<html></html>")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.html.gz").write_bytes(b"")
    assert html_dir_problem(str(tmp_path / "nonexist")) == "does not exist"
    assert html_dir_problem(str(tmp_path / "a-file.html")) == "is not a folder"
    assert html_dir_problem(str(tmp_path / "empty")) == "holds no *.html or *.html.gz files"
    assert html_dir_problem(str(tmp_path / "pages")) is None


# --- 6. dates with impossible offsets or years are ignored, never raised on ----------------------------


def _timestamp_parts() -> st.SearchStrategy[str]:
    """Timestamps that look right but may have any year, month, day, time or offset."""
    number = st.integers(min_value=0, max_value=99999)
    return st.one_of(
        st.builds("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}{:02d}:{:02d}".format, number, number, number, number,
                  number, number, st.sampled_from("+-"), number, number),
        st.builds("{:04d}{:02d}{:02d}T{:02d}{:02d}{:02d}".format, number, number, number, number, number, number),
        st.builds("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} {}{:04d}".format, st.sampled_from(["Tue", "Xyz"]),
                  number, st.sampled_from(["Mar", "Foo"]), number, number, number, number, st.sampled_from("+-"), number),
    )


IMPOSSIBLE_MOMENTS = ("2024-03-05T10:00:00+99:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00")
date_strings = st.one_of(st.text(), _timestamp_parts(), st.sampled_from(IMPOSSIBLE_MOMENTS))


def with_impossible_moments(test):
    """Hypothesis tries these on every run, besides the random strings."""
    for moment in IMPOSSIBLE_MOMENTS:
        test = example(value=moment)(test)
    return test


@pytest.fixture(scope="module")
def finder() -> DateFinder:
    return DateFinder()


@pytest.fixture(scope="module")
def printed() -> PrintedDateParser:
    return PrintedDateParser(load_month_names(), load_date_labels())


@FAST
@given(value=date_strings)
@with_impossible_moments
def test_date_parsing_takes_any_string(value, printed):
    moment = parse_local_timestamp(value)
    if moment is not None:
        assert moment.tzinfo is not None and moment.astimezone(UTC).tzinfo is UTC
    url_date(f"https://news.example/{value}")
    printed.dates(value)
    for date in json_ld_dates({"@type": "NewsArticle", "datePublished": value, "dateModified": value}):
        date.moment.astimezone(UTC)


@settings(max_examples=60, deadline=None)
@given(value=date_strings)
@with_impossible_moments
def test_date_finder_takes_any_date_in_any_markup(value, finder):
    attribute = json.dumps(value.replace("\x00", ""))
    page = lxml.html.fromstring(
        "<html><head>"
        f"<meta property='article:published_time' content={attribute}>"
        f"<script type='application/ld+json'>{json.dumps({'@type': 'NewsArticle', 'datePublished': value})}</script>"
        f"</head><body><h1>Talks</h1><p><time datetime={attribute}></time></p></body></html>"
    )
    found = finder.find(page, "https://news.example/talks")  # no date in the URL: htmldate reads the markup
    assert found is None or found.astimezone(UTC).tzinfo is UTC


BROKEN_OFFSET_PAGE = """<html><head><title>Harbour talks resume</title>
<meta property="article:published_time" content="2024-03-05T10:00:00+99:00">
<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-03-05T10:00:00+99:00"}</script>
</head><body><article><h1>Harbour talks resume</h1>%s
<p>The ministers of both countries met in the harbour city on Tuesday to resume the talks that had stalled last
year over fishing rights and port fees. Officials said the meeting was constructive and that a further round
would follow next month.</p>
<p>Negotiators from both sides said they expected an agreement before the summer, when the fishing season starts
and the port fees are due to be revised by the harbour authority.</p></article></body></html>"""


@pytest.mark.parametrize(
    ("extra", "url", "expected"),
    [
        ("", "https://news.example/2024/03/04/harbour-talks", datetime.datetime(2024, 3, 4, tzinfo=UTC)),
        ('<time class="published" datetime="2024-03-04T09:30:00+01:00"></time>', "https://news.example/harbour-talks",
         datetime.datetime(2024, 3, 4, 8, 30, tzinfo=UTC)),
        ("", "https://news.example/harbour-talks", None),
    ],
    ids=["url-date", "time-element", "nothing-else"],
)
def test_a_page_with_an_impossible_offset_is_cleaned_with_the_next_evidence(extra, url, expected):
    cleaned = Cleaner().clean(BROKEN_OFFSET_PAGE % extra, url)
    assert cleaned.title == "Harbour talks resume" and "fishing rights" in cleaned.text
    assert cleaned.published_at == expected
