"""A bounded pool of fetch threads that always starts the job whose host is ready first.

Work usually arrives grouped by host (a feed lists one site's articles together). A plain thread
pool would put every thread to sleep on that one host's politeness delay; this scheduler keeps a
queue per host and hands a free thread the job whose host can be contacted soonest.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

from transforms.fetch.politeness import HostThrottle, Slot

T = TypeVar("T")

# How often idle threads look again when every waiting host has all its places taken.
_POLL_SECONDS = 0.05


class _Job(Generic[T]):
    __slots__ = ("run", "future")

    def __init__(self, run: Callable[[Slot | None], T]) -> None:
        self.run = run
        self.future: Future[T] = Future()


class PoliteScheduler:
    """Runs ``job(slot)`` callables on ``workers`` threads, host by host as politeness allows.

    A job submitted for a host receives the ``Slot`` reserved for it, to be used by its first
    request to that host; jobs without a host (local files, unparsable URLs) get None.
    """

    def __init__(self, throttle: HostThrottle, workers: int) -> None:
        self._throttle = throttle
        self._workers = max(1, workers)
        self._queues: dict[str | None, deque[_Job]] = {}
        self._condition = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._closed = False

    def submit(self, host: str | None, run: Callable[[Slot | None], T]) -> Future[T]:
        job: _Job[T] = _Job(run)
        with self._condition:
            if self._closed:
                raise RuntimeError("scheduler is closed")
            self._queues.setdefault(host, deque()).append(job)
            if len(self._threads) < self._workers:
                thread = threading.Thread(target=self._work, name="newsbeam-fetch", daemon=True)
                self._threads.append(thread)
                thread.start()
            self._condition.notify()
        return job.future

    def close(self) -> None:
        """Stop the threads after their current job; jobs not yet started are cancelled."""
        with self._condition:
            self._closed = True
            pending = [job for queue in self._queues.values() for job in queue]
            self._queues.clear()
            self._condition.notify_all()
        for job in pending:
            job.future.cancel()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join()

    def _pop(self, host: str | None) -> _Job:
        queue = self._queues[host]
        job = queue.popleft()
        if not queue:
            del self._queues[host]
        return job

    def _next_job(self) -> tuple[_Job, Slot | None] | None:
        """Block until some job may start; None once closed. Call without holding the lock."""
        with self._condition:
            while not self._closed:
                if None in self._queues:
                    return self._pop(None), None
                best_host: str | None = None
                best_time = float("inf")
                for host in self._queues:
                    ready = self._throttle.ready_at(host)
                    if ready is not None and ready < best_time:
                        best_host, best_time = host, ready
                now = self._throttle.now()
                if best_host is not None and best_time <= now:
                    return self._pop(best_host), self._throttle.reserve(best_host)
                wait = min(best_time - now, _POLL_SECONDS)
                self._condition.wait(timeout=wait)
        return None

    def _work(self) -> None:
        while (picked := self._next_job()) is not None:
            job, slot = picked
            if not job.future.set_running_or_notify_cancel():
                if slot is not None:
                    self._throttle.cancel(slot)
                continue
            try:
                job.future.set_result(job.run(slot))
            except BaseException as error:  # handed to whoever waits on the future
                job.future.set_exception(error)
