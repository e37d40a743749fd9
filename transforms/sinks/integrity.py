"""Which Parquet files of an output can be read: a damaged file must never stop a query or a run.

A file is readable when its footer parses (magic bytes, file metadata and schema). Reading the
footer costs one small ranged read per file, on every Beam filesystem; the row data is not read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems


@dataclass
class TableFiles:
    """The Parquet files matching a pattern, split into readable paths and (path, problem) pairs."""

    readable: list[str] = field(default_factory=list)
    damaged: list[tuple[str, str]] = field(default_factory=list)


def parquet_problem(path: str) -> Optional[str]:
    """None when the file's footer reads, else one line saying why it cannot be read."""
    try:
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            pq.ParquetFile(handle).schema_arrow  # noqa: B018 - parsing the footer is the check
    except Exception as error:  # noqa: BLE001 - any failure to read means the same: damaged
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        return text[:300]
    return None


def match_table_files(pattern: str) -> TableFiles:
    """Every file matching ``pattern`` (a FileSystems glob), each checked with ``parquet_problem``."""
    found = TableFiles()
    for metadata in sorted(FileSystems.match([pattern])[0].metadata_list, key=lambda item: item.path):
        problem = parquet_problem(metadata.path)
        if problem is None:
            found.readable.append(metadata.path)
        else:
            found.damaged.append((metadata.path, problem))
    return found
