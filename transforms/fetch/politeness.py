"""Per-host politeness: a minimum delay between request starts and a cap on parallel requests.

One ``HostThrottle`` is shared by every thread of a client. A request first reserves a ``Slot``
(its start time, spaced ``delay`` after the host's previous one), sleeps until then, and holds one
of the host's parallel places while it runs. Servers can slow a host down further: robots.txt
with a crawl delay, a 429 or 503 with Retry-After.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Slot:
    """A reserved start time for one request to ``host``."""

    host: str
    start: float
    previous_next_start: float


@dataclass
class _HostState:
    delay: float
    next_start: float
    places: threading.BoundedSemaphore
    outstanding: int = 0
    last_start: float = float("-inf")


class HostThrottle:
    """Spaces and caps the requests to each host; thread-safe."""

    def __init__(
        self,
        min_delay: float,
        max_parallel: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_parallel < 1:
            raise ValueError("max_parallel must be at least 1")
        self.min_delay = max(0.0, min_delay)
        self.max_parallel = max_parallel
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._hosts: dict[str, _HostState] = {}

    def now(self) -> float:
        return self._clock()

    def _state(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = _HostState(
                delay=self.min_delay,
                next_start=self._clock(),
                places=threading.BoundedSemaphore(self.max_parallel),
            )
            self._hosts[host] = state
        return state

    def set_delay(self, host: str, delay: float) -> None:
        """Space requests to ``host`` by ``delay`` seconds, never less than the minimum."""
        with self._lock:
            self._state(host).delay = max(self.min_delay, delay)

    def delay(self, host: str) -> float:
        with self._lock:
            return self._state(host).delay

    def defer(self, host: str, seconds: float) -> None:
        """Start no new request to ``host`` for ``seconds`` (the host asked us to back off)."""
        with self._lock:
            state = self._state(host)
            state.next_start = max(state.next_start, self._clock() + seconds)

    def ready_at(self, host: str) -> float | None:
        """When a request to ``host`` could start, or None while all its places are reserved."""
        with self._lock:
            state = self._state(host)
            if state.outstanding >= self.max_parallel:
                return None
            return max(state.next_start, self._clock())

    def reserve(self, host: str) -> Slot:
        """Book the host's next start time; pair with ``turn`` (or ``cancel`` if unused)."""
        with self._lock:
            state = self._state(host)
            start = max(state.next_start, self._clock())
            slot = Slot(host=host, start=start, previous_next_start=state.next_start)
            state.next_start = start + state.delay
            state.outstanding += 1
            return slot

    def cancel(self, slot: Slot) -> None:
        """Give back a slot that was never used, so the host's schedule does not lose it."""
        with self._lock:
            state = self._state(slot.host)
            state.outstanding -= 1
            if state.next_start == slot.start + state.delay:
                state.next_start = slot.previous_next_start

    def _space_from_previous_start(self, host: str) -> None:
        # Reservations space the planned starts; this spaces the real ones, which can bunch up
        # when requests queued for a free place all get one at once.
        with self._lock:
            state = self._state(host)
            start = max(self._clock(), state.last_start + state.delay)
            state.last_start = start
            wait = start - self._clock()
        if wait > 0:
            self._sleep(wait)

    @contextmanager
    def turn(self, slot: Slot) -> Iterator[None]:
        """Wait for the slot's start time and a free place on its host, hold both while running."""
        with self._lock:
            places = self._state(slot.host).places
        try:
            wait = slot.start - self._clock()
            if wait > 0:
                self._sleep(wait)
            with places:
                self._space_from_previous_start(slot.host)
                yield
        finally:
            with self._lock:
                self._state(slot.host).outstanding -= 1
