"""``newsbeam compact``: check the arguments, finish interrupted runs and compactions, merge small files."""

from __future__ import annotations

import argparse
import datetime
import os
from typing import Optional
from urllib.parse import urlsplit

from apache_beam.io.filesystems import FileSystems

from pipeline.errors import UsageError
from pipeline.output import absolute_output
from schemas import TABLES
from schemas.table import TableSpec
from transforms.sinks.commit import recover_interrupted_runs
from transforms.sinks.compact import TableCompaction, compact_table, recover_compactions


def execute(args: argparse.Namespace) -> tuple[int, list[TableCompaction]]:
    """Compact the chosen tables; returns the number of interrupted compactions finished first."""
    output_dir = absolute_output(args.output)
    specs = tables_to_compact(args.table)
    before = _checked_date(args.before)
    if urlsplit(output_dir).scheme in ("", "file") and not os.path.isdir(output_dir):
        raise UsageError(f"output folder {output_dir!r} does not exist (run `newsbeam run` first)")
    # Matched, not tested for existence: object stores like gs:// have no folders.
    table_files = [FileSystems.join(output_dir, spec.name, "*", "*.parquet") for spec in TABLES.values()]
    if not any(result.metadata_list for result in FileSystems.match(table_files)):
        raise UsageError(f"{output_dir!r} holds no newsbeam table (articles, events or errors)")
    # Runs that died while moving their files in are finished first, so only settled files are merged.
    recover_interrupted_runs(output_dir)
    recovered = recover_compactions(output_dir)
    return recovered, [compact_table(output_dir, spec, before) for spec in specs]


def tables_to_compact(table: Optional[str]) -> list[TableSpec]:
    if table is None:
        return list(TABLES.values())
    if table not in TABLES:
        raise UsageError(f"unknown table {table!r} (choose from {', '.join(TABLES)})")
    return [TABLES[table]]


def format_compaction(recovered: int, results: list[TableCompaction]) -> str:
    lines = [f"Finished {recovered} interrupted compaction(s) first."] if recovered else []
    lines.append(f"  {'table':<9}{'partitions':>11}{'files before':>14}{'files after':>13}{'rows merged':>13}")
    for result in results:
        lines.append(
            f"  {result.table:<9}{result.partitions:>11}{result.files_before:>14}{result.files_after:>13}{result.rows:>13}"
        )
    for result in results:
        for path in result.skipped:
            lines.append(f"  kept as is (written with another schema version): {path}")
    return "\n".join(lines)


def _checked_date(text: Optional[str]) -> Optional[str]:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError as error:
        raise UsageError(f"--before {text!r} is not a date like 2026-01-31") from error
