"""`newsbeam run` on the bundled sample corpus, read back with DuckDB as a user would."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline.sql
from sample_corpus import CORPUS_FOLDER
from transforms.coding import cameo

MANIFEST = json.loads((CORPUS_FOLDER / "manifest.json").read_text())


def newsbeam_command() -> list[str]:
    script = Path(sys.executable).parent / "newsbeam"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """One real run of the sample corpus (the slowest thing in the suite, so shared by the tests)."""
    workdir = tmp_path_factory.mktemp("demo")
    completed = subprocess.run(
        [*newsbeam_command(), "run", "--sample", "--output", "out", "--run-id", "e2e-run"],
        cwd=workdir, capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    output = workdir / "out"
    connection = pipeline.sql.connect(str(output))

    def rows(sql: str) -> list[dict]:
        relation = connection.sql(sql)
        return [dict(zip(relation.columns, row)) for row in relation.fetchall()]

    return completed, output, rows


def test_summary_reports_counts_counters_location_and_a_query(sample_run):
    completed, output, rows = sample_run
    stdout = completed.stdout
    article_count = rows("select count(*) as n from articles")[0]["n"]
    assert f"articles {article_count:>8}" in stdout
    assert "Beam counters:" in stdout and "clean/articles_cleaned" in stdout
    assert str(output / "events") in stdout
    assert "newsbeam sql" in stdout and "Traceback" not in completed.stderr


def test_every_sample_page_becomes_one_article_with_text(sample_run):
    _, output, rows = sample_run
    articles = rows("select canonical_url, text, word_count, title, published_at, ingest_date from articles")
    assert sorted(a["canonical_url"] for a in articles) == sorted(page["canonical_url"] for page in MANIFEST)
    assert all(a["text"].strip() and a["word_count"] >= 50 and a["title"] for a in articles)
    assert all(a["published_at"] is not None for a in articles)
    partitions = {p.name for p in (output / "articles").iterdir()}
    assert partitions == {f"ingest_date={a['ingest_date']}" for a in articles}
    assert rows("select count(*) as n from errors")[0]["n"] == 0


def test_events_have_valid_cameo_codes_and_consistent_derived_fields(sample_run):
    _, output, rows = sample_run
    events = rows("select * from events")
    assert len(events) >= len(MANIFEST)
    table = cameo.cameo_table()
    for event in events:
        entry = table[event["event_code"]]
        assert event["event_root_code"] == event["event_code"][:2]
        assert event["event_base_code"] == event["event_code"][:3]
        assert event["quad_class"] == cameo.quad_class_of(event["event_code"])
        assert event["goldstein"] == pytest.approx(entry.goldstein)
        assert event["actor1_code"] or event["actor2_code"]
    assert len({e["event_id"] for e in events}) == len(events)
    # Partitioned by the day rows were added, whatever the events' dates; event_date is in the file.
    added_days = {e["added_at"].astimezone(datetime.timezone.utc).date() for e in events}
    assert {p.name for p in (output / "events").iterdir()} == {f"ingest_date={day}" for day in added_days}
    assert all(isinstance(e["event_date"], datetime.date) and e["ingest_date"] in added_days for e in events)


def test_an_articles_events_meet_the_confidence_floor(sample_run):
    _, _, rows = sample_run
    assert rows("select min(confidence) as floor from events")[0]["floor"] >= 0.6


def test_a_lower_confidence_floor_reaches_the_batch_graph(sample_run, tmp_path):
    _, _, rows = sample_run
    at_default = rows("select count(*) as n from events")[0]["n"]
    completed = subprocess.run(
        [*newsbeam_command(), "run", "--sample", "--output", "out", "--min-article-confidence", "0", "--quiet"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    connection = pipeline.sql.connect(str(tmp_path / "out"))
    ((count, lowest),) = connection.sql("select count(*), min(confidence) from events").fetchall()
    assert count > at_default and lowest < 0.6


def test_political_stories_give_events_and_the_others_give_none(sample_run):
    _, _, rows = sample_run
    per_article = {
        r["canonical_url"]: r["n"]
        for r in rows(
            "select a.canonical_url, count(e.event_id) as n from articles a "
            "left join events e using (article_id) group by 1"
        )
    }
    political = [p for p in MANIFEST if p["political"]]
    quiet = [p for p in MANIFEST if not p["political"]]
    assert quiet and all(per_article[p["canonical_url"]] == 0 for p in quiet)
    with_events = [p for p in political if per_article[p["canonical_url"]] > 0]
    assert len(with_events) >= 0.9 * len(political)


def test_the_events_cover_most_cameo_roots(sample_run):
    _, _, rows = sample_run
    roots = {r["event_root_code"] for r in rows("select distinct event_root_code from events")}
    assert len(roots) >= 15


def test_run_record_is_kept_out_of_the_tables(sample_run):
    _, output, rows = sample_run
    record = json.loads((output / "_state" / "runs" / "e2e-run.json").read_text())
    assert record["rows"]["articles"] == rows("select count(*) as n from articles")[0]["n"]
    assert not (output / "_temp" / "e2e-run").exists()
    assert all(name.startswith("e2e-run-") for name in os.listdir(next((output / "events").iterdir())))


def test_sql_command_prints_the_example_query(sample_run):
    _, output, _ = sample_run
    completed = subprocess.run(
        [*newsbeam_command(), "sql", "select event_root_code, count(*) from events group by 1", "--output", str(output)],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "event_root_code" in completed.stdout and "rows)" in completed.stdout
