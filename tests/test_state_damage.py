"""A damaged ``_state/feeds/validators.json`` costs unconditional fetches, never a run: whatever the
file holds, the next run reads its feeds, stores the articles and rewrites a clean file."""

from __future__ import annotations

import json
import logging

import pytest

from pipeline.cli import main
from tests.local_servers import Reply, html_page
from tests.test_pipeline_http import STORY, rss
from transforms.sources import validators


def damaged_states(feed: str) -> dict[str, bytes]:
    return {
        "a JSON list": b"[]",
        "JSON null": b"null",
        "not JSON": b'{"http://a.example/rss": {"etag": ',
        "a list as Last-Modified": json.dumps({feed: {"last_modified": ["x"]}}).encode(),
        "CR LF in an ETag": json.dumps({feed: {"etag": '"v1"\r\nX-Injected: 1'}}).encode(),
        "a non-Latin-1 ETag": json.dumps({feed: {"etag": '"\u20ac"'}}).encode(),
        "an entry that is a string": json.dumps({feed: '"v1"'}).encode(),
    }


@pytest.mark.parametrize("damage", list(damaged_states("")))
def test_a_run_after_the_state_file_was_damaged_stores_its_articles(tmp_path, server, query, caplog, damage):
    feed = server.route(
        "/feed.xml",
        Reply(body=rss("/news/1"), content_type="application/rss+xml", headers={"ETag": '"v1"'}),
        Reply(body=rss("/news/1", "/news/2"), content_type="application/rss+xml", headers={"ETag": '"v2"'}),
    )
    server.route("/news/1", Reply(body=html_page("Kenya and Ethiopia hold talks", *STORY)))
    server.route("/news/2", Reply(body=html_page("Ministers meet", *reversed(STORY))))
    feeds, output = tmp_path / "feeds.txt", tmp_path / "out"
    feeds.write_text(feed + "\n")
    arguments = ["--feeds", str(feeds), "--output", str(output), "--allow-host", server.host_port, "--host-delay", "0"]
    assert main(["run", *arguments, "--run-id", "r1"]) == 0
    state = output / "_state" / "feeds" / "validators.json"
    state.write_bytes(damaged_states(feed)[damage])

    with caplog.at_level(logging.WARNING, logger=validators.__name__):
        assert main(["run", *arguments, "--run-id", "r2"]) == 0

    assert any(str(state) in record.getMessage() for record in caplog.records)
    second = [request for request in server.requests if request.path == "/feed.xml"][1]
    assert "if-none-match" not in {name.lower() for name in second.headers}
    assert query("select count(*) as n from articles", output) == [{"n": 2}]
    assert json.loads(state.read_text()) == {feed: {"etag": '"v2"'}}


def test_well_formed_entries_are_kept_and_the_rest_dropped(tmp_path):
    state = tmp_path / "validators.json"
    state.write_text(json.dumps({
        "https://a.example/rss": {"etag": '"a"', "last_modified": "Wed, 18 Nov 2026 10:00:00 GMT", "other": 1},
        "https://b.example/rss": {"etag": 5},
        "https://c.example/rss": {"last_modified": "Wed\x00"},
        "https://d.example/rss": [],
    }))
    kept, problem = validators.read_checked(str(state))
    assert kept == {"https://a.example/rss": {"etag": '"a"', "last_modified": "Wed, 18 Nov 2026 10:00:00 GMT"}}
    assert problem == "3 of 4 feed entries are not as a run writes them, e.g. 'https://b.example/rss'"
    assert validators.read_checked(str(tmp_path / "absent.json")) == ({}, None)


def test_a_damaged_state_file_is_rewritten_even_when_the_run_learnt_nothing(tmp_path):
    output = str(tmp_path)
    (tmp_path / "_state" / "feeds").mkdir(parents=True)
    (tmp_path / "_state" / "feeds" / "validators.json").write_text(json.dumps({"https://a.example/rss": {"etag": '"a"'}, "x": None}))
    (tmp_path / "_temp" / "r1").mkdir(parents=True)
    validators.write_run_validators(output, "r1", [])
    assert validators.merge_after_success(output, "r1") == 0
    assert validators.read_checked(validators.state_file(output)) == ({"https://a.example/rss": {"etag": '"a"'}}, None)
