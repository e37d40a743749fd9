"""When a failed request is worth repeating, and how long to wait first."""

from __future__ import annotations

import datetime
import random
from email.utils import parsedate_to_datetime

# 429 and server errors are usually transient; 501 and 505 say the server never will do this.
_PERMANENT_SERVER_STATUSES = frozenset({501, 505})


def is_retryable_status(status: int) -> bool:
    return status == 429 or (500 <= status <= 599 and status not in _PERMANENT_SERVER_STATUSES)


def parse_retry_after(value: str | None, now: datetime.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff after the ``attempt``-th failure (1-based), half of it jittered.

    The jitter keeps many workers that failed together from retrying together.
    """
    delay = min(cap, base * 2 ** (attempt - 1))
    return delay / 2 + random.uniform(0, delay / 2)
