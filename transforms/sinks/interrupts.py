"""Ctrl-C and SIGTERM as exceptions the command can settle, and held back while files move.

``newsbeam`` turns SIGINT and SIGTERM into ``KeyboardInterrupt`` / ``Terminated`` raised in the main
thread and remembers which signal came: Beam wraps an exception raised inside a DoFn in one of its
own, so the command asks ``received()`` rather than trusting the exception's type. Beam's error log
of the wrapped interrupt is silenced at the same moment, so the user sees one line.

While a commit moves files into place (``held_back()``), an interrupt is only recorded and raised
when the moves are done, so the window in which a Ctrl-C leaves half a run visible is closed in the
process that runs the commit (the launcher itself with the default in-process runner). A second
interrupt during the moves is also held: the moves take milliseconds on a local disk.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from typing import Iterator, Optional


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler stopping the job), handled like Ctrl-C but with exit status 143."""


_received: list[int] = []
_holding = threading.Event()
_held: list[int] = []


def received() -> Optional[int]:
    """The signal number that interrupted this command, if one did."""
    return _received[0] if _received else None


def _raise_for(signum: int, _frame) -> None:
    if not _received:
        _received.append(signum)
    if _holding.is_set():
        _held.append(signum)  # raised by held_back() when the moves are done
        return
    _raise(signum)


def raise_if_received() -> None:
    """Raise the interrupt this command received if it has not ended the work yet: Beam logs and
    drops one raised in a DoFn's ``teardown`` (the end of a job), so a command running several jobs
    in turn (a local stream, one job per window) asks after each."""
    if _received:
        _raise(_received[0])


def _raise(signum: int) -> None:
    _silence_the_aftermath()
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _silence_the_aftermath() -> None:
    """Beam's threads log and raise their own view of the interrupt; the command says it in one line."""
    logging.disable(logging.CRITICAL)
    threading.excepthook = lambda _args: None


@contextlib.contextmanager
def interrupts_as_exceptions() -> Iterator[None]:
    """Install the handlers for the block (main thread only; elsewhere a no-op)."""
    _received.clear()
    try:
        previous = {signum: signal.signal(signum, _raise_for) for signum in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        logging.disable(logging.NOTSET)
        threading.excepthook = threading.__excepthook__


@contextlib.contextmanager
def held_back() -> Iterator[None]:
    """Run the block to its end even if an interrupt arrives; raise the interrupt afterwards."""
    _held.clear()
    _holding.set()
    try:
        yield
    finally:
        _holding.clear()
    if _held:
        signum = _held[0]
        _held.clear()
        _raise(signum)
