"""Merge the many small Parquet files of a partition into few large ones, without changing a row,
and bring files of older schema versions to the current one.

Streaming windows and frequent batch runs leave one small file per run (or window) in each
partition; queries get slower with every file. Compaction packs a partition's files, in name order,
into groups of at most ``rows_per_file`` rows and replaces each group by one merged file, sorted
by the table's ``sort_by`` columns. A file of an older schema version is always rewritten (alone
if need be), its rows conformed to the current schema (``conform``: missing columns NULL, columns
widened), so an output converges to one schema.

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
names it replaces, so a repeated attempt writes the same name instead of a second copy. The
``--upgrade`` of legacy events files (``transforms.sinks.upgrade``) uses the same manifests with
several written files.
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
from transforms.sinks.conform import CannotConform, conform
from transforms.sinks.integrity import parquet_problem
from transforms.sinks.layout import (
    MERGED_PREFIX,
    compaction_manifest_path,
    compaction_manifest_pattern,
    compaction_temp_path,
    merged_file_path,
    partition_of,
    partition_problem,
    table_pattern,
)
from transforms.sinks.manifests import in_output, read_manifest, relative_to_output, write_manifest
from transforms.sinks.parquet import publish, write_sorted_table

_LOGGER = logging.getLogger(__name__)
__all__ = ["MERGED_PREFIX", "compact_table", "recover_compactions", "replace_files"]


@dataclass(frozen=True)
class PartFile:
    """A table file: its row count, and whether it has the current schema (else it is rewritten)."""

    path: str
    rows: int
    current: bool = True


@dataclass(frozen=True)
class MergePlan:
    """One merged file to write in ``folder`` from ``sources`` (two or more files, or files of an
    older schema version)."""

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
    """What compacting one table did. ``upgraded``: files of an older schema version rewritten;
    ``damaged``: (path, problem) of files that cannot be read, never merged nor deleted."""

    table: str
    partitions: int = 0
    files_before: int = 0
    files_after: int = 0
    rows: int = 0
    upgraded: int = 0
    damaged: list[tuple[str, str]] = field(default_factory=list)


def plan_merges(folder: str, files: Sequence[PartFile], rows_per_file: int) -> list[MergePlan]:
    """Groups of consecutive files (by name) whose rows fit in one file. Files already full stay,
    unless they have an older schema; a group is merged when it holds two files or more, or one of
    an older schema version (rewritten alone)."""
    plans: list[MergePlan] = []
    group: list[PartFile] = []
    for part in sorted(files, key=lambda part: part.path):
        if part.rows >= rows_per_file:
            if not part.current:
                plans.append(MergePlan(folder, (part,)))
            continue
        if group and sum(member.rows for member in group) + part.rows > rows_per_file:
            plans.append(MergePlan(folder, tuple(group)))
            group = []
        group.append(part)
    plans.append(MergePlan(folder, tuple(group)))
    return [plan for plan in plans if len(plan.sources) > 1 or (plan.sources and not plan.sources[0].current)]


def partition_files(output_dir: str, spec: TableSpec, before: Optional[str] = None) -> dict[str, list[str]]:
    """Parquet files of each partition folder of a table; with ``before``, only partitions whose
    value sorts earlier (ISO dates sort as text), so the partition still being written is left alone."""
    folders: dict[str, list[str]] = {}
    for metadata in FileSystems.match([table_pattern(output_dir, spec.name)])[0].metadata_list:
        if partition_problem(metadata.path, output_dir, spec.name) is not None:
            continue  # a stray file (newsbeam check names it) is never merged into the table
        folder, value = partition_of(metadata.path)
        if before is None or value < before:
            folders.setdefault(folder, []).append(metadata.path)
    return {folder: sorted(paths) for folder, paths in sorted(folders.items())}


def read_part_file(path: str, spec: TableSpec) -> PartFile:
    """The file's row count, and whether its schema (metadata included) is the table's current one."""
    with _open(path) as handle:
        parquet = pq.ParquetFile(handle)
        current = parquet.schema_arrow.equals(spec.file_schema, check_metadata=True)
        return PartFile(path, parquet.metadata.num_rows, current)


def merged_path(plan: MergePlan) -> str:
    return merged_file_path(plan.folder, plan.key)


def compact_table(output_dir: str, spec: TableSpec, before: Optional[str] = None) -> TableCompaction:
    """Compact every partition of one table (see the module docstring for the order of steps)."""
    summary = TableCompaction(spec.name)
    for folder, paths in partition_files(output_dir, spec, before).items():
        summary.partitions += 1
        summary.files_before += len(paths)
        parts = []
        for path in paths:
            problem = parquet_problem(path, spec.name)
            if problem is not None:
                summary.damaged.append((path, f"left out: {problem}"))
                continue
            parts.append(read_part_file(path, spec))
        plans = plan_merges(folder, parts, spec.rows_per_file)
        merged = []
        for plan in plans:
            try:
                merge(output_dir, spec, plan)
            except CannotConform as error:
                summary.damaged.extend((source.path, f"cannot be brought to the current schema: {error}") for source in plan.sources)
                continue
            merged.append(plan)
            summary.rows += plan.rows
            summary.upgraded += sum(1 for source in plan.sources if not source.current)
        summary.files_after += len(paths) - sum(len(plan.sources) - 1 for plan in merged)
    return summary


def merge(output_dir: str, spec: TableSpec, plan: MergePlan) -> str:
    """Replace the plan's files by one merged file; returns the merged file's path."""
    temp = compaction_temp_path(output_dir, plan.key)
    written = _write_merged(temp, spec, plan.sources)
    if written != plan.rows:
        FileSystems.delete([temp])
        raise RuntimeError(f"merged file holds {written} rows, its sources {plan.rows}; nothing replaced")
    final = merged_path(plan)
    replace_files(output_dir, plan.key, [(temp, final)], [source.path for source in plan.sources], written)
    return final


def replace_files(output_dir: str, key: str, writes: list[tuple[str, str]], replaces: list[str], rows: int) -> None:
    """Steps 2 to 4 for written (temp, final) pairs that together hold every row of ``replaces``:
    manifest, moves, deletion of the replaced files, manifest removed."""
    manifest = compaction_manifest_path(output_dir, key)
    record = {
        "writes": [[relative_to_output(output_dir, temp), relative_to_output(output_dir, final)] for temp, final in writes],
        "replaces": [relative_to_output(output_dir, path) for path in replaces],
        "rows": rows,
    }
    write_manifest(manifest, record)
    _roll_forward(output_dir, record)
    FileSystems.delete([manifest])


def recover_compactions(output_dir: str) -> int:
    """Finish every compaction a crash interrupted after its manifest was written; returns how many."""
    manifests = FileSystems.match([compaction_manifest_pattern(output_dir)])[0].metadata_list
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
    """Steps 3 and 4, each skipped when already done. When a written file is in place neither in
    its temp folder nor at its final path (lost), the files already moved in are taken out again
    and the originals kept: they still hold every row. Every path is checked to lie inside the
    output before anything moves or is deleted."""
    pairs = record["writes"] if "writes" in record else [[record["temp"], record["merged"]]]  # older manifests
    writes = [(in_output(output_dir, temp), in_output(output_dir, final)) for temp, final in pairs]
    replaces = [in_output(output_dir, path) for path in record["replaces"]]
    for temp, final in writes:
        if FileSystems.exists(temp):
            publish(temp, final)
    placed = [final for _, final in writes if FileSystems.exists(final)]
    if len(placed) < len(writes):
        if placed:
            FileSystems.delete(placed)
        return
    remaining = [path for path in replaces if FileSystems.exists(path)]
    if remaining:
        FileSystems.delete(remaining)
    for temp, _ in writes:
        temp_folder = temp.rsplit("/", 1)[0]
        if FileSystems.exists(temp_folder):
            FileSystems.delete([temp_folder])


def _write_merged(path: str, spec: TableSpec, sources: Iterable[PartFile]) -> int:
    """Copy the sources, conformed to the current schema, into one sorted file in row groups sized
    for scans (small files have tiny row groups; copying them one to one would keep that cost for
    readers). Returns the rows the finished file reports: read back, so a short write cannot go
    unnoticed."""
    tables = []
    for source in sources:
        with _open(source.path) as reader:
            tables.append(conform(pq.ParquetFile(reader).read(), spec))
    write_sorted_table(path, spec, pa.concat_tables(tables))
    return written_rows(path)


def written_rows(path: str) -> int:
    with _open(path) as handle:
        return pq.ParquetFile(handle).metadata.num_rows


def _open(path: str):
    return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)


def _name(path: str) -> str:
    return path.rsplit("/", 1)[1]
