"""The FetchPages stage in a TestPipeline, its pure mapping, and the shared per-process client."""

from __future__ import annotations

import datetime
import time

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from schemas.errors import ErrorRecord
from schemas.pages import FetchedPage, PageRequest
from tests.local_servers import LocalServer, Reply, html_page
from transforms.fetch.client import FetchResult, FetchSettings
from transforms.fetch.fetch_pages import FetchPages, page_or_error
from transforms.fetch.shared_client import acquire_client, release_client

FEED = "https://news.example/rss"
PUBLISHED = datetime.datetime(2026, 11, 20, 8, 30, tzinfo=datetime.timezone.utc)
NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.timezone.utc)


def local_settings(server: LocalServer, **overrides: object) -> FetchSettings:
    fields: dict[str, object] = dict(allowed_hosts=frozenset({server.host_port}), min_host_delay=0.0)
    fields.update(overrides)
    return FetchSettings(**fields)


def result(**fields: object) -> FetchResult:
    base: dict[str, object] = dict(
        url="https://a.example/x", final_url="https://a.example/x", status=200,
        content_type="text/html", body=b"<html></html>", text="<html></html>",
        error_type=None, message="", attempts=1, headers={},
    )
    base.update(fields)
    return FetchResult(**base)


def test_page_or_error_keeps_the_feed_metadata_of_a_page():
    request = PageRequest("https://a.example/x", FEED, "Title", PUBLISHED)
    page = page_or_error(request, result(final_url="https://a.example/y"), NOW)
    assert page == FetchedPage(
        url="https://a.example/x", final_url="https://a.example/y", html="<html></html>",
        fetched_at=NOW, feed_url=FEED, entry_title="Title", entry_published=PUBLISHED,
    )


def test_page_or_error_turns_failures_into_error_rows():
    request = PageRequest("https://a.example/x", FEED)
    error = page_or_error(request, result(status=503, text=None, error_type="http_status",
                                          message="HTTP 503", attempts=3), NOW)
    assert isinstance(error, ErrorRecord)
    assert (error.stage, error.url, error.feed_url, error.error_type) == ("fetch", request.url, FEED, "http_status")
    assert (error.http_status, error.attempts, error.occurred_at) == (503, 3, NOW)


def test_page_or_error_does_not_pass_a_bodiless_answer_as_a_page():
    error = page_or_error(PageRequest("https://a.example/x"), result(status=304, text=None, body=b""), NOW)
    assert isinstance(error, ErrorRecord)
    assert (error.error_type, error.http_status) == ("http_status", 304)


def test_fetch_pages_splits_pages_and_errors(beam_pipeline):
    with LocalServer() as server:
        good = [server.route(f"/story{i}", Reply(body=html_page(f"Story {i}"))) for i in range(5)]
        missing = server.url("/gone")
        requests = [PageRequest(url, FEED, f"Story {i}") for i, url in enumerate(good)]
        requests += [PageRequest(missing, FEED), PageRequest("gopher://old.example/")]
        with beam_pipeline as p:
            fetched = p | beam.Create(requests) | "FetchPages" >> FetchPages(local_settings(server))
            pages = fetched.pages | beam.Map(lambda page: (page.url, page.entry_title, f"Story {page.entry_title[-1]}" in page.html))
            errors = fetched["errors"] | beam.Map(lambda e: (e.stage, e.url, e.feed_url, e.error_type, e.http_status))
            assert_that(pages, equal_to([(url, f"Story {i}", True) for i, url in enumerate(good)]), label="Pages")
            assert_that(errors, equal_to([
                ("fetch", missing, FEED, "http_status", 404),
                ("fetch", "gopher://old.example/", None, "unsupported_scheme", None),
            ]), label="Errors")


def test_fetch_pages_reports_refusals_as_error_rows(beam_pipeline):
    with LocalServer() as server, LocalServer() as internal:
        server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private\n", content_type="text/plain"))
        private = server.route("/private", Reply(body=html_page("no")))
        hidden = internal.route("/admin", Reply(body=html_page("no")))
        settings = local_settings(server)
        with beam_pipeline as p:
            fetched = p | beam.Create([PageRequest(private), PageRequest(hidden)]) | FetchPages(settings)
            errors = fetched.errors | beam.Map(lambda e: (e.url, e.error_type))
            assert_that(errors, equal_to([(private, "robots_disallowed"), (hidden, "blocked_address")]))
        assert server.hits("/private") == 0
        assert internal.requests == []


def test_fetch_pages_reads_local_files_only_when_allowed(beam_pipeline, tmp_path):
    saved = tmp_path / "saved.html"
    saved.write_bytes(html_page("Saved", "kept on disk"))
    with beam_pipeline as p:
        requests = p | beam.Create([PageRequest(str(saved))])
        allowed = requests | "Allowed" >> FetchPages(FetchSettings(), allow_file=True)
        refused = requests | "Refused" >> FetchPages(FetchSettings())
        assert_that(allowed.pages | beam.Map(lambda page: "kept on disk" in page.html), equal_to([True]), label="Read")
        assert_that(refused.errors | beam.Map(lambda e: e.error_type), equal_to(["invalid_url"]), label="NotRead")


def test_fetch_pages_downloads_concurrently_within_a_bundle(beam_pipeline):
    with LocalServer() as server:
        urls = [server.route(f"/slow{i}", Reply(body=html_page(f"p{i}"), delay=0.25)) for i in range(16)]
        settings = local_settings(server, max_per_host=8, max_workers=8)
        started = time.monotonic()
        with beam_pipeline as p:
            pages = p | beam.Create([PageRequest(url) for url in urls]) | FetchPages(settings)
            assert_that(pages.pages | beam.Map(lambda page: page.url), equal_to(urls))
        elapsed = time.monotonic() - started
    # One after another: 16 x 0.25 s = 4 s. Eight at a time: about 0.5 s plus pipeline overhead.
    assert elapsed < 3.0


def test_shared_client_lives_until_its_last_user_releases_it():
    settings = FetchSettings(user_agent="shared-client-test/1")
    first = acquire_client(settings)
    second = acquire_client(settings)
    assert first is second
    release_client(settings)
    assert first.submit("ftp://x.example/").result().error_type == "unsupported_scheme"
    release_client(settings)
    with pytest.raises(RuntimeError):
        first.submit("ftp://x.example/")
    third = acquire_client(settings)
    assert third is not first
    release_client(settings)
