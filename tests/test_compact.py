"""`newsbeam compact`: small files merged per partition, rows, schema and metadata unchanged, and an
interrupted compaction never leaves rows twice or lost once it is recovered."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.cli import EXIT_USAGE, main
from sample_corpus import CORPUS_FOLDER, SAMPLE_ARTICLES
from schemas import ERRORS
from schemas.errors import make_error
from schemas.table import TableSpec
from transforms.sinks import compact, layout, parquet

UTC = datetime.timezone.utc


def write_run(output: str, spec: TableSpec, run_id: str, rows_per_day: dict[int, int]) -> None:
    """One small published file per day, as a run or a streaming window leaves them."""
    for day, count in rows_per_day.items():
        moment = datetime.datetime(2026, 11, day, 12, tzinfo=UTC)
        rows = [make_error("fetch", f"https://{run_id}.example/{i}", "timeout", "slow", now=moment)._asdict() for i in range(count)]
        partition = moment.date().isoformat()
        path = layout.final_file_path(output, spec.name, partition, run_id, 0)
        parquet.write_parquet_file(path + ".tmp", spec, rows)
        parquet.publish(path + ".tmp", path)


def files_of(output: Path, table: str = "errors") -> list[Path]:
    return sorted((output / table).rglob("*.parquet"))


def urls(query, output: Path) -> list[str]:
    return sorted(row["url"] for row in query("select url from errors", output))


@pytest.fixture
def three_runs(tmp_path) -> Path:
    output = tmp_path / "out"
    for run_id, rows in (("run-a", {18: 3, 19: 2}), ("run-b", {18: 4}), ("run-c", {18: 5, 19: 1})):
        write_run(str(output), ERRORS, run_id, rows)
    return output


def test_small_files_become_one_per_partition_with_the_same_rows_schema_and_metadata(three_runs, query, capsys):
    before = urls(query, three_runs)
    assert len(files_of(three_runs)) == 5

    assert main(["compact", "--output", str(three_runs)]) == 0

    files = files_of(three_runs)
    assert [f.parent.name for f in files] == ["ingest_date=2026-11-18", "ingest_date=2026-11-19"]
    assert all(f.name.startswith(compact.MERGED_PREFIX) for f in files)
    assert urls(query, three_runs) == before and len(before) == 15
    assert all(pq.ParquetFile(f).schema_arrow.equals(ERRORS.file_schema, check_metadata=True) for f in files)
    merged = pq.ParquetFile(files[0]).metadata
    assert merged.row_group(0).column(0).compression == "ZSTD"
    assert merged.num_rows == 12 and merged.num_row_groups == 1  # three small files, one row group
    assert not list(three_runs.glob("_temp/**/*.parquet")) and not list(three_runs.glob("_state/compaction/*.json"))
    out = capsys.readouterr().out
    assert "errors" in out and "5" in out and "2" in out


def test_a_second_compaction_changes_nothing(three_runs):
    assert main(["compact", "--output", str(three_runs)]) == 0
    names = files_of(three_runs)
    assert main(["compact", "--output", str(three_runs)]) == 0
    assert files_of(three_runs) == names


def test_files_are_grouped_up_to_rows_per_file(tmp_path):
    small = TableSpec(name="errors", schema=ERRORS.schema, sort_by=ERRORS.sort_by, rows_per_file=6)
    output = tmp_path / "out"
    for index, count in enumerate((2, 3, 6, 1, 4, 3)):
        write_run(str(output), small, f"run-{index}", {18: count})
    result = compact.compact_table(str(output), small)
    sizes = sorted(pq.ParquetFile(f).metadata.num_rows for f in files_of(output))
    # The full file stays; in name order 2+3+1 fill one file; 4+3 would exceed 6, so both stay.
    assert sizes == [3, 4, 6, 6] and result.files_before == 6 and result.files_after == 4 and result.rows == 6


def test_before_leaves_later_partitions_alone(three_runs):
    assert main(["compact", "--output", str(three_runs), "--table", "errors", "--before", "2026-11-19"]) == 0
    later = [f.name for f in files_of(three_runs) if "2026-11-19" in str(f)]
    earlier = [f.name for f in files_of(three_runs) if "2026-11-18" in str(f)]
    assert sorted(later) == ["run-a-00000.parquet", "run-c-00000.parquet"]
    assert len(earlier) == 1 and earlier[0].startswith(compact.MERGED_PREFIX)


def test_files_of_an_older_schema_version_are_rewritten_to_the_current_one(three_runs, query):
    """A version-2 errors file (no run_id) in a partition of its own is rewritten alone; rows kept,
    run_id NULL, and the output ends with one schema."""
    folder = three_runs / "errors" / "ingest_date=2026-11-20"
    folder.mkdir()
    source = pq.read_table(three_runs / "errors" / "ingest_date=2026-11-18" / "run-a-00000.parquet")
    old_schema = ERRORS.file_schema.remove(ERRORS.file_schema.get_field_index("run_id")).with_metadata(
        {b"newsbeam.schema_version": b"2", b"newsbeam.table": b"errors"}
    )
    pq.write_table(source.drop_columns(["run_id"]).cast(old_schema), folder / "old-00000.parquet")
    before = urls(query, three_runs)

    result = compact.compact_table(str(three_runs), ERRORS)

    assert result.upgraded == 1 and not (folder / "old-00000.parquet").exists()
    assert urls(query, three_runs) == before and len(before) == 18
    files = files_of(three_runs)
    assert all(pq.ParquetFile(f).schema_arrow.equals(ERRORS.file_schema, check_metadata=True) for f in files)
    rewritten = pq.read_table(next(folder.glob("*.parquet")))
    assert rewritten.column("run_id").null_count == 3


def plan_of(output: Path) -> compact.MergePlan:
    folder, paths = next(iter(compact.partition_files(str(output), ERRORS).items()))
    return compact.plan_merges(folder, [compact.read_part_file(p, ERRORS) for p in paths], ERRORS.rows_per_file)[0]


def test_crash_after_the_merged_file_is_in_place_is_finished_by_the_next_compaction(three_runs, query, monkeypatch):
    before = urls(query, three_runs)
    deletes = compact.FileSystems.delete

    def crash_when_deleting_originals(paths):
        if any(path.endswith("-00000.parquet") for path in paths):
            raise KeyboardInterrupt("power cut")
        deletes(paths)

    monkeypatch.setattr(compact.FileSystems, "delete", crash_when_deleting_originals)
    plan = plan_of(three_runs)
    with pytest.raises(KeyboardInterrupt):
        compact.merge(str(three_runs), ERRORS, plan)
    monkeypatch.setattr(compact.FileSystems, "delete", deletes)
    (manifest,) = three_runs.glob("_state/compaction/*.json")
    # paths are kept relative to the output, so a moved output is settled where it now lies
    assert json.loads(manifest.read_text())["replaces"] == [os.path.relpath(source.path, three_runs) for source in plan.sources]

    assert compact.recover_compactions(str(three_runs)) == 1
    assert urls(query, three_runs) == before
    assert not list(three_runs.glob("_state/compaction/*.json")) and not list(three_runs.glob("_temp/*"))


def test_crash_before_the_manifest_leaves_the_old_files_and_a_retry_works(three_runs, query, monkeypatch):
    before = urls(query, three_runs)
    plan = plan_of(three_runs)

    def crash(*_):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(compact, "compaction_manifest_path", crash)
    with pytest.raises(KeyboardInterrupt):
        compact.merge(str(three_runs), ERRORS, plan)
    monkeypatch.undo()
    assert len(files_of(three_runs)) == 5 and urls(query, three_runs) == before

    assert main(["compact", "--output", str(three_runs)]) == 0
    assert len(files_of(three_runs)) == 2 and urls(query, three_runs) == before
    assert not list(three_runs.glob("_temp/*"))


def test_pipeline_output_of_two_runs_keeps_its_article_and_event_ids(tmp_path, query):
    """Two real runs (half the sample pages each) into one folder, compacted."""
    pages = sorted((CORPUS_FOLDER / "pages").glob("*.html"))
    output = tmp_path / "out"
    for half, name in ((pages[::2], "first"), (pages[1::2], "second")):
        folder = tmp_path / name
        folder.mkdir()
        for page in half:
            (folder / page.name).symlink_to(page)
        assert main(["run", "--html-dir", str(folder), "--output", str(output), "--run-id", name]) == 0
    ids_sql = {"articles": "select article_id as id from articles", "events": "select event_id as id from events"}
    before = {table: sorted(r["id"] for r in query(sql, output)) for table, sql in ids_sql.items()}
    files_before = len(files_of(output, "articles")) + len(files_of(output, "events"))

    assert main(["compact", "--output", str(output)]) == 0

    assert {table: sorted(r["id"] for r in query(sql, output)) for table, sql in ids_sql.items()} == before
    assert len(before["articles"]) == SAMPLE_ARTICLES
    assert len(files_of(output, "articles")) == 1
    assert len(files_of(output, "articles")) + len(files_of(output, "events")) < files_before


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--table", "events"], "does not exist"),
        (["--table", "nope"], "unknown table 'nope'"),
        (["--before", "yesterday"], "is not a date"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(tmp_path, capsys, argv, message):
    output = tmp_path / ("missing" if "does not exist" in message else "out")
    if not message.startswith("does"):
        write_run(str(output), ERRORS, "run-a", {18: 1})
    code = main(["compact", "--output", str(output), *argv])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE and message in err and "Traceback" not in err


def test_folder_without_tables_exits_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["compact", "--output", str(tmp_path / "empty")]) == EXIT_USAGE
    assert "holds no newsbeam table" in capsys.readouterr().err


def test_a_damaged_file_is_kept_as_is_and_the_others_are_merged(three_runs, query, capsys):
    folder = three_runs / "errors" / "ingest_date=2026-11-18"
    damaged = folder / "run-b-00000.parquet"
    data = damaged.read_bytes()[:100]
    damaged.write_bytes(data)

    assert main(["compact", "--output", str(three_runs)]) == 0

    assert damaged.read_bytes() == data
    assert sorted(f.name.startswith(compact.MERGED_PREFIX) for f in folder.glob("*.parquet")) == [False, True]
    assert len(urls(query, three_runs)) == 11  # 15 rows, less the 4 of the damaged file
    assert "kept as is (left out: " in capsys.readouterr().out


@pytest.mark.parametrize("refused", ["create", "rename"])
def test_an_output_that_cannot_be_written_ends_with_one_line(three_runs, capsys, monkeypatch, refused):
    before = files_of(three_runs)

    def refuse(*_, **__):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(compact.FileSystems, refused, refuse)
    code = main(["compact", "--output", str(three_runs)])
    monkeypatch.undo()

    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1 and "Permission denied" in err and "Traceback" not in err
    assert files_of(three_runs) == before


def test_a_manifest_that_cannot_be_parsed_is_left_for_repair_and_named_in_one_line(three_runs, capsys):
    manifest = three_runs / "_state" / "compaction" / "0123456789abcdef.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text("{cut sh")
    code = main(["compact", "--output", str(three_runs)])
    err = capsys.readouterr().err
    assert code == 0 and err.count("\n") == 1 and "Traceback" not in err
    assert "0123456789abcdef.json" in err and "newsbeam check --repair" in err
    assert manifest.read_text() == "{cut sh"


def test_a_file_of_another_table_is_kept_as_is_and_the_table_s_own_files_are_merged(three_runs, query, capsys):
    """A hand-copied file must neither be merged into the table nor stop its partition's compaction."""
    folder = three_runs / "errors" / "ingest_date=2026-11-18"
    stranger = folder / "copied-by-hand.parquet"
    pq.write_table(pq.read_table(folder / "run-a-00000.parquet").replace_schema_metadata({b"newsbeam.table": b"articles"}), stranger)
    before = urls(query, three_runs)

    assert main(["compact", "--output", str(three_runs)]) == 0

    assert stranger.exists() and len(list(folder.glob(f"{compact.MERGED_PREFIX}*.parquet"))) == 1
    assert len(list(folder.glob("*.parquet"))) == 2 and urls(query, three_runs) == before
    assert "holds rows of the articles table, not errors" in capsys.readouterr().out
