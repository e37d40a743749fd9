"""Which Parquet files of an output can be read: a damaged file must never stop a query or a run.

A file is readable when its footer parses (magic bytes, file metadata and schema); asked about a
table, the footer's metadata must also name that table. Reading the footer costs one small ranged
read per file, on every Beam filesystem; the row data is not read.
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

FOOTER_CHECK_THREADS = 16


@dataclass
class TableFiles:
    """The Parquet files matching a pattern, split into readable paths and (path, problem) pairs."""

    readable: list[str] = field(default_factory=list)
    damaged: list[tuple[str, str]] = field(default_factory=list)


def table_pattern(output_dir: str, spec: TableSpec) -> str:
    """The FileSystems glob of a table's files: ``OUTPUT/<table>/<partition column>=*/*.parquet``."""
    return FileSystems.join(output_dir, spec.name, f"{spec.partition_column}=*", "*.parquet")


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


def match_table_files(pattern: str) -> TableFiles:
    """Every file matching ``pattern`` (a FileSystems glob), each checked with ``parquet_problem``.

    On an object store the checks run on a few threads, since each is a round trip and thousands of
    small files are what a frequent schedule leaves before compaction; on a local disk threads
    only add overhead (about 150 us a file there, ``benchmarks/run_start_overhead.py``).
    """
    paths = sorted(metadata.path for metadata in FileSystems.match([pattern])[0].metadata_list)
    found = TableFiles()
    if urlsplit(pattern).scheme in ("", "file"):
        problems = list(map(parquet_problem, paths))
    else:
        with ThreadPoolExecutor(max_workers=FOOTER_CHECK_THREADS) as pool:
            problems = list(pool.map(parquet_problem, paths))
    for path, problem in zip(paths, problems):
        if problem is None:
            found.readable.append(path)
        else:
            found.damaged.append((path, problem))
    return found
