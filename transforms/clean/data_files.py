"""Reading the cleaner's tab-separated word files (``data/*.tsv``): one kind of entry per line."""

from __future__ import annotations

from pathlib import Path
from typing import Optional


def entries_by_kind(path: Path, separator: Optional[str] = None) -> dict[str, list[str]]:
    """``kind<TAB>value value ...`` lines -> {kind: [values]}, lines of one kind added up; blank lines
    and lines starting with ``#`` are skipped. Values are split on whitespace, or on ``separator``
    (then stripped, empty ones dropped) when values may hold spaces."""
    kinds: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, values = line.split("\t", 1)
            parts = values.split(separator) if separator else values.split()
            kinds.setdefault(kind, []).extend(part.strip() for part in parts if part.strip())
    return kinds
