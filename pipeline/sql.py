"""``newsbeam sql``: DuckDB over the output folder, with one view per table."""

from __future__ import annotations

import atexit
import csv
import json
import math
import os
import shutil
import sys
import tempfile
from typing import Optional, TextIO

import duckdb
import pyarrow as pa

from pipeline.errors import UsageError
from pipeline.event_summary import create_view_statement
from schemas import TABLES
from schemas.table import TableSpec

OUTPUT_FORMATS = ("table", "csv", "jsonl")


class QueryFailed(Exception):
    """DuckDB refused or could not finish the query; the message is one line."""


def connect(output_dir: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB, in UTC, with views ``articles``, ``events`` and ``errors`` over the Parquet
    files, and ``event_summary`` over those two (one row per real-world event: ``pipeline/event_summary.py``).

    A table that has no file yet (a run without errors, say) is still a view, empty but with its
    columns, so the same queries work on every output folder. Partition columns are typed as DATE.
    A file that cannot be read, or that is not in a partition folder ``<column>=YYYY-MM-DD/`` (so
    its rows would not belong to the table, or its folder would break the DATE cast), is left out
    of its view with one warning line on stderr, so the other files and tables stay queryable.
    """
    if "://" in output_dir and not output_dir.startswith("file://"):
        raise UsageError("newsbeam sql reads local output folders; copy remote output locally first")
    if os.path.exists(output_dir) and not os.path.isdir(output_dir):
        raise UsageError(f"output location {output_dir!r} is a file, not a folder (give a run's --output folder)")
    if not os.path.isdir(output_dir):
        raise UsageError(f"output folder {output_dir!r} does not exist (run `newsbeam run` first)")
    # Imported here, not at the top: the command line imports this module for OUTPUT_FORMATS, and
    # commands like `newsbeam code` must start without loading Beam.
    from transforms.sinks.integrity import match_partitioned_files
    from transforms.sinks.layout import STATE_FOLDER, TEMP_FOLDER

    # An empty folder is an output before its first commit; one holding other things is a typo.
    ours = (*TABLES, STATE_FOLDER, TEMP_FOLDER)
    if os.listdir(output_dir) and not any(os.path.isdir(os.path.join(output_dir, name)) for name in ours):
        raise UsageError(f"{output_dir!r} is not a newsbeam output (no articles, events, errors or _state folder)")

    # The README defines every date in UTC: answers must not depend on the reader's time zone.
    # (Set once connected: as a connect-time option DuckDB refuses it before ICU is loaded.)
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    readable: list[str] = []
    for spec in TABLES.values():
        files = match_partitioned_files(output_dir, spec)
        readable += files.readable
        for path, problem in files.left_out:
            remedy = "`newsbeam compact --upgrade` moves it" if "compact --upgrade" in problem else "`newsbeam check --repair` moves it aside"
            print(f"newsbeam sql: warning: {path} left out of {spec.name} ({problem}); {remedy}", file=sys.stderr)
        # Every column of the current schema, in its order and type, whatever versions the files
        # have: an output whose files all predate a column still has it (NULL), like a mixed one.
        connection.register(f"{spec.name}_empty", _empty_table(spec))
        columns = ", ".join(f'"{name}"' for name in spec.schema.names)
        if files.readable:
            file_list = "[" + ", ".join(_literal(path) for path in files.readable) + "]"
            connection.execute(
                f"create view {spec.name} as select {columns} from ("
                f"select * from read_parquet({file_list}, hive_partitioning = true, union_by_name = true, "
                f"hive_types = {{'{spec.partition_column}': DATE}}) "
                f"union all by name select * from {spec.name}_empty)"
            )
        else:
            connection.execute(f"create view {spec.name} as select {columns} from {spec.name}_empty")
    connection.execute(create_view_statement())
    _lock_to_reading(connection, readable)
    return connection


def _lock_to_reading(connection: duckdb.DuckDBPyConnection, paths: list[str]) -> None:
    """From here on the connection opens the tables' own files (``paths``) and its own private,
    empty spill folder, no other file, and no statement may change that: DuckDB refuses
    ``read_csv('/etc/passwd')``, a ``COPY ... TO`` a new file, installing or loading an extension
    and a ``SET`` that would undo the lock. (A write to one of ``paths`` itself is refused by
    ``_check_one_query``, which lets only queries through.) DuckDB's default spill folder, ``.tmp``
    under the working directory, is always open to it: so it gets a fresh one of its own, removed
    when the process ends."""
    spill = tempfile.mkdtemp(prefix="newsbeam-sql-")
    atexit.register(shutil.rmtree, spill, ignore_errors=True)
    connection.execute(f"set temp_directory = {_literal(spill)}")
    connection.execute("set autoinstall_known_extensions = false")
    connection.execute("set autoload_known_extensions = false")
    connection.execute("set allowed_paths = [" + ", ".join(_literal(path) for path in paths) + "]")
    connection.execute("set enable_external_access = false")
    connection.execute("set lock_configuration = true")


def _empty_table(spec: TableSpec) -> pa.Table:
    schema = spec.file_schema.append(pa.field(spec.partition_column, pa.date32()))
    return schema.empty_table()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def run_query(output_dir: str, query: str, output_format: str = "table", out: Optional[TextIO] = None) -> int:
    """Run one query and print its result to ``out`` (default: the current ``sys.stdout``, looked up
    at call time so redirections apply); returns the number of rows.

    Raises QueryFailed("SQL error: <first line of DuckDB's message>") whether DuckDB rejects the
    query when planning it or only while fetching rows (a failed cast, an unreadable row group), and
    UsageError for an empty query, more than one statement, or a statement that is not a query.
    """
    if not query.strip():
        raise UsageError("the query is empty")
    connection = connect(output_dir)
    _check_one_query(connection, query)
    try:
        relation = connection.sql(query)
        columns = relation.columns
        rows = relation.fetchall()
    except duckdb.Error as error:
        first_line = (str(error).splitlines() or [type(error).__name__])[0]
        raise QueryFailed(f"SQL error: {first_line}") from error
    out = out if out is not None else sys.stdout
    if output_format == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
    elif output_format == "jsonl":
        for row in rows:
            record = {name: _json_value(value) for name, value in zip(columns, row)}
            out.write(json.dumps(record, default=str, ensure_ascii=False) + "\n")
    else:
        out.write(format_table(columns, rows) + "\n")
    return len(rows)


# `newsbeam sql` reads; a COPY, ATTACH, CREATE ... could overwrite the tables' own files. An
# EXPLAIN counts as the statement it explains.
READ_ONLY_STATEMENTS = frozenset({"SELECT"})


def _check_one_query(connection: duckdb.DuckDBPyConnection, query: str) -> None:
    """Raise UsageError unless ``query`` is exactly one statement and a query: only one result would
    be printed of several, and any other statement ("copy (...) to 'events/...parquet'") could
    replace a stored file."""
    try:
        statements = connection.extract_statements(query)
    except duckdb.Error as error:
        first_line = (str(error).splitlines() or [type(error).__name__])[0]
        raise QueryFailed(f"SQL error: {first_line}") from error
    if not statements:
        raise UsageError("the query is empty (only comments or semicolons)")
    for statement in statements:
        kind = _statement_kind(statement)
        shown = (statement.query.split() or [kind])[0].upper()  # "INSTALL", not DuckDB's "LOAD"
        if kind == "EXPLAIN":
            # "explain analyze copy ... to 'events/...parquet'" runs the COPY: what EXPLAIN
            # explains must be a query too.
            kind = _explained_kind(connection, statement.query)
            shown = f"EXPLAIN of {kind}"
        if kind not in READ_ONLY_STATEMENTS:
            raise UsageError(f"newsbeam sql only reads: {shown} is refused (write one SELECT query)")
    if len(statements) > 1:
        raise UsageError(
            f"newsbeam sql runs one statement, not {len(statements)}: run each with its own `newsbeam sql` "
            "(or join them into one query with UNION ALL or WITH)"
        )


def _statement_kind(statement) -> str:
    """DuckDB's name for a statement's type; "UNKNOWN" for a type newer than this DuckDB's Python
    enum knows ("UPDATE EXTENSIONS" raised a ValueError)."""
    try:
        return statement.type.name
    except ValueError:
        return "UNKNOWN"


def _explained_kind(connection: duckdb.DuckDBPyConnection, query: str) -> str:
    """The statement type of what an EXPLAIN statement explains ("SELECT", "COPY" ...): the text
    after the EXPLAIN keyword, its ANALYZE and any parenthesised options, by DuckDB's own
    tokenizer; "EXPLAIN" where nothing follows that DuckDB reads as one statement."""
    every_token = duckdb.tokenize(query)
    ends = [position for position, _ in every_token[1:]] + [len(query)]
    tokens, words = [], []
    for (position, kind), end in zip(every_token, ends):
        if kind != duckdb.token_type.comment:
            tokens.append((position, kind))
            words.append(query[position:end].strip().lower())
    if not words or words[0] != "explain":
        return "EXPLAIN"
    depth = 0
    for (position, _), word in zip(tokens[1:], words[1:]):
        if word == "(":
            depth += 1
        elif word == ")":
            depth -= 1
        elif depth == 0 and word not in ("analyze", "analyse"):
            try:
                inner = connection.extract_statements(query[position:])
            except duckdb.Error:
                return "EXPLAIN"
            return _statement_kind(inner[0]) if len(inner) == 1 else "EXPLAIN"
    return "EXPLAIN"


def _json_value(value: object) -> object:
    """NaN and infinities are not JSON: null, as most JSON readers would make of them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def format_table(columns: list[str], rows: list[tuple], max_width: int = 60) -> str:
    """A plain aligned text table (long cells cut), readable in any terminal and in logs."""
    cells = [[_cell(value, max_width) for value in row] for row in rows]
    widths = [max([len(name)] + [len(row[index]) for row in cells]) for index, name in enumerate(columns)]
    line = "  ".join(name.ljust(width) for name, width in zip(columns, widths))
    rule = "  ".join("-" * width for width in widths)
    body = ["  ".join(value.ljust(width) for value, width in zip(row, widths)) for row in cells]
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return "\n".join([line, rule, *body, footer])


def _cell(value: object, max_width: int) -> str:
    text = "NULL" if value is None else str(value).replace("\n", " ")
    return text if len(text) <= max_width else text[: max_width - 1] + "…"
