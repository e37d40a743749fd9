"""WriteTable: rows really land as hive-partitioned, zstd Parquet with the table's schema."""

from __future__ import annotations

import datetime
import os

import apache_beam as beam
import pyarrow.parquet as pq
import pytest

import pipeline.sql
from schemas import ERRORS
from schemas.errors import make_error
from schemas.table import SCHEMA_VERSION, SCHEMA_VERSION_KEY, TableSpec
from transforms.sinks import layout, parquet
from transforms.sinks.commit import CommitFiles

UTC = datetime.timezone.utc


def _error(day: int, url: str):
    return make_error("fetch", url, "timeout", "slow", now=datetime.datetime(2026, 11, day, 12, tzinfo=UTC))


def test_rows_land_in_partition_folders_with_schema_and_no_temp_files(tmp_path, beam_pipeline, query):
    output = str(tmp_path / "out")
    rows = [_error(18, f"https://a.example/{i}") for i in range(5)] + [_error(19, "https://b.example/x")]
    with beam_pipeline as p:
        _ = p | beam.Create(rows) | parquet.WriteTable(ERRORS, output, "run1") | CommitFiles(output, "run1")

    assert sorted(os.listdir(tmp_path / "out" / "errors")) == ["ingest_date=2026-11-18", "ingest_date=2026-11-19"]
    files = sorted((tmp_path / "out" / "errors").rglob("*.parquet"))
    assert [f.name for f in files] == ["run1-00000.parquet", "run1-00000.parquet"]
    parquet_file = pq.ParquetFile(files[0])
    assert "ingest_date" not in parquet_file.schema_arrow.names
    assert parquet_file.schema_arrow.metadata[SCHEMA_VERSION_KEY] == SCHEMA_VERSION.encode()
    assert parquet_file.metadata.row_group(0).column(0).compression == "ZSTD"
    assert not list((tmp_path / "out").glob("_temp/run1/**/*.parquet"))

    counts = query("select ingest_date, count(*) as n from errors group by 1 order by 1")
    assert [(str(r["ingest_date"]), r["n"]) for r in counts] == [("2026-11-18", 5), ("2026-11-19", 1)]


def test_large_partition_is_split_over_several_files(tmp_path, beam_pipeline, query):
    small_files = TableSpec(name="errors", schema=ERRORS.schema, sort_by=ERRORS.sort_by, rows_per_file=10)
    output = str(tmp_path / "out")
    with beam_pipeline as p:
        rows = p | beam.Create([_error(18, f"https://a.example/{i}") for i in range(35)])
        _ = rows | parquet.WriteTable(small_files, output, "run2") | CommitFiles(output, "run2")
    files = list((tmp_path / "out" / "errors").rglob("run2-*.parquet"))
    assert 2 <= len(files) <= 4
    assert query("select count(distinct url) as n from errors")[0]["n"] == 35


def test_publishing_never_replaces_a_file_that_is_already_there(tmp_path):
    output = str(tmp_path / "out")
    args = (output, ERRORS.name, "2026-11-18", "run3", 0)
    temp, final = layout.temp_file_path(*args), layout.final_file_path(*args)
    parquet.write_parquet_file(temp, ERRORS, [_error(18, "https://a.example/1")._asdict()])
    parquet.publish(temp, final)
    parquet.publish(temp, final)  # a repeated move (a roll-forward) is a no-op
    parquet.write_parquet_file(temp, ERRORS, [_error(18, f"https://a.example/{i}")._asdict() for i in range(3)])
    with pytest.raises(FileExistsError):
        parquet.publish(temp, final)
    assert pq.read_table(final).column("url").to_pylist() == ["https://a.example/1"]


def test_empty_tables_are_still_queryable_with_their_columns(tmp_path, query):
    (tmp_path / "out").mkdir()
    assert query("select count(*) as n from events")[0]["n"] == 0
    columns = pipeline.sql.connect(str(tmp_path / "out")).sql("select * from events").columns
    assert {"event_root_code", "goldstein", "event_date"} <= set(columns)
