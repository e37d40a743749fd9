"""Commit and compaction manifests: what a writer is about to move or replace, kept until done.

Paths inside a manifest are relative to the output folder, so an output that is moved or copied
while a manifest is pending is settled inside its new location. A path that points outside the
output (an absolute path, as older versions wrote, of another location) is never acted on: the
manifest is then left for ``newsbeam check --repair``, which moves it aside.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Optional

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

_LOGGER = logging.getLogger(__name__)


class ForeignPath(ValueError):
    """A manifest names a path outside the output being settled."""


def relative_to_output(output_dir: str, path: str) -> str:
    """``path`` as stored in a manifest: relative to the output folder."""
    prefix = output_dir.rstrip("/") + "/"
    if not path.startswith(prefix):
        raise ForeignPath(f"{path} is not inside {output_dir}")
    return path[len(prefix) :]


def in_output(output_dir: str, stored: str) -> str:
    """A path read from a manifest, resolved inside ``output_dir``; raises ForeignPath for a path
    that leads outside it (absolute elsewhere, or climbing out with '..')."""
    if not isinstance(stored, str) or not stored:
        raise ForeignPath(f"{stored!r} is not a path")
    if "://" in stored or stored.startswith("/"):
        relative_to_output(output_dir, stored)  # raises unless inside this output
        return stored
    if any(part == ".." for part in stored.split("/")):
        raise ForeignPath(f"{stored} leads out of {output_dir}")
    return FileSystems.join(output_dir, stored)


def write_manifest(path: str, record: dict[str, Any]) -> None:
    with FileSystems.create(path) as handle:
        handle.write(json.dumps(record, indent=1).encode("utf-8"))


def read_manifest(path: str) -> Optional[dict]:
    """A manifest's record, or None (with a warning) when it cannot be read: a damaged manifest is
    left for ``newsbeam check --repair`` and must not stop the writer that finds it."""
    try:
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            record = json.loads(handle.read().decode("utf-8"))
        if isinstance(record, dict):
            return record
    except (OSError, ValueError):
        pass
    _LOGGER.warning("cannot read manifest %s; left as it is (newsbeam check --repair moves it aside)", path)
    return None
