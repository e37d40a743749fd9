"""`newsbeam run --warc` / `--warc-list` as a user runs it: WARC files written from the sample
corpus, read locally and over a local HTTP server, the tables read back with DuckDB."""

from __future__ import annotations

import datetime
import gzip
import json
import subprocess

import apache_beam as beam
import duckdb
import pytest

from pipeline.cli import main
from pipeline.graph import GraphConfig, build_graph
from pipeline.plan import WarcSource
from pipeline.run import EXIT_NO_SOURCE_READ
from sample_corpus import CORPUS_FOLDER, SAMPLE_ARTICLES
from tests.local_servers import LocalServer, Reply
from tests.test_end_to_end import newsbeam_command
from tests.test_runners import (  # noqa: F401 - dataflow_extra and no_internet are fixtures
    dataflow_dry_run_options,
    dataflow_extra,
    no_internet,
    remove_staging,
    staged_files,
)
from tests.warc_files import CRAWLED_AT, as_file, request, response, sample_corpus_records, warcinfo, write

MANIFEST = json.loads((CORPUS_FOLDER / "manifest.json").read_text())


def run_cli(workdir, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*newsbeam_command(), "run", *arguments], cwd=workdir, capture_output=True, text=True, timeout=600
    )


def rows(output, sql: str) -> list[tuple]:
    connection = duckdb.connect()
    for table in ("articles", "events", "errors"):
        connection.sql(
            f"create view {table} as select * from read_parquet('{output}/{table}/*/*.parquet', union_by_name=true)"
        )
    return sorted(connection.sql(sql).fetchall())


ARTICLE_COLUMNS = "select article_id, title, text_hash from articles"
EVENT_COLUMNS = "select event_id, article_id, sentence_index, event_code, actor1_code, actor2_code from events"


@pytest.fixture(scope="module")
def sample_warcs(tmp_path_factory):
    """The sample corpus' pages as a crawler would have archived them: half in a .warc.gz (one gzip
    member per record, with a warcinfo record and request records), half in an uncompressed .warc."""
    folder = tmp_path_factory.mktemp("archive")
    records = sample_corpus_records()
    half = len(records) // 2
    first = [warcinfo()] + [part for url, record in records[:half] for part in (request(url), record)]
    write(folder / "crawl-00000.warc.gz", as_file(first))
    write(folder / "crawl-00001.warc", as_file([record for _, record in records[half:]], compressed=False))
    return folder


@pytest.fixture(scope="module")
def feed_and_warc_runs(tmp_path_factory, sample_warcs):
    workdir = tmp_path_factory.mktemp("runs")
    feed = run_cli(workdir, "--sample", "--output", "from-feeds", "--quiet")
    assert feed.returncode == 0, feed.stderr[-3000:]
    warc = run_cli(workdir, "--warc", str(sample_warcs / "*.warc.gz"), "--warc", str(sample_warcs / "*.warc"),
                   "--output", "from-warc", "--quiet")
    assert warc.returncode == 0, warc.stderr[-3000:]
    return workdir / "from-feeds", workdir / "from-warc", warc


def test_a_warc_replay_of_the_sample_corpus_gives_the_feed_runs_articles_and_events(feed_and_warc_runs):
    from_feeds, from_warc, _ = feed_and_warc_runs
    articles = rows(from_warc, ARTICLE_COLUMNS)
    assert len(articles) == SAMPLE_ARTICLES
    assert articles == rows(from_feeds, ARTICLE_COLUMNS)
    events = rows(from_warc, EVENT_COLUMNS)
    assert events and events == rows(from_feeds, EVENT_COLUMNS)
    assert rows(from_warc, "select error_type from errors") == []


def test_warc_articles_keep_the_target_uri_and_the_crawl_time_in_todays_partition(feed_and_warc_runs):
    _, from_warc, _ = feed_and_warc_runs
    stored = rows(from_warc, "select url, fetched_at, ingest_date from articles")
    assert sorted(url for url, _, _ in stored) == sorted(page["canonical_url"] for page in MANIFEST)
    assert {fetched_at for _, fetched_at, _ in stored} == {CRAWLED_AT}
    # A run adds files only to the days it runs in, whenever its pages were crawled.
    assert {str(day) for _, _, day in stored} == {datetime.datetime.now(datetime.timezone.utc).date().isoformat()}


def test_the_summary_counts_warc_records(feed_and_warc_runs):
    _, _, warc = feed_and_warc_runs
    read = 1 + 2 * (SAMPLE_ARTICLES // 2) + (SAMPLE_ARTICLES - SAMPLE_ARTICLES // 2)
    skipped = 1 + SAMPLE_ARTICLES // 2
    assert (f"WARC records: {read} read, {SAMPLE_ARTICLES} kept as pages, 0 broken; "
            f"skipped: not a response {skipped}") in warc.stdout


def test_broken_and_other_records_are_counted_and_reported_while_the_file_goes_on(tmp_path, query):
    pages = sample_corpus_records()[:4]
    cut = gzip.compress(pages[3][1])[:-300]
    archive = write(
        tmp_path / "mixed.warc.gz",
        as_file([pages[0][1], response("https://x.example/report.pdf", b"%PDF-1.7", content_type="application/pdf")])
        + b"\x1f\x8b\x08 damaged member"
        + as_file([pages[1][1], pages[2][1]])
        + cut,
    )
    code = main(["run", "--warc", str(archive), "--output", str(tmp_path / "out"), "--quiet"])
    assert code == 0
    assert sorted(a["url"] for a in query("select url from articles")) == sorted(url for url, _ in pages[:3])
    errors = query("select stage, url, error_type, message from errors order by message")
    assert [(e["stage"], e["error_type"]) for e in errors] == [("warc", "broken_record")] * 2
    assert {e["url"] for e in errors} == {str(archive), pages[3][0]}
    assert all(str(archive) in e["message"] and " at byte " in e["message"] for e in errors)


def test_warc_files_over_http_and_from_a_list(tmp_path, query, sample_warcs):
    archive = (sample_warcs / "crawl-00000.warc.gz").read_bytes()
    with LocalServer() as server:
        served = server.route("/cc-news/a.warc.gz", Reply(body=archive, content_type="application/octet-stream"))
        # A download that breaks off: the server announces more bytes than it sends, then goes silent.
        requests = as_file([request(f"https://cut.example/{n}") for n in range(200)])
        broken = server.route("/cc-news/b.warc.gz", Reply(
            body=requests[: len(requests) // 2], content_type="application/octet-stream",
            headers={"Content-Length": str(len(requests))},
        ))
        missing = server.route("/cc-news/c.warc.gz", Reply(status=404, body=b"no such file"))
        listing = write(tmp_path / "cc-news.txt", "\n".join([
            "# a month of archives", served, broken, missing, "local/crawl-00001.warc", "local/absent.warc.gz",
        ]).encode())
        write(tmp_path / "local" / "crawl-00001.warc", (sample_warcs / "crawl-00001.warc").read_bytes())
        code = main([
            "run", "--warc-list", str(listing), "--output", str(tmp_path / "out"),
            "--allow-host", server.host_port, "--host-delay", "0", "--timeout", "2", "--quiet",
        ])
        assert server.hits("/cc-news/a.warc.gz") == 1
    assert code == 0
    assert query("select count(*) as n from articles")[0]["n"] == SAMPLE_ARTICLES
    errors = {(e["url"], e["error_type"], e["http_status"]) for e in query("select url, error_type, http_status from errors")}
    assert errors == {
        (broken, "connection_error", None),
        (missing, "http_status", 404),
        (str(tmp_path / "local" / "absent.warc.gz"), "file_not_found", None),
    }


def test_domains_and_dates_cut_a_warc_backfill(tmp_path, query, sample_warcs, capsys):
    domains = write(tmp_path / "domains.txt", b"continentalpost.example\nglobaldispatch.example\n")
    since, until = "2026-11-10", "2026-11-20"
    code = main([
        "run", "--warc", str(sample_warcs / "*.warc*"), "--domains", str(domains), "--since", since,
        "--until", until, "--output", str(tmp_path / "out"), "--quiet",
    ])
    assert code == 0
    in_domains = [p for p in MANIFEST if p["canonical_url"].split("/")[2].removeprefix("www.") in
                  ("continentalpost.example", "globaldispatch.example")]
    expected = sorted(p["canonical_url"] for p in in_domains if since <= p["published"][:10] <= until)
    assert expected and 0 < len(expected) < len(in_domains) < SAMPLE_ARTICLES
    assert sorted(a["url"] for a in query("select url from articles")) == expected
    by_domain, by_date = SAMPLE_ARTICLES - len(in_domains), len(in_domains) - len(expected)
    assert f"Filtered out: {by_domain} outside --domains, {by_date} published outside --since/--until" in capsys.readouterr().out


def test_domains_filter_listed_urls_before_they_are_fetched(tmp_path, query):
    with LocalServer() as server:
        pages = [server.route(f"/news/{n}", Reply(body=(CORPUS_FOLDER / "pages" / MANIFEST[n]["file"]).read_bytes()))
                 for n in range(2)]
        listing = write(tmp_path / "urls.txt", "\n".join([*pages, "https://elsewhere.example/a"]).encode())
        domains = write(tmp_path / "domains.txt", b"news.example.com\n")
        code = main(["run", "--urls", str(listing), "--domains", str(domains), "--output", str(tmp_path / "out"),
                     "--allow-host", server.host_port, "--host-delay", "0", "--quiet"])
        assert server.hits("/news/0") == server.hits("/news/1") == 0
    assert code == 0 and query("select count(*) as n from articles")[0]["n"] == 0


def test_a_warc_run_that_reads_no_record_exits_3_so_a_scheduler_sees_it(tmp_path, capsys):
    listing = write(tmp_path / "month.txt", b"gone-00000.warc.gz\ngone-00001.warc.gz\n")
    code = main(["run", "--warc-list", str(listing), "--output", str(tmp_path / "out"), "--quiet"])
    assert code == EXIT_NO_SOURCE_READ
    assert "none of the 2 WARC location(s) could be read" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--warc", "{tmp}/nothing-here.warc.gz"], "--warc '{tmp}/nothing-here.warc.gz' does not exist"),
        (["--warc", "{tmp}/*.warc.gz"], "matches no file"),
        (["--warc", "{tmp}"], "is a folder: name its files, such as '{tmp}/*.warc.gz'"),
        (["--warc", "{tmp}/*.warc.gz", "--streaming"], "--streaming polls feeds"),
        (["--warc-list", "{tmp}/list.txt", "--streaming"], "--streaming polls feeds"),
        (["--warc-list", "{tmp}/missing.txt"], "cannot read WARC list"),
        (["--warc", "a.warc", "--feeds", "feeds.txt"], "not allowed with argument"),
    ],
)
def test_warc_locations_that_name_nothing_are_usage_errors(tmp_path, arguments, expected):
    completed = run_cli(tmp_path, *[a.replace("{tmp}", str(tmp_path)) for a in arguments], "--output", "out")
    assert completed.returncode == 2
    assert expected.replace("{tmp}", str(tmp_path)) in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1, completed.stderr


@pytest.mark.usefixtures("dataflow_extra", "no_internet")
def test_dataflow_job_with_warc_source_is_translated_offline(tmp_path):
    pipeline = beam.Pipeline(options=dataflow_dry_run_options())
    source = WarcSource(("gs://commoncrawl-example/CC-NEWS/2024/01/*.warc.gz", "https://data.example/a.warc.gz"))
    build_graph(pipeline, GraphConfig(source=source, output_dir=str(tmp_path / "out"), run_id="dry-warc",
                                      allowed_domains=frozenset({"bbc.co.uk"}),
                                      published_since=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)))
    job = pipeline.run().job
    remove_staging(staged_files(job))
    stage_names = {t.unique_name for t in job.proto_pipeline.components.transforms.values()}
    for stage in ("ReadWarc/MatchWarcFiles", "ReadWarc/SpreadWarcFiles", "ReadWarc/ReadWarcFile",
                  "PagesToTables/KeepBackfillArticles", "PagesToTables/CleanArticles", "PagesToTables/WriteArticles"):
        assert stage in stage_names
