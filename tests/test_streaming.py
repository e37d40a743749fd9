"""Streaming: the decisions that keep a stream exactly-once, the stored-key index, the local
runner's window jobs, and the stream's steps under TestStream (watermark and element times under
the test's control, on Beam's BundleBasedDirectRunner), read back from the Parquet files.

Real streams (``newsbeam run --streaming``) are in ``tests/test_streaming_runs.py``.
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.portability.api import beam_fn_api_pb2
from apache_beam.testing import test_pipeline, test_stream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import FixedWindows, GlobalWindow, IntervalWindow, TimestampedValue
from apache_beam.utils.timestamp import Duration
from hypothesis import given
from hypothesis import strategies as st

from pipeline.cli import EXIT_USAGE, main
from pipeline.progress import requested_resume_delay
from pipeline.streaming import StreamingConfig, next_window_job, window_jobs
from sample_corpus import PAGES_FOLDER
from schemas import ARTICLES, ERRORS
from schemas.articles import Article
from schemas.errors import make_error
from schemas.pages import FetchedPage, PageRequest
from transforms.clean.clean_articles import CleanArticles
from transforms.dedupe.stored_index import URL_FAILED_RECENTLY, URL_STORED, IndexSource, StoredIndex, digest
from transforms.dedupe.stream import (
    DropStreamDuplicates,
    SharedIndex,
    SkipSeenUrls,
    by_id,
    by_text,
    first_sighting,
    remembered,
    seen_ttl,
)
from transforms.sinks.commit import CommitFiles
from transforms.sinks.layout import partition_folder
from transforms.sinks.parquet import WriteTable, window_label, write_parquet_file
from transforms.sources.poll import feed_batches, learnt_validators

UTC = datetime.timezone.utc
# 2026-11-27T12:00:00Z: windows in the tests start at whole minutes from here.
T0 = 1795780800
DAY = "2026-11-27"
WEEK = datetime.timedelta(days=7)


def streaming_test_pipeline() -> test_pipeline.TestPipeline:
    options = PipelineOptions([])
    options.view_as(StandardOptions).streaming = True
    return test_pipeline.TestPipeline(runner="BundleBasedDirectRunner", options=options, blocking=True)


def at(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(T0 + seconds, UTC)


def article(article_id: str, url: str, text_hash: str, published: float = 0) -> Article:
    return Article(
        article_id=article_id, url=url, canonical_url=url, feed_url=None, source_domain="a.example", title="t",
        author=None, published_at=at(published), language="en", text="text", text_hash=text_hash, word_count=1,
        fetched_at=at(0), ingest_date=DAY,
    )


def store(output: Path, table, name: str, rows) -> Path:
    """A table file as a run leaves it, in the partition of DAY."""
    path = Path(partition_folder(str(output), table.name, DAY)) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    write_parquet_file(str(path), table, [row._asdict() for row in rows])
    return path


class FakeLookup:
    def __init__(self, urls=(), ids=(), texts=None):
        self.urls, self.ids, self.texts = dict(urls), set(ids), dict(texts or {})

    def url_status(self, url):
        return self.urls.get(url)

    def has_article(self, article_id):
        return article_id in self.ids

    def article_with_text(self, text_hash):
        return self.texts.get(text_hash)


# ---- decisions -----------------------------------------------------------------------------------


def test_a_request_passes_once_and_never_when_the_output_settled_its_url():
    request = PageRequest(url="https://a.example/1")
    assert first_sighting(request, seen=False, stored=FakeLookup()).kept == request
    assert first_sighting(request, seen=True, stored=FakeLookup()).reason == "urls_seen_by_stream"
    for status in (URL_STORED, URL_FAILED_RECENTLY):
        decision = first_sighting(request, seen=False, stored=FakeLookup(urls={request.url: status}))
        assert decision.kept is None and decision.reason == status


def test_an_article_id_is_kept_once_and_a_later_copy_is_a_duplicate_row():
    first = article("id-1", "https://a.example/1", "h1")
    assert by_id(first, seen=False, stored=FakeLookup()).kept == first
    later = by_id(first._replace(url="https://a.example/1?utm_source=x"), seen=True, stored=FakeLookup())
    assert later.kept is None and later.duplicate.error_type == "duplicate" and "id-1" in later.duplicate.message
    assert later.duplicate.url == "https://a.example/1?utm_source=x"
    # stored by an earlier run: not stored again, and its URL recorded so it is not fetched again (as in batch)
    stored = by_id(first, seen=False, stored=FakeLookup(ids={"id-1"}))
    assert stored.kept is None and stored.reason == "articles_already_stored"
    assert stored.duplicate.url == first.url and "earlier run" in stored.duplicate.message


def test_a_syndicated_copy_names_the_article_that_holds_its_text():
    copy = article("id-2", "https://b.example/copy", "h1")
    assert by_text(copy, kept_before=None, stored=FakeLookup()).kept == copy
    of_stream = by_text(copy, kept_before="id-1", stored=FakeLookup())
    of_output = by_text(copy, kept_before=None, stored=FakeLookup(texts={"h1": "id-0"}))
    assert of_stream.kept is None and "id-1" in of_stream.duplicate.message
    assert of_output.kept is None and "id-0" in of_output.duplicate.message
    assert of_stream.reason == of_output.reason == "duplicate_texts"


def test_state_remembers_until_its_time_is_up():
    assert remembered(None, now=10.0) is None
    assert remembered(("id-1", 20.0), now=10.0) == "id-1"
    assert remembered(("id-1", 20.0), now=20.0) is None


def test_state_outlives_three_windows_and_a_refresh():
    assert seen_ttl(600, 600) == Duration(seconds=24 * 3600)
    assert seen_ttl(86400, 86400) == Duration(seconds=4 * 86400)


# ---- the stored-key index -------------------------------------------------------------------------


def test_the_index_knows_what_the_output_holds_and_reads_only_new_files(tmp_path):
    output = tmp_path / "out"
    store(output, ARTICLES, "batch-00000.parquet", [article("id-1", "https://a.example/1", "h1")])
    store(output, ERRORS, "batch-00000.parquet", [
        make_error("dedupe", "https://a.example/copy", "duplicate", "the same text as article id-1", now=at(1)),
        make_error("fetch", "https://a.example/gone", "http_status", "404", http_status=404, now=at(2)),
        make_error("fetch", "https://a.example/slow", "timeout", "slow", now=at(3)),
        # a 404 followed by a 503: the latest failure is transient, so the URL is retried
        make_error("fetch", "https://a.example/flaky", "http_status", "404", http_status=404, now=at(4)),
        make_error("fetch", "https://a.example/flaky", "http_status", "503", http_status=503, now=at(5)),
    ])
    index = StoredIndex(IndexSource(str(output), WEEK, refresh_seconds=60), now=lambda: at(3600))
    assert index.refresh() == 2
    assert index.url_status("https://a.example/1") == URL_STORED
    assert index.url_status("https://a.example/copy") == URL_STORED
    assert index.url_status("https://a.example/gone") == URL_FAILED_RECENTLY
    assert index.url_status("https://a.example/slow") is None
    assert index.url_status("https://a.example/flaky") is None
    assert index.has_article("id-1") and not index.has_article("id-2")
    assert index.article_with_text("h1") == "id-1" and index.article_with_text("h2") is None

    store(output, ARTICLES, "stream-00000.parquet", [article("id-2", "https://a.example/2", "h2")])
    assert index.refresh() == 1 and index.files_read == 3
    assert index.has_article("id-2") and index.article_with_text("h2") == "id-2"
    assert index.refresh() == 0


def test_a_permanent_failure_is_held_back_only_for_the_retry_wait(tmp_path):
    output = tmp_path / "out"
    store(output, ERRORS, "batch-00000.parquet", [make_error("fetch", "https://a.example/gone", "http_status", "404", http_status=404, now=at(0))])
    later = StoredIndex(IndexSource(str(output), WEEK, 60), now=lambda: at(0) + WEEK + datetime.timedelta(seconds=1))
    later.refresh()
    assert later.url_status("https://a.example/gone") is None


def test_the_index_refreshes_only_when_due(tmp_path):
    output = tmp_path / "out"
    clock = [100.0]
    index = StoredIndex(IndexSource(str(output), WEEK, refresh_seconds=60), clock=lambda: clock[0])
    index.refresh_if_due()
    store(output, ARTICLES, "run-00000.parquet", [article("id-1", "https://a.example/1", "h1")])
    clock[0] += 59
    index.refresh_if_due()
    assert not index.has_article("id-1")
    clock[0] += 1
    index.refresh_if_due()
    assert index.has_article("id-1")


def test_a_damaged_or_stray_file_is_skipped_with_a_warning_once(tmp_path, caplog):
    output = tmp_path / "out"
    store(output, ARTICLES, "run-00000.parquet", [article("id-1", "https://a.example/1", "h1")])
    damaged = Path(partition_folder(str(output), "articles", DAY)) / "broken.parquet"
    damaged.write_bytes(b"PAR1 not really")
    (output / "articles" / "stray.parquet").write_bytes(b"elsewhere")
    index = StoredIndex(IndexSource(str(output), WEEK, 60))
    with caplog.at_level(logging.WARNING):
        assert index.refresh() == 1
        assert index.refresh() == 0
    assert index.has_article("id-1")
    assert sum("broken.parquet" in record.getMessage() for record in caplog.records) == 1
    assert not any("stray.parquet" in record.getMessage() for record in caplog.records)


@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=50, unique=True))
def test_digests_are_stable_64_bit_keys(keys):
    digests = [digest(key) for key in keys]
    assert digests == [digest(key) for key in keys]
    assert all(0 <= value < 2**64 for value in digests)
    assert len(set(digests)) == len(keys)


# ---- the local runner's window jobs ---------------------------------------------------------------


def test_a_window_job_polls_on_the_streams_beat_until_its_window_ends():
    # started 12:00:03, polls every 5 s, windows of 10 s
    assert next_window_job(T0 + 3, None, 5, 10, now=T0 + 3) == (T0 + 3, T0 + 10)
    # the next window: its first beat
    assert next_window_job(T0 + 3, None, 5, 10, now=T0 + 10) == (T0 + 13, T0 + 20)
    # a job that starts late polls once at once for the latest beat it missed
    assert next_window_job(T0 + 3, None, 5, 10, now=T0 + 19.5) == (T0 + 18, T0 + 20)
    # --stop-after ends the last window early, and then the stream
    assert next_window_job(T0 + 3, T0 + 15, 5, 10, now=T0 + 10) == (T0 + 13, T0 + 15)
    assert next_window_job(T0 + 3, T0 + 15, 5, 10, now=T0 + 15) is None


def test_a_window_shorter_than_the_poll_interval_may_have_no_poll():
    job = next_window_job(T0, None, 30, 10, now=T0 + 10)
    assert job.first_poll >= job.end


def test_window_jobs_start_when_the_previous_window_is_over(tmp_path):
    clock = [T0 + 3.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    config = StreamingConfig(
        feed_urls=["https://a.example/rss"], output_dir=str(tmp_path), index=SharedIndex(IndexSource(str(tmp_path), WEEK, 10)),
        run_id="stream", poll_interval=5, window_seconds=10,
    )
    starts = []
    for pipeline in window_jobs(config, T0 + 3, T0 + 25, beam.Pipeline, clock=lambda: clock[0], sleep=sleep):
        assert isinstance(pipeline, beam.Pipeline)
        starts.append(clock[0] - T0)
        clock[0] += 1.5  # the job ends after its last poll, before its window does
    assert starts == [3.0, 10.0, 20.0]
    assert slept == [0.0, 5.5, 8.5, 3.5]


# ---- smaller pieces --------------------------------------------------------------------------------


def test_feed_batches_cover_every_feed_once():
    assert feed_batches(["a", "b", "c", "d", "e"], 2) == [["a", "b"], ["c", "d"], ["e"]]
    assert feed_batches([], 4) == []


def test_only_validators_are_taken_from_a_polls_outputs():
    outputs = [
        PageRequest(url="https://a.example/1"),
        beam.pvalue.TaggedOutput("validators", ("https://a.example/rss", {"etag": '"v2"'})),
        beam.pvalue.TaggedOutput("errors", make_error("feed", "https://b.example/rss", "timeout", "slow")),
    ]
    assert learnt_validators(outputs) == {"https://a.example/rss": {"etag": '"v2"'}}


def test_window_label_names_stream_windows_and_leaves_batch_names_alone():
    assert window_label(GlobalWindow()) is None
    assert window_label(IntervalWindow(T0 + 60, T0 + 120)) == "20261127T120100Z"


def test_the_local_runner_waits_as_long_as_a_deferred_remainder_asks():
    def residual(seconds: float):
        root = beam_fn_api_pb2.DelayedBundleApplication()
        root.requested_time_delay.FromTimedelta(datetime.timedelta(seconds=seconds))
        return root

    assert requested_resume_delay([]) == 0.0
    assert requested_resume_delay([residual(4.5), residual(2.0)]) == 2.0
    assert requested_resume_delay([residual(0)]) == 0.0


# ---- the stream's steps under TestStream -----------------------------------------------------------


def test_a_url_polled_in_several_windows_is_passed_on_once(tmp_path):
    def poll(seconds: int, *urls: str) -> list[TimestampedValue]:
        return [TimestampedValue(PageRequest(url=url, feed_url="feed"), T0 + seconds) for url in urls]

    output = tmp_path / "out"
    store(output, ARTICLES, "batch-00000.parquet", [article("id-9", "https://a.example/stored", "h9")])
    stream = (
        test_stream.TestStream()
        .add_elements(poll(0, "https://a.example/1", "https://a.example/2", "https://a.example/stored"))
        .advance_watermark_to(T0 + 60)
        .add_elements(poll(70, "https://a.example/2", "https://a.example/3"))
        .advance_processing_time(3600)
        .advance_watermark_to(T0 + 120)
        # an entry seen again two windows later, and one repeated within a poll
        .add_elements(poll(130, "https://a.example/1", "https://a.example/3", "https://a.example/4", "https://a.example/4"))
        .advance_watermark_to_infinity()
    )
    index = SharedIndex(IndexSource(str(output), WEEK, 60))
    with streaming_test_pipeline() as p:
        new = (
            p
            | stream
            | SkipSeenUrls(index, seen_ttl(60, 60))
            | beam.Map(lambda request, ts=beam.DoFn.TimestampParam: (request.url, int(ts.micros // 1_000_000) - T0))
        )
        # Each new URL once, with the time of the poll that first saw it; the stored one never.
        assert_that(new, equal_to([
            ("https://a.example/1", 0), ("https://a.example/2", 0), ("https://a.example/3", 70), ("https://a.example/4", 130),
        ]))


@pytest.fixture(scope="module")
def sample_pages() -> dict[str, str]:
    return {path.stem[:3]: path.read_text(encoding="utf-8") for path in sorted(PAGES_FOLDER.glob("00[1-5]-*.html"))}


def test_articles_pass_once_across_windows_earlier_runs_and_syndication(tmp_path, sample_pages):
    """Pages arriving over three windows, repeated, late, re-announced under another URL and copied
    by another outlet, after a batch run stored one of them: every article goes to the writers once.

    (The writers themselves are not run here: Beam's BundleBasedDirectRunner, the one that runs
    TestStream, fails on their windowed side input; real streams in test_streaming_runs.py write.)"""
    output = tmp_path / "out"
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "001.html").write_text(sample_pages["001"], encoding="utf-8")
    assert main(["run", "--html-dir", str(saved), "--output", str(output), "--run-id", "batch", "--quiet"]) == 0

    def page(seconds: int, key: str, url: str, html: str = "") -> TimestampedValue:
        fetched = FetchedPage(url=url, final_url=url, html=html or sample_pages[key], fetched_at=at(seconds), feed_url="https://a.example/rss")
        return TimestampedValue(fetched, T0 + seconds)

    canonical_003 = "https://meridianherald.example/news/asia/japan-south-korea-defence-pact-20261103"
    assert canonical_003 in sample_pages["003"]
    syndicated_003 = sample_pages["003"].replace(canonical_003, "https://copies.example/defence-pact")
    stream = (
        test_stream.TestStream()
        .add_elements([page(5, "002", "https://a.example/002"), page(10, "003", "https://a.example/003")])
        .advance_watermark_to(T0 + 60)
        .add_elements([
            page(65, "002", "https://a.example/002"),  # repeated in a later window
            page(66, "001", "https://a.example/001"),  # stored by the batch run
            page(70, "004", "https://a.example/004"),
        ])
        .advance_watermark_to(T0 + 120)
        .add_elements([
            page(125, "003", "https://copies.example/defence-pact", syndicated_003),  # another outlet's copy
            page(126, "004", "https://a.example/004?utm_source=rss"),  # the same page under a tracking URL
            page(121, "005", "https://a.example/005"),  # announced late, out of order within the window
        ])
        .advance_watermark_to_infinity()
    )
    index = SharedIndex(IndexSource(str(output), WEEK, 60))
    with streaming_test_pipeline() as p:
        cleaned = p | stream | CleanArticles()
        unique = cleaned.articles | DropStreamDuplicates(index, seen_ttl(60, 60))
        kept = (
            unique["articles"]
            | "IntoWindows" >> beam.WindowInto(FixedWindows(60))
            | "UrlAndWindow" >> beam.Map(lambda kept, window=beam.DoFn.WindowParam: (kept.url, int(window.start) - T0))
        )
        duplicates = unique["errors"] | "DuplicateUrls" >> beam.Map(lambda row: (row.error_type, row.url))
        # Each article once, in the window of the poll that first brought it; the stored one never.
        assert_that(kept, equal_to([
            ("https://a.example/002", 0), ("https://a.example/003", 0), ("https://a.example/004", 60), ("https://a.example/005", 120),
        ]), label="OncePerArticle")
        assert_that(duplicates, equal_to([
            ("duplicate", "https://a.example/002"),
            ("duplicate", "https://a.example/001"),  # the batch run stored it under its canonical URL: this one is remembered
            ("duplicate", "https://a.example/004?utm_source=rss"),
            ("duplicate", "https://copies.example/defence-pact"),
        ]), label="LaterCopiesAreDuplicateRows")


def test_each_window_writes_its_own_files(tmp_path, query):
    output = str(tmp_path / "out")

    def error_at(seconds: int, url: str) -> TimestampedValue:
        return TimestampedValue(make_error("fetch", url, "timeout", "slow", now=at(seconds)), T0 + seconds)

    stream = (
        test_stream.TestStream()
        .add_elements([error_at(5, "https://a.example/1"), error_at(20, "https://a.example/2")])
        .advance_watermark_to(T0 + 60)
        .add_elements([error_at(70, "https://a.example/3")])
        .advance_watermark_to_infinity()
    )
    with streaming_test_pipeline() as p:
        _ = (
            p
            | stream
            | beam.WindowInto(FixedWindows(60))
            | WriteTable(ERRORS, output, "stream")
            | CommitFiles(output, "stream")
        )

    folder = tmp_path / "out" / "errors" / f"ingest_date={DAY}"
    assert sorted(path.name for path in folder.iterdir()) == [
        "stream-20261127T120000Z-00000.parquet",
        "stream-20261127T120100Z-00000.parquet",
    ]
    rows = query("select url from errors order by url")
    assert [row["url"] for row in rows] == ["https://a.example/1", "https://a.example/2", "https://a.example/3"]
    assert not list((tmp_path / "out").glob("_temp/stream/**/*.parquet"))


@pytest.mark.parametrize("source", [["--html-dir", "."], ["--urls", "urls.txt"]])
def test_streaming_needs_feeds(tmp_path, capsys, source):
    code = main(["run", "--streaming", *source, "--output", str(tmp_path / "out")])
    assert code == EXIT_USAGE and "--streaming polls feeds" in capsys.readouterr().err


@pytest.mark.parametrize("option", [["--stop-after", "10"], ["--poll-interval", "5"], ["--window", "20"]])
def test_stream_options_without_streaming_are_a_usage_error(tmp_path, capsys, option):
    # Ignored, they would turn a stream the user asked for into a one-off batch run.
    code = main(["run", "--sample", *option, "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE and f"{option[0]} only apply with --streaming" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "out").exists()
