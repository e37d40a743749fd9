"""An output written before schema version 4 (events in ``event_date`` folders, articles with
``published_local_date`` in the middle, int8 quad_class): refused by runs with one line, reported
by check and sql, and migrated by ``newsbeam compact --upgrade`` with every row kept.

The fixture ``tests/fixtures/legacy_v3_output`` was written by newsbeam at commit 31029f4 (schema
version 3): ``newsbeam run --sample --run-id legacy-a`` and a ``--urls`` run of two bad URLs
(``--run-id legacy-b``).
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path
from typing import Optional

import pyarrow.parquet as pq
import pytest

from pipeline.cli import EXIT_USAGE, main
from schemas import TABLES
from tests.test_cli import run_cli
from transforms.sinks import compact, upgrade

FIXTURE = Path(__file__).parent / "fixtures" / "legacy_v3_output"
UTC = datetime.timezone.utc
EVENT_COLUMNS = ("event_id", "article_id", "event_code", "actor1_code", "actor2_code", "quad_class", "goldstein", "sentence")


@pytest.fixture
def legacy(tmp_path) -> Path:
    output = tmp_path / "legacy"
    shutil.copytree(FIXTURE, output)
    return output


def legacy_events(output: Path) -> list[tuple]:
    """The fixture's events as version 3 stored them, the date taken from the folder name."""
    rows = []
    for path in sorted((output / "events").glob("event_date=*/*.parquet")):
        day = datetime.date.fromisoformat(path.parent.name.split("=", 1)[1])
        for row in pq.read_table(path).to_pylist():
            rows.append((day, *(_rounded(row[name]) for name in EVENT_COLUMNS)))
    return sorted(rows)


def stored_events(query, output: Path, article_ids: Optional[set[str]] = None) -> list[tuple]:
    """The stored events (of the articles ``article_ids`` only, when given)."""
    rows = query(f"select event_date, {', '.join(EVENT_COLUMNS)} from events", output)
    return sorted(
        (row["event_date"], *(_rounded(row[name]) for name in EVENT_COLUMNS))
        for row in rows
        if article_ids is None or row["article_id"] in article_ids
    )


def _rounded(value):
    return round(value, 4) if isinstance(value, float) else value


def table_rows(output: Path, table: str, columns: list[str]) -> list[tuple]:
    rows = []
    for path in sorted((output / table).glob("*/*.parquet")):
        rows += [tuple(row[name] for name in columns) for row in pq.read_table(path, columns=columns).to_pylist()]
    return sorted(rows, key=repr)


def test_a_run_on_a_legacy_output_is_refused_with_one_line_and_writes_nothing(legacy, capsys):
    before = sorted(path for path in legacy.rglob("*") if path.is_file())
    code, _, err = run_cli(capsys, "run", "--sample", "--output", str(legacy), "--quiet")
    assert code == EXIT_USAGE
    assert "compact --upgrade" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert sorted(path for path in legacy.rglob("*") if path.is_file()) == before


def test_sql_leaves_legacy_events_out_and_says_how_to_upgrade(legacy, capsys):
    code, out, err = run_cli(capsys, "sql", "select count(*) as n from articles", "--output", str(legacy))
    assert code == 0 and "48" in out
    assert "compact --upgrade" in err


def test_check_reports_legacy_files_and_repair_never_moves_them(legacy, capsys):
    code, out, _ = run_cli(capsys, "check", "--output", str(legacy))
    assert code == 1 and "compact --upgrade" in out
    run_cli(capsys, "check", "--repair", "--output", str(legacy))
    assert not (legacy / "_quarantine").exists()
    assert list((legacy / "events").glob("event_date=*/*.parquet"))


def test_upgrade_moves_every_row_into_ingest_date_partitions_of_the_current_schema(legacy, query, capsys):
    events_before = legacy_events(legacy)
    articles_before = table_rows(legacy, "articles", ["article_id", "url", "published_local_date", "fetched_at"])
    errors_before = table_rows(legacy, "errors", ["url", "error_type", "run_id"])
    fetched = dict(table_rows(legacy, "articles", ["article_id", "fetched_at"]))
    assert len(events_before) > 100 and len(articles_before) == 48 and len(errors_before) == 2

    code, out, _ = run_cli(capsys, "compact", "--upgrade", "--output", str(legacy))

    assert code == 0 and f"Upgraded {len(list(FIXTURE.glob('events/*/*.parquet')))} events file(s)" in out
    assert not list((legacy / "events").glob("event_date=*"))  # emptied folders gone too
    assert stored_events(query, legacy) == events_before
    assert table_rows(legacy, "articles", ["article_id", "url", "published_local_date", "fetched_at"]) == articles_before
    assert table_rows(legacy, "errors", ["url", "error_type", "run_id"]) == errors_before
    for spec in TABLES.values():
        for path in (legacy / spec.name).glob("*/*.parquet"):
            assert path.parent.name.startswith("ingest_date=")
            assert pq.ParquetFile(path).schema_arrow.equals(spec.file_schema, check_metadata=True), path
    # float32 values widened through their decimal form: 5.2 stays 5.2 (and groups with new rows)
    assert all(row["goldstein"] == round(row["goldstein"], 1) for row in query("select goldstein from events", legacy))
    added = query("select article_id, added_at, ingest_date from events", legacy)
    assert all(row["added_at"] == fetched[row["article_id"]] for row in added)
    assert all(row["ingest_date"] == row["added_at"].astimezone(UTC).date() for row in added)

    # converged: a second compaction has nothing to do, and runs work again
    files = sorted(legacy.rglob("*.parquet"))
    assert main(["compact", "--output", str(legacy)]) == 0
    assert sorted(legacy.rglob("*.parquet")) == files
    assert run_cli(capsys, "run", "--sample", "--output", str(legacy), "--quiet")[0] == 0
    # the pages the fixture holds are not stored twice; pages added to the corpus since are stored once
    legacy_articles = {article_id for article_id, *_ in articles_before}
    assert stored_events(query, legacy, legacy_articles) == events_before


def test_an_upgrade_interrupted_after_moving_files_in_is_finished_by_the_next_writer(legacy, query, monkeypatch):
    """A crash between moving the new files in and deleting the legacy ones (both visible) leaves
    the manifest; the next compaction rolls it forward, so every row is there once."""
    events_before = legacy_events(legacy)

    def move_in_then_crash(output_dir, record):
        for temp, final in record["writes"]:
            compact.publish(f"{output_dir}/{temp}", f"{output_dir}/{final}")
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(compact, "_roll_forward", move_in_then_crash)
    with pytest.raises(KeyboardInterrupt):
        upgrade.upgrade_legacy_events(str(legacy))
    monkeypatch.undo()
    assert list(legacy.glob("_state/compaction/*.json")) and list((legacy / "events").glob("event_date=*/*.parquet"))

    assert main(["compact", "--upgrade", "--output", str(legacy)]) == 0
    assert stored_events(query, legacy) == events_before
    assert not list(legacy.glob("_state/compaction/*.json")) and not list((legacy / "events").glob("event_date=*"))
