"""Make a run's files visible all at once, and finish or discard what an interrupted run left.

A commit writes a manifest of its moves (``_temp/<run-id>/commit-<key>.json``) before moving any
file and deletes it after the last move. A run that dies before the manifest exists left nothing
visible; one that dies during the moves left a manifest, and the next run rolls it forward, so
the tables end up holding each run's rows completely or not at all.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Iterable, Sequence

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from transforms.sinks.parquet import TEMP_FOLDER, publish

# Temp folders of runs without a manifest are only removed after this long: a run still going on
# in parallel (two schedulers overlapping) must keep its files.
STALE_TEMP_AGE = datetime.timedelta(days=1)


def commit_files(output_dir: str, run_id: str, moves: Sequence[tuple[str, str]]) -> int:
    """Move every (temp, final) pair into place behind a manifest; returns how many were moved."""
    if not moves:
        return 0
    ordered = sorted(set(moves))
    key = hashlib.sha256(json.dumps(ordered).encode("utf-8")).hexdigest()[:16]
    manifest = FileSystems.join(output_dir, TEMP_FOLDER, run_id, f"commit-{key}.json")
    with FileSystems.create(manifest) as handle:
        handle.write(json.dumps({"run_id": run_id, "moves": ordered}).encode("utf-8"))
    _apply(ordered)
    FileSystems.delete([manifest])
    return len(ordered)


def _apply(moves: Iterable[Sequence[str]]) -> None:
    for temp_path, final_path in moves:
        publish(temp_path, final_path)


def recover_interrupted_runs(output_dir: str, now: datetime.datetime | None = None) -> list[str]:
    """Roll forward every commit an interrupted run left; drop stale temp folders of failed runs.

    Returns the run ids whose commits were completed.
    """
    temp_root = FileSystems.join(output_dir, TEMP_FOLDER)
    if not FileSystems.exists(temp_root):
        return []
    completed = []
    for match in FileSystems.match([FileSystems.join(temp_root, "*", "commit-*.json")])[0].metadata_list:
        with FileSystems.open(match.path) as handle:
            record = json.loads(handle.read().decode("utf-8"))
        _apply(record["moves"])
        FileSystems.delete([match.path])
        completed.append(record["run_id"])
    _remove_stale_temp_folders(temp_root, now or datetime.datetime.now(datetime.timezone.utc))
    return completed


def _remove_stale_temp_folders(temp_root: str, now: datetime.datetime) -> None:
    newest_per_run: dict[str, float] = {}
    for match in FileSystems.match([FileSystems.join(temp_root, "**")])[0].metadata_list:
        run_folder = match.path[len(temp_root) :].lstrip("/").split("/", 1)[0]
        newest_per_run[run_folder] = max(newest_per_run.get(run_folder, 0.0), match.last_updated_in_seconds)
    cutoff = (now - STALE_TEMP_AGE).timestamp()
    stale = [FileSystems.join(temp_root, run) for run, newest in newest_per_run.items() if newest < cutoff]
    if stale:
        FileSystems.delete(stale)


def remove_run_temp_folder(output_dir: str, run_id: str) -> None:
    """Delete a finished run's temp folder (empty once its files are committed)."""
    folder = FileSystems.join(output_dir, TEMP_FOLDER, run_id)
    if FileSystems.exists(folder):
        FileSystems.delete([folder])


class _CommitFn(beam.DoFn):
    """All (temp, final) pairs of a run (or of one window) -> the number of files made visible."""

    def __init__(self, output_dir: str, run_id: str):
        self._output_dir = output_dir
        self._run_id = run_id
        self._committed = Metrics.counter("sink", "files_committed")

    def process(self, moves: list[tuple[str, str]]) -> Iterable[int]:
        moved = commit_files(self._output_dir, self._run_id, moves)
        self._committed.inc(moved)
        yield moved


class CommitFiles(beam.PTransform):
    """PCollection[(temp path, final path)] of every table -> files moved into place together.

    Waits for every file of the run (per window in streaming) before moving any of them.
    """

    def __init__(self, output_dir: str, run_id: str):
        super().__init__()
        self._output_dir = output_dir
        self._run_id = run_id

    def expand(self, moves: beam.PCollection) -> beam.PCollection:
        return (
            moves
            | "AllFilesOfRun" >> beam.CombineGlobally(beam.combiners.ToListCombineFn()).without_defaults()
            | "MoveIntoPlace" >> beam.ParDo(_CommitFn(self._output_dir, self._run_id))
        )
