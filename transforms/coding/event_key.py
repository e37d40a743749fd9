"""The key of the real-world event a coded mention reports (``events.event_key``).

Rows with one key are reports of one event, whatever article, outlet or run they come from, so
``group by event_key`` counts mentions, articles and sources over the whole output (the
``event_summary`` view). The key is a hash of exactly these fields, each as the events table holds it:

- ``event_date``: the day the event happened as the coder dates it from the text ("on Tuesday",
  "yesterday" count back from the article's date), exactly, with no tolerance. A later report that
  names the day gets the same key; one that does not (and so takes its own publication day) gets
  another. A tolerance of a day or two cannot be part of a per-row hash without buckets, and a bucket
  splits two reports lying either side of its edge, however close, while a sliding window would make
  a row's key depend on other rows, so it would change as data arrives: the key would no longer be
  stable. One exact day is the simple rule with a known failure (a follow-up without a date).
- ``actor1_code`` and ``actor2_code``: the full CAMEO actor codes ("KENCOP", "USAGOV"); a missing actor
  is an empty field.
- ``event_base_code``: the three-digit CAMEO base code ("193", not "1932"), so one outlet's "fought
  with small arms" and another's "fought" meet.
- the place at ADM1 level: the action's ISO country and ADM1 code (a city counts as its ADM1: two
  reports naming Mombasa and Kilifi town do not meet, two naming Mombasa and "the coast province"
  do); empty when the sentence names no place, so a report that names one and a report that does
  not are two keys.

A mention must name two of actor 1, actor 2 and place to identify an event at all: "the US Navy said"
(one actor, no target, no place) fits every statement the Navy makes that day, so such a mention is
keyed by its own ``event_id`` and stays an event of one mention rather than merging with others.

The hash is the first 32 hex digits of SHA-256 over the fields (unit-separated), behind a version
tag, so a change of the rule can never make an old and a new key collide.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Optional

KEY_VERSION = "k1"


def event_key(
    event_id: str,
    event_date: datetime.date,
    actor1_code: Optional[str],
    actor2_code: Optional[str],
    event_base_code: str,
    country_code: Optional[str],
    adm1_code: Optional[str],
) -> str:
    """32 lower-case hex digits naming the real-world event; see the module docstring for the rule.

    ``event_id`` is the mention's own id, the key of a mention too vague to identify an event."""
    if sum(bool(field) for field in (actor1_code, actor2_code, country_code)) < 2:
        return _hash((KEY_VERSION, "mention", event_id))
    return _hash((
        KEY_VERSION,
        event_date.isoformat(),
        actor1_code or "",
        actor2_code or "",
        event_base_code,
        country_code or "",
        adm1_code or "",
    ))  # fmt: skip


def _hash(parts: tuple[str, ...]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
