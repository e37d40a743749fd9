"""Which Parquet files of an output can be read: a damaged file must never stop a query or a run.

A file is readable when its footer parses (magic bytes, file metadata and schema); asked about a
table, the footer's metadata must also name that table. Reading the footer costs one small ranged
read per file, on every Beam filesystem; the row data is not read.

A file belongs to a table only in a partition folder (``transforms.sinks.layout.partition_problem``).
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import urlsplit

import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from schemas.table import TABLE_NAME_KEY, TableSpec
from transforms.sinks.layout import partition_problem, table_tree_pattern

FOOTER_CHECK_THREADS = 16


@dataclass
class TableFiles:
    """The Parquet files matching a pattern, split into readable paths and (path, problem) pairs:
    ``damaged`` files cannot be read, ``foreign`` ones are not newsbeam files of this table (their
    metadata says otherwise, or nothing), ``misplaced`` ones are not in a partition folder."""

    readable: list[str] = field(default_factory=list)
    damaged: list[tuple[str, str]] = field(default_factory=list)
    misplaced: list[tuple[str, str]] = field(default_factory=list)
    foreign: list[tuple[str, str]] = field(default_factory=list)

    @property
    def left_out(self) -> list[tuple[str, str]]:
        """Every file that is not read as part of the table, with why."""
        return self.damaged + self.foreign + self.misplaced


def parquet_problem(path: str, table: Optional[str] = None) -> Optional[str]:
    """None when the file's footer reads (and, with ``table``, its metadata names that table), else
    one line saying why not: the reader's error, or what the metadata says instead."""
    damaged, foreign = footer_problems(path, table)
    return damaged or foreign


def footer_problems(path: str, table: Optional[str] = None) -> tuple[Optional[str], Optional[str]]:
    """(why the footer cannot be read, why the file is not one of ``table``'s), each None when not
    so, from one read of the footer."""
    try:
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            metadata = pq.ParquetFile(handle).schema_arrow.metadata or {}
    except Exception as error:  # noqa: BLE001 - any failure to read means the same: damaged
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        return text[:300], None
    if table is None:
        return None, None
    written_for = metadata.get(TABLE_NAME_KEY)
    if written_for is None:
        return None, f"not a newsbeam file (no {TABLE_NAME_KEY.decode()} metadata)"
    if written_for != table.encode():
        return None, f"holds rows of the {written_for.decode(errors='replace')} table, not {table}"
    return None, None


def match_partitioned_files(output_dir: str, spec: TableSpec) -> TableFiles:
    """Every ``*.parquet`` file anywhere under the table's folder: those outside a partition folder
    (``partition_problem``) are ``misplaced``, the footers of the others are checked.

    On an object store the footer checks run on a few threads, since each is a round trip and
    thousands of small files are what a frequent schedule leaves before compaction; on a local disk
    threads only add overhead (about 150 us a file there, ``benchmarks/run_start_overhead.py``).
    """
    paths = _matching(table_tree_pattern(output_dir, spec.name))
    problems = {path: partition_problem(path, output_dir, spec.name) for path in paths}
    found = _check_footers(
        [path for path in paths if problems[path] is None], spec.name, remote=urlsplit(output_dir).scheme not in ("", "file")
    )
    found.misplaced = [(path, problem) for path, problem in problems.items() if problem is not None]
    return found


def _matching(pattern: str) -> list[str]:
    return sorted(metadata.path for metadata in FileSystems.match([pattern])[0].metadata_list)


def _check_footers(paths: list[str], table: str, remote: bool) -> TableFiles:
    found = TableFiles()
    check = functools.partial(footer_problems, table=table)
    if remote:
        with ThreadPoolExecutor(max_workers=FOOTER_CHECK_THREADS) as pool:
            problems = list(pool.map(check, paths))
    else:
        problems = list(map(check, paths))
    for path, (damaged, foreign) in zip(paths, problems):
        if damaged is not None:
            found.damaged.append((path, damaged))
        elif foreign is not None:
            found.foreign.append((path, foreign))
        else:
            found.readable.append(path)
    return found
