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
from transforms.sinks.layout import any_partition_pattern
from transforms.sinks.upgrade import LegacyUpgrade, legacy_events_files, upgrade_legacy_events


@dataclass(frozen=True)
class CompactionRequest:
    output_dir: str
    specs: tuple[TableSpec, ...]
    before: Optional[str]
    upgrade: bool = False


@dataclass
class CompactionResult:
    tables: list[TableCompaction]
    upgrade: Optional[LegacyUpgrade] = None
    # Events files of the layout before schema version 4 found without --upgrade.
    legacy_files: int = 0


def compaction_request(args: argparse.Namespace) -> CompactionRequest:
    """The checked arguments of ``newsbeam compact``; raises UsageError before anything is touched."""
    output_dir = absolute_output(args.output)
    specs = tables_to_compact(args.table)
    before = _checked_date(args.before)
    require_existing_output(output_dir)
    # Matched, not tested for existence: object stores like gs:// have no folders.
    table_files = [any_partition_pattern(output_dir, spec.name) for spec in TABLES.values()]
    if not any(result.metadata_list for result in FileSystems.match(table_files)):
        raise UsageError(f"{output_dir!r} holds no newsbeam table (articles, events or errors)")
    return CompactionRequest(output_dir, tuple(specs), before, bool(getattr(args, "upgrade", False)))


def execute(request: CompactionRequest) -> CompactionResult:
    """Compact the chosen tables (with ``upgrade``, first move legacy events files into
    ``ingest_date`` partitions). Call it holding the output (``pipeline.claim.claim_output``), which
    first finishes interrupted runs and compactions, so only settled files are merged.

    Raises UsageError (one line, no traceback) when the output cannot be read or written part way:
    what was already merged stays merged, the rest stays as it was.
    """
    try:
        upgrade = upgrade_legacy_events(request.output_dir) if request.upgrade else None
        legacy = 0 if request.upgrade else len(legacy_events_files(request.output_dir))
        tables = [compact_table(request.output_dir, spec, request.before) for spec in request.specs]
    except (OSError, pa.ArrowException) as error:
        raise UsageError(f"cannot compact {request.output_dir!r}: {_first_line(error)}") from error
    return CompactionResult(tables, upgrade, legacy)


def tables_to_compact(table: Optional[str]) -> list[TableSpec]:
    if table is None:
        return list(TABLES.values())
    if table not in TABLES:
        raise UsageError(f"unknown table {table!r} (choose from {', '.join(TABLES)})")
    return [TABLES[table]]


def format_compaction(recovered: int, result: CompactionResult) -> str:
    lines = [f"Finished {recovered} interrupted compaction(s) first."] if recovered else []
    if result.upgrade is not None:
        upgrade = result.upgrade
        lines.append(
            f"Upgraded {upgrade.files} events file(s) of the event_date layout: {upgrade.rows} row(s) "
            f"moved into {upgrade.files_written} file(s) of ingest_date partitions."
        )
        for path, problem in upgrade.kept:
            lines.append(f"  kept as is ({problem}): {path}")
    lines.append(
        f"  {'table':<9}{'partitions':>11}{'files before':>14}{'files after':>13}{'rows merged':>13}{'upgraded':>10}"
    )
    for table in result.tables:
        lines.append(
            f"  {table.table:<9}{table.partitions:>11}{table.files_before:>14}{table.files_after:>13}{table.rows:>13}{table.upgraded:>10}"
        )
    for table in result.tables:
        for path, problem in table.damaged:
            lines.append(f"  kept as is ({problem}): {path}")
    if result.legacy_files:
        lines.append(
            f"  {result.legacy_files} events file(s) are in the event_date folders of schema version 3 and older: "
            "`newsbeam compact --upgrade` moves them into ingest_date partitions."
        )
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
