"""Taking an output for writing: the lock, the run-id check and the recovery of earlier runs, together.

Every writer (``newsbeam run``, ``compact``, ``check --repair``) goes through ``claim_output``:

1. prove the output can be written (one clear line when it cannot);
2. take the output's lock (``pipeline.output_lock``), waiting up to ``--lock-timeout`` seconds;
3. for a run: refuse a run id the output already knows (a run record, a temp folder or a table file
   of that name), so that no run can replace another's files;
4. finish what earlier writers left: commits interrupted during their moves are rolled forward,
   compactions likewise, and temp folders of runs that died before their commit are discarded
   (nothing of them was visible). Only the lock holder may do this, since every other writer is then
   known to be gone;
5. for a run: claim its id with a run record whose status is ``running`` (replaced by the final record
   when the run ends).

The lock is held until the ``with`` block ends, after the writer's own commit.
"""

from __future__ import annotations

import contextlib
import datetime
import json
from dataclasses import dataclass, field
from typing import Iterator

from apache_beam.io.filesystems import FileSystems

from pipeline.errors import UsageError
from pipeline.output import check_writable
from pipeline.output_lock import Holder, OutputLock, acquire_output_lock
from schemas import TABLES
from transforms.sinks.commit import discard_unfinished_runs, recover_interrupted_runs
from transforms.sinks.compact import recover_compactions
from transforms.sinks.layout import (
    any_partition_pattern,
    commit_manifest_pattern,
    compaction_manifest_pattern,
    is_file_of_run,
    run_record_path,
    run_temp_folder,
)
from transforms.sinks.manifests import read_manifest, write_manifest


class RunIdInUse(UsageError):
    """The output already holds something of a run with this id."""


@dataclass
class Claim:
    """What taking the output found and did before the writer starts."""

    output_dir: str
    run_id: str
    lock: OutputLock
    completed_runs: list[str] = field(default_factory=list)
    discarded_runs: list[str] = field(default_factory=list)
    completed_compactions: int = 0
    # Manifests that could not be read, so could not be rolled forward: for ``newsbeam check --repair``.
    damaged_manifests: list[str] = field(default_factory=list)

    def recovery_lines(self) -> list[str]:
        """One line per earlier writer whose leftovers were finished or discarded (for summaries)."""
        lines = [f"Completed the interrupted commit of run {run}." for run in self.completed_runs]
        lines += [f"Discarded the uncommitted files of run {run}, which stopped before its commit." for run in self.discarded_runs]
        if self.completed_compactions:
            lines.append(f"Completed {self.completed_compactions} interrupted compaction(s).")
        lines += [
            f"Left manifest {path} as it is (it cannot be read or finished); `newsbeam check --repair` settles it."
            for path in self.damaged_manifests
        ]
        if self.lock.previous is not None:
            lines.append(f"Took over the lock left by {self.lock.previous.describe()}, whose process is gone.")
        return lines


@contextlib.contextmanager
def claim_output(output_dir: str, command: str, run_id: str = "", lock_timeout: float = 0.0) -> Iterator[Claim]:
    """Hold the output for one writer (see the module docstring); raises UsageError (bad output,
    run id in use) or ``pipeline.output_lock.OutputLocked``."""
    check_writable(output_dir, run_id or command)
    try:
        lock = acquire_output_lock(output_dir, Holder(command=command, run_id=run_id), lock_timeout)
    except OSError as error:
        raise UsageError(f"cannot lock output location {output_dir!r}: {error.strerror or error}") from error
    with lock:
        if run_id:
            traces = run_id_traces(output_dir, run_id)
            if traces:
                raise RunIdInUse(
                    f"run id {run_id!r} is already used in {output_dir!r} ({traces[0]}); choose another --run-id "
                    "or leave it out for a fresh one"
                )
        claim = Claim(output_dir, run_id, lock)
        claim.completed_runs = recover_interrupted_runs(output_dir)
        claim.completed_compactions = recover_compactions(output_dir)
        claim.damaged_manifests = pending_manifests(output_dir)
        dead = set(claim.completed_runs) | set(claim.discarded_runs)
        if lock.previous is not None and lock.previous.run_id:
            dead.add(lock.previous.run_id)
        mark_dead_runs(output_dir, sorted(dead - {run_id}), noticed_by=run_id or command)
        # A completed run's folder may still hold leftovers (its feed validators): gone, not "discarded".
        claim.discarded_runs = [run for run in discard_unfinished_runs(output_dir, keep=run_id) if run not in claim.completed_runs]
        if run_id:
            write_running_record(output_dir, run_id, command)
        yield claim


def run_id_traces(output_dir: str, run_id: str) -> list[str]:
    """Where the output already mentions ``run_id``: its run record, temp folder or table files."""
    traces = []
    if FileSystems.exists(run_record_path(output_dir, run_id)):
        traces.append(f"run record {run_record_path(output_dir, run_id)}")
    if FileSystems.match([FileSystems.join(run_temp_folder(output_dir, run_id), "**")])[0].metadata_list:
        traces.append(f"temp folder {run_temp_folder(output_dir, run_id)}")
    patterns = [any_partition_pattern(output_dir, table, f"{run_id}-*.parquet") for table in TABLES]
    for result in FileSystems.match(patterns):
        for metadata in result.metadata_list:
            if is_file_of_run(metadata.path.rsplit("/", 1)[-1], run_id):
                traces.append(f"file {metadata.path}")
                break
    return traces


def pending_manifests(output_dir: str) -> list[str]:
    """Commit and compaction manifests still present (after recovery: the ones it could not read)."""
    patterns = [
        commit_manifest_pattern(output_dir),
        compaction_manifest_pattern(output_dir),
    ]
    return sorted(metadata.path for result in FileSystems.match(patterns) for metadata in result.metadata_list)


def mark_dead_runs(output_dir: str, run_ids: list[str], noticed_by: str) -> None:
    """Runs that ended without writing their final record (killed, machine lost) keep saying
    ``running``; the writer that settles what they left says ``died`` in their record instead."""
    for dead_run in run_ids:
        path = run_record_path(output_dir, dead_run)
        record = read_manifest(path) if FileSystems.exists(path) else None
        if record is None or record.get("status") != "running":
            continue
        record.update(
            status="died", noticed_by=noticed_by, noticed_at=datetime.datetime.now(datetime.timezone.utc).isoformat()
        )
        write_manifest(path, record)


def write_running_record(output_dir: str, run_id: str, command: str) -> None:
    record = {
        "run_id": run_id,
        "status": "running",
        "command": command,
        "started_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
    }
    with FileSystems.create(run_record_path(output_dir, run_id)) as handle:
        handle.write(json.dumps(record, indent=2).encode("utf-8"))

