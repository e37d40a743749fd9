"""``newsbeam check``: name what is damaged or unfinished in an output; with ``--repair``, set it right.

Loads Beam only inside the functions: the command line builds every subcommand's parser
on each start, and commands like ``newsbeam code`` must start without loading Beam.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Optional

from pipeline.defaults import DEFAULT_OUTPUT
from pipeline.errors import UsageError

if TYPE_CHECKING:
    from transforms.sinks.quarantine import Inspection, RepairOutcome

EXIT_SOUND = 0
EXIT_PROBLEMS_REMAIN = 1


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    from pipeline.options import add_lock_timeout_argument, path_text

    parser.add_argument("--output", default=DEFAULT_OUTPUT, metavar="DIR", type=path_text, help=f"the output folder (default ./{DEFAULT_OUTPUT})")
    parser.add_argument(
        "--repair", action="store_true",
        help="move damaged files to OUTPUT/_quarantine/ (never deleting them), finish interrupted commits and "
        "compactions, discard files of runs that stopped before their commit",
    )
    add_lock_timeout_argument(parser)


def run_check(args: argparse.Namespace) -> int:
    """Print the report on stdout; returns 0 when the output is sound (or was repaired in full),
    1 when problems remain. Raises UsageError when the output is missing or not a newsbeam output,
    and (with ``--repair``) ``OutputLocked`` when another writer holds the output.

    Repair holds the output's lock. A plain check takes it too when it is free; while a run is
    writing, the check still reads everything settled and leaves that run's own files alone.
    """
    from pipeline.output import absolute_output
    from pipeline.output_lock import Holder, OutputLocked, acquire_output_lock
    from transforms.sinks.quarantine import inspect_output, repair_output

    output_dir = absolute_output(args.output)
    require_newsbeam_output(output_dir)
    active_writer = None
    try:
        lock = acquire_output_lock(output_dir, Holder(command="check --repair" if args.repair else "check", run_id=""), args.lock_timeout)
    except OutputLocked as locked:
        if args.repair:
            raise
        lock, active_writer = None, locked.holder
    try:
        inspection = inspect_output(output_dir)
        if active_writer is not None and active_writer.run_id:
            inspection.findings = [item for item in inspection.findings if not _belongs_to_run(output_dir, item.path, active_writer.run_id)]
        outcomes = repair_output(output_dir, inspection.findings) if args.repair else None
    finally:
        if lock is not None:
            lock.release()
    if active_writer is not None:
        print(f"(written meanwhile by {active_writer.describe()}: its files in progress were not checked)")
    print(format_report(output_dir, inspection, outcomes))
    if outcomes is None:
        return EXIT_PROBLEMS_REMAIN if inspection.findings else EXIT_SOUND
    return EXIT_SOUND if all(outcome.repaired for outcome in outcomes) else EXIT_PROBLEMS_REMAIN


def require_newsbeam_output(output_dir: str) -> None:
    """Raise UsageError unless ``output_dir`` exists and holds a newsbeam table, state or temp folder."""
    from apache_beam.io.filesystems import FileSystems

    from pipeline.output import require_existing_output
    from schemas import TABLES
    from transforms.sinks.layout import STATE_FOLDER, TEMP_FOLDER

    require_existing_output(output_dir)
    folders = [*TABLES, STATE_FOLDER, TEMP_FOLDER]
    if not any(result.metadata_list for result in FileSystems.match([FileSystems.join(output_dir, name, "**") for name in folders])):
        raise UsageError(f"{output_dir!r} is not a newsbeam output: no table file, manifest, temp folder or run record")


def _belongs_to_run(output_dir: str, path: str, run_id: str) -> bool:

    from transforms.sinks.layout import run_record_path, run_temp_folder

    return path.startswith(run_temp_folder(output_dir, run_id)) or path == run_record_path(output_dir, run_id)


def format_report(output_dir: str, inspection: Inspection, outcomes: Optional[list[RepairOutcome]]) -> str:
    """One line per finding (its path relative to the output, the problem, and with ``outcomes``
    what repair did), between a line saying what was looked at and a one-line total."""
    from transforms.sinks.quarantine import relative_path

    lines = [
        f"Checked {output_dir}: {inspection.table_files} table file(s), {inspection.manifests} manifest(s), "
        f"{inspection.temp_folders} temp folder(s), {inspection.run_records} run record(s), {inspection.state_files} state file(s)."
    ]
    for index, finding in enumerate(inspection.findings):
        line = f"  {relative_path(output_dir, finding.path)}: {finding.problem}"
        lines.append(line if outcomes is None else f"{line}\n      -> {outcomes[index].done}")
    found = len(inspection.findings)
    if found == 0:
        lines.append("No problems found.")
    elif outcomes is None:
        lines.append(f"{found} problem(s) found; `newsbeam check --repair` repairs them (damaged files are moved, never deleted).")
    else:
        repaired = sum(1 for outcome in outcomes if outcome.repaired)
        lines.append(f"{found} problem(s) found, {repaired} repaired, {found - repaired} remain.")
    return "\n".join(lines)
