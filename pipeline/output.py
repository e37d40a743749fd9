"""The output location: checked before a run, and the paths every command agrees on."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlsplit

from apache_beam.io.filesystems import FileSystems

from pipeline.errors import UsageError
from transforms.sinks.layout import run_record_path, write_probe_path

GLOB_CHARACTERS = "*?[]"


def absolute_output(location: str) -> str:
    """Local paths become absolute (workers may start elsewhere); URLs like gs:// stay as given.

    Raises UsageError for a location with ``*``, ``?``, ``[`` or ``]``: Beam's FileSystems reads
    every path it matches as a glob pattern, so such an output could not be listed or cleaned up.
    """
    if any(character in location for character in GLOB_CHARACTERS):
        raise UsageError(f"output location {location!r} contains one of {GLOB_CHARACTERS} (read as a file pattern); choose another")
    if urlsplit(location).scheme in ("", "file"):
        return os.path.abspath(os.path.expanduser(location.removeprefix("file://")))
    return location.rstrip("/")


def require_existing_output(output_dir: str) -> None:
    """A maintenance command needs an output to work on; object stores have no folders to check."""
    if urlsplit(output_dir).scheme in ("", "file") and not os.path.isdir(output_dir):
        if os.path.exists(output_dir):
            raise UsageError(f"output location {output_dir!r} is a file, not a folder (give a run's --output folder)")
        raise UsageError(f"output folder {output_dir!r} does not exist (run `newsbeam run` first)")


def check_writable(output_dir: str, run_id: str) -> None:
    """Create the output folder if needed and prove a file can be written there, before any work."""
    probe = write_probe_path(output_dir, run_id)
    try:
        if urlsplit(output_dir).scheme in ("", "file") and os.path.exists(output_dir) and not os.path.isdir(output_dir):
            raise UsageError(f"output location {output_dir!r} is a file, not a folder")
        with FileSystems.create(probe) as handle:
            handle.write(b"newsbeam")
        FileSystems.delete([probe])
    except UsageError:
        raise
    except Exception as error:  # noqa: BLE001 - any filesystem failure means the same to the user
        first_line = (str(error).splitlines() or [type(error).__name__])[0]
        raise UsageError(f"cannot write to output location {output_dir!r}: {first_line}") from error


def write_run_record(output_dir: str, run_id: str, record: dict[str, Any]) -> str:
    """Keep what a run did under ``_state/runs/`` (never read by SQL); replaces the run's own
    ``running`` record written when it claimed the output."""
    path = run_record_path(output_dir, run_id)
    with FileSystems.create(path) as handle:
        handle.write(json.dumps(record, indent=2, sort_keys=True, default=str).encode("utf-8"))
    return path
