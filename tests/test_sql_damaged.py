"""`newsbeam sql` over an output with damaged files: every other file and table stays queryable, each
damaged file is named once on stderr, and SQL errors raised only while fetching rows are one line."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import pipeline.sql
from pipeline.cli import EXIT_FAILED, EXIT_USAGE, main
from schemas import ERRORS, TABLES
from tests.test_check import DAY, ROWS_PER_FILE, table_file, truncate, write_small_output


@pytest.fixture
def output(tmp_path) -> Path:
    folder = tmp_path / "out"
    write_small_output(folder)
    return folder


def test_other_tables_and_the_readable_files_of_the_same_table_are_queried(output, query, capsys):
    damaged = table_file(output, "articles")
    truncate(damaged)

    assert query("select count(*) as n from events", output) == [{"n": 2 * ROWS_PER_FILE}]
    assert query("select count(*) as n from articles", output) == [{"n": ROWS_PER_FILE}]
    days = query("select distinct ingest_date from articles", output)
    assert days == [{"ingest_date": datetime.date.fromisoformat(DAY)}]  # still a DATE partition

    warnings = [line for line in capsys.readouterr().err.splitlines() if str(damaged) in line]
    assert len(warnings) == 3  # once per connection: each query above opens one
    assert "left out of articles" in warnings[0] and "`newsbeam check --repair` moves it aside" in warnings[0]


def test_a_table_whose_every_file_is_damaged_is_an_empty_view_with_its_columns(output, query):
    for shard in range(2):
        table_file(output, "errors", shard).write_bytes(b"garbage" * 50)
    assert query("select count(*) as n from errors", output) == [{"n": 0}]
    columns = {row["column_name"] for row in query("select column_name from (describe errors)", output)}
    assert {"error_type", "ingest_date"} <= columns
    assert query("select count(*) as n from articles", output) == [{"n": 2 * ROWS_PER_FILE}]


def test_the_command_prints_the_result_on_stdout_and_the_warning_on_stderr(output, capsys):
    truncate(table_file(output, "events", 1))
    assert main(["sql", "select count(*) as n from events", "--output", str(output), "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.split() == ["n", str(ROWS_PER_FILE)]
    assert captured.err.count("\n") == 1 and "r1-00001.parquet" in captured.err and "Traceback" not in captured.err


@pytest.mark.parametrize(
    "sql",
    [
        "select cast('x' as integer)",  # DuckDB plans it, and fails only when fetching the row
        "select cast(text as integer) from articles",
        "selec 1",
    ],
)
def test_sql_errors_are_one_line(output, sql):
    with pytest.raises(pipeline.sql.QueryFailed) as raised:
        pipeline.sql.run_query(str(output), sql)
    assert str(raised.value).startswith("SQL error: ") and "\n" not in str(raised.value)


@pytest.mark.parametrize("sql", ["select cast('x' as integer)", "select * from no_such_table"])
def test_a_query_duckdb_cannot_answer_exits_1_with_one_line(output, capsys, sql):
    assert main(["sql", sql, "--output", str(output)]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SQL error: " in err and "Traceback" not in err


def test_an_empty_query_or_a_folder_that_is_no_output_is_a_usage_error(output, tmp_path, capsys):
    assert main(["sql", "  ", "--output", str(output)]) == EXIT_USAGE
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")
    assert main(["sql", "select 1", "--output", str(tmp_path / "photos")]) == EXIT_USAGE
    assert "is not a newsbeam output" in capsys.readouterr().err


def test_jsonl_writes_null_for_values_json_cannot_hold(output, capsys):
    assert main(["sql", "select 1/0 as infinite, 0 as zero", "--output", str(output), "--format", "jsonl"]) == 0
    assert capsys.readouterr().out.strip() == '{"infinite": null, "zero": 0}'


def test_an_output_whose_files_all_predate_a_column_still_has_it(output, query):
    """Errors files written before version 3 lack run_id: the view has it all the same, NULL."""
    for path in (output / "errors").rglob("*.parquet"):
        table = pq.read_table(path)
        metadata = {**table.schema.metadata, b"newsbeam.schema_version": b"2"}
        pq.write_table(table.drop_columns(["run_id"]).replace_schema_metadata(metadata), path)
    rows = query("select count(run_id) as with_id, typeof(run_id) as type from errors group by all", output)
    assert rows in ([], [{"with_id": 0, "type": "VARCHAR"}])
    assert [row["column_name"] for row in query("describe errors", output)] == ERRORS.schema.names


def test_files_outside_a_partition_folder_are_left_out_with_a_warning(output, capsys):
    """A copy in events/<column>=notadate/ broke the DATE cast of every query on events; one in
    articles/badpart/ added its rows to articles."""
    column = TABLES["events"].partition_column
    strays = [output / "events" / f"{column}=notadate" / "copy.parquet", output / "articles" / "badpart" / "copy.parquet"]
    for stray, table in zip(strays, ("events", "articles")):
        stray.parent.mkdir()
        stray.write_bytes(table_file(output, table).read_bytes())

    sql = f"select {column}, count(*) as n from events group by 1"
    assert main(["sql", sql, "--output", str(output), "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.split() == [f"{column},n", f"{DAY},{2 * ROWS_PER_FILE}"]
    warnings = captured.err.splitlines()
    assert len(warnings) == 2 and all(any(str(stray) in line for line in warnings) for stray in strays)
    assert "partition value 'notadate' is not a date (YYYY-MM-DD)" in captured.err

    assert main(["sql", "select count(*) as n from articles", "--output", str(output), "--format", "csv"]) == 0
    assert capsys.readouterr().out.split() == ["n", str(2 * ROWS_PER_FILE)]


@pytest.mark.parametrize("name", ["_hidden.parquet", ".dot.parquet", "foreign.parquet"])
def test_files_that_are_not_the_table_s_own_are_left_out_with_a_warning(output, query, capsys, name):
    """Hidden names (which Spark and pyarrow skip) and files without newsbeam's table metadata."""
    source = table_file(output, "events")
    table = pq.read_table(source)
    stray = source.parent / name
    pq.write_table(table.replace_schema_metadata(None) if name == "foreign.parquet" else table, stray)
    assert query("select count(*) as n from events", output) == [{"n": 2 * ROWS_PER_FILE}]
    assert f"{stray} left out of events" in capsys.readouterr().err


def test_answers_do_not_depend_on_the_reader_s_time_zone(tmp_path):
    """Dates are defined in UTC: 20:00 UTC on 1 January is that day even where it is already the 2nd."""
    import os
    import subprocess
    import sys

    (tmp_path / "out").mkdir()
    sql = "select cast(TIMESTAMPTZ '2026-01-01 20:00:00+00' as date) as day"
    completed = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "sql", sql, "--output", str(tmp_path / "out"), "--format", "csv"],
        capture_output=True, text=True, env={**os.environ, "TZ": "Asia/Tokyo"}, check=True,
    )
    assert completed.stdout.splitlines() == ["day", "2026-01-01"]


@pytest.mark.parametrize("name", ["out*", "out?", "out[1]"])
def test_an_output_location_with_pattern_characters_is_a_usage_error(tmp_path, capsys, name):
    assert main(["sql", "select 1", "--output", str(tmp_path / name)]) == EXIT_USAGE
    assert "read as a file pattern" in capsys.readouterr().err


def test_a_statement_that_writes_is_refused_and_no_stored_file_changes(output, tmp_path, capsys):
    stored = sorted(output.rglob("*.parquet"))
    before = {path: path.read_bytes() for path in stored}
    target = stored[0]
    for sql in (f"copy (select 1 as a) to '{target}' (format parquet)", f"attach '{tmp_path / 'x.db'}'"):
        assert main(["sql", sql, "--output", str(output)]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "only reads" in err
    assert {path: path.read_bytes() for path in stored} == before
    assert not (tmp_path / "x.db").exists()


def test_an_explain_counts_as_the_statement_it_explains(output, tmp_path, capsys):
    """EXPLAIN ANALYZE runs what it explains: "explain analyze copy ... to <stored file>" replaced
    a stored file and emptied the table."""
    stored = sorted(output.rglob("*.parquet"))
    before = {path: path.read_bytes() for path in stored}
    for sql in (
        f"explain analyze copy (select 1 as a) to '{stored[0]}' (format parquet, use_tmp_file false)",
        f"EXPLAIN (ANALYZE) /* a comment */ copy (select 1 as a) to '{tmp_path / 'x.csv'}'",
    ):
        assert main(["sql", sql, "--output", str(output)]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "only reads" in err, sql
    assert {path: path.read_bytes() for path in stored} == before
    assert not (tmp_path / "x.csv").exists()
    assert main(["sql", "explain analyze select count(*) from events", "--output", str(output)]) == 0


def test_a_query_opens_no_file_but_the_stored_tables(output, tmp_path, capsys):
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    assert main(["sql", f"select * from read_csv('{secret}')", "--output", str(output)]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("newsbeam sql: SQL error: Permission Error")
    assert main(["sql", "select count(*) as n from events", "--output", str(output), "--format", "csv"]) == 0
    assert capsys.readouterr().out.split()[0] == "n"


def test_duckdb_s_default_spill_folder_is_no_way_out(output, tmp_path, capsys, monkeypatch):
    """DuckDB always lets a connection open its spill folder, ".tmp" under the working directory
    unless told otherwise: any file there (or behind a link named .tmp) was readable."""
    (tmp_path / ".tmp").mkdir()
    (tmp_path / ".tmp" / "inside.txt").write_text("private\n")
    monkeypatch.chdir(tmp_path)
    assert main(["sql", "select * from read_text('.tmp/inside.txt')", "--output", str(output)]) == EXIT_FAILED
    assert "Permission Error" in capsys.readouterr().err
    # Its own spill folder instead, and no extension fetched or loaded behind the query's back.
    settings = (
        "select current_setting('temp_directory') as spill, current_setting('autoinstall_known_extensions') as install, "
        "current_setting('autoload_known_extensions') as load"
    )
    assert main(["sql", settings, "--output", str(output), "--format", "jsonl"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["spill"] != ".tmp" and "newsbeam-sql-" in answer["spill"]
    assert answer["install"] is False and answer["load"] is False


@pytest.mark.parametrize("sql, shown", [("update extensions", "UPDATE"), ("install httpfs", "INSTALL")])
def test_a_statement_this_duckdb_cannot_name_is_refused_by_its_first_word(output, capsys, sql, shown):
    assert main(["sql", sql, "--output", str(output)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"only reads: {shown} is refused" in err


def test_several_statements_are_refused_with_one_line_and_nothing_printed(output, capsys):
    """Only the last statement's rows used to be printed; the others were silently lost."""
    assert main(["sql", "select 1 as a; select 2 as b", "--output", str(output)]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert "runs one statement, not 2" in captured.err
    assert main(["sql", "select 1 as a;", "--output", str(output), "--format", "csv"]) == 0  # one, with its semicolon
    assert capsys.readouterr().out.split() == ["a", "1"]


@pytest.mark.parametrize("sql", [";", "-- only a comment", " ; ; "])
def test_a_query_of_comments_or_semicolons_is_empty(output, capsys, sql):
    assert main(["sql", sql, "--output", str(output)]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "the query is empty" in captured.err
