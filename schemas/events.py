"""The ``events`` table: CAMEO-coded who-did-what-to-whom events, GDELT-like."""

from __future__ import annotations

import datetime
from typing import NamedTuple, Optional

import pyarrow as pa

from schemas.table import PARTITION_COLUMN, UTC_TIMESTAMP, TableSpec


class CodedEvent(NamedTuple):
    """One event as the coder sees it: everything that comes from the text and its date.

    ``code_text`` returns these; the pipeline adds the article's identity to make an ``Event``.
    Codes are CAMEO strings with leading zeros (``"042"``, root ``"04"``); ``event_date`` is ISO.
    """

    sentence_index: int
    sentence: str
    actor1_code: Optional[str]
    actor1_name: Optional[str]
    actor1_country_code: Optional[str]
    actor1_type: Optional[str]
    actor2_code: Optional[str]
    actor2_name: Optional[str]
    actor2_country_code: Optional[str]
    actor2_type: Optional[str]
    event_code: str
    event_base_code: str
    event_root_code: str
    quad_class: int
    goldstein: float
    plover_type: Optional[str]
    is_root_event: bool
    action_geo_name: Optional[str]
    action_geo_country_code: Optional[str]
    action_geo_lat: Optional[float]
    action_geo_lon: Optional[float]
    confidence: float
    event_date: str


class Event(NamedTuple):
    """A row of the ``events`` table: a coded event tied to its article, stamped when it was added
    (``added_at``, UTC; ``ingest_date`` is its UTC day, the partition)."""

    event_id: str
    article_id: Optional[str]
    url: Optional[str]
    event_date: datetime.date
    sentence_index: int
    sentence: str
    actor1_code: Optional[str]
    actor1_name: Optional[str]
    actor1_country_code: Optional[str]
    actor1_type: Optional[str]
    actor2_code: Optional[str]
    actor2_name: Optional[str]
    actor2_country_code: Optional[str]
    actor2_type: Optional[str]
    event_code: str
    event_base_code: str
    event_root_code: str
    quad_class: int
    goldstein: float
    plover_type: Optional[str]
    is_root_event: bool
    action_geo_name: Optional[str]
    action_geo_country_code: Optional[str]
    action_geo_lat: Optional[float]
    action_geo_lon: Optional[float]
    confidence: float
    coder_version: str
    added_at: datetime.datetime
    ingest_date: str


EVENTS = TableSpec(
    name="events",
    sort_by=("event_date", "event_id"),
    schema=pa.schema(
        [
            pa.field("event_id", pa.string(), nullable=False),
            pa.field("article_id", pa.string()),
            pa.field("url", pa.string()),
            pa.field("event_date", pa.date32(), nullable=False),
            pa.field("sentence_index", pa.int32(), nullable=False),
            pa.field("sentence", pa.string(), nullable=False),
            pa.field("actor1_code", pa.string()),
            pa.field("actor1_name", pa.string()),
            pa.field("actor1_country_code", pa.string()),
            pa.field("actor1_type", pa.string()),
            pa.field("actor2_code", pa.string()),
            pa.field("actor2_name", pa.string()),
            pa.field("actor2_country_code", pa.string()),
            pa.field("actor2_type", pa.string()),
            pa.field("event_code", pa.string(), nullable=False),
            pa.field("event_base_code", pa.string(), nullable=False),
            pa.field("event_root_code", pa.string(), nullable=False),
            pa.field("quad_class", pa.int32(), nullable=False),
            pa.field("goldstein", pa.float64(), nullable=False),
            pa.field("plover_type", pa.string()),
            pa.field("is_root_event", pa.bool_(), nullable=False),
            pa.field("action_geo_name", pa.string()),
            pa.field("action_geo_country_code", pa.string()),
            pa.field("action_geo_lat", pa.float64()),
            pa.field("action_geo_lon", pa.float64()),
            pa.field("confidence", pa.float64(), nullable=False),
            pa.field("coder_version", pa.string(), nullable=False),
            pa.field("added_at", UTC_TIMESTAMP, nullable=False),
            pa.field(PARTITION_COLUMN, pa.string(), nullable=False),
        ]
    ),
)
