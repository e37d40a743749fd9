"""`newsbeam schema`: each engine's DDL declares every column once with its type, and really reads an output
(DuckDB always, Spark when pyspark and Java are here); the JSON document is the schemas, in a stable order."""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys

import duckdb
import pyarrow as pa
import pytest

from pipeline.cli import EXIT_USAGE, main
from pipeline.schema_ddl import UnmappedTypeError, render
from schemas import ARTICLES, ERRORS, EVENTS, TABLES
from schemas.articles import Article
from schemas.errors import make_error
from schemas.events import Event
from schemas.table import PARTITION_COLUMN, UTC_TIMESTAMP, TableSpec
from schemas.versions import SCHEMA_VERSION
from transforms.sinks.layout import final_file_path
from transforms.sinks.parquet import write_parquet_file

UTC = datetime.timezone.utc
SQL_FORMATS = ("duckdb", "spark", "bigquery", "trino", "athena")
# Written out again here, not imported: the test checks the module's mapping against the engines' docs.
EXPECTED_TYPES = {
    "duckdb": {
        "string": "VARCHAR",
        "int32": "INTEGER",
        "int64": "BIGINT",
        "double": "DOUBLE",
        "bool": "BOOLEAN",
        "timestamp[us, tz=UTC]": "TIMESTAMP WITH TIME ZONE",
        "date32[day]": "DATE",
    },
    "spark": {
        "string": "STRING",
        "int32": "INT",
        "int64": "BIGINT",
        "double": "DOUBLE",
        "bool": "BOOLEAN",
        "timestamp[us, tz=UTC]": "TIMESTAMP",
        "date32[day]": "DATE",
    },
    "bigquery": {
        "string": "STRING",
        "int32": "INT64",
        "int64": "INT64",
        "double": "FLOAT64",
        "bool": "BOOL",
        "timestamp[us, tz=UTC]": "TIMESTAMP",
        "date32[day]": "DATE",
    },
    "trino": {
        "string": "varchar",
        "int32": "integer",
        "int64": "bigint",
        "double": "double",
        "bool": "boolean",
        "timestamp[us, tz=UTC]": "timestamp(3)",
        "date32[day]": "date",
    },
    "athena": {
        "string": "string",
        "int32": "int",
        "int64": "bigint",
        "double": "double",
        "bool": "boolean",
        "timestamp[us, tz=UTC]": "timestamp",
        "date32[day]": "date",
    },
}
LOCATIONS = {"bigquery": "gs://bucket/out", "athena": "s3://bucket/out"}
# A column declaration: `  "name" type,` (quotes by engine) or DuckDB's `  CAST("name" AS type) AS "name",`.
DECLARATION = re.compile(r'^  (?:CAST\("(\w+)" AS ([^)]+)\) AS "\1"|["`](\w+)["`] (.+?)),?$|^  "(\w+)",?$')


def run_schema(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["schema", *argv])
    except SystemExit as exit_:  # argparse's own usage errors
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def declared_columns(ddl: str) -> list[tuple[str, str]]:
    """(name, type) of every column declaration in ``ddl``; DuckDB's bare partition column has type "DATE"
    (hive_types declares it)."""
    columns = []
    for line in ddl.splitlines():
        match = DECLARATION.match(line)
        if match:
            cast_name, cast_type, name, type_, bare = match.groups()
            columns.append((cast_name, cast_type) if cast_name else (name, type_) if name else (bare, "DATE"))
    return columns


def expected_columns(spec: TableSpec, output_format: str) -> list[tuple[str, str]]:
    types = EXPECTED_TYPES[output_format]
    file_columns = [(field.name, types[str(field.type)]) for field in spec.file_schema]
    return file_columns + [(PARTITION_COLUMN, types["date32[day]"])]


@pytest.mark.parametrize("output_format", SQL_FORMATS)
def test_every_column_is_declared_once_with_its_engine_type(capsys, output_format):
    location = LOCATIONS.get(output_format, "OUTPUT")
    for spec in TABLES.values():
        code, ddl, err = run_schema(capsys, spec.name, "--format", output_format, "--location", location)
        assert (code, err) == (0, "")
        assert declared_columns(ddl) == expected_columns(spec, output_format)
        assert f"{location}/{spec.name}" in ddl
        assert f"schema version {SCHEMA_VERSION}" in ddl
    code, all_tables, _ = run_schema(capsys, "--format", output_format, "--location", location)
    assert code == 0
    expected = [column for spec in TABLES.values() for column in expected_columns(spec, output_format)]
    assert declared_columns(all_tables) == expected
    positions = [all_tables.index(f"{location}/{name}") for name in ("articles", "events", "errors")]
    assert positions == sorted(positions)


def test_placeholder_location_is_printed_for_the_user_to_edit(capsys):
    code, ddl, _ = run_schema(capsys, "events", "--format", "spark")
    assert code == 0
    assert "LOCATION 'OUTPUT/events';" in ddl and "MSCK REPAIR TABLE events;" in ddl
    assert "mergeSchema" in ddl and "union_by_name" in ddl


# ---- a real output folder ------------------------------------------------------------------------


def _at(day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, 5, day, hour, tzinfo=UTC)


def _article(day: int, number: int) -> Article:
    return Article(
        article_id=f"a{day}-{number}",
        url=f"https://news.example/{day}/{number}",
        canonical_url=f"https://news.example/{day}/{number}",
        feed_url="https://news.example/feed.xml",
        source_domain="news.example",
        title="Leaders meet",
        author=None,
        published_at=_at(day, 8),
        language="en",
        text="The leaders met in Geneva.",
        text_hash=f"h{day}{number}",
        word_count=5,
        fetched_at=_at(day),
        ingest_date=_at(day).date().isoformat(),
        published_local_date=_at(day).date(),
    )


def _event(day: int, number: int) -> Event:
    return Event(
        event_id=f"e{day}-{number}",
        article_id=f"a{day}-{number}",
        url=f"https://news.example/{day}/{number}",
        event_date=_at(day).date(),
        sentence_index=0,
        sentence="The leaders met in Geneva.",
        actor1_code="USAGOV",
        actor1_name="United States",
        actor1_country_code="USA",
        actor1_type="GOV",
        actor2_code=None,
        actor2_name=None,
        actor2_country_code=None,
        actor2_type=None,
        event_code="040",
        event_base_code="040",
        event_root_code="04",
        quad_class=1,
        goldstein=1.0,
        plover_type="CONSULT",
        is_root_event=True,
        action_geo_name="Geneva",
        action_geo_country_code="CH",
        action_geo_lat=46.2,
        action_geo_lon=6.15,
        confidence=0.9,
        coder_version="test",
        added_at=_at(day),
        ingest_date=_at(day).date().isoformat(),
    )


def _write(output_dir: str, spec: TableSpec, records: list, run_id: str) -> None:
    by_day: dict[str, list[dict]] = {}
    for record in records:
        by_day.setdefault(record.ingest_date, []).append(record._asdict())
    for day, rows in by_day.items():
        write_parquet_file(final_file_path(output_dir, spec.name, day, run_id, 0), spec, rows)


@pytest.fixture(scope="module")
def output_folder(tmp_path_factory) -> str:
    """An output of two days: 3 articles, 3 events and 4 errors, one of them in a file without the run_id
    column, like the files of an output written before schema version 3 and never compacted."""
    output_dir = str(tmp_path_factory.mktemp("schema") / "out")
    _write(output_dir, ARTICLES, [_article(1, 1), _article(1, 2), _article(2, 1)], "run1")
    _write(output_dir, EVENTS, [_event(1, 1), _event(1, 2), _event(2, 1)], "run1")
    errors = [make_error("fetch", f"https://slow.example/{n}", "timeout", "slow", now=_at(1 + n % 2)) for n in range(3)]
    _write(output_dir, ERRORS, [error._replace(run_id="run1") for error in errors], "run1")
    version_2 = TableSpec(
        name="errors", schema=ERRORS.schema.remove(ERRORS.schema.get_field_index("run_id")), sort_by=ERRORS.sort_by
    )
    _write(output_dir, version_2, [make_error("clean", None, "empty_content", "no text", now=_at(2))], "run0")
    return output_dir


def test_duckdb_ddl_reads_the_output_with_the_declared_types(capsys, output_folder):
    code, ddl, _ = run_schema(capsys, "--format", "duckdb", "--location", output_folder)
    assert code == 0
    connection = duckdb.connect()
    connection.execute(ddl)
    for spec in TABLES.values():
        described = connection.sql(f"describe {spec.name}").fetchall()
        assert [(name, type_) for name, type_, *_ in described] == expected_columns(spec, "duckdb")
    counts = {name: connection.sql(f"select count(*) from {name}").fetchall()[0][0] for name in TABLES}
    assert counts == {"articles": 3, "events": 3, "errors": 4}
    by_day = connection.sql("select ingest_date, count(*), count(run_id) from errors group by 1 order by 1").fetchall()
    assert by_day == [(datetime.date(2026, 5, 1), 2, 2), (datetime.date(2026, 5, 2), 2, 1)]


def _statements(script: str) -> list[str]:
    code = "\n".join(line for line in script.splitlines() if not line.startswith("--"))
    return [statement.strip() for statement in code.split(";") if statement.strip()]




def test_spark_ddl_creates_tables_that_count_as_duckdb_does(capsys, output_folder, spark):
    code, ddl, _ = run_schema(capsys, "--format", "spark", "--location", output_folder)
    assert code == 0
    connection = duckdb.connect()
    connection.execute(run_schema(capsys, "--format", "duckdb", "--location", output_folder)[1])
    try:
        for statement in _statements(ddl):
            spark.sql(statement)
        for spec in TABLES.values():
            types = [(field.name, field.dataType.simpleString().upper()) for field in spark.table(spec.name).schema]
            assert types == expected_columns(spec, "spark")
            count = spark.sql(f"select count(*) from {spec.name}").collect()[0][0]
            assert count == connection.sql(f"select count(*) from {spec.name}").fetchall()[0][0]
        by_day = spark.sql("select ingest_date, count(*), count(run_id) from errors group by 1 order by 1").collect()
        assert [tuple(row) for row in by_day] == [(datetime.date(2026, 5, 1), 2, 2), (datetime.date(2026, 5, 2), 2, 1)]
        occurred = spark.sql("select min(occurred_at) from errors").collect()[0][0]
        assert occurred == datetime.datetime(2026, 5, 1, 12)  # 12:00 UTC, shown in the session's UTC
    finally:
        for name in TABLES:
            spark.sql(f"drop table if exists {name}")


# ---- json ------------------------------------------------------------------------------------------


def test_json_document_is_the_schemas_in_a_stable_order(capsys):
    code, document, _ = run_schema(capsys, "--format", "json")
    assert code == 0
    assert run_schema(capsys, "--format", "json")[1] == document
    parsed = json.loads(document)
    assert json.dumps(parsed, indent=2) + "\n" == document
    assert parsed["schema_version"] == SCHEMA_VERSION
    assert list(parsed["tables"]) == ["articles", "events", "errors"]
    for name, table in parsed["tables"].items():
        spec = TABLES[name]
        assert list(table) == ["partition_column", "partition_type", "sort_by", "columns"]
        assert (table["partition_column"], table["partition_type"]) == (spec.schema.names[-1], "date")
        assert table["sort_by"] == list(spec.sort_by)
        rebuilt = [(column["name"], column["type"], column["nullable"]) for column in table["columns"]]
        assert rebuilt + [(PARTITION_COLUMN, "string", False)] == [
            (field.name, str(field.type), field.nullable) for field in spec.schema
        ]
    code, one_table, _ = run_schema(capsys, "errors", "--format", "json")
    assert list(json.loads(one_table)["tables"]) == ["errors"]


# ---- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, message",
    [
        (["nonsense", "--format", "duckdb"], "unknown table 'nonsense'"),
        (["--format", "mysql"], "unknown format 'mysql'"),
        (["--format", "spark", "--location", "relative/out"], "absolute path or a URI"),
        (["--format", "spark", "--location", "/out/it's"], "must not hold quotes"),
        (["--format", "bigquery", "--location", "/local/out"], "gs://"),
        (["--format", "athena", "--location", "gs://bucket/out"], "s3://"),
        (["--format", "trino", "--dataset", "news-beam"], "plain name"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run_schema(capsys, *argv)
    assert code == EXIT_USAGE and out == ""
    assert len(err.splitlines()) == 1 and message in err and err.startswith("newsbeam schema: error:")


def test_a_pyarrow_type_without_an_engine_type_is_an_error_not_a_guess():
    future = TableSpec(
        name="future",
        schema=pa.schema(
            [pa.field("tone", pa.float32()), pa.field("at", UTC_TIMESTAMP), pa.field("ingest_date", pa.string())]
        ),
        sort_by=(),
    )
    for output_format in SQL_FORMATS:
        with pytest.raises(UnmappedTypeError, match=rf"future\.tone: pyarrow type float has no {output_format} type"):
            render([future], output_format)


def test_schema_command_does_not_load_beam():
    probe = "import sys, pipeline.schema_ddl; print('apache_beam' in sys.modules)"
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert completed.stdout.strip() == "False", completed.stderr
