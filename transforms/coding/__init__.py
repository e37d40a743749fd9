"""CAMEO event coding: plain Python, no Beam.

``Coder().code_text(text, date)`` returns ``schemas.events.CodedEvent`` records; ``code_text`` does
the same with a shared coder built on first use. ``cameo`` maps codes to QuadClass, Goldstein and
PLOVER. The Beam wrapper lives in ``code_events``.
"""

from __future__ import annotations

import threading
from typing import Optional

from schemas.events import CodedEvent
from transforms.coding.coder import CODER_VERSION, Coder
from transforms.coding.dates import DateLike

_shared_coder: Optional[Coder] = None
_shared_lock = threading.Lock()


def shared_coder() -> Coder:
    """The process-wide coder, built on first use (dictionaries load once)."""
    global _shared_coder
    with _shared_lock:
        if _shared_coder is None:
            _shared_coder = Coder()
        return _shared_coder


def code_text(text: str, date: DateLike = None) -> list[CodedEvent]:
    """Events in ``text`` dated from ``date`` (a date, an ISO string, or None for today, UTC)."""
    return shared_coder().code_text(text, date)


__all__ = ["CODER_VERSION", "Coder", "code_text", "shared_coder"]
