"""Errors a scheduler can act on: rows name their run, permanent failures are not fetched again for a
while, transient ones are retried by the next run, and a damaged file does not stop a run."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.util import assert_that, equal_to

from pipeline.cli import main
from schemas import ARTICLES, ERRORS
from schemas.errors import ERROR_TYPES, PERMANENT_ERROR_TYPES, is_permanent_failure, make_error
from schemas.table import SCHEMA_VERSION_KEY, TABLE_NAME_KEY
from tests.local_servers import LocalServer, Reply, html_page
from tests.test_pipeline_http import STORY
from transforms.dedupe.retry import PageFailure, held_back
from transforms.dedupe.stages import ReadStored
from transforms.sinks.parquet import write_parquet_file

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 20, 12, tzinfo=UTC)
WEEK = datetime.timedelta(days=7)
README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.parametrize(
    "error_type, http_status, permanent",
    [
        ("http_status", 404, True),
        ("http_status", 410, True),
        ("http_status", 403, True),
        ("http_status", 408, False),
        ("http_status", 429, False),
        ("http_status", 500, False),
        ("http_status", 503, False),
        ("http_status", 304, False),
        ("http_status", None, False),
        ("invalid_url", None, True),
        ("unsupported_scheme", None, True),
        ("blocked_address", None, True),
        ("robots_disallowed", None, True),
        ("redirect_loop", 302, True),
        ("too_many_redirects", 301, True),
        ("too_large", 200, True),
        ("unsupported_content_type", 200, True),
        ("empty_content", None, True),
        ("timeout", None, False),
        ("connection_error", None, False),
        ("decode_error", 200, False),
        ("file_not_found", None, False),
        ("extraction_failed", None, False),
        # a "come back later" answer wins over the error type
        ("robots_disallowed", 503, False),
        ("unsupported_content_type", 429, False),
    ],
)
def test_permanent_and_transient_failures(error_type, http_status, permanent):
    assert is_permanent_failure(error_type, http_status) is permanent


def test_the_readme_lists_exactly_the_permanent_types():
    paragraph = README.split("**Failed URLs and retries.**", 1)[1].split("\n\n", 1)[0]
    permanent_part, transient_part = paragraph.split("Permanent:", 1)[1].split("Feeds are", 1)[0].split("Everything else", 1)
    named = {error_type for error_type in ERROR_TYPES if f"`{error_type}`" in permanent_part}
    assert named == PERMANENT_ERROR_TYPES
    assert not {error_type for error_type in PERMANENT_ERROR_TYPES if f"`{error_type}`" in transient_part}


def test_a_permanent_failure_is_held_back_only_inside_the_window():
    yesterday = PageFailure(NOW - datetime.timedelta(days=1), permanent=True)
    assert held_back(yesterday, WEEK, NOW)
    assert not held_back(yesterday, datetime.timedelta(0), NOW)
    assert not held_back(PageFailure(NOW - WEEK, permanent=True), WEEK, NOW)
    assert not held_back(PageFailure(NOW - datetime.timedelta(days=1), permanent=False), WEEK, NOW)


def _error_row(stage: str, url: str, error_type: str, status: int | None, days_ago: float) -> dict:
    when = NOW - datetime.timedelta(days=days_ago)
    return make_error(stage, url, error_type, "m", http_status=status, now=when)._asdict()


def test_read_stored_gives_the_urls_whose_latest_page_failure_is_recent_and_permanent(tmp_path, beam_pipeline):
    output = str(tmp_path / "out")
    rows = [
        _error_row("fetch", "https://a.example/gone", "http_status", 404, 1),
        _error_row("fetch", "https://a.example/long-gone", "http_status", 404, 8),
        _error_row("fetch", "https://a.example/back", "http_status", 404, 3),
        _error_row("fetch", "https://a.example/back", "http_status", 503, 1),
        _error_row("feed", "https://a.example/feed", "http_status", 404, 1),
        _error_row("clean", "https://a.example/empty", "empty_content", None, 1),
        _error_row("fetch", "https://a.example/slow", "timeout", None, 1),
        _error_row("dedupe", "https://b.example/copy", "duplicate", None, 1),
    ]
    write_parquet_file(str(tmp_path / "out" / "errors" / "ingest_date=2026-11-19" / "r-00000.parquet"), ERRORS, rows)
    with beam_pipeline as p:
        stored = p | ReadStored(output, WEEK, now=NOW)
        assert_that(
            stored | beam.Map(lambda row: (row["url"], row.get("failed_recently", False))),
            equal_to([("https://a.example/gone", True), ("https://a.example/empty", True), ("https://b.example/copy", False)]),
        )


def _run(url_list: Path, output: Path, server: LocalServer, run_id: str, *more: str) -> int:
    return main([
        "run", "--urls", str(url_list), "--output", str(output),
        "--allow-host", server.host_port, "--host-delay", "0", "--run-id", run_id, *more,
    ])


def _counters(summary: str) -> dict[str, str]:
    return dict(line.split() for line in summary.splitlines() if line.startswith("  ") and "/" in line and len(line.split()) == 2)


def _new_page(server: LocalServer, number: int) -> str:
    """A page with a text of its own (same text on two URLs would be a duplicate row)."""
    return server.route(f"/news/{number}", Reply(body=html_page(f"Talks, report {number}", f"Report number {number}.", *STORY)))


def _errors(query) -> list[tuple]:
    rows = query("select run_id, url, http_status from errors order by run_id, url")
    return [(row["run_id"], row["url"].rsplit("/", 1)[1], row["http_status"]) for row in rows]


def test_a_404_waits_for_the_window_and_a_503_is_retried_by_the_next_run(tmp_path, query, capsys):
    output = tmp_path / "out"
    with LocalServer() as server:
        gone = server.route("/gone", Reply(status=404, body=b"not here"))
        busy = server.route("/busy", Reply(status=503, body=b"come back later"))
        url_list = tmp_path / "urls.txt"
        url_list.write_text(f"{_new_page(server, 1)}\n{gone}\n{busy}\n")

        assert _run(url_list, output, server, "r1") == 0
        assert _errors(query) == [("r1", "busy", 503), ("r1", "gone", 404)]
        assert server.hits("/gone") == 1
        capsys.readouterr()

        # Each run's list gains a page, as a scheduled job's does (a run that fetches nothing exits 3).
        url_list.write_text(url_list.read_text() + f"{_new_page(server, 2)}\n")
        assert _run(url_list, output, server, "r2") == 0
        counters = _counters(capsys.readouterr().out)
        assert server.hits("/gone") == 1 and server.hits("/news/1") == 1
        assert counters["dedupe/urls_failed_recently"] == "1" and counters["dedupe/urls_already_stored"] == "1"
        assert _errors(query) == [("r1", "busy", 503), ("r1", "gone", 404), ("r2", "busy", 503)]

        url_list.write_text(url_list.read_text() + f"{_new_page(server, 3)}\n")
        assert _run(url_list, output, server, "r3", "--retry-permanent-after", "0") == 0
        assert server.hits("/gone") == 2
    assert [row for row in _errors(query) if row[0] == "r3"] == [("r3", "busy", 503), ("r3", "gone", 404)]


def test_errors_files_of_schema_version_2_read_next_to_new_ones(tmp_path, query):
    """Old files have no run_id column: null there. Their failures still count for the retry policy."""
    output = tmp_path / "out"
    file_schema = ERRORS.file_schema
    v2_schema = file_schema.remove(file_schema.get_field_index("run_id")).with_metadata(
        {SCHEMA_VERSION_KEY: b"2", TABLE_NAME_KEY: b"errors"}
    )
    with LocalServer() as server:
        gone = server.route("/gone", Reply(status=404, body=b"not here"))
        missing = server.url("/missing")
        yesterday = datetime.datetime.now(UTC) - datetime.timedelta(days=1)
        old_row = make_error("fetch", gone, "http_status", "HTTP 404", http_status=404, now=yesterday)._asdict()
        folder = output / "errors" / f"ingest_date={old_row['ingest_date']}"
        folder.mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist([old_row], schema=v2_schema), folder / "old-00000.parquet")
        url_list = tmp_path / "urls.txt"
        url_list.write_text(f"{_new_page(server, 1)}\n{gone}\n{missing}\n")

        assert _run(url_list, output, server, "r1") == 0
        assert server.hits("/gone") == 0
    assert query("select run_id, url from errors order by run_id nulls first") == [
        {"run_id": None, "url": gone},
        {"run_id": "r1", "url": missing},
    ]


def test_a_truncated_articles_file_does_not_stop_the_next_run(tmp_path, caplog):
    output = tmp_path / "out"
    with LocalServer() as server:
        page = _new_page(server, 1)
        url_list = tmp_path / "urls.txt"
        url_list.write_text(f"{page}\n")
        assert _run(url_list, output, server, "r1") == 0
        (stored,) = (output / ARTICLES.name).rglob("r1-0*.parquet")
        stored.write_bytes(stored.read_bytes()[: stored.stat().st_size // 2])

        with caplog.at_level(logging.WARNING, logger="transforms.dedupe.stages"):
            assert _run(url_list, output, server, "r2") == 0
    assert any(str(stored) in record.getMessage() for record in caplog.records)
    # the damaged file hid the stored article, so the page was stored again, in a readable file
    (again,) = (output / ARTICLES.name).rglob("r2-*.parquet")
    assert pq.read_table(again).column("url").to_pylist() == [page]
