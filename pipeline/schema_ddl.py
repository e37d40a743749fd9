"""``newsbeam schema``: the statements (or the JSON schema file) that declare the output tables in an engine.

The pyarrow schemas in ``schemas/`` are the one source of truth. Every engine type below is mapped
from a pyarrow type, and a pyarrow type without a mapping is an error, so a column added later can
never be declared with a guessed type. Files lie at ``<location>/<table>/ingest_date=YYYY-MM-DD/*.parquet``
(``transforms.sinks.layout``, not imported here: it loads Beam), the partition column only in the
folder names, declared as a DATE.
"""

from __future__ import annotations

import json
import re
from typing import Callable, Optional, Sequence

import pyarrow as pa

from pipeline.errors import UsageError
from schemas import TABLES
from schemas.table import PARTITION_COLUMN, UTC_TIMESTAMP, TableSpec
from schemas.versions import SCHEMA_VERSION

FORMATS = ("duckdb", "spark", "bigquery", "trino", "athena", "json")
# Printed as-is when no --location is given, for the user to replace.
LOCATION_PLACEHOLDER = "OUTPUT"
DEFAULT_DATASET = "newsbeam"
# The partition column as readers see it; in records it is a "YYYY-MM-DD" string.
PARTITION_TYPE = pa.date32()

_ENGINE_TYPES: dict[str, dict[pa.DataType, str]] = {
    "duckdb": {
        pa.string(): "VARCHAR",
        pa.int32(): "INTEGER",
        pa.int64(): "BIGINT",
        pa.float64(): "DOUBLE",
        pa.bool_(): "BOOLEAN",
        UTC_TIMESTAMP: "TIMESTAMP WITH TIME ZONE",
        pa.date32(): "DATE",
    },
    "spark": {
        pa.string(): "STRING",
        pa.int32(): "INT",
        pa.int64(): "BIGINT",
        pa.float64(): "DOUBLE",
        pa.bool_(): "BOOLEAN",
        # Spark's TIMESTAMP is TIMESTAMP_LTZ: an instant, like a Parquet timestamp adjusted to UTC.
        UTC_TIMESTAMP: "TIMESTAMP",
        pa.date32(): "DATE",
    },
    "bigquery": {
        pa.string(): "STRING",
        pa.int32(): "INT64",
        pa.int64(): "INT64",
        pa.float64(): "FLOAT64",
        pa.bool_(): "BOOL",
        UTC_TIMESTAMP: "TIMESTAMP",
        pa.date32(): "DATE",
    },
    "trino": {
        pa.string(): "varchar",
        pa.int32(): "integer",
        pa.int64(): "bigint",
        pa.float64(): "double",
        pa.bool_(): "boolean",
        # The Hive connector has no zoned timestamp columns and refuses any precision but its
        # hive.timestamp-precision, MILLISECONDS unless configured otherwise.
        UTC_TIMESTAMP: "timestamp(3)",
        pa.date32(): "date",
    },
    "athena": {
        pa.string(): "string",
        pa.int32(): "int",
        pa.int64(): "bigint",
        pa.float64(): "double",
        pa.bool_(): "boolean",
        UTC_TIMESTAMP: "timestamp",
        pa.date32(): "date",
    },
}

_IDENTIFIER_QUOTES = {"duckdb": '"', "spark": "`", "bigquery": "`", "trino": '"', "athena": "`"}
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
# Characters that would end or break the SQL string literal the location is printed in.
_UNSAFE_IN_LITERAL = re.compile(r"['\"`\\\s]")


class UnmappedTypeError(TypeError):
    """A column's pyarrow type has no type in an engine's mapping (``_ENGINE_TYPES``)."""


def table_specs(name: Optional[str]) -> list[TableSpec]:
    """The table called ``name``, or all tables (articles, events, errors) for None.

    Raises UsageError for a name that is not a table.
    """
    if name is None:
        return list(TABLES.values())
    if name not in TABLES:
        raise UsageError(f"unknown table {name!r} (choose from {', '.join(TABLES)})")
    return [TABLES[name]]


def engine_type(data_type: pa.DataType, output_format: str) -> str:
    """The type an engine declares for a pyarrow type, e.g. (timestamp[us, tz=UTC], "duckdb") ->
    "TIMESTAMP WITH TIME ZONE". Raises UnmappedTypeError when the engine has no mapping for it."""
    try:
        return _ENGINE_TYPES[output_format][data_type]
    except KeyError:
        raise UnmappedTypeError(
            f"pyarrow type {data_type} has no {output_format} type; add one to _ENGINE_TYPES in pipeline/schema_ddl.py"
        ) from None


def render(
    tables: Sequence[TableSpec],
    output_format: str,
    location: str = LOCATION_PLACEHOLDER,
    dataset: str = DEFAULT_DATASET,
) -> str:
    """The text that declares ``tables`` in an engine (one of ``FORMATS``), ending in a newline.

    For SQL formats: comments (schema version, layout, what to run again when new days arrive),
    then one statement per table (several for Spark, Trino and Athena), tables over
    ``<location>/<table>``. ``location`` is the placeholder ``OUTPUT``, an absolute path or a URI
    (``gs://`` for BigQuery, ``s3://`` for Athena); ``dataset`` names the BigQuery dataset, Trino
    schema or Athena database. For ``json``: the schema document, in a stable key order.

    Raises UsageError for an unknown format, a bad location or dataset name, and UnmappedTypeError
    for a column whose pyarrow type the engine has no mapping for.
    """
    if output_format not in FORMATS:
        raise UsageError(f"unknown format {output_format!r} (choose from {', '.join(FORMATS)})")
    if output_format == "json":
        return schema_document(tables)
    location = _checked_location(location, output_format)
    if not _PLAIN_NAME.fullmatch(dataset):
        raise UsageError(f"--dataset must be a plain name (letters, digits, _), not {dataset!r}")
    render_table = _RENDERERS[output_format]
    blocks = [_header(output_format, location)]
    if output_format in _CREATE_NAMESPACE:
        blocks.append(_CREATE_NAMESPACE[output_format].format(dataset=dataset))
    blocks += [render_table(spec, f"{location}/{spec.name}", dataset) for spec in tables]
    return "\n\n".join(blocks) + "\n"


def schema_document(tables: Sequence[TableSpec]) -> str:
    """The tables' schemas as JSON, for tools and for recording schema history:

    ``{"schema_version": "4", "tables": {name: {"partition_column": "ingest_date", "partition_type":
    "date", "sort_by": [...], "columns": [{"name", "type" (pyarrow's type string), "nullable"}]}}}``;
    ``columns`` are those inside the files (``spec.file_schema``), the partition column apart.
    """
    document = {
        "schema_version": SCHEMA_VERSION,
        "tables": {
            spec.name: {
                "partition_column": spec.partition_column,
                "partition_type": "date",
                "sort_by": list(spec.sort_by),
                "columns": [
                    {"name": field.name, "type": str(field.type), "nullable": field.nullable}
                    for field in spec.file_schema
                ],
            }
            for spec in tables
        },
    }
    return json.dumps(document, indent=2) + "\n"


def _checked_location(location: str, output_format: str) -> str:
    if location == LOCATION_PLACEHOLDER:
        return location
    if _UNSAFE_IN_LITERAL.search(location):
        raise UsageError(f"--location must not hold quotes, backslashes or spaces: {location!r}")
    if not (location.startswith("/") or _URI.fullmatch(location)):
        raise UsageError(f"--location must be an absolute path or a URI like gs://bucket/out, not {location!r}")
    # The two engines read only from their cloud's object store.
    required_scheme = {"bigquery": "gs://", "athena": "s3://"}.get(output_format)
    if required_scheme and not location.startswith(required_scheme):
        raise UsageError(f"{output_format} reads {required_scheme} locations only, not {location!r}")
    # Tables are joined on as "<location>/<table>".
    return location.rstrip("/")


def _header(output_format: str, location: str) -> str:
    lines = [
        f"-- newsbeam tables for {_ENGINE_NAMES[output_format]}, schema version {SCHEMA_VERSION} (`newsbeam schema`).",
        f"-- Files: {location}/<table>/{PARTITION_COLUMN}=YYYY-MM-DD/*.parquet, zstd Parquet, hive-partitioned;",
        f"-- {PARTITION_COLUMN} is only in the folder names and is declared a DATE here.",
    ]
    if location == LOCATION_PLACEHOLDER:
        lines.append(
            f"-- {LOCATION_PLACEHOLDER} is a placeholder: replace it with the output folder (or use --location)."
        )
    lines += [
        "-- Files of older schema versions lack the columns added since: mixed versions read correctly only when",
        "-- columns are matched by name (DuckDB union_by_name, Spark mergeSchema), NULL where a file lacks one;",
        "-- `newsbeam compact` rewrites older files to the current version. Hence no column is NOT NULL.",
        *_ENGINE_NOTES[output_format],
    ]
    if output_format == "duckdb" and "://" in location:
        lines.append("-- gs:// and s3:// locations need DuckDB's httpfs extension and credentials (CREATE SECRET).")
    return "\n".join(lines)


def _declared(fields: Sequence[pa.Field], output_format: str, table: str) -> list[tuple[str, str]]:
    """(column name, engine type) of each field; UnmappedTypeError names the table and column."""
    declared = []
    for field in fields:
        try:
            declared.append((field.name, engine_type(field.type, output_format)))
        except UnmappedTypeError as error:
            raise UnmappedTypeError(f"{table}.{field.name}: {error}") from None
    return declared


def _column_lines(fields: Sequence[pa.Field], output_format: str, table: str) -> str:
    quote = _IDENTIFIER_QUOTES[output_format]
    return ",\n".join(f"  {quote}{name}{quote} {type_}" for name, type_ in _declared(fields, output_format, table))


def _partition_field() -> pa.Field:
    return pa.field(PARTITION_COLUMN, PARTITION_TYPE)


def _duckdb(spec: TableSpec, table_location: str, _: str) -> str:
    casts = [
        f'  CAST("{name}" AS {type_}) AS "{name}"' for name, type_ in _declared(spec.file_schema, "duckdb", spec.name)
    ]
    casts.append(f'  "{PARTITION_COLUMN}"')
    partition_type = engine_type(PARTITION_TYPE, "duckdb")
    # The empty SELECT of typed NULLs gives every column even when no file has it yet (an output
    # whose files all predate a column); union by name matches the files' columns to it.
    nulls = ", ".join(f'NULL::{type_} AS "{name}"' for name, type_ in _declared(spec.file_schema, "duckdb", spec.name))
    return (
        f"CREATE OR REPLACE VIEW {spec.name} AS SELECT\n"
        + ",\n".join(casts)
        + f"\nFROM (\n  SELECT * FROM read_parquet('{table_location}/{PARTITION_COLUMN}=*/*.parquet', "
        f"hive_partitioning = true, union_by_name = true, hive_types = {{'{PARTITION_COLUMN}': {partition_type}}})\n"
        f"  UNION ALL BY NAME SELECT {nulls}, NULL::{partition_type} AS \"{PARTITION_COLUMN}\" WHERE false\n);"
    )


def _spark(spec: TableSpec, table_location: str, _: str) -> str:
    columns = _column_lines([*spec.file_schema, _partition_field()], "spark", spec.name)
    return (
        f"CREATE TABLE IF NOT EXISTS {spec.name} (\n{columns}\n)\n"
        "USING parquet\n"
        "OPTIONS (mergeSchema 'true')\n"
        f"PARTITIONED BY ({PARTITION_COLUMN})\n"
        f"LOCATION '{table_location}';\n"
        f"MSCK REPAIR TABLE {spec.name};"
    )


def _bigquery(spec: TableSpec, table_location: str, dataset: str) -> str:
    columns = _column_lines(list(spec.file_schema), "bigquery", spec.name)
    partition = _column_lines([_partition_field()], "bigquery", spec.name)
    return (
        f"CREATE OR REPLACE EXTERNAL TABLE `{dataset}.{spec.name}` (\n{columns}\n)\n"
        f"WITH PARTITION COLUMNS (\n{partition}\n)\n"
        "OPTIONS (\n"
        "  format = 'PARQUET',\n"
        f"  uris = ['{table_location}/*'],\n"
        f"  hive_partition_uri_prefix = '{table_location}'\n"
        ");"
    )


def _trino(spec: TableSpec, table_location: str, schema: str) -> str:
    columns = _column_lines([*spec.file_schema, _partition_field()], "trino", spec.name)
    return (
        f"CREATE TABLE IF NOT EXISTS hive.{schema}.{spec.name} (\n{columns}\n)\n"
        "WITH (\n"
        "  format = 'PARQUET',\n"
        f"  partitioned_by = ARRAY['{PARTITION_COLUMN}'],\n"
        f"  external_location = '{table_location}'\n"
        ");\n"
        f"CALL hive.system.sync_partition_metadata('{schema}', '{spec.name}', 'ADD');"
    )


def _athena(spec: TableSpec, table_location: str, database: str) -> str:
    columns = _column_lines(list(spec.file_schema), "athena", spec.name)
    partition = _column_lines([_partition_field()], "athena", spec.name)
    return (
        f"CREATE EXTERNAL TABLE IF NOT EXISTS {database}.{spec.name} (\n{columns}\n)\n"
        f"PARTITIONED BY (\n{partition}\n)\n"
        "STORED AS PARQUET\n"
        f"LOCATION '{table_location}/';\n"
        f"MSCK REPAIR TABLE {database}.{spec.name};"
    )


_RENDERERS: dict[str, Callable[[TableSpec, str, str], str]] = {
    "duckdb": _duckdb,
    "spark": _spark,
    "bigquery": _bigquery,
    "trino": _trino,
    "athena": _athena,
}
_CREATE_NAMESPACE = {
    "trino": "CREATE SCHEMA IF NOT EXISTS hive.{dataset};",
    "athena": "CREATE DATABASE IF NOT EXISTS {dataset};",
}
_ENGINE_NAMES = {
    "duckdb": "DuckDB",
    "spark": "Spark SQL",
    "bigquery": "BigQuery",
    "trino": "Trino (Hive connector, catalog hive)",
    "athena": "Amazon Athena",
}
_ENGINE_NOTES = {
    "duckdb": [
        "-- The views list the files at each query: new days appear by themselves. TIMESTAMP WITH TIME ZONE",
        "-- values display in the session's TimeZone: SET TimeZone = 'UTC' shows UTC, as `newsbeam sql` does.",
    ],
    "spark": [
        "-- Spark reads only the partitions it has registered: run MSCK REPAIR TABLE again after new days",
        "-- arrive (or ALTER TABLE <table> ADD PARTITION (ingest_date = 'YYYY-MM-DD')).",
        "-- The declared columns are matched by name in each file; mergeSchema also gives a schema Spark infers",
        "-- itself (spark.read.parquet) every version's columns. TIMESTAMP values display in",
        "-- spark.sql.session.timeZone. The tables are external (LOCATION): DROP TABLE keeps the files; drop and",
        "-- create them again after a schema version change.",
    ],
    "bigquery": [
        "-- The dataset must exist, in the bucket's location. BigQuery lists the files at each query: new days",
        "-- appear by themselves. CREATE OR REPLACE redeclares a table after a schema version change.",
    ],
    "trino": [
        "-- The Hive connector matches Parquet columns by name (hive.parquet.use-column-names, the default).",
        "-- It has no zoned timestamps: set hive.parquet.time-zone=UTC so the UTC instants read as UTC times;",
        "-- timestamp(3) fits the default hive.timestamp-precision=MILLISECONDS (microseconds are cut): with",
        "-- MICROSECONDS, declare timestamp(6). Run sync_partition_metadata again after new days arrive.",
        "-- The tables are external: DROP TABLE keeps the files; drop and create them again after a schema",
        "-- version change.",
    ],
    "athena": [
        "-- Athena matches Parquet columns by name (the default); timestamps read at millisecond precision.",
        "-- Run MSCK REPAIR TABLE again after new days arrive, or let Athena find them with partition",
        "-- projection: TBLPROPERTIES ('projection.enabled' = 'true', 'projection.ingest_date.type' = 'date',",
        "-- 'projection.ingest_date.format' = 'yyyy-MM-dd', 'projection.ingest_date.range' = 'YYYY-MM-DD,NOW',",
        "-- 'projection.ingest_date.interval' = '1', 'projection.ingest_date.interval.unit' = 'DAYS'), with the",
        "-- first day in the range. The tables are external: DROP TABLE keeps the files; drop and create them",
        "-- again after a schema version change.",
    ],
}
