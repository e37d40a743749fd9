"""One ``HttpClient`` per worker process and settings, shared by every DoFn instance using it.

Runners run several instances of a DoFn in one process (one per thread). Politeness only holds if
they all go through the same per-host throttle and the same connection pools, so the client is
reference-counted here: built by the first ``acquire``, closed by the last ``release``.
"""

from __future__ import annotations

import threading

from transforms.fetch.client import FetchSettings, HttpClient

_lock = threading.Lock()
_clients: dict[FetchSettings, tuple[HttpClient, int]] = {}


def acquire_client(settings: FetchSettings) -> HttpClient:
    """The process's client for ``settings``; pair every call with ``release_client``."""
    with _lock:
        client, users = _clients.get(settings, (None, 0))
        if client is None:
            client = HttpClient(settings)
        _clients[settings] = (client, users + 1)
        return client


def release_client(settings: FetchSettings) -> None:
    """Drop one user of the client for ``settings``; the last one closes it."""
    with _lock:
        client, users = _clients[settings]
        if users > 1:
            _clients[settings] = (client, users - 1)
            return
        del _clients[settings]
    client.close()
