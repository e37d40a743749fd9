"""The output layout: every folder, file name and glob pattern of an output, and nowhere else.

```
OUTPUT/<table>/ingest_date=YYYY-MM-DD/<run-id>-<shard>.parquet          a batch run's file
OUTPUT/<table>/ingest_date=YYYY-MM-DD/<run-id>-<window>-<shard>.parquet a stream's window
OUTPUT/<table>/ingest_date=YYYY-MM-DD/<run-id>-empty.parquet           no rows: the table's first file
OUTPUT/<table>/ingest_date=YYYY-MM-DD/compacted-<key>.parquet           written by newsbeam compact
OUTPUT/_temp/<run-id>/...                  files being written; commit-<key>.json while they move in
OUTPUT/_temp/compact-<key>/merged.parquet  a compaction's file before it moves in
OUTPUT/_state/lock, lock-holder.json       the one-writer lock and who holds it
OUTPUT/_state/runs/<run-id>.json           what each run did
OUTPUT/_state/feeds/validators.json        feeds' ETag / Last-Modified for conditional requests
OUTPUT/_state/compaction/<key>.json        a compaction's manifest while it replaces files
OUTPUT/_quarantine/<same relative path>    damaged files moved aside by newsbeam check --repair
```

Paths are joined with Beam's ``FileSystems``, so gs:// and s3:// outputs follow the same layout.
Tables are partitioned by ``ingest_date`` (``schemas.table.PARTITION_COLUMN``); outputs of schema
version 3 and older kept events in ``events/event_date=YYYY-MM-DD/`` folders, which
``newsbeam compact --upgrade`` moves (``LEGACY_EVENTS_PARTITION``).
"""

from __future__ import annotations

import datetime
import re
from typing import Optional

from apache_beam.io.filesystems import FileSystems

from schemas.table import PARTITION_COLUMN

TEMP_FOLDER = "_temp"
STATE_FOLDER = "_state"
QUARANTINE_FOLDER = "_quarantine"
# Folders next to the tables that are not tables (SQL never reads them).
SERVICE_FOLDERS = (STATE_FOLDER, TEMP_FOLDER, QUARANTINE_FOLDER)
MERGED_PREFIX = "compacted-"
LEGACY_EVENTS_PARTITION = "event_date"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# ---- tables -------------------------------------------------------------------------------------


def table_folder(output_dir: str, table: str) -> str:
    return FileSystems.join(output_dir, table)


def partition_folder(output_dir: str, table: str, day: str) -> str:
    """``OUTPUT/<table>/ingest_date=<day>``; ``day`` is ``YYYY-MM-DD``."""
    return FileSystems.join(output_dir, table, f"{PARTITION_COLUMN}={day}")


def final_file_path(
    output_dir: str, table: str, day: str, run_id: str, shard: int, window: Optional[str] = None
) -> str:
    """``<run-id>-<shard>.parquet``, or ``<run-id>-<window-start>-<shard>.parquet`` for a window of a stream."""
    stem = f"{run_id}-{window}" if window else run_id
    return FileSystems.join(partition_folder(output_dir, table, day), f"{stem}-{shard:05d}.parquet")


def is_file_of_run(file_name: str, run_id: str) -> bool:
    """True when ``file_name`` is one that ``final_file_path`` gives for ``run_id`` (any shard or window)."""
    return re.fullmatch(re.escape(run_id) + r"-(\d{8}T\d{6}Z-)?\d{5}\.parquet", file_name) is not None


def empty_file_path(output_dir: str, table: str, day: str, run_id: str) -> str:
    """The zero-row file a run writes into a table that has no file yet: ``<run-id>-empty.parquet``,
    so every engine finds the table (and its columns) from the first run on."""
    return FileSystems.join(partition_folder(output_dir, table, day), f"{run_id}-empty.parquet")


def merged_file_path(folder: str, key: str) -> str:
    """A compaction's file in a partition ``folder``: ``compacted-<key>.parquet``."""
    return FileSystems.join(folder, f"{MERGED_PREFIX}{key}.parquet")


def table_pattern(output_dir: str, table: str) -> str:
    """The glob of a table's files: ``OUTPUT/<table>/ingest_date=*/*.parquet``."""
    return FileSystems.join(output_dir, table, f"{PARTITION_COLUMN}=*", "*.parquet")


def any_partition_pattern(output_dir: str, table: str, file_glob: str = "*.parquet") -> str:
    """Files one folder below the table's, whatever the partition scheme (the legacy one included)."""
    return FileSystems.join(output_dir, table, "*", file_glob)


def table_tree_pattern(output_dir: str, table: str) -> str:
    """Every Parquet file anywhere under the table's folder, in a partition folder or not."""
    return FileSystems.join(output_dir, table, "**.parquet")


def legacy_events_pattern(output_dir: str) -> str:
    """Events files of the layout before schema version 4: ``OUTPUT/events/event_date=*/*.parquet``."""
    return FileSystems.join(output_dir, "events", f"{LEGACY_EVENTS_PARTITION}=*", "*.parquet")


def partition_of(path: str) -> tuple[str, str]:
    """(partition folder, its value) of a table file path: ``(.../ingest_date=2026-01-01, "2026-01-01")``."""
    folder = path.rsplit("/", 1)[0]
    return folder, folder.rsplit("=", 1)[1]


def partition_problem(path: str, output_dir: str, table: str) -> Optional[str]:
    """None when ``path`` is ``OUTPUT/<table>/ingest_date=<YYYY-MM-DD>/<name>.parquet``, else one
    line saying where it is instead (queries type the partition column as DATE, and tools reading
    ``<table>/**/*.parquet`` would count a file from any other folder as rows of the table)."""
    table_dir = table_folder(output_dir, table).rstrip("/") + "/"
    expected = f"{PARTITION_COLUMN}=YYYY-MM-DD/"
    if not path.startswith(table_dir):
        return f"not in the {table} folder"
    parts = path[len(table_dir) :].split("/")
    if len(parts) != 2:
        return f"not directly in a partition folder {expected}"
    column, equals, value = parts[0].partition("=")
    if table == "events" and column == LEGACY_EVENTS_PARTITION and equals:
        return "in the layout of schema version 3 and older (`newsbeam compact --upgrade` moves it)"
    if column != PARTITION_COLUMN or not equals:
        return f"in folder {parts[0]}/, not in a partition folder {expected}"
    if not is_iso_date(value):
        return f"partition value {value!r} is not a date (YYYY-MM-DD)"
    if not parts[1].endswith(".parquet"):
        return "not named *.parquet"
    if parts[1].startswith((".", "_")):
        return "a hidden file name (Spark and pyarrow skip names starting with . or _, DuckDB reads them)"
    return None


def is_legacy_events_file(path: str, output_dir: str) -> bool:
    """True for an events file in an ``event_date=YYYY-MM-DD`` folder (schema version 3 and older)."""
    prefix = FileSystems.join(output_dir, "events", f"{LEGACY_EVENTS_PARTITION}=").rstrip("/")
    if not path.startswith(prefix):
        return False
    value, _, name = path[len(prefix) :].partition("/")
    return is_iso_date(value) and "/" not in name and name.endswith(".parquet")


def is_iso_date(value: str) -> bool:
    if not _ISO_DATE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


# ---- files in progress --------------------------------------------------------------------------


def temp_root(output_dir: str) -> str:
    return FileSystems.join(output_dir, TEMP_FOLDER)


def run_temp_folder(output_dir: str, run_id: str) -> str:
    return FileSystems.join(output_dir, TEMP_FOLDER, run_id)


def temp_file_path(
    output_dir: str, table: str, day: str, run_id: str, shard: int, window: Optional[str] = None
) -> str:
    stem = f"{day}-{window}" if window else day
    return FileSystems.join(run_temp_folder(output_dir, run_id), table, f"{stem}-{shard:05d}.parquet")


def commit_manifest_path(output_dir: str, run_id: str, key: str) -> str:
    return FileSystems.join(run_temp_folder(output_dir, run_id), f"commit-{key}.json")


def commit_manifest_pattern(output_dir: str) -> str:
    return FileSystems.join(output_dir, TEMP_FOLDER, "*", "commit-*.json")


def run_feed_validators_path(output_dir: str, run_id: str) -> str:
    """A run's new feed validators, kept in its temp folder until the run succeeds."""
    return FileSystems.join(run_temp_folder(output_dir, run_id), "feed-validators.json")


def compaction_temp_path(output_dir: str, key: str) -> str:
    return FileSystems.join(output_dir, TEMP_FOLDER, f"compact-{key}", "merged.parquet")


# ---- state --------------------------------------------------------------------------------------


def state_path(output_dir: str, *parts: str) -> str:
    return FileSystems.join(output_dir, STATE_FOLDER, *parts)


def write_probe_path(output_dir: str, run_id: str) -> str:
    return state_path(output_dir, f".write-probe-{run_id}")


def lock_path(output_dir: str) -> str:
    return state_path(output_dir, "lock")


def lock_holder_path(output_dir: str) -> str:
    return state_path(output_dir, "lock-holder.json")


def run_record_path(output_dir: str, run_id: str) -> str:
    return state_path(output_dir, "runs", f"{run_id}.json")


def run_records_pattern(output_dir: str) -> str:
    return state_path(output_dir, "runs", "*.json")


def feed_validators_path(output_dir: str) -> str:
    return state_path(output_dir, "feeds", "validators.json")


def compaction_manifest_path(output_dir: str, key: str) -> str:
    return state_path(output_dir, "compaction", f"{key}.json")


def compaction_manifest_pattern(output_dir: str) -> str:
    return state_path(output_dir, "compaction", "*.json")


# ---- quarantine ---------------------------------------------------------------------------------


def quarantine_path(output_dir: str, relative: str) -> str:
    """Where ``newsbeam check --repair`` moves ``OUTPUT/<relative>``."""
    return FileSystems.join(output_dir, QUARANTINE_FOLDER, relative)
