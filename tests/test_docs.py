"""The README documents every column and every error type the code can produce, shows what the
commands print, and its examples do what their comments say."""

import json
import os
import re
from pathlib import Path

from pipeline.cli import main
from pipeline.defaults import DEFAULT_OUTPUT
from pipeline.summary import example_sql_command
from schemas import EVENTS, TABLES
from schemas.errors import ERROR_TYPES
from tests.test_check import DAY, filler_row
from transforms.sinks import layout, parquet

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def section(heading: str) -> str:
    """The README from the level-2 ``heading`` to the next one (code blocks hold no ``## `` line)."""
    return README.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


def test_every_column_of_every_table_is_documented():
    missing = [
        f"{spec.name}.{column}" for spec in TABLES.values() for column in spec.schema.names if f"`{column}`" not in README
    ]
    assert missing == []


def test_every_error_type_is_documented_with_its_meaning():
    for error_type, meaning in ERROR_TYPES.items():
        assert f"| `{error_type}` | {meaning} |" in README


def test_the_quickstart_shows_the_query_the_demo_prints():
    """``make demo`` runs into ./newsbeam-output, the default output, so the summary names no --output."""
    (block,) = re.findall(r"summary ends with a query to try:\n\n```sh\n(.*?)\n```", README, re.S)
    assert block == example_sql_command(os.path.abspath(DEFAULT_OUTPUT))


def test_every_table_row_belongs_to_a_table_with_a_header():
    """A paragraph amid the rows of a Markdown table ends it: the rows after it show as plain text."""
    lines = README.splitlines()
    for number, text in enumerate(lines):
        if text.startswith("|") and not lines[number - 1].startswith("|"):
            assert lines[number - 1] == "", f"README line {number + 1} continues no table: {text[:60]}"
            assert re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", lines[number + 1]), f"README line {number + 1}: a table without header"


def test_the_dyads_example_counts_pairs_of_two_countries_only(tmp_path, capsys):
    (query,) = [
        " ".join(query.split())
        for query in re.findall(r'newsbeam sql "([^"]+)"', section("## SQL examples"))
        if "dyad" in query or "actor2_country_code" in query
    ]
    pairs = [("KEN", "KEN"), ("KEN", "SOM"), ("KEN", None), (None, "SOM"), ("KEN", "SOM")]
    rows = [
        {**filler_row(EVENTS, index), "quad_class": 4, "goldstein": -5.0,
         "actor1_country_code": first, "actor2_country_code": second}
        for index, (first, second) in enumerate(pairs)
    ]  # fmt: skip
    parquet.write_parquet_file(layout.final_file_path(str(tmp_path), "events", DAY, "r1", 0), EVENTS, rows)
    assert main(["sql", query, "--output", str(tmp_path), "--format", "jsonl"]) == 0
    answer = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert [(row["actor1_country_code"], row["actor2_country_code"], row["n"]) for row in answer] == [("KEN", "SOM", 2)]
