"""`newsbeam check`: damaged files, unfinished commits and compactions, leftover temp folders and
unreadable run records are named; `--repair` moves the damaged ones to `_quarantine/` (same bytes,
never deleted, never overwritten), finishes the rest, and a second check is clean."""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.check import add_check_arguments, run_check
from pipeline.cli import main
from pipeline.errors import UsageError
from pipeline.output import write_run_record
from schemas import ERRORS, EVENTS, TABLES
from schemas.table import TableSpec
from transforms.sinks import compact, layout, parquet, quarantine

DAY = "2026-01-01"
ROWS_PER_FILE = 3


def filler_row(spec: TableSpec, index: int) -> dict[str, Any]:
    """A row of the table with every required column set and the others null."""
    values = {
        pa.types.is_string: lambda name: f"{name}-{index}",
        pa.types.is_integer: lambda _: index,
        pa.types.is_floating: lambda _: 0.5,
        pa.types.is_boolean: lambda _: True,
        pa.types.is_timestamp: lambda _: datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.timezone.utc),
        pa.types.is_date: lambda _: datetime.date(2026, 1, 1),
    }
    row: dict[str, Any] = {}
    for column in spec.file_schema:
        is_type = next((check for check in values if check(column.type)), None)
        row[column.name] = None if column.nullable or is_type is None else values[is_type](column.name)
    return row


def write_small_output(output: Path) -> None:
    """Two files of three rows in one partition of every table, and one run record, as a run leaves them."""
    for spec in TABLES.values():
        for shard in range(2):
            rows = [filler_row(spec, shard * ROWS_PER_FILE + i) for i in range(ROWS_PER_FILE)]
            parquet.write_parquet_file(layout.final_file_path(str(output), spec.name, DAY, "r1", shard), spec, rows)
    write_run_record(str(output), "r1", {"run_id": "r1", "status": "succeeded"})


def table_file(output: Path, table: str, shard: int = 0) -> Path:
    spec = TABLES[table]
    return Path(layout.final_file_path(str(output), spec.name, DAY, "r1", shard))


def truncate(path: Path) -> bytes:
    """Cut the file to half its bytes, as a copy or a disk that stopped half way does; returns them."""
    data = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(data)
    return data


def check(output: Path, *options: str) -> int:
    parser = argparse.ArgumentParser()
    add_check_arguments(parser)
    return run_check(parser.parse_args(["--output", str(output), *options]))


@pytest.fixture
def output(tmp_path) -> Path:
    folder = tmp_path / "out"
    write_small_output(folder)
    return folder


def test_a_sound_output_checks_clean(output, capsys):
    assert check(output) == 0
    out = capsys.readouterr().out
    assert "6 table file(s)" in out and "1 run record(s)" in out and "No problems found." in out


def test_a_truncated_file_is_named_then_moved_to_quarantine_with_the_same_bytes(output, capsys, query):
    damaged = table_file(output, "articles")
    data = truncate(damaged)
    relative = f"articles/ingest_date={DAY}/r1-00000.parquet"

    assert check(output) == 1
    out = capsys.readouterr().out
    assert f"{relative}: cannot be read:" in out and "1 problem(s) found" in out
    assert damaged.read_bytes() == data  # a check without --repair changes nothing

    assert query("select count(*) as n from events", output) == [{"n": 6}]
    assert query("select count(*) as n from articles", output) == [{"n": 3}]
    assert str(damaged) in capsys.readouterr().err

    assert check(output, "--repair") == 0
    out = capsys.readouterr().out
    assert f"moved to _quarantine/{relative}" in out and "1 repaired, 0 remain" in out
    assert not damaged.exists() and (output / "_quarantine" / relative).read_bytes() == data

    assert check(output) == 0
    assert "No problems found." in capsys.readouterr().out
    assert query("select count(*) as n from articles", output) == [{"n": 3}]
    assert capsys.readouterr().err == ""


def test_garbage_bytes_and_a_file_of_another_table_are_found(output, capsys):
    (output / "errors" / f"ingest_date={DAY}" / "garbage.parquet").write_bytes(b"\x00not parquet\xff" * 100)
    stray = output / "articles" / f"ingest_date={DAY}" / "stray.parquet"
    stray.write_bytes(table_file(output, "events").read_bytes())

    assert check(output) == 1
    out = capsys.readouterr().out
    assert "garbage.parquet: cannot be read:" in out
    assert "stray.parquet: not a file of articles: holds rows of the events table, not articles" in out
    assert "2 problem(s) found" in out


def test_quarantine_never_overwrites_a_file_already_there(output):
    damaged = table_file(output, "errors")
    first, second = truncate(damaged), b"second damaged copy"
    assert check(output, "--repair") == 0
    damaged.write_bytes(second)
    assert check(output, "--repair") == 0
    folder = output / "_quarantine" / "errors" / f"ingest_date={DAY}"
    assert (folder / "r1-00000.parquet").read_bytes() == first
    assert (folder / "r1-00000.1.parquet").read_bytes() == second


def test_unparsable_run_record_and_compaction_manifest_are_moved_to_quarantine(output, capsys):
    (output / "_state" / "runs" / "r2.json").write_text('{"run_id": "r2", "stat')
    manifest = output / "_state" / "compaction" / "0123456789abcdef.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text("[not json")

    assert check(output) == 1
    out = capsys.readouterr().out
    assert "_state/runs/r2.json: run record cannot be parsed" in out
    assert "_state/compaction/0123456789abcdef.json: compaction manifest cannot be parsed" in out

    assert check(output, "--repair") == 0
    assert (output / "_quarantine" / "_state" / "runs" / "r2.json").read_text() == '{"run_id": "r2", "stat'
    assert (output / "_quarantine" / "_state" / "compaction" / "0123456789abcdef.json").read_text() == "[not json"
    assert check(output) == 0


def write_interrupted_commit(output: Path, run_id: str, moved_in: int, to_move: int) -> tuple[Path, list[Path]]:
    """A commit manifest of ``run_id`` as a run that died during its moves leaves it: ``moved_in``
    files already in place, ``to_move`` still in _temp. Returns the manifest and the final paths."""
    moves = []
    for shard in range(moved_in + to_move):
        args = (str(output), ERRORS.name, DAY, run_id, shard)
        temp, final = layout.temp_file_path(*args), layout.final_file_path(*args)
        parquet.write_parquet_file(temp, ERRORS, [filler_row(ERRORS, 100 + shard)])
        if shard < moved_in:
            parquet.publish(temp, final)
        moves.append([temp, final])
    manifest = output / "_temp" / run_id / "commit-0123456789abcdef.json"
    manifest.write_text(json.dumps({"run_id": run_id, "moves": moves}))
    return manifest, [Path(final) for _, final in moves]


def test_an_interrupted_commit_is_finished(output, capsys, query):
    manifest, finals = write_interrupted_commit(output, "r2", moved_in=1, to_move=2)

    assert check(output) == 1
    assert "_temp/r2/commit-0123456789abcdef.json: interrupted commit of run r2: 2 of 3 file(s) still to move in" in (
        capsys.readouterr().out
    )

    assert check(output, "--repair") == 0
    assert "commit finished" in capsys.readouterr().out
    assert all(final.exists() for final in finals) and not manifest.exists()
    assert query("select count(*) as n from errors", output) == [{"n": 9}]
    assert check(output) == 0


def test_a_commit_naming_lost_files_goes_to_quarantine_with_its_temp_files(output, capsys):
    manifest, finals = write_interrupted_commit(output, "r2", moved_in=0, to_move=2)
    temp_of_first = Path(json.loads(manifest.read_text())["moves"][0][0])
    temp_of_first.unlink()

    assert check(output) == 1
    assert "commit manifest names 1 file(s) that exist neither in _temp nor in place" in capsys.readouterr().out

    assert check(output, "--repair") == 0
    assert "the run's temp folder (2 file(s)) moved to _quarantine/_temp/r2/" in capsys.readouterr().out
    kept = output / "_quarantine" / "_temp" / "r2"
    assert (kept / manifest.name).exists() and len(list(kept.rglob("*.parquet"))) == 1
    assert not any(final.exists() for final in finals)
    assert check(output) == 0


def test_temp_files_of_a_run_that_stopped_before_its_commit_are_discarded(output, capsys):
    leftover = Path(layout.temp_file_path(str(output), ERRORS.name, DAY, "r3", 0))
    parquet.write_parquet_file(str(leftover), ERRORS, [filler_row(ERRORS, 0)])

    assert check(output) == 1
    assert "_temp/r3: uncommitted files of a run that stopped before its commit" in capsys.readouterr().out

    assert check(output, "--repair") == 0
    assert "uncommitted files discarded" in capsys.readouterr().out
    assert not leftover.exists()
    assert check(output) == 0


def test_an_interrupted_compaction_is_finished(output, capsys, query, monkeypatch):
    deletes = compact.FileSystems.delete

    def crash_when_deleting_originals(paths):
        if any(path.endswith("-00000.parquet") for path in paths):
            raise KeyboardInterrupt("power cut")
        deletes(paths)

    monkeypatch.setattr(compact.FileSystems, "delete", crash_when_deleting_originals)
    with pytest.raises(KeyboardInterrupt):
        compact.compact_table(str(output), EVENTS)
    monkeypatch.undo()

    assert check(output) == 1
    assert "interrupted compaction into" in capsys.readouterr().out
    assert check(output, "--repair") == 0
    assert [path.name.startswith(compact.MERGED_PREFIX) for path in (output / "events").rglob("*.parquet")] == [True]
    assert query("select count(*) as n from events", output) == [{"n": 6}]
    assert check(output) == 0


def test_a_repair_that_cannot_move_a_file_says_so_and_exits_1(output, capsys, monkeypatch):
    truncate(table_file(output, "articles"))

    def refuse(sources, targets):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(quarantine.FileSystems, "rename", refuse)
    assert check(output, "--repair") == 1
    out = capsys.readouterr().out
    assert "not repaired: cannot move it to quarantine: [Errno 13] Permission denied" in out
    assert "1 problem(s) found, 0 repaired, 1 remain." in out


@pytest.mark.parametrize("make, message", [(None, "does not exist"), ("mkdir", "is not a newsbeam output")])
def test_a_missing_or_foreign_folder_is_a_usage_error(tmp_path, make, message):
    folder = tmp_path / "elsewhere"
    if make:
        folder.mkdir()
        (folder / "notes.txt").write_text("hello")
    with pytest.raises(UsageError, match=message):
        check(folder)


def test_the_check_module_loads_without_beam():
    """`newsbeam code` builds every parser, check's included, and must start without Beam."""
    code = "import sys, pipeline.check, pipeline.sql; sys.exit('apache_beam' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent.parent).returncode == 0


def test_a_real_run_with_a_truncated_file(tmp_path, capsys, query):
    """The output of a real run (the bundled sample), one articles file cut in half. Uses `--sample`,
    which the run command is gaining; adapt the arguments if the flag changes."""
    output = tmp_path / "out"
    assert main(["run", "--sample", "--output", str(output), "--run-id", "r1"]) == 0
    articles = query("select count(*) as n from articles", output)[0]["n"]
    damaged = sorted((output / "articles").rglob("*.parquet"))[0]
    rows_left = articles - pq.ParquetFile(damaged).metadata.num_rows
    relative = damaged.relative_to(output)
    data = truncate(damaged)
    capsys.readouterr()

    for sql, expected in (("select count(*) from articles", rows_left), ("select count(*) > 0 from events", True)):
        assert main(["sql", sql, "--output", str(output), "--format", "jsonl"]) == 0
        captured = capsys.readouterr()
        assert list(json.loads(captured.out).values()) == [expected]
        assert str(damaged) in captured.err and "newsbeam check --repair" in captured.err

    assert check(output) == 1
    assert str(relative) in capsys.readouterr().out
    assert check(output, "--repair") == 0
    assert (output / "_quarantine" / relative).read_bytes() == data
    assert check(output) == 0
    capsys.readouterr()

    assert main(["sql", "select count(*) from articles", "--output", str(output), "--format", "jsonl"]) == 0
    captured = capsys.readouterr()
    assert list(json.loads(captured.out).values()) == [rows_left] and captured.err == ""


@pytest.mark.parametrize(
    "content, problem",
    [
        ("[]", "feed validators: holds an array, not an object of feed URLs"),
        ("null", "feed validators: holds null, not an object of feed URLs"),
        ('{"https://a.example/rss": {"etag": ', "feed validators: cannot be parsed"),
        ('{"https://a.example/rss": {"etag": "\\"a\\"\\r\\nX: 1"}}', "feed validators: 1 of 1 feed entries are not as a run writes them"),
    ],
)
def test_a_damaged_feed_validators_file_is_found_and_moved_to_quarantine(output, capsys, content, problem):
    state = output / "_state" / "feeds" / "validators.json"
    state.parent.mkdir(parents=True)
    state.write_text(content)

    assert check(output) == 1
    assert f"_state/feeds/validators.json: {problem}" in capsys.readouterr().out
    assert check(output, "--repair") == 0
    assert (output / "_quarantine" / "_state" / "feeds" / "validators.json").read_text() == content
    assert not state.exists()
    assert check(output) == 0


def test_a_sound_feed_validators_file_is_looked_at_and_kept(output, capsys):
    state = output / "_state" / "feeds" / "validators.json"
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"https://a.example/rss": {"etag": '"a"', "last_modified": "Wed, 18 Nov 2026 10:00:00 GMT"}}))
    assert check(output, "--repair") == 0
    assert "No problems found." in capsys.readouterr().out and state.exists()


def test_a_lock_holder_that_does_not_parse_is_found_and_moved_to_quarantine(output):
    """`check` takes the lock itself, which rewrites the holder; so the inspection is called directly,
    as it sees the file while another writer holds the lock."""
    holder = output / "_state" / "lock-holder.json"
    holder.write_text('{"command": "run", "run_')
    inspection = quarantine.inspect_output(str(output))
    assert inspection.state_files == 1
    assert [(finding.path, finding.remedy) for finding in inspection.findings] == [(str(holder), quarantine.Remedy.QUARANTINE)]
    [outcome] = quarantine.repair_output(str(output), inspection.findings)
    assert outcome.repaired and outcome.done == "moved to _quarantine/_state/lock-holder.json"
    assert not holder.exists()

    holder.write_text(json.dumps({"command": "run", "run_id": "r2", "host": "h", "pid": 1, "started_at": "2026-01-01T00:00:00+00:00"}))
    assert quarantine.inspect_output(str(output)).findings == []


def test_parquet_files_outside_a_partition_folder_are_found_and_moved_to_quarantine(output, capsys):
    """A file belongs in <table>/<partition column>=<YYYY-MM-DD>/; any other place under the table's
    folder breaks the DATE partition column or adds rows to the table."""
    events_data = table_file(output, "events").read_bytes()
    articles_data = table_file(output, "articles").read_bytes()
    event_date = TABLES["events"].partition_column
    strays = {
        f"events/{event_date}=notadate/r1-00000.parquet": events_data,
        f"events/{event_date}=2026-02-30/r1-00000.parquet": events_data,
        "articles/badpart/r1-00000.parquet": articles_data,
        f"articles/ingest_date={DAY}/nested/r1-00000.parquet": articles_data,
        "articles/loose.parquet": articles_data,
    }
    for relative, data in strays.items():
        (output / relative).parent.mkdir(parents=True, exist_ok=True)
        (output / relative).write_bytes(data)

    assert check(output) == 1
    out = capsys.readouterr().out
    assert "11 table file(s)" in out and "5 problem(s) found" in out
    assert all(f"{relative}: outside a partition folder of {relative.split('/')[0]}:" in out for relative in strays)
    assert "partition value 'notadate' is not a date (YYYY-MM-DD)" in out

    assert check(output, "--repair") == 0
    assert all((output / "_quarantine" / relative).read_bytes() == data for relative, data in strays.items())
    assert check(output) == 0
