"""Make a run's files visible all at once, and finish or discard what an interrupted run left.

A commit writes a manifest of its moves (``_temp/<run-id>/commit-<key>.json``) before moving any
file and deletes it after the last move. A run that dies before the manifest exists left nothing
visible, and the next writer discards its temp folder; one that dies during the moves left a
manifest, and the next writer rolls it forward, so the tables end up holding each run's rows
completely or not at all. Both happen under the output's lock (``pipeline.claim``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Iterable, Sequence

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from transforms.sinks.interrupts import held_back
from transforms.sinks.layout import commit_manifest_path, commit_manifest_pattern, run_temp_folder, temp_root
from transforms.sinks.manifests import in_output, read_manifest, relative_to_output, write_manifest
from transforms.sinks.parquet import publish

_LOGGER = logging.getLogger(__name__)


def commit_files(output_dir: str, run_id: str, moves: Sequence[tuple[str, str]]) -> int:
    """Move every (temp, final) pair into place behind a manifest; returns how many were moved."""
    if not moves:
        return 0
    ordered = sorted({(relative_to_output(output_dir, temp), relative_to_output(output_dir, final)) for temp, final in moves})
    key = hashlib.sha256(json.dumps(ordered).encode("utf-8")).hexdigest()[:16]
    manifest = commit_manifest_path(output_dir, run_id, key)
    with held_back():
        write_manifest(manifest, {"run_id": run_id, "moves": ordered})
        _apply(output_dir, ordered)
        FileSystems.delete([manifest])
    return len(ordered)


def _apply(output_dir: str, moves: Iterable[Sequence[str]]) -> None:
    """Publish each (temp, final) pair of a manifest; every path is checked to lie inside the output
    before anything moves."""
    resolved = [(in_output(output_dir, temp), in_output(output_dir, final)) for temp, final in moves]
    for temp_path, final_path in resolved:
        publish(temp_path, final_path)


def recover_interrupted_runs(output_dir: str) -> list[str]:
    """Roll forward every commit an interrupted run left; returns the run ids whose commits were
    completed. Safe to repeat: a file already moved is left as it is. A manifest that cannot be
    read or applied (a file it names is lost) is left in place, with a warning, for
    ``newsbeam check --repair``: it must not stop the writer that finds it."""
    if not FileSystems.exists(temp_root(output_dir)):
        return []
    completed = []
    for match in FileSystems.match([commit_manifest_pattern(output_dir)])[0].metadata_list:
        record = read_manifest(match.path)
        if record is None:
            continue
        try:
            _apply(output_dir, record["moves"])
        except (OSError, KeyError, TypeError, ValueError) as error:
            _LOGGER.warning("cannot finish the commit in %s (%s); left as it is", match.path, error)
            continue
        FileSystems.delete([match.path])
        completed.append(str(record.get("run_id")))
    return sorted(set(completed))


def discard_unfinished_runs(output_dir: str, keep: str = "") -> list[str]:
    """Delete the temp folders that runs which died before their commit left (nothing of them is
    visible); returns their run ids. Only the holder of the output's lock may call this: every other
    writer is then known to be gone. A folder that still holds a commit manifest (one that could not
    be read and rolled forward) is kept for ``newsbeam check --repair``."""
    root = temp_root(output_dir)
    if not FileSystems.exists(root):
        return []
    runs: set[str] = set()
    with_manifest: set[str] = set()
    for match in FileSystems.match([FileSystems.join(root, "**")])[0].metadata_list:
        run, _, rest = match.path[len(root) :].lstrip("/").partition("/")
        runs.add(run)
        if rest.startswith("commit-") and rest.endswith(".json"):
            with_manifest.add(run)
    discarded = sorted(runs - with_manifest - {keep, ""})
    if discarded:
        FileSystems.delete([run_temp_folder(output_dir, run) for run in discarded])
    return discarded


def remove_run_temp_folder(output_dir: str, run_id: str) -> None:
    """Delete a finished run's temp folder (empty once its files are committed)."""
    folder = run_temp_folder(output_dir, run_id)
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
