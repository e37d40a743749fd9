"""``newsbeam compact``: check the arguments, finish interrupted runs and compactions, merge small files."""

from __future__ import annotations

import argparse
import datetime
from dataclasses import dataclass
from typing import Optional

import pyarrow as pa
from apache_beam.io.filesystems import FileSystems

from pipeline.errors import UsageError
from pipeline.output import absolute_output, require_existing_output
from schemas import TABLES
from schemas.table import TableSpec
from transforms.sinks.compact import TableCompaction, compact_table


@dataclass(frozen=True)
class CompactionRequest:
    output_dir: str
    specs: tuple[TableSpec, ...]
    before: Optional[str]


def compaction_request(args: argparse.Namespace) -> CompactionRequest:
    """The checked arguments of ``newsbeam compact``; raises UsageError before anything is touched."""
    output_dir = absolute_output(args.output)
    specs = tables_to_compact(args.table)
    before = _checked_date(args.before)
    require_existing_output(output_dir)
    # Matched, not tested for existence: object stores like gs:// have no folders.
    table_files = [FileSystems.join(output_dir, spec.name, "*", "*.parquet") for spec in TABLES.values()]
    if not any(result.metadata_list for result in FileSystems.match(table_files)):
        raise UsageError(f"{output_dir!r} holds no newsbeam table (articles, events or errors)")
    return CompactionRequest(output_dir, tuple(specs), before)


def execute(request: CompactionRequest) -> list[TableCompaction]:
    """Compact the chosen tables. Call it holding the output (``pipeline.claim.claim_output``), which
    first finishes interrupted runs and compactions, so only settled files are merged.

    Raises UsageError (one line, no traceback) when the output cannot be read or written part way:
    what was already merged stays merged, the rest stays as it was.
    """
    try:
        return [compact_table(request.output_dir, spec, request.before) for spec in request.specs]
    except (OSError, pa.ArrowException) as error:
        raise UsageError(f"cannot compact {request.output_dir!r}: {_first_line(error)}") from error


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
        for path, problem in result.damaged:
            lines.append(f"  kept as is (cannot be read: {problem}): {path}")
    return "\n".join(lines)


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0]


def _checked_date(text: Optional[str]) -> Optional[str]:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError as error:
        raise UsageError(f"--before {text!r} is not a date like 2026-01-31") from error
