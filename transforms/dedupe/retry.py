"""Which failed article URLs a run does not fetch again (plain functions, no Beam).

A URL whose latest failure was permanent (``schemas.errors.is_permanent_failure``) is held back for
a while, so a scheduled job neither asks the server again nor records the same 404 on every run.
Feeds are never held back: a feed is read again on every run, whatever happened to it before.
"""

from __future__ import annotations

import datetime
from typing import Any, Mapping, NamedTuple, Optional

from schemas.errors import is_permanent_failure

# Stages whose error rows are about one article page URL that a later run would fetch again.
PAGE_STAGES = frozenset({"fetch", "clean"})


class PageFailure(NamedTuple):
    """The latest failure recorded for one URL; ``max`` of several is the latest one."""

    occurred_at: datetime.datetime
    permanent: bool


def page_failure(row: Mapping[str, Any]) -> Optional[PageFailure]:
    """An ``errors`` row (stage, url, error_type, http_status, occurred_at) as a PageFailure, or
    None when it is not about fetching or cleaning an article page."""
    if row["stage"] not in PAGE_STAGES or not row["url"]:
        return None
    return PageFailure(row["occurred_at"], is_permanent_failure(row["error_type"], row["http_status"]))


def held_back(latest: PageFailure, retry_after: datetime.timedelta, now: datetime.datetime) -> bool:
    """A URL is not fetched while its latest failure is permanent and younger than ``retry_after``."""
    return latest.permanent and now - latest.occurred_at < retry_after
