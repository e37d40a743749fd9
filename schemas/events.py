"""The ``events`` table: CAMEO-coded who-did-what-to-whom events, GDELT-like.

Every column is declared once, in ``_IDENTITY``, ``_CODED``, ``_STAMPS``, ``_PLACE``, ``_REPORTS`` and
``_ACTOR_PLACES`` below (name, Arrow type, nullable, Python type); the coder's record (``CodedEvent``), the table's row
(``Event``) and the Parquet schema (``EVENTS``) are all built from those lists. Columns added after
version 4 come last in the file (``_PLACE``, ``_REPORTS``, ``_ACTOR_PLACES``: appended, nullable, with a default of None
in the records, so code written before them still builds rows).
"""

from __future__ import annotations

import datetime
from typing import NamedTuple, Optional

import pyarrow as pa

from schemas.table import PARTITION_COLUMN, UTC_TIMESTAMP, TableSpec


class Column(NamedTuple):
    name: str
    arrow_type: pa.DataType
    nullable: bool
    python_type: object


# Which article and day an event belongs to (the pipeline adds these to the coder's record).
_IDENTITY = (
    Column("event_id", pa.string(), False, str),
    Column("article_id", pa.string(), True, Optional[str]),
    Column("url", pa.string(), True, Optional[str]),
    Column("event_date", pa.date32(), False, datetime.date),
)
# What the coder reads from the text. Codes are CAMEO strings with leading zeros ("042", root "04").
_CODED = (
    Column("sentence_index", pa.int32(), False, int),
    Column("sentence", pa.string(), False, str),
    Column("actor1_code", pa.string(), True, Optional[str]),
    Column("actor1_name", pa.string(), True, Optional[str]),
    Column("actor1_country_code", pa.string(), True, Optional[str]),
    Column("actor1_type", pa.string(), True, Optional[str]),
    Column("actor2_code", pa.string(), True, Optional[str]),
    Column("actor2_name", pa.string(), True, Optional[str]),
    Column("actor2_country_code", pa.string(), True, Optional[str]),
    Column("actor2_type", pa.string(), True, Optional[str]),
    Column("event_code", pa.string(), False, str),
    Column("event_base_code", pa.string(), False, str),
    Column("event_root_code", pa.string(), False, str),
    Column("quad_class", pa.int32(), False, int),
    Column("goldstein", pa.float64(), False, float),
    Column("plover_type", pa.string(), True, Optional[str]),
    Column("is_root_event", pa.bool_(), False, bool),
    Column("action_geo_name", pa.string(), True, Optional[str]),
    Column("action_geo_country_code", pa.string(), True, Optional[str]),
    Column("action_geo_lat", pa.float64(), True, Optional[float]),
    Column("action_geo_lon", pa.float64(), True, Optional[float]),
    Column("confidence", pa.float64(), False, float),
)
# Which coder wrote the row and when (``ingest_date`` is ``added_at``'s UTC day, the partition).
_STAMPS = (
    Column("coder_version", pa.string(), False, str),
    Column("added_at", UTC_TIMESTAMP, False, datetime.datetime),
)
# Added in version 5. Where the action happened, as GDELT's ActionGeo_* columns name it: the GeoNames
# feature id, the feature type ("country", "ADM1" or "city"), the ADM1 code (FIPS 10-4 country code
# followed by the GeoNames admin1 code, "USCA", "KE02") and the FIPS 10-4 country code ("KE").
_PLACE = (
    Column("action_geo_feature_id", pa.int64(), True, Optional[int]),
    Column("action_geo_feature_type", pa.string(), True, Optional[str]),
    Column("action_geo_adm1_code", pa.string(), True, Optional[str]),
    Column("action_geo_fips_country_code", pa.string(), True, Optional[str]),
)
# Added in version 5. ``event_key``: the real-world event a row reports (transforms/coding/event_key.py;
# rows with one key are mentions of one event); ``tone``: its article's tone (articles.tone).
_REPORTS = (
    Column("event_key", pa.string(), True, Optional[str]),
    Column("tone", pa.float64(), True, Optional[float]),
)
# Added in version 6. Where each actor is from or stationed when its own phrase says so ("Kenyan police
# in Mombasa", "lawmakers from Texas"; transforms/coding/actor_places.py), as GDELT's Actor1Geo_* and
# Actor2Geo_* columns name it; the fields mean what the action_geo_* ones do.
_GEO_FIELDS = (
    ("name", pa.string(), Optional[str]),
    ("country_code", pa.string(), Optional[str]),
    ("lat", pa.float64(), Optional[float]),
    ("lon", pa.float64(), Optional[float]),
    ("feature_id", pa.int64(), Optional[int]),
    ("feature_type", pa.string(), Optional[str]),
    ("adm1_code", pa.string(), Optional[str]),
    ("fips_country_code", pa.string(), Optional[str]),
)
_ACTOR_PLACES = tuple(
    Column(f"{actor}_geo_{name}", arrow_type, True, python_type)
    for actor in ("actor1", "actor2")
    for name, arrow_type, python_type in _GEO_FIELDS
)
_PARTITION = (Column(PARTITION_COLUMN, pa.string(), False, str),)
_COLUMNS = _IDENTITY + _CODED + _STAMPS + _PLACE + _REPORTS + _ACTOR_PLACES + _PARTITION

CodedEvent = NamedTuple(  # type: ignore[misc]
    "CodedEvent",
    [(column.name, column.python_type) for column in _CODED]
    + [("event_date", str)]
    + [(column.name, column.python_type) for column in _PLACE + _ACTOR_PLACES],
)
CodedEvent.__new__.__defaults__ = (None,) * len(_PLACE + _ACTOR_PLACES)
CodedEvent.__doc__ = """One event as the coder sees it: everything that comes from the text and its date.

``code_text`` returns these; the pipeline adds the article's identity to make an ``Event``.
``event_date`` is an ISO date string here, a date in the table; the place columns default to None."""

Event = NamedTuple(  # type: ignore[misc]
    "Event",
    [
        (column.name, column.python_type)
        for column in _IDENTITY + _CODED + _STAMPS + _PARTITION + _PLACE + _REPORTS + _ACTOR_PLACES
    ],
)
Event.__new__.__defaults__ = (None,) * len(_PLACE + _REPORTS + _ACTOR_PLACES)
Event.__doc__ = """A row of the ``events`` table: a coded event tied to its article, stamped when it was
added (``added_at``, UTC; ``ingest_date`` is its UTC day, the partition)."""

EVENTS = TableSpec(
    name="events",
    sort_by=("event_date", "event_id"),
    schema=pa.schema([pa.field(column.name, column.arrow_type, nullable=column.nullable) for column in _COLUMNS]),
)
