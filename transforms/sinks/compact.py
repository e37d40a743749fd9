"""Merge the many small Parquet files of a partition into few large ones, without changing a row.

Streaming windows and frequent batch runs leave one small file per run (or window) in each
partition; queries get slower with every file. Compaction packs a partition's files, in name order,
into groups of at most ``rows_per_file`` rows and replaces each group by one merged file.

Order of operations for one group (every step through Beam's ``FileSystems``):

1. write the merged file under ``_temp/compact-<key>/`` and check its row count against the sum of
   the originals (a crash here leaves only the old files visible, and an orphan temp file);
2. write the manifest ``_state/compaction/<key>.json`` naming the merged file and the files it
   replaces (a crash here still leaves only the old files visible; the manifest is rolled forward);
3. move the merged file into the partition (one rename);
4. delete the originals, then the manifest.

Between 3 and 4 both are visible; no file system offers replacing N files by one in a single step.
A crash there leaves the manifest, and ``recover_compactions`` (run first by every compaction)
finishes the job, so the state a crash leaves is always repaired to the new file alone, and rows
are never lost. The merged file is named ``compacted-<key>.parquet`` where ``key`` is a hash of the
names it replaces, so a repeated attempt writes the same name instead of a second copy.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from schemas.table import TableSpec
from transforms.sinks.integrity import parquet_problem, partition_problem, table_pattern
from transforms.sinks.manifests import in_output, read_manifest, relative_to_output, write_manifest
from transforms.sinks.parquet import TEMP_FOLDER, publish

_LOGGER = logging.getLogger(__name__)
COMPACTION_STATE = ("_state", "compaction")
MERGED_PREFIX = "compacted-"
# Rows of small files are gathered up to this size in memory before they become one row group.
ROW_GROUP_BYTES = 64 * 1024 * 1024
MAX_ROW_GROUP_ROWS = 1024 * 1024


@dataclass(frozen=True)
class PartFile:
    path: str
    rows: int


@dataclass(frozen=True)
class MergePlan:
    """One merged file to write in ``folder`` from ``sources`` (two or more files)."""

    folder: str
    sources: tuple[PartFile, ...]

    @property
    def key(self) -> str:
        names = "\n".join(sorted(_name(source.path) for source in self.sources))
        return hashlib.sha256(f"{self.folder}\n{names}".encode("utf-8")).hexdigest()[:16]

    @property
    def rows(self) -> int:
        return sum(source.rows for source in self.sources)


@dataclass
class TableCompaction:
    """What compacting one table did. ``skipped``: files of another schema version; ``damaged``:
    (path, problem) of files that cannot be read, never merged nor deleted."""

    table: str
    partitions: int = 0
    files_before: int = 0
    files_after: int = 0
    rows: int = 0
    skipped: list[str] = field(default_factory=list)
    damaged: list[tuple[str, str]] = field(default_factory=list)


def plan_merges(folder: str, files: Sequence[PartFile], rows_per_file: int) -> list[MergePlan]:
    """Groups of consecutive files (by name) whose rows fit in one file; files already full stay."""
    plans: list[MergePlan] = []
    group: list[PartFile] = []
    for part in sorted(files, key=lambda part: part.path):
        if part.rows >= rows_per_file:
            continue
        if group and sum(member.rows for member in group) + part.rows > rows_per_file:
            plans.append(MergePlan(folder, tuple(group)))
            group = []
        group.append(part)
    plans.append(MergePlan(folder, tuple(group)))
    return [plan for plan in plans if len(plan.sources) > 1]


def partition_files(output_dir: str, spec: TableSpec, before: Optional[str] = None) -> dict[str, list[str]]:
    """Parquet files of each partition folder of a table; with ``before``, only partitions whose
    value sorts earlier (ISO dates sort as text), so the partition still being written is left alone."""
    folders: dict[str, list[str]] = {}
    for metadata in FileSystems.match([table_pattern(output_dir, spec)])[0].metadata_list:
        if partition_problem(metadata.path, output_dir, spec) is not None:
            continue  # a stray file (newsbeam check names it) is never merged into the table
        folder, _ = metadata.path.rsplit("/", 1)
        value = folder.rsplit("=", 1)[1]
        if before is None or value < before:
            folders.setdefault(folder, []).append(metadata.path)
    return {folder: sorted(paths) for folder, paths in sorted(folders.items())}


def read_part_file(path: str, spec: TableSpec) -> Optional[PartFile]:
    """The file's row count, or None when its schema is not the table's current one (an older
    schema version is not merged: rewriting it would change its columns)."""
    with _open(path) as handle:
        parquet = pq.ParquetFile(handle)
        if not parquet.schema_arrow.equals(spec.file_schema, check_metadata=True):
            return None
        return PartFile(path, parquet.metadata.num_rows)


def merged_path(plan: MergePlan) -> str:
    return FileSystems.join(plan.folder, f"{MERGED_PREFIX}{plan.key}.parquet")


def compact_table(output_dir: str, spec: TableSpec, before: Optional[str] = None) -> TableCompaction:
    """Compact every partition of one table (see the module docstring for the order of steps)."""
    summary = TableCompaction(spec.name)
    for folder, paths in partition_files(output_dir, spec, before).items():
        summary.partitions += 1
        summary.files_before += len(paths)
        parts = []
        for path in paths:
            problem = parquet_problem(path)
            if problem is not None:
                summary.damaged.append((path, problem))
                continue
            part = read_part_file(path, spec)
            if part is None:
                summary.skipped.append(path)
            else:
                parts.append(part)
        plans = plan_merges(folder, parts, spec.rows_per_file)
        for plan in plans:
            merge(output_dir, spec, plan)
            summary.rows += plan.rows
        summary.files_after += len(paths) - sum(len(plan.sources) - 1 for plan in plans)
    return summary


def merge(output_dir: str, spec: TableSpec, plan: MergePlan) -> str:
    """Replace the plan's files by one merged file; returns the merged file's path."""
    temp = FileSystems.join(output_dir, TEMP_FOLDER, f"compact-{plan.key}", "merged.parquet")
    written = _write_merged(temp, spec, plan.sources)
    if written != plan.rows:
        FileSystems.delete([temp])
        raise RuntimeError(f"merged file holds {written} rows, its sources {plan.rows}; nothing replaced")
    final = merged_path(plan)
    manifest = _manifest_path(output_dir, plan.key)
    record = {
        "temp": relative_to_output(output_dir, temp),
        "merged": relative_to_output(output_dir, final),
        "replaces": [relative_to_output(output_dir, source.path) for source in plan.sources],
        "rows": written,
    }
    write_manifest(manifest, record)
    _roll_forward(output_dir, record)
    FileSystems.delete([manifest])
    return final


def recover_compactions(output_dir: str) -> int:
    """Finish every compaction a crash interrupted after its manifest was written; returns how many."""
    pattern = FileSystems.join(output_dir, *COMPACTION_STATE, "*.json")
    manifests = FileSystems.match([pattern])[0].metadata_list
    finished = 0
    for metadata in manifests:
        record = read_manifest(metadata.path)
        if record is None:
            continue
        try:
            _roll_forward(output_dir, record)
        except (OSError, KeyError, TypeError, ValueError) as error:
            _LOGGER.warning("cannot finish the compaction in %s (%s); left as it is", metadata.path, error)
            continue
        FileSystems.delete([metadata.path])
        finished += 1
    return finished


def _roll_forward(output_dir: str, record: dict) -> None:
    """Steps 3 and 4, each skipped when already done. Without the merged file in place (its temp
    file lost), the originals are kept: they still hold every row. Every path is checked to lie
    inside the output before anything moves or is deleted."""
    temp, merged = in_output(output_dir, record["temp"]), in_output(output_dir, record["merged"])
    replaces = [in_output(output_dir, path) for path in record["replaces"]]
    if FileSystems.exists(temp):
        publish(temp, merged)
    if not FileSystems.exists(merged):
        return
    remaining = [path for path in replaces if FileSystems.exists(path)]
    if remaining:
        FileSystems.delete(remaining)
    temp_folder = temp.rsplit("/", 1)[0]
    if FileSystems.exists(temp_folder):
        FileSystems.delete([temp_folder])


def _write_merged(path: str, spec: TableSpec, sources: Iterable[PartFile]) -> int:
    """Copy the sources into one file, in row groups of about ``ROW_GROUP_BYTES`` (small files have
    tiny row groups; copying them one to one would keep that cost for readers). Returns the rows
    the finished file reports: read back, so a short write cannot go unnoticed."""
    pending: list[pa.Table] = []
    with FileSystems.create(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        with pq.ParquetWriter(handle, spec.file_schema, compression="zstd") as writer:
            for source in sources:
                with _open(source.path) as reader:
                    pending.append(pq.ParquetFile(reader).read())
                if sum(table.nbytes for table in pending) >= ROW_GROUP_BYTES:
                    writer.write_table(pa.concat_tables(pending), row_group_size=MAX_ROW_GROUP_ROWS)
                    pending = []
            if pending:
                writer.write_table(pa.concat_tables(pending), row_group_size=MAX_ROW_GROUP_ROWS)
    with _open(path) as handle:
        return pq.ParquetFile(handle).metadata.num_rows


def _manifest_path(output_dir: str, key: str) -> str:
    return FileSystems.join(output_dir, *COMPACTION_STATE, f"{key}.json")


def _open(path: str):
    return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)


def _name(path: str) -> str:
    return path.rsplit("/", 1)[1]
