"""The raw grammar cues of ``data/cues.json``, read once per process.

A leaf module (it imports nothing of the coder) so that the low-level modules (``text``, ``geo``,
``actions``) can take their word lists from the data file without importing the lexicon, which
imports them.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

CUES_FILE = Path(__file__).resolve().parent / "data" / "cues.json"


@functools.lru_cache(maxsize=None)
def read_cues(path: Path = CUES_FILE) -> dict:
    """The parsed cue file (shared: treat it as read-only)."""
    return json.loads(path.read_text(encoding="utf-8"))
