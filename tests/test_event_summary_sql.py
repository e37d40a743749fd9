"""The README's ``event_summary`` statement is the one ``newsbeam sql`` uses, and gives the same rows in
DuckDB and Spark over the README's own table snippets; the README's worked example runs."""

from __future__ import annotations

import json
import math
import re

import duckdb
import pytest

import pipeline.sql
from pipeline.cli import main
from pipeline.event_summary import EVENT_SUMMARY_COLUMNS, create_view_statement
from sample_corpus import CORPUS_FOLDER, PAGES_FOLDER
from tests.test_cli import run_cli
from tests.test_engines import README, readme_section, readme_snippet, run_python_snippet, sql_statements

MANIFEST = json.loads((CORPUS_FOLDER / "manifest.json").read_text())
COUNTS = ("event_key", "num_mentions", "num_articles", "num_sources", "avg_tone", "root_event_share", "url")


def readme_summary_statement() -> str:
    blocks = re.findall(r"^```sql\n-- event_summary\n(.*?)^```", README, re.S | re.M)
    assert len(blocks) == 1, "one README block beginning -- event_summary"
    return blocks[0]


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    """A real run of the sample stories that several outlets report."""
    base = tmp_path_factory.mktemp("summary-sql")
    pages = base / "pages"
    pages.mkdir()
    for item in MANIFEST:
        if item.get("story"):
            (pages / item["file"]).symlink_to(PAGES_FOLDER / item["file"])
    assert main(["run", "--html-dir", str(pages), "--output", str(base / "out"), "--quiet"]) == 0
    return base / "out"


def summary_rows(rows: list[tuple], columns: list[str]) -> list[tuple]:
    """The count columns of each row, sorted by key, floats rounded (engines sum in other orders)."""
    picked = [tuple(dict(zip(columns, row))[name] for name in COUNTS) for row in rows]
    return sorted(tuple(round(value, 6) if isinstance(value, float) else value for value in row) for row in picked)


def newsbeam_summary(output) -> list[tuple]:
    relation = pipeline.sql.connect(str(output)).sql("select * from event_summary")
    return summary_rows(relation.fetchall(), relation.columns)


def test_the_readme_shows_the_statement_newsbeam_sql_runs():
    assert readme_summary_statement() == create_view_statement() + ";\n"


def test_every_summary_column_is_documented():
    section = readme_section("## One event, many reports")
    undocumented = [name for name in EVENT_SUMMARY_COLUMNS if f"`{name}`" not in section
                    and not any(f"`{prefix}*`" in section for prefix in ("actor1_", "actor2_", "action_geo_") if name.startswith(prefix))]  # fmt: skip
    assert undocumented == []


def test_duckdb_over_the_readme_views_gives_newsbeams_summary(output):
    connection = duckdb.connect()
    for statement in sql_statements(readme_snippet("-- DuckDB", output)) + sql_statements(readme_summary_statement()):
        connection.execute(statement)
    relation = connection.sql("select * from event_summary")
    assert relation.columns == list(EVENT_SUMMARY_COLUMNS)
    assert summary_rows(relation.fetchall(), relation.columns) == newsbeam_summary(output)


def test_spark_runs_the_same_statement_with_the_same_answer(spark, output):
    try:
        run_python_snippet(readme_snippet("# PySpark", output))
        for statement in sql_statements(readme_summary_statement()):
            spark.sql(statement.replace("create view", "create or replace temporary view", 1))
        table = spark.sql("select * from event_summary").toArrow()
    finally:  # the session is shared: later tests create tables of these names
        for view in ("event_summary", "articles", "events", "errors"):
            spark.catalog.dropTempView(view)
    rows = [tuple(row[name] for name in table.column_names) for row in table.to_pylist()]
    assert table.column_names == list(EVENT_SUMMARY_COLUMNS)
    assert summary_rows(rows, table.column_names) == newsbeam_summary(output)


def test_the_worked_example_lists_the_most_widely_reported_conflict_event_first(output, capsys):
    section = readme_section("## One event, many reports")
    (query,) = re.findall(r'newsbeam sql "([^"]+)"', section)
    code, out, err = run_cli(capsys, "sql", " ".join(query.split()), "--output", str(output), "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and err == "" and 1 < len(rows) <= 10
    assert (rows[0]["actor1_code"], rows[0]["event_code"], rows[0]["num_sources"]) == ("KENCOP", "173", 4)
    assert [row["num_sources"] for row in rows] == sorted((row["num_sources"] for row in rows), reverse=True)
    assert all(math.isfinite(row["avg_tone"]) for row in rows)
