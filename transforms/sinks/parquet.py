"""Hive-partitioned Parquet files for one table, written through Beam's FileSystems.

Layout (see DESIGN.md): ``OUTPUT/<table>/<partition_column>=<value>/<run-id>-<shard>.parquet``;
a streaming run writes ``<run-id>-<window-start>-<shard>.parquet`` so that windows never collide.
Rows are grouped by (partition value, shard); each group becomes one file written under
``OUTPUT/_temp/<run-id>/``. ``WriteTable`` only writes; ``transforms.sinks.commit.CommitFiles`` then
moves every file of the run into place in one step at the end, so SQL never sees a half-written
file nor half a run. The file name depends only on the run id and the group, so a retried bundle
overwrites its own file instead of adding a second copy.
"""

from __future__ import annotations

import math
import re
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

TEMP_FOLDER = "_temp"
# Rows converted to Arrow at a time: bounds memory however large a partition is.
ROWS_PER_BATCH = 5_000


def partition_folder(output_dir: str, spec: TableSpec, partition_value: str) -> str:
    return FileSystems.join(output_dir, spec.name, f"{spec.partition_column}={partition_value}")


def final_file_path(
    output_dir: str, spec: TableSpec, partition_value: str, run_id: str, shard: int, window: Optional[str] = None
) -> str:
    """``<run-id>-<shard>.parquet``, or ``<run-id>-<window-start>-<shard>.parquet`` for a window of a stream."""
    stem = f"{run_id}-{window}" if window else run_id
    return FileSystems.join(partition_folder(output_dir, spec, partition_value), f"{stem}-{shard:05d}.parquet")


def is_file_of_run(file_name: str, run_id: str) -> bool:
    """True when ``file_name`` is one that ``final_file_path`` gives for ``run_id`` (any shard or window)."""
    return re.fullmatch(re.escape(run_id) + r"-(\d{8}T\d{6}Z-)?\d{5}\.parquet", file_name) is not None


def temp_file_path(
    output_dir: str, spec: TableSpec, partition_value: str, run_id: str, shard: int, window: Optional[str] = None
) -> str:
    stem = f"{partition_value}-{window}" if window else partition_value
    return FileSystems.join(output_dir, TEMP_FOLDER, run_id, spec.name, f"{stem}-{shard:05d}.parquet")


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
    """Write rows (dicts with the table's columns) to one zstd Parquet file; returns the row count."""
    file_schema = spec.file_schema
    written = 0
    with FileSystems.create(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        with pq.ParquetWriter(handle, file_schema, compression="zstd") as writer:
            for batch in _batches(rows, ROWS_PER_BATCH):
                writer.write_table(pa.Table.from_pylist(batch, schema=file_schema))
                written += len(batch)
    return written


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
        args = (self._output_dir, self._spec, partition_value, self._run_id, shard, window_label(window))
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
