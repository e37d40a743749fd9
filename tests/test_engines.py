"""The README's SQL examples give the same rows, with the same column types, in DuckDB, pyarrow,
polars and Spark, each engine reading the output with the README's own snippet for it.

Two outputs: one of two real runs (two halves of the sample corpus) plus files of older schema
versions written by hand (articles of version 1 without ``published_local_date`` and of version 3
with it after ``published_at``, errors of version 2 without ``run_id``), and one of a single run over
the sample's non-political pages, whose events and errors tables hold only their zero-row file.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pipeline.sql
from pipeline.cli import main
from sample_corpus import CORPUS_FOLDER
from schemas import ARTICLES, ERRORS, TABLES
from schemas.table import SCHEMA_VERSION_KEY, TABLE_NAME_KEY, UTC_TIMESTAMP, TableSpec

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
# What the README's snippets read, replaced by the test's output folder.
README_OUTPUT = "newsbeam-output"
README_SPARK_LOCATION = "/data/newsbeam-output"
UTC = datetime.timezone.utc
OLD_DOMAIN = "old.example"

# Not in the README: how the rows of the hand-written older files read.
OLD_FILE_QUERIES = [
    "select article_id, published_local_date, fetched_at, ingest_date from articles "
    f"where source_domain = '{OLD_DOMAIN}' order by article_id",
    "select error_type, run_id, attempts, occurred_at, ingest_date from errors order by occurred_at, url",
]
Query = Callable[[str], pa.Table]


# ---- the README ---------------------------------------------------------------------------------


def readme_section(heading: str) -> str:
    """The README's lines from ``heading`` to the next heading of the same or a higher level (lines
    in code blocks are never headings: a ``# comment`` there looks like one)."""
    level = len(heading.split(" ", 1)[0])
    lines = README.splitlines()
    start = lines.index(heading)
    in_code = False
    for number in range(start + 1, len(lines)):
        line = lines[number]
        in_code = in_code != line.startswith("```")
        marks = len(line) - len(line.lstrip("#"))
        if not in_code and 0 < marks <= level and line[marks:].startswith(" "):
            return "\n".join(lines[start:number])
    return "\n".join(lines[start:])


def readme_queries() -> list[str]:
    """The queries of ``## SQL examples`` (each ``newsbeam sql "..."``), whitespace collapsed."""
    section = readme_section("## SQL examples")
    return [" ".join(query.split()) for query in re.findall(r'newsbeam sql "([^"]+)"', section)]


def readme_snippet(first_line: str, output: Path, placeholder: str = README_OUTPUT) -> str:
    """The code block of ``### Reading the tables in other engines`` that begins with ``first_line``,
    reading ``output`` where it reads ``placeholder``."""
    section = readme_section("### Reading the tables in other engines")
    blocks = re.findall(r"^```\w*\n(.*?)^```", section, re.S | re.M)
    blocks = [block for block in blocks if block.startswith(first_line + "\n")]
    assert len(blocks) == 1, f"one README block beginning {first_line!r}"
    assert placeholder in blocks[0]
    return blocks[0].replace(placeholder, str(output))


def sql_statements(snippet: str) -> list[str]:
    """The statements of a SQL snippet, comment lines left out."""
    code = "\n".join(line for line in snippet.splitlines() if not line.lstrip().startswith("--"))
    return [statement.strip() for statement in code.split(";") if statement.strip()]


def run_python_snippet(snippet: str) -> dict:
    namespace: dict = {"__name__": "readme_snippet"}
    exec(compile(snippet, "README.md", "exec"), namespace)
    return namespace


# ---- the outputs --------------------------------------------------------------------------------


def newsbeam_run(pages: list[Path], workdir: Path, output: Path) -> None:
    workdir.mkdir()
    for page in pages:
        shutil.copy(page, workdir / page.name)
    assert main(["run", "--html-dir", str(workdir), "--output", str(output), "--quiet"]) == 0


def write_old_file(path: Path, spec: TableSpec, version: str, fields: list[pa.Field], rows: list[dict]) -> None:
    """A file as an older newsbeam wrote it: its own columns, version and table in the metadata."""
    schema = pa.schema(fields, metadata={SCHEMA_VERSION_KEY: version.encode(), TABLE_NAME_KEY: spec.name.encode()})
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, compression="zstd")


def old_article(number: int, day: int, with_local_date: bool) -> dict:
    row = {
        "article_id": f"old-{number}",
        "url": f"https://{OLD_DOMAIN}/{number}",
        "canonical_url": f"https://{OLD_DOMAIN}/{number}",
        "feed_url": None,
        "source_domain": OLD_DOMAIN,
        "title": f"Old article {number}",
        "author": None,
        "published_at": datetime.datetime(2026, 1, day - 1, 23, 30, tzinfo=UTC),
        "language": "en",
        "text": "An article stored by an older newsbeam.",
        "text_hash": f"old-hash-{number}",
        "word_count": 6,
        "fetched_at": datetime.datetime(2026, 1, day, 8, 15, 30, 123456, tzinfo=UTC),
    }
    if with_local_date:
        row["published_local_date"] = datetime.date(2026, 1, day)
    return row


def add_old_files(output: Path) -> None:
    """Version-1 articles (no published_local_date) in the first partition, so no engine can take the
    columns from the first file alone; version-3 articles (published_local_date after published_at);
    version-2 errors (no run_id)."""
    articles = {field.name: field for field in ARTICLES.file_schema}
    version_1 = [field for name, field in articles.items() if name != "published_local_date"]
    version_3 = version_1[:8] + [articles["published_local_date"]] + version_1[8:]
    assert [field.name for field in version_3[7:9]] == ["published_at", "published_local_date"]
    folder = output / "articles"
    rows_1 = [old_article(1, 5, False), old_article(2, 5, False)]
    write_old_file(folder / "ingest_date=2026-01-05" / "v1-run-00000.parquet", ARTICLES, "1", version_1, rows_1)
    rows_3 = [old_article(3, 6, True)]
    write_old_file(folder / "ingest_date=2026-01-06" / "v3-run-00000.parquet", ARTICLES, "3", version_3, rows_3)
    error = {
        "stage": "fetch",
        "url": f"https://{OLD_DOMAIN}/gone",
        "feed_url": None,
        "error_type": "timeout",
        "http_status": None,
        "message": "read timed out",
        "attempts": 3,
        "occurred_at": datetime.datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
    }
    version_2 = [field for field in ERRORS.file_schema if field.name != "run_id"]
    errors_file = output / "errors" / "ingest_date=2026-01-05" / "v2-run-00000.parquet"
    write_old_file(errors_file, ERRORS, "2", version_2, [error])


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    """``mixed``: two runs and older files; ``quiet``: one run whose events and errors are empty."""
    root = tmp_path_factory.mktemp("engines")
    pages = sorted((CORPUS_FOLDER / "pages").glob("*.html"))
    half = len(pages) // 2
    mixed = root / "mixed"
    newsbeam_run(pages[:half], root / "first-half", mixed)
    newsbeam_run(pages[half:], root / "second-half", mixed)
    add_old_files(mixed)
    manifest = json.loads((CORPUS_FOLDER / "manifest.json").read_text())
    quiet = root / "quiet"
    non_political = [CORPUS_FOLDER / "pages" / page["file"] for page in manifest if not page["political"]]
    newsbeam_run(non_political, root / "non-political", quiet)
    return {"mixed": mixed, "quiet": quiet}


# ---- the engines, each loading the tables with the README's snippet -------------------------------


def duckdb_engine(output: Path) -> Query:
    connection = duckdb.connect()
    for statement in sql_statements(readme_snippet("-- DuckDB", output)):
        connection.execute(statement)
    return lambda sql: connection.sql(sql).to_arrow_table()


def pyarrow_engine(output: Path) -> Query:
    namespace = run_python_snippet(readme_snippet("# pyarrow", output))
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    for table in TABLES:
        connection.register(table, namespace["dataset"](table).to_table())
    return lambda sql: connection.sql(sql).to_arrow_table()


def polars_engine(output: Path) -> Query:
    namespace = run_python_snippet(readme_snippet("# polars", output))
    context = namespace["sql"]
    return lambda sql: context.execute(sql).collect().to_arrow()


def newsbeam_sql_engine(output: Path) -> Query:
    connection = pipeline.sql.connect(str(output))
    return lambda sql: connection.sql(sql).to_arrow_table()




def pyspark_engine(spark, output: Path) -> Query:
    run_python_snippet(readme_snippet("# PySpark", output))
    return lambda sql: spark.sql(sql).toArrow()


def spark_sql_tables(spark, output: Path) -> list[str]:
    """The README's CREATE TABLE statements over ``output``; returns the tables to drop afterwards."""
    for statement in sql_statements(readme_snippet("-- Spark SQL", output, README_SPARK_LOCATION)):
        spark.sql(statement)
    return list(TABLES)


# ---- what every engine answers ------------------------------------------------------------------


def answers_of(query: Query) -> dict:
    """Each README query's and old-file query's result, and each table's Arrow schema."""
    return {
        "queries": {sql: query(sql) for sql in readme_queries() + OLD_FILE_QUERIES},
        "schemas": {table: query(f"select * from {table}").schema for table in TABLES},
    }


LOCAL_ENGINES: dict[str, Callable[[Path], Query]] = {
    "duckdb": duckdb_engine,
    "pyarrow": pyarrow_engine,
    "polars": polars_engine,
    "newsbeam sql": newsbeam_sql_engine,
}


@pytest.fixture(scope="module")
def answers(outputs, request) -> Callable[[str, str], dict]:
    """answers(engine, output name) -> ``answers_of`` for that engine, computed once."""
    cache: dict[tuple[str, str], dict] = {}

    def get(engine: str, name: str) -> dict:
        if (engine, name) not in cache:
            output = outputs[name]
            if engine in LOCAL_ENGINES:
                cache[engine, name] = answers_of(LOCAL_ENGINES[engine](output))
            else:
                cache[engine, name] = _spark_answers(request.getfixturevalue("spark"), engine, output)
        return cache[engine, name]

    return get


def _spark_answers(spark, engine: str, output: Path) -> dict:
    for table in TABLES:
        spark.catalog.dropTempView(table)
    if engine == "spark":
        return answers_of(pyspark_engine(spark, output))
    tables = spark_sql_tables(spark, output)
    try:
        return answers_of(lambda sql: spark.sql(sql).toArrow())
    finally:
        for table in tables:
            spark.sql(f"DROP TABLE IF EXISTS {table}")


def plain(value):
    """A value as every engine should give it: floats to 9 digits, dates and UTC instants as text."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, datetime.datetime):
        assert value.tzinfo is not None, f"{value} has no time zone"
        return value.astimezone(UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def rows(table: pa.Table) -> list[dict]:
    return [plain(row) for row in table.to_pylist()]


def type_name(data_type: pa.DataType) -> str:
    """Arrow's type, with the string flavours (large, view) one engine or another picks made equal."""
    if data_type in (pa.large_string(), pa.string_view()):
        return str(pa.string())
    return str(data_type)


def expected_types(spec: TableSpec) -> dict[str, str]:
    """Every column of the table, ingest_date as a DATE, by name."""
    return {
        field.name: type_name(pa.date32() if field.name == spec.partition_column else field.type)
        for field in spec.schema
    }


# "spark": the PySpark snippet's temporary views; "spark sql tables": the Spark SQL snippet's tables.
OTHER_ENGINES = ["pyarrow", "polars", "spark", "spark sql tables"]
ENGINES = ["duckdb", *OTHER_ENGINES]
OUTPUTS = ["mixed", "quiet"]


# ---- the tests ----------------------------------------------------------------------------------


def test_the_readme_has_the_examples_and_a_snippet_per_engine(tmp_path):
    queries = readme_queries()
    assert len(queries) >= 5
    for query in queries:
        assert ";" not in query and "order by" in query, query
    for first_line in ("-- DuckDB", "# PySpark", "# polars", "# pyarrow"):
        readme_snippet(first_line, tmp_path)
    readme_snippet("-- Spark SQL", tmp_path, README_SPARK_LOCATION)


@pytest.mark.parametrize("name", OUTPUTS)
def test_duckdb_snippet_answers_like_newsbeam_sql(answers, name):
    reference, snippet = answers("newsbeam sql", name), answers("duckdb", name)
    for sql, table in reference["queries"].items():
        assert rows(snippet["queries"][sql]) == rows(table), sql


@pytest.mark.parametrize("engine", OTHER_ENGINES)
@pytest.mark.parametrize("name", OUTPUTS)
def test_every_engine_answers_like_duckdb_with_the_same_column_types(answers, engine, name):
    reference, answer = answers("duckdb", name), answers(engine, name)
    for sql, table in reference["queries"].items():
        got = answer["queries"][sql]
        assert got.column_names == table.column_names, sql
        assert rows(got) == rows(table), sql
        assert [type_name(field.type) for field in got.schema] == [type_name(field.type) for field in table.schema], sql


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", OUTPUTS)
def test_every_engine_reads_every_column_with_its_type(answers, engine, name):
    schemas = answers(engine, name)["schemas"]
    for table, spec in TABLES.items():
        assert {field.name: type_name(field.type) for field in schemas[table]} == expected_types(spec), table
    events = schemas["events"]
    assert events.field("ingest_date").type == pa.date32() and events.field("event_date").type == pa.date32()
    assert events.field("quad_class").type == pa.int32() and events.field("added_at").type == UTC_TIMESTAMP
    assert schemas["articles"].field("fetched_at").type == UTC_TIMESTAMP
    assert schemas["articles"].field("published_local_date").type == pa.date32()


def test_older_files_read_with_nulls_for_the_columns_they_lack(answers):
    """Checked on DuckDB's answers, which every engine matches (the test above)."""
    queries = answers("duckdb", "mixed")["queries"]
    old_articles, errors = (rows(queries[sql]) for sql in OLD_FILE_QUERIES)
    assert [(row["article_id"], row["published_local_date"], row["ingest_date"]) for row in old_articles] == [
        ("old-1", None, "2026-01-05"),
        ("old-2", None, "2026-01-05"),
        ("old-3", "2026-01-06", "2026-01-06"),
    ]
    assert old_articles[0]["fetched_at"] == "2026-01-05T08:15:30.123456+00:00"
    occurred_at, ingest_date = "2026-01-05T09:00:00+00:00", "2026-01-05"
    assert errors == [
        {"error_type": "timeout", "run_id": None, "attempts": 3, "occurred_at": occurred_at, "ingest_date": ingest_date}
    ]
    per_day = rows(queries[next(sql for sql in readme_queries() if "published_local_date" in sql)])
    assert [tuple(row.values())[1:] for row in per_day[:2]] == [(2, 0), (1, 1)]


def test_tables_with_only_their_zero_row_file_read_empty_with_their_columns(answers, outputs):
    """Checked on DuckDB's answers, which every engine matches, column types included."""
    for table in ("events", "errors"):
        files = list((outputs["quiet"] / table).glob("*/*.parquet"))
        assert len(files) == 1 and files[0].name.endswith("-empty.parquet"), files
    queries = answers("duckdb", "quiet")["queries"]
    on_empty_tables = [sql for sql in readme_queries() if re.search(r"\bfrom (events|errors)\b", sql)]
    assert len(on_empty_tables) >= 3 and all(queries[sql].num_rows == 0 for sql in on_empty_tables)
    per_publisher = rows(queries[next(sql for sql in readme_queries() if "left join" in sql)])
    assert per_publisher and all(row["events"] == 0 for row in per_publisher)
