"""robots.txt rules per origin, fetched once and cached, read as RFC 9309 says.

- 2xx: the file's rules (parsed by Protego: longest match, wildcards, crawl-delay, request-rate).
- 4xx other than 429: no usable file, everything is allowed.
- 429, 5xx: the site is unreachable for crawlers, everything is disallowed for a short while.
- network failures: not cached; the page that needed the rules fails with the same error.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

from protego import Protego

# RFC 9309 asks crawlers not to use a cached robots.txt for more than 24 hours.
RULES_TTL_SECONDS = 24 * 3600
# An unreachable robots.txt blocks the whole site, so look again soon.
UNREACHABLE_TTL_SECONDS = 600
# RFC 9309: crawlers must parse at least the first 500 KiB.
MAX_ROBOTS_BYTES = 512_000

NETWORK_ERROR_TYPES = frozenset({"timeout", "connection_error", "blocked_address"})


class RobotsResponse(NamedTuple):
    """What fetching ``/robots.txt`` gave: a status and body, or an error type."""

    status: int | None
    body: bytes
    error_type: str | None
    message: str


class RobotsUnavailable(Exception):
    """robots.txt could not be fetched for a network reason; carries the failed response."""

    def __init__(self, response: RobotsResponse) -> None:
        super().__init__(response.message)
        self.response = response


@dataclass(frozen=True)
class RobotsRules:
    """The rules of one origin. ``parser`` None means no file: everything allowed."""

    parser: Protego | None = None
    disallow_all: bool = False
    reason: str = ""
    # The robots.txt status (429, 5xx) when the refusal is only the site being unreachable for now:
    # carried into the error row, so that the URL counts as a transient failure and is retried.
    unreachable_status: int | None = None

    @property
    def sitemaps(self) -> list[str]:
        """The file's ``Sitemap:`` lines as written (possibly relative), in order."""
        return list(self.parser.sitemaps) if self.parser is not None else []

    def allows(self, url: str, agent: str) -> bool:
        if self.disallow_all:
            return False
        return self.parser is None or self.parser.can_fetch(url, agent)

    def delay(self, agent: str) -> float | None:
        """Seconds between requests the file asks for (Crawl-delay or Request-rate), if any."""
        if self.parser is None:
            return None
        delays = [self.parser.crawl_delay(agent)]
        rate = self.parser.request_rate(agent)
        if rate is not None and rate.requests:
            delays.append(rate.seconds / rate.requests)
        known = [float(d) for d in delays if d is not None]
        return max(known) if known else None


def rules_from_response(response: RobotsResponse) -> tuple[RobotsRules, float]:
    """The rules a robots.txt response means, and how long they may be cached."""
    if response.error_type in NETWORK_ERROR_TYPES:
        raise RobotsUnavailable(response)
    status = response.status
    if response.error_type is None and status is not None and 200 <= status < 300:
        parser = Protego.parse(response.body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace"))
        return RobotsRules(parser=parser), RULES_TTL_SECONDS
    if status is not None and (status == 429 or status >= 500):
        reason = f"robots.txt unreachable (HTTP {status}); the site is treated as disallowed"
        return RobotsRules(disallow_all=True, reason=reason, unreachable_status=status), UNREACHABLE_TTL_SECONDS
    return RobotsRules(reason="no robots.txt"), RULES_TTL_SECONDS


def robots_url(url: str) -> str:
    """The robots.txt URL of the origin (scheme, host, port) a URL belongs to."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.rsplit('@', 1)[-1].lower()}/robots.txt"


class RobotsCache:
    """Thread-safe cache of ``RobotsRules`` per origin; one fetch per origin at a time."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}
        self._entries: dict[str, tuple[RobotsRules, float]] = {}

    def _cached(self, key: str) -> RobotsRules | None:
        entry = self._entries.get(key)
        if entry is not None and entry[1] > self._clock():
            return entry[0]
        return None

    def rules_for(self, url: str, fetch: Callable[[str], RobotsResponse]) -> RobotsRules:
        """Rules of the URL's origin, fetched with ``fetch(robots_url)`` when not cached.

        Raises ``RobotsUnavailable`` on network failure.
        """
        key = robots_url(url)
        with self._lock:
            origin_lock = self._origin_locks.setdefault(key, threading.Lock())
        with origin_lock:
            with self._lock:
                cached = self._cached(key)
            if cached is not None:
                return cached
            rules, ttl = rules_from_response(fetch(key))
            with self._lock:
                self._entries[key] = (rules, self._clock() + ttl)
            return rules
