"""Real streams: ``newsbeam run --streaming`` against a local feed that gains items between polls,
after a batch run into the same output, stopped in the middle and started again. Each test reads
the Parquet back and checks that every article is stored exactly once."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from sample_corpus import PAGES_FOLDER, SAMPLE_ARTICLES
from tests.local_servers import LocalServer, Reply
from tests.test_end_to_end import newsbeam_command

PAGES = sorted(PAGES_FOLDER.glob("00[1-6]-*.html"))
RSS = "application/rss+xml"


def rss(links: list[str]) -> bytes:
    items = "".join(f"<item><title>Story {i}</title><link>{link}</link></item>" for i, link in enumerate(links))
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Local</title>{items}</channel></rss>".encode()


def growing_feed(server: LocalServer) -> tuple[str, list[str]]:
    """A feed of three items that gains one every other request (and answers 304 in between, as a
    server does to a poll that sends the current ETag); returns its URL and the article paths."""
    paths = [f"/news/{page.stem}" for page in PAGES]
    for page, path in zip(PAGES, paths):
        server.route(path, Reply(body=page.read_bytes()))
    replies = []
    for count in range(3, len(paths) + 1):
        replies.append(Reply(body=rss(paths[:count]), content_type=RSS, headers={"ETag": f'"v{count}"'}))
        replies.append(Reply(status=304, body=b"", content_type=None))
    return server.route("/feed.xml", *replies), paths


def newsbeam(workdir: Path, server: LocalServer, *args: str) -> list[str]:
    return [*newsbeam_command(), "run", "--feeds", "feeds.txt", "--output", "out", "--allow-host", server.host_port, "--host-delay", "0", *args]


def sent_etags(server: LocalServer) -> list:
    return [
        {name.lower(): value for name, value in seen.headers.items()}.get("if-none-match")
        for seen in server.requests
        if seen.path == "/feed.xml"
    ]


def assert_each_article_once(query, output: Path, expected: int) -> None:
    counts = query("select count(*) as n, count(distinct article_id) as ids, count(distinct url) as urls from articles", output)
    assert counts == [{"n": expected, "ids": expected, "urls": expected}]
    events = query("select count(*) as n, count(distinct event_id) as ids from events", output)[0]
    assert events["n"] == events["ids"] > 0


def test_a_stream_after_a_batch_run_stores_each_article_once_and_fetches_each_page_once(tmp_path, query):
    with LocalServer() as server:
        feed, paths = growing_feed(server)
        (tmp_path / "feeds.txt").write_text(feed + "\n")
        batch = subprocess.run(newsbeam(tmp_path, server, "--run-id", "batch", "--quiet"), cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert batch.returncode == 0, batch.stderr[-3000:]
        stream = subprocess.run(
            # windows longer than a local job takes to start (models loaded anew: seconds on a busy
            # machine), so the six polls the feed needs to gain its last item fit in the run
            newsbeam(tmp_path, server, "--streaming", "--poll-interval", "1", "--window", "4", "--stop-after", "24", "--run-id", "stream"),
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )
        assert stream.returncode == 0, stream.stderr[-3000:]
        hits = {path: server.hits(path) for path in paths}
        etags = sent_etags(server)

    assert "(streaming)" in stream.stdout
    output = tmp_path / "out"
    assert_each_article_once(query, output, len(PAGES))
    assert query("select count(*) as n from errors", output) == [{"n": 0}]
    # the batch run stored the first three; the stream each page the feed gained, fetched once
    assert hits == dict.fromkeys(paths, 1)
    names = sorted(path.name for path in (output / "articles").rglob("stream-*.parquet"))
    assert len([name for name in names if re.fullmatch(r"stream-\d{8}T\d{6}Z-\d{5}\.parquet", name)]) >= 2, names
    # conditional polls: the first sends what the batch run kept, later ones what the stream learnt
    assert etags[0] is None and etags[1] == '"v3"'
    # each poll sends what the one before it learnt: never an older version, and at the end the
    # feed's last one (v6), or v5 when the poll that learnt v6 was the stream's last
    assert etags[1:] == sorted(etags[1:]) and etags[-1] in ('"v5"', '"v6"')
    state = json.loads((output / "_state" / "feeds" / "validators.json").read_text())
    assert state == {feed: {"etag": '"v6"'}}
    record = json.loads((output / "_state" / "runs" / "stream.json").read_text())
    assert record["status"] == "succeeded" and record["streaming"] is True


def test_a_stream_stopped_in_the_middle_and_started_again_stores_each_article_once(tmp_path, query):
    output = tmp_path / "out"
    with LocalServer() as server:
        feed, paths = growing_feed(server)
        (tmp_path / "feeds.txt").write_text(feed + "\n")
        first = subprocess.Popen(
            # It is always stopped by the signal: --stop-after only bounds a stream that hangs, and is
            # well past the wait below, so a slow machine cannot end it normally first.
            newsbeam(tmp_path, server, "--streaming", "--poll-interval", "1", "--window", "2", "--stop-after", "600", "--run-id", "first", "--quiet"),
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        validators_file = output / "_state" / "feeds" / "validators.json"
        try:
            # A window's feed validators are merged into _state just after its files are moved (by
            # design, never before): wait for both, or the signal may fall between the two.
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not (
                list((output / "articles").rglob("first-2*.parquet")) and validators_file.exists()
            ):
                time.sleep(0.2)
            assert list((output / "articles").rglob("first-2*.parquet")), "the first stream committed no window"
            assert validators_file.exists(), "the first stream's committed window kept no feed validators"
            first.send_signal(signal.SIGTERM)
            _, stderr = first.communicate(timeout=120)
        finally:
            first.kill()
        assert first.returncode == 143, stderr[-3000:]
        assert "the windows it committed are visible" in stderr
        stored_before = query("select count(*) as n from articles", output)[0]["n"]
        assert 0 < stored_before < len(PAGES)
        kept = json.loads(validators_file.read_text())[feed]["etag"]
        polls_before = len(sent_etags(server))

        again = subprocess.run(
            newsbeam(tmp_path, server, "--streaming", "--poll-interval", "1", "--window", "4", "--stop-after", "24", "--run-id", "again"),
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )
        assert again.returncode == 0, again.stderr[-3000:]
        etags = sent_etags(server)

    assert_each_article_once(query, output, len(PAGES))
    assert query("select count(*) as n from errors where error_type = 'duplicate'", output) == [{"n": 0}]
    record = json.loads((output / "_state" / "runs" / "first.json").read_text())
    assert record["status"] == "interrupted"
    # the restarted stream's first poll asks with what the first stream's committed windows kept
    assert etags[polls_before] == kept


def test_the_sample_corpus_as_a_stream_stores_each_article_once(tmp_path, query):
    completed = subprocess.run(
        [
            *newsbeam_command(), "run", "--sample", "--streaming", "--poll-interval", "1", "--window", "2", "--stop-after", "5",
            "--output", "out", "--run-id", "stream-e2e",
        ],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    output = tmp_path / "out"
    assert_each_article_once(query, output, SAMPLE_ARTICLES)
    names = [path.name for path in output.rglob("*.parquet")]
    # window files, and the zero-row file each table got when the stream found the output empty
    assert names and all(re.fullmatch(r"stream-e2e-(\d{8}T\d{6}Z-\d{5}|empty)\.parquet", name) for name in names)
    assert sum(name.endswith("-empty.parquet") for name in names) == 3
    assert not (output / "_temp" / "stream-e2e").exists()


@pytest.mark.parametrize("option", ["--poll-interval", "--window", "--stop-after"])
def test_stream_timing_options_must_be_positive(tmp_path, option):
    completed = subprocess.run(
        [*newsbeam_command(), "run", "--sample", "--streaming", option, "0", "--output", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 2 and option in completed.stderr and "Traceback" not in completed.stderr
