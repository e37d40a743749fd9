"""What is damaged or unfinished in an output, and its repair: damaged files are moved aside, never deleted.

``inspect_output`` looks at (all through Beam's ``FileSystems``, so gs:// and s3:// work the same):

- every Parquet file under ``OUTPUT/<table>/``: it must be in a partition folder
  ``<partition column>=<YYYY-MM-DD>/``, its footer must read, and its metadata must name the table
  (``transforms.sinks.integrity``);
- commit manifests ``OUTPUT/_temp/<run-id>/commit-*.json`` of runs interrupted while moving their
  files in, and compaction manifests ``OUTPUT/_state/compaction/*.json``: each must parse, and the
  files it names must still exist somewhere;
- temp folders ``OUTPUT/_temp/<name>/`` that no manifest covers: files of runs that stopped before
  their commit;
- run records ``OUTPUT/_state/runs/*.json``: each must parse;
- the state files ``OUTPUT/_state/feeds/validators.json`` (must parse and hold only well-formed
  entries) and ``OUTPUT/_state/lock-holder.json`` (there only while a writer holds the lock; must parse).

``repair_output`` moves what cannot be used to ``OUTPUT/_quarantine/<same relative path>``, finishes
the interrupted commits and compactions with the functions every writer uses, and discards the
uncommitted temp folders, as the holder of the output's lock does before writing.
"""

from __future__ import annotations

import datetime
import enum
import json
import posixpath
from dataclasses import dataclass, field

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from pipeline.output_lock import Holder
from schemas import TABLES
from transforms.sinks.commit import discard_unfinished_runs, recover_interrupted_runs
from transforms.sinks.compact import recover_compactions
from transforms.sinks.integrity import match_partitioned_files
from transforms.sinks.layout import (
    QUARANTINE_FOLDER,
    commit_manifest_pattern,
    compaction_manifest_pattern,
    is_legacy_events_file,
    lock_holder_path,
    quarantine_path,
    run_records_pattern,
    temp_root,
)
from transforms.sinks.manifests import ForeignPath, in_output
from transforms.sources import validators


class Remedy(enum.Enum):
    """What ``repair_output`` does about a finding."""

    QUARANTINE = "move the file to _quarantine/"
    QUARANTINE_RUN_TEMP = "move the run's temp folder to _quarantine/"
    FINISH_COMMIT = "finish the commit"
    FINISH_COMPACTION = "finish the compaction"
    DISCARD_TEMP = "discard the uncommitted files"
    # Sound data in the layout of an older version: migrated, never moved aside.
    UPGRADE = "run `newsbeam compact --upgrade`"


_DONE = {
    Remedy.FINISH_COMMIT: "commit finished: every file moved in, manifest removed",
    Remedy.FINISH_COMPACTION: "compaction finished (or its originals kept), manifest removed",
    Remedy.DISCARD_TEMP: "uncommitted files discarded (none of them was visible)",
}
# Until these are settled a temp folder may still be needed, so none is discarded.
_SETTLES_TEMP = (Remedy.QUARANTINE_RUN_TEMP, Remedy.FINISH_COMMIT, Remedy.FINISH_COMPACTION)


@dataclass(frozen=True)
class Finding:
    """One thing wrong in an output: ``path`` as FileSystems names it, the problem in one line."""

    path: str
    problem: str
    remedy: Remedy


@dataclass(frozen=True)
class RepairOutcome:
    """What repairing one finding did, in one line, and whether the problem is gone."""

    finding: Finding
    done: str
    repaired: bool


@dataclass
class Inspection:
    """The findings of ``inspect_output`` and how many things of each kind were looked at."""

    findings: list[Finding] = field(default_factory=list)
    table_files: int = 0
    manifests: int = 0
    temp_folders: int = 0
    run_records: int = 0
    state_files: int = 0

    @property
    def looked_at(self) -> int:
        return self.table_files + self.manifests + self.temp_folders + self.run_records + self.state_files


def inspect_output(output_dir: str) -> Inspection:
    """Look at every table file, manifest, temp folder, run record and state file of ``output_dir``; reads only."""
    inspection = Inspection()
    _inspect_table_files(output_dir, inspection)
    covered_temp_folders = _inspect_manifests(output_dir, inspection)
    _inspect_temp_folders(output_dir, covered_temp_folders, inspection)
    _inspect_run_records(output_dir, inspection)
    _inspect_state_files(output_dir, inspection)
    return inspection


def _inspect_table_files(output_dir: str, inspection: Inspection) -> None:
    for spec in TABLES.values():
        files = match_partitioned_files(output_dir, spec)
        inspection.table_files += len(files.readable) + len(files.left_out)
        for path, problem in files.misplaced:
            if is_legacy_events_file(path, output_dir):
                inspection.findings.append(Finding(path, problem, Remedy.UPGRADE))
                continue
            # Tools reading <table>/**/*.parquet count its rows in the table, or fail on its folder.
            inspection.findings.append(Finding(path, f"outside a partition folder of {spec.name}: {problem}", Remedy.QUARANTINE))
        for path, problem in files.damaged:
            inspection.findings.append(Finding(path, f"cannot be read: {problem}", Remedy.QUARANTINE))
        for path, problem in files.foreign:
            # Readers given the table's folder take its rows for the table's; newsbeam leaves it out.
            inspection.findings.append(Finding(path, f"not a file of {spec.name}: {problem}", Remedy.QUARANTINE))


def _inspect_manifests(output_dir: str, inspection: Inspection) -> set[str]:
    """Adds a finding per manifest; returns the names of the temp folders the manifests cover."""
    root = temp_root(output_dir)
    covered: set[str] = set()
    for path in _matching(commit_manifest_pattern(output_dir)):
        inspection.manifests += 1
        covered.add(_top_folder(root, path))
        inspection.findings.append(_commit_manifest_finding(output_dir, path))
    for path in _matching(compaction_manifest_pattern(output_dir)):
        inspection.manifests += 1
        finding, temps = _compaction_manifest_finding(output_dir, path)
        covered.update(_top_folder(root, temp) for temp in temps if temp.startswith(root + "/"))
        inspection.findings.append(finding)
    return covered


def _inspect_temp_folders(output_dir: str, covered: set[str], inspection: Inspection) -> None:
    root = temp_root(output_dir)
    newest_per_folder: dict[str, float] = {}
    for metadata in FileSystems.match([FileSystems.join(root, "**")])[0].metadata_list:
        folder = _top_folder(root, metadata.path)
        newest_per_folder[folder] = max(newest_per_folder.get(folder, 0.0), metadata.last_updated_in_seconds)
    inspection.temp_folders = len(newest_per_folder)
    for folder, newest in sorted(newest_per_folder.items()):
        if folder in covered:
            continue
        written = datetime.datetime.fromtimestamp(newest, datetime.timezone.utc).isoformat(timespec="seconds")
        problem = f"uncommitted files of a run that stopped before its commit (or is still writing; last written {written})"
        inspection.findings.append(Finding(FileSystems.join(root, folder), problem, Remedy.DISCARD_TEMP))


def _inspect_run_records(output_dir: str, inspection: Inspection) -> None:
    for path in _matching(run_records_pattern(output_dir)):
        inspection.run_records += 1
        try:
            _read_json(path)
        except ValueError as error:
            inspection.findings.append(Finding(path, f"run record cannot be parsed: {_first_line(error)}", Remedy.QUARANTINE))


def _inspect_state_files(output_dir: str, inspection: Inspection) -> None:
    """Damaged state files make no run fail, but a quarantined one is set right by the next writer."""
    feeds = validators.state_file(output_dir)
    if FileSystems.exists(feeds):
        inspection.state_files += 1
        _, problem = validators.read_checked(feeds)
        if problem is not None:
            inspection.findings.append(Finding(feeds, f"feed validators: {problem}", Remedy.QUARANTINE))
    holder = lock_holder_path(output_dir)
    if not FileSystems.exists(holder):
        return
    try:
        with FileSystems.open(holder, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            data = handle.read()
    except OSError:
        return  # its writer released the lock meanwhile
    inspection.state_files += 1
    if Holder.from_bytes(data) is None:
        inspection.findings.append(Finding(holder, "lock holder cannot be parsed as a writer writes it", Remedy.QUARANTINE))


def _commit_manifest_finding(output_dir: str, path: str) -> Finding:
    try:
        record = _read_json(path)
        moves = record["moves"]
        if not isinstance(record["run_id"], str) or not all(
            isinstance(move, list) and len(move) == 2 and all(isinstance(part, str) for part in move) for move in moves
        ):
            raise ValueError("run_id or moves are not as a commit writes them")
        moves = [(in_output(output_dir, temp), in_output(output_dir, final)) for temp, final in moves]
    except ForeignPath as error:
        problem = f"commit manifest names a file outside this output (moved or copied while interrupted?): {error}"
        return Finding(path, problem, Remedy.QUARANTINE_RUN_TEMP)
    except (ValueError, KeyError, TypeError) as error:
        problem = f"commit manifest cannot be parsed: {_first_line(error)}"
        return Finding(path, problem, Remedy.QUARANTINE_RUN_TEMP)
    lost = [final for temp, final in moves if not FileSystems.exists(temp) and not FileSystems.exists(final)]
    if lost:
        problem = f"commit manifest names {len(lost)} file(s) that exist neither in _temp nor in place, e.g. {lost[0]}"
        return Finding(path, problem, Remedy.QUARANTINE_RUN_TEMP)
    to_move = sum(1 for temp, _ in moves if FileSystems.exists(temp))
    problem = f"interrupted commit of run {record['run_id']}: {to_move} of {len(moves)} file(s) still to move in"
    return Finding(path, problem, Remedy.FINISH_COMMIT)


def _compaction_manifest_finding(output_dir: str, path: str) -> tuple[Finding, list[str]]:
    """The finding, and the temp paths of the files the manifest writes."""
    try:
        record = _read_json(path)
        pairs = record["writes"] if "writes" in record else [[record["temp"], record["merged"]]]
        replaces = record["replaces"]
        if not isinstance(replaces, list) or not isinstance(pairs, list) or not all(
            isinstance(pair, list) and len(pair) == 2 for pair in pairs
        ):
            raise ValueError("writes or replaces are not as a compaction writes them")
        if not all(isinstance(part, str) for part in (*[item for pair in pairs for item in pair], *replaces)):
            raise ValueError("writes or replaces are not as a compaction writes them")
        writes = [(in_output(output_dir, temp), in_output(output_dir, final)) for temp, final in pairs]
        replaces = [in_output(output_dir, original) for original in replaces]
    except ForeignPath as error:
        problem = f"compaction manifest names a file outside this output (moved or copied while interrupted?): {error}"
        return Finding(path, problem, Remedy.QUARANTINE), []
    except (ValueError, KeyError, TypeError) as error:
        problem = f"compaction manifest cannot be parsed: {_first_line(error)}"
        return Finding(path, problem, Remedy.QUARANTINE), []
    finals = ", ".join(final for _, final in writes)
    if all(FileSystems.exists(temp) or FileSystems.exists(final) for temp, final in writes):
        problem = f"interrupted compaction into {finals}"
    else:
        kept = sum(1 for original in replaces if FileSystems.exists(original))
        problem = (
            f"interrupted compaction whose written file(s) {finals} are not all in _temp or in place; "
            f"{kept} of the {len(replaces)} file(s) it replaces remain and are kept"
        )
    return Finding(path, problem, Remedy.FINISH_COMPACTION), [temp for temp, _ in writes]


def repair_output(output_dir: str, findings: list[Finding]) -> list[RepairOutcome]:
    """Repair what ``inspect_output`` found; one outcome per finding, in the same order.

    Call it while holding the output's lock: it finishes and discards what other writers left, as
    a writer does before it starts. Damaged files and manifests go to quarantine first, so that
    finishing the rest cannot stumble on them; temp folders are discarded only once every commit
    and compaction is settled. A finding already gone counts as repaired; a step that fails (a
    permission error, say) gives outcomes with ``repaired=False`` instead of raising.
    """
    outcomes: dict[Finding, RepairOutcome] = {}
    for finding in findings:
        if finding.remedy is Remedy.QUARANTINE:
            outcomes[finding] = _quarantine_file(output_dir, finding)
        elif finding.remedy is Remedy.QUARANTINE_RUN_TEMP:
            outcomes[finding] = _quarantine_run_temp(output_dir, finding)
        elif finding.remedy is Remedy.UPGRADE:
            outcomes[finding] = RepairOutcome(finding, "kept: `newsbeam compact --upgrade` moves it into an ingest_date partition", False)
    steps = (
        (Remedy.FINISH_COMMIT, recover_interrupted_runs),
        (Remedy.FINISH_COMPACTION, recover_compactions),
        (Remedy.DISCARD_TEMP, discard_unfinished_runs),
    )
    for remedy, step in steps:
        pending = [finding for finding in findings if finding.remedy is remedy]
        if not pending:
            continue
        if remedy is Remedy.DISCARD_TEMP and any(
            not outcome.repaired for outcome in outcomes.values() if outcome.finding.remedy in _SETTLES_TEMP
        ):
            kept = "not repaired: kept while an interrupted commit or compaction above is not settled"
            outcomes.update((finding, RepairOutcome(finding, kept, False)) for finding in pending)
            continue
        try:
            step(output_dir)
        except (OSError, ValueError, KeyError, TypeError) as error:
            failure = f"not repaired: cannot {remedy.value}: {_first_line(error)}"
            outcomes.update((finding, RepairOutcome(finding, failure, False)) for finding in pending)
            continue
        for finding in pending:
            if _still_there(finding):
                outcomes[finding] = RepairOutcome(finding, f"not repaired: still there after trying to {remedy.value}", False)
            else:
                outcomes[finding] = RepairOutcome(finding, _DONE[remedy], True)
    return [outcomes[finding] for finding in findings]


def _quarantine_file(output_dir: str, finding: Finding) -> RepairOutcome:
    if not FileSystems.exists(finding.path):
        return RepairOutcome(finding, "already gone", True)
    try:
        moved_to = move_to_quarantine(output_dir, finding.path)
    except OSError as error:
        return RepairOutcome(finding, f"not repaired: cannot move it to quarantine: {_first_line(error)}", False)
    return RepairOutcome(finding, f"moved to {relative_path(output_dir, moved_to)}", True)


def _quarantine_run_temp(output_dir: str, finding: Finding) -> RepairOutcome:
    """A commit that cannot be finished as written: its manifest and every uncommitted file of the
    run go to quarantine together, for a person to sort out; none of them is published."""
    folder = finding.path.rsplit("/", 1)[0]
    files = _matching(FileSystems.join(folder, "**"))
    if not files:
        return RepairOutcome(finding, "already gone", True)
    try:
        for path in files:
            move_to_quarantine(output_dir, path)
    except OSError as error:
        return RepairOutcome(finding, f"not repaired: cannot move the run's temp folder to quarantine: {_first_line(error)}", False)
    quarantined = FileSystems.join(QUARANTINE_FOLDER, relative_path(output_dir, folder))
    return RepairOutcome(finding, f"the run's temp folder ({len(files)} file(s)) moved to {quarantined}/", True)


def move_to_quarantine(output_dir: str, path: str) -> str:
    """Move ``path`` to ``OUTPUT/_quarantine/<its path relative to OUTPUT>``; returns the new path.

    Never replaces a file already in quarantine: the name gets ``.1``, ``.2``, ... before its
    extension instead. Raises OSError (Beam's BeamIOError) when the move fails.
    """
    target = quarantine_path(output_dir, relative_path(output_dir, path))
    folder, name = target.rsplit("/", 1)
    stem, extension = posixpath.splitext(name)
    copy = 0
    while FileSystems.exists(target):
        copy += 1
        target = f"{folder}/{stem}.{copy}{extension}"
    if not FileSystems.exists(folder):
        FileSystems.mkdirs(folder)
    FileSystems.rename([path], [target])
    return target


def relative_path(output_dir: str, path: str) -> str:
    """``path`` without the ``OUTPUT/`` in front: ``articles/ingest_date=2026-01-01/r1-00000.parquet``."""
    prefix = output_dir.rstrip("/") + "/"
    if not path.startswith(prefix):
        raise ValueError(f"{path} is not inside {output_dir}")
    return path[len(prefix) :]


def _still_there(finding: Finding) -> bool:
    """The manifest exists, or the temp folder still holds files (empty local folders do not count)."""
    if finding.remedy is Remedy.DISCARD_TEMP:
        return bool(_matching(FileSystems.join(finding.path, "**")))
    return FileSystems.exists(finding.path)


def _matching(pattern: str) -> list[str]:
    return sorted(metadata.path for metadata in FileSystems.match([pattern])[0].metadata_list)


def _top_folder(root: str, path: str) -> str:
    return path[len(root) :].lstrip("/").split("/", 1)[0]


def _read_json(path: str) -> object:
    """The parsed file; raises ValueError when it is not JSON (or not UTF-8)."""
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        return json.loads(handle.read().decode("utf-8"))


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0]
