"""Hive-partitioned Parquet files for one table, written through Beam's FileSystems.

Paths come from ``transforms.sinks.layout``: ``OUTPUT/<table>/ingest_date=<day>/<run-id>-<shard>.parquet``;
a streaming run writes ``<run-id>-<window-start>-<shard>.parquet`` so that windows never collide.
Rows are grouped by (ingest day, shard); each group becomes one file, sorted by the table's
``sort_by`` columns, written under ``OUTPUT/_temp/<run-id>/``. ``WriteTable`` only writes; ``transforms.sinks.commit.CommitFiles`` then
moves every file of the run into place in one step at the end, so SQL never sees a half-written
file nor half a run. The file name depends only on the run id and the group, so a retried bundle
overwrites its own file instead of adding a second copy.
"""

from __future__ import annotations

import math
import zlib
from typing import Any, Iterable, Iterator, Mapping, Optional

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import BoundedWindow, GlobalWindow

from schemas.table import TableSpec
from transforms.sinks.layout import empty_file_path, final_file_path, table_pattern, temp_file_path

# Rows converted to Arrow at a time (the file's rows are then sorted and written together).
ROWS_PER_BATCH = 5_000
# Row groups sized for scans: DuckDB's own row group size, or about 64 MiB of Arrow data when rows
# are wide (article texts), whichever comes first (``benchmarks/compaction_week.py`` measures it).
ROW_GROUP_ROWS = 122_880
ROW_GROUP_BYTES = 64 * 1024 * 1024


def window_label(window: BoundedWindow) -> Optional[str]:
    """A window's start as ``YYYYMMDDTHHMMSSZ`` (no colons: valid on every file system; streaming
    windows are whole seconds long); None for the global window of batch runs, named as before."""
    if isinstance(window, GlobalWindow):
        return None
    return f"{window.start.to_utc_datetime(has_tz=True):%Y%m%dT%H%M%SZ}"


def shard_of(row: Mapping[str, Any], spec: TableSpec, rows_in_partition: int) -> int:
    """Spread a partition over ceil(rows / rows_per_file) files by a stable hash of the row's id."""
    shards = max(1, math.ceil(rows_in_partition / spec.rows_per_file))
    if shards == 1:
        return 0
    identity = str(row[spec.schema.names[0]]) + str(row.get("url") or "")
    return zlib.crc32(identity.encode("utf-8")) % shards


def write_parquet_file(path: str, spec: TableSpec, rows: Iterable[Mapping[str, Any]]) -> int:
    """Write rows (dicts with the table's columns) to one zstd Parquet file, sorted by the table's
    ``sort_by`` columns; returns the row count. A file holds at most ``spec.rows_per_file`` rows,
    all in memory at once for the sort."""
    file_schema = spec.file_schema
    batches = [pa.Table.from_pylist(batch, schema=file_schema) for batch in _batches(rows, ROWS_PER_BATCH)]
    table = pa.concat_tables(batches) if batches else file_schema.empty_table()
    return write_sorted_table(path, spec, table)


def write_sorted_table(path: str, spec: TableSpec, table: pa.Table) -> int:
    """Write ``table`` (of ``spec.file_schema``) sorted by ``spec.sort_by``, in row groups of at most
    ``ROW_GROUP_ROWS`` rows or about ``ROW_GROUP_BYTES``, with column statistics (so a filter on a
    sort column skips row groups). Returns the row count."""
    table = table.sort_by([(column, "ascending") for column in spec.sort_by]) if table.num_rows else table
    with FileSystems.create(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        with pq.ParquetWriter(handle, spec.file_schema, compression="zstd") as writer:
            writer.write_table(table, row_group_size=row_group_rows(table))
    return table.num_rows


def row_group_rows(table: pa.Table) -> int:
    """Rows per row group for ``table``: ``ROW_GROUP_ROWS``, fewer when its rows are wide."""
    if table.num_rows == 0:
        return ROW_GROUP_ROWS
    bytes_per_row = max(1, table.nbytes // table.num_rows)
    return max(1, min(ROW_GROUP_ROWS, ROW_GROUP_BYTES // bytes_per_row))


def publish(temp_path: str, final_path: str) -> None:
    """Move a finished file into its partition folder (creating the folder first: local renames
    into a missing folder fail). Idempotent: a file already moved is left as it is.

    Never replaces a file: run ids are unique in an output, so a final path that exists already is
    either this very file (an object store's copy-then-delete rename cut short: same size, and the
    leftover temp copy is dropped) or a conflict, which raises FileExistsError.
    """
    final_exists = FileSystems.exists(final_path)
    if not FileSystems.exists(temp_path):
        if final_exists:
            return
        raise FileNotFoundError(f"neither {temp_path} nor {final_path} exists")
    if final_exists:
        if _size(temp_path) != _size(final_path):
            raise FileExistsError(f"{final_path} exists already; refusing to replace it with {temp_path}")
        FileSystems.delete([temp_path])
        return
    folder = final_path.rsplit("/", 1)[0]
    if not FileSystems.exists(folder):
        try:
            FileSystems.mkdirs(folder)
        except IOError:
            if not FileSystems.exists(folder):  # another worker may have created it meanwhile
                raise
    FileSystems.rename([temp_path], [final_path])


def write_empty_tables(output_dir: str, specs: Iterable[TableSpec], run_id: str, day: str) -> list[str]:
    """Give each table without any file a zero-row file (``layout.empty_file_path``), written aside
    and moved in; returns the tables given one. Readers other than ``newsbeam sql`` fail on a table
    folder that does not exist (Spark: PATH_NOT_FOUND), so a quiet day must not break a dashboard."""
    created = []
    for spec in specs:
        if FileSystems.match([table_pattern(output_dir, spec.name)])[0].metadata_list:
            continue
        temp = temp_file_path(output_dir, spec.name, day, run_id, 0, "empty")
        write_parquet_file(temp, spec, [])
        publish(temp, empty_file_path(output_dir, spec.name, day, run_id))
        created.append(spec.name)
    return created


def _size(path: str) -> int:
    return FileSystems.match([path])[0].metadata_list[0].size_in_bytes


def _batches(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    batch: list[Mapping[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _WriteFileFn(beam.DoFn):
    """((partition value, shard), rows) -> (temp path, final path) of the written Parquet file."""

    def __init__(self, spec: TableSpec, output_dir: str, run_id: str):
        self._spec = spec
        self._output_dir = output_dir
        self._run_id = run_id
        self._rows_written = Metrics.counter("sink", f"{spec.name}_rows")
        self._files_written = Metrics.counter("sink", f"{spec.name}_files")

    def process(
        self,
        keyed_rows: tuple[tuple[str, int], Iterable[Mapping[str, Any]]],
        window: BoundedWindow = beam.DoFn.WindowParam,
    ) -> Iterator[tuple[str, str]]:
        (partition_value, shard), rows = keyed_rows
        args = (self._output_dir, self._spec.name, partition_value, self._run_id, shard, window_label(window))
        temp_path, final_path = temp_file_path(*args), final_file_path(*args)
        self._rows_written.inc(write_parquet_file(temp_path, self._spec, rows))
        self._files_written.inc()
        yield temp_path, final_path


class WriteTable(beam.PTransform):
    """Rows of one table (NamedTuples or dicts) -> (temp path, final path) of each file written.

    Each partition is split into as many files as ``spec.rows_per_file`` asks for, counted first so
    that small runs write one file per partition and large ones stay in files of bounded size.
    """

    def __init__(self, spec: TableSpec, output_dir: str, run_id: str):
        super().__init__()
        self._spec = spec
        self._output_dir = output_dir
        self._run_id = run_id

    def expand(self, rows: beam.PCollection) -> beam.PCollection:
        spec = self._spec
        by_partition = (
            rows
            | "AsDict" >> beam.Map(_as_dict)
            | "KeyByPartition" >> beam.Map(lambda row: (str(row[spec.partition_column]), row))
        )
        rows_per_partition = by_partition | "CountPerPartition" >> beam.combiners.Count.PerKey()
        return (
            by_partition
            | "KeyByFile"
            >> beam.Map(
                lambda item, counts: ((item[0], shard_of(item[1], spec, counts[item[0]])), item[1]),
                counts=beam.pvalue.AsDict(rows_per_partition),
            )
            | "GroupByFile" >> beam.GroupByKey()
            | "WriteParquetFile" >> beam.ParDo(_WriteFileFn(spec, self._output_dir, self._run_id))
        )


def _as_dict(row: Any) -> dict[str, Any]:
    return row._asdict() if hasattr(row, "_asdict") else dict(row)
