"""Which Parquet files of an output can be read: a damaged file must never stop a query or a run.

A file is readable when its footer parses (magic bytes, file metadata and schema); asked about a
table, the footer's metadata must also name that table. Reading the footer costs one small ranged
read per file, on every Beam filesystem; the row data is not read.

A file belongs to a table only in a partition folder (``transforms.sinks.layout.partition_problem``).
"""

from __future__ import annotations

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
    ``damaged`` files cannot be read, ``misplaced`` ones are not in a partition folder."""

    readable: list[str] = field(default_factory=list)
    damaged: list[tuple[str, str]] = field(default_factory=list)
    misplaced: list[tuple[str, str]] = field(default_factory=list)


def parquet_problem(path: str, table: Optional[str] = None) -> Optional[str]:
    """None when the file's footer reads (and, with ``table``, its metadata names that table), else
    one line saying why not: the reader's error, or what the metadata says instead."""
    try:
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            metadata = pq.ParquetFile(handle).schema_arrow.metadata or {}
    except Exception as error:  # noqa: BLE001 - any failure to read means the same: damaged
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        return text[:300]
    if table is None:
        return None
    written_for = metadata.get(TABLE_NAME_KEY)
    if written_for is None:
        return f"not a newsbeam file (no {TABLE_NAME_KEY.decode()} metadata)"
    if written_for != table.encode():
        return f"holds rows of the {written_for.decode(errors='replace')} table, not {table}"
    return None


def match_partitioned_files(output_dir: str, spec: TableSpec) -> TableFiles:
    """Every ``*.parquet`` file anywhere under the table's folder: those outside a partition folder
    (``partition_problem``) are ``misplaced``, the footers of the others are checked.

    On an object store the footer checks run on a few threads, since each is a round trip and
    thousands of small files are what a frequent schedule leaves before compaction; on a local disk
    threads only add overhead (about 150 us a file there, ``benchmarks/run_start_overhead.py``).
    """
    paths = _matching(table_tree_pattern(output_dir, spec.name))
    problems = {path: partition_problem(path, output_dir, spec.name) for path in paths}
    found = _check_footers([path for path in paths if problems[path] is None], remote=urlsplit(output_dir).scheme not in ("", "file"))
    found.misplaced = [(path, problem) for path, problem in problems.items() if problem is not None]
    return found


def _matching(pattern: str) -> list[str]:
    return sorted(metadata.path for metadata in FileSystems.match([pattern])[0].metadata_list)


def _check_footers(paths: list[str], remote: bool) -> TableFiles:
    found = TableFiles()
    if remote:
        with ThreadPoolExecutor(max_workers=FOOTER_CHECK_THREADS) as pool:
            problems = list(pool.map(parquet_problem, paths))
    else:
        problems = list(map(parquet_problem, paths))
    for path, problem in zip(paths, problems):
        if problem is None:
            found.readable.append(path)
        else:
            found.damaged.append((path, problem))
    return found
