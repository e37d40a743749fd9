"""``newsbeam compact --upgrade``: events of the layout before schema version 4 moved to ``ingest_date``.

Up to version 3, events lived in ``events/event_date=YYYY-MM-DD/`` folders, the date only in the
folder name. Each such file is read, its rows get ``event_date`` from the folder and ``added_at``
(the moment their article was fetched, which is when a run added them; for an event whose article
is not stored, the file's modification time, which is when its run wrote it), and they are
conformed to the current schema and written into the ``ingest_date`` partition of ``added_at``.
Legacy files are taken in batches of up to ``rows_per_file`` rows; each batch is replaced through
a compaction manifest (``transforms.sinks.compact.replace_files``), so a crash at any point leaves
either the old files or the new ones, never both for good and never neither.
"""

from __future__ import annotations

import datetime
import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from schemas import ARTICLES, EVENTS
from transforms.sinks.compact import replace_files, written_rows
from transforms.sinks.conform import CannotConform, conform
from transforms.sinks.integrity import match_partitioned_files, parquet_problem
from transforms.sinks.layout import (
    LEGACY_EVENTS_PARTITION,
    compaction_temp_path,
    is_legacy_events_file,
    legacy_events_pattern,
    merged_file_path,
    partition_folder,
)
from transforms.sinks.parquet import write_sorted_table

UTC = datetime.timezone.utc


@dataclass
class LegacyUpgrade:
    """What ``upgrade_legacy_events`` did: legacy files read and replaced, rows moved, files written,
    and (path, problem) of legacy files left as they are."""

    files: int = 0
    rows: int = 0
    files_written: int = 0
    kept: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _LegacyFile:
    path: str
    event_date: datetime.date
    modified: datetime.datetime


def legacy_events_files(output_dir: str) -> list[str]:
    """Events files of the layout before schema version 4 (``events/event_date=YYYY-MM-DD/*.parquet``)."""
    return [metadata.path for metadata in _legacy_matches(output_dir)]


def _legacy_matches(output_dir: str) -> list:
    """FileSystems metadata of the legacy events files, by path."""
    matched = FileSystems.match([legacy_events_pattern(output_dir)])[0].metadata_list
    return sorted(
        (metadata for metadata in matched if is_legacy_events_file(metadata.path, output_dir)), key=lambda item: item.path
    )


def upgrade_legacy_events(output_dir: str) -> LegacyUpgrade:
    """Move every legacy events file's rows into ``ingest_date`` partitions (module docstring)."""
    summary = LegacyUpgrade()
    legacy: list[_LegacyFile] = []
    for metadata in _legacy_matches(output_dir):
        problem = parquet_problem(metadata.path, EVENTS.name)
        if problem is not None:
            summary.kept.append((metadata.path, f"cannot be read: {problem}"))
            continue
        day = metadata.path.rsplit("/", 2)[1].split("=", 1)[1]
        modified = datetime.datetime.fromtimestamp(metadata.last_updated_in_seconds, UTC)
        legacy.append(_LegacyFile(metadata.path, datetime.date.fromisoformat(day), modified))
    if not legacy:
        _remove_empty_legacy_folders(output_dir)
        return summary
    fetched_at = _article_fetch_times(output_dir)
    batch: list[tuple[_LegacyFile, pa.Table]] = []
    for item in legacy:
        try:
            table = _upgraded_rows(item, fetched_at)
        except (CannotConform, pa.ArrowException, OSError) as error:
            summary.kept.append((item.path, f"cannot be upgraded: {error}"))
            continue
        batch.append((item, table))
        if sum(table.num_rows for _, table in batch) >= EVENTS.rows_per_file:
            _replace_batch(output_dir, batch, summary)
            batch = []
    if batch:
        _replace_batch(output_dir, batch, summary)
    _remove_empty_legacy_folders(output_dir)
    return summary


def _remove_empty_legacy_folders(output_dir: str) -> None:
    """Emptied ``event_date=`` folders of a local output go too: Hive-style readers would take them
    for partitions of a second scheme. Object stores have no folders."""
    if urlsplit(output_dir).scheme not in ("", "file"):
        return
    events = Path(output_dir.removeprefix("file://")) / EVENTS.name
    if not events.is_dir():
        return
    for folder in events.glob(f"{LEGACY_EVENTS_PARTITION}=*"):
        if folder.is_dir() and not any(path.is_file() for path in folder.rglob("*")):
            shutil.rmtree(folder, ignore_errors=True)


def _article_fetch_times(output_dir: str) -> dict[str, datetime.datetime]:
    """article_id -> fetched_at of every stored article (two columns read, not the texts)."""
    times: dict[str, datetime.datetime] = {}
    for path in match_partitioned_files(output_dir, ARTICLES).readable:
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            table = pq.ParquetFile(handle).read(columns=["article_id", "fetched_at"])
        times.update(zip(table.column("article_id").to_pylist(), table.column("fetched_at").to_pylist()))
    return times


def _upgraded_rows(item: _LegacyFile, fetched_at: dict[str, datetime.datetime]) -> pa.Table:
    with FileSystems.open(item.path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        table = pq.ParquetFile(handle).read()
    rows = table.num_rows
    added_at = [fetched_at.get(article_id, item.modified) for article_id in table.column("article_id").to_pylist()]
    table = table.append_column("event_date", pa.array([item.event_date] * rows, pa.date32()))
    table = table.append_column("added_at", pa.array(added_at, pa.timestamp("us", tz="UTC")))
    return conform(table, EVENTS)


def _replace_batch(output_dir: str, batch: list[tuple[_LegacyFile, pa.Table]], summary: LegacyUpgrade) -> None:
    """Write the batch's rows per ingest day, then replace its legacy files through one manifest."""
    rows = pa.concat_tables([table for _, table in batch])
    days = _utc_days(rows)
    names = "\n".join(item.path.rsplit("/", 2)[-2] + "/" + item.path.rsplit("/", 1)[1] for item, _ in batch)
    key = hashlib.sha256(f"upgrade\n{names}".encode("utf-8")).hexdigest()[:16]
    writes = []
    for day in sorted(set(days)):
        day_rows = rows.filter(pa.array([value == day for value in days]))
        day_key = hashlib.sha256(f"{key}\n{day}".encode("utf-8")).hexdigest()[:16]
        temp = compaction_temp_path(output_dir, day_key)
        write_sorted_table(temp, EVENTS, day_rows)
        if written_rows(temp) != day_rows.num_rows:
            raise OSError(f"{temp} holds fewer rows than written; nothing replaced")
        writes.append((temp, merged_file_path(partition_folder(output_dir, EVENTS.name, day), day_key)))
    replace_files(output_dir, key, writes, [item.path for item, _ in batch], rows.num_rows)
    summary.files += len(batch)
    summary.rows += rows.num_rows
    summary.files_written += len(writes)


def _utc_days(rows: pa.Table) -> list[str]:
    return [moment.astimezone(UTC).date().isoformat() for moment in rows.column("added_at").to_pylist()]
