"""Every schema version of the output tables and what it changed: the one list to read and extend.

The rule since version 4: a new column is only ever appended at the end of a table's file schema,
and no column changes type or name, so each version's columns begin with the previous version's and
every engine reading files of mixed versions by name (DuckDB ``union_by_name``, Spark
``mergeSchema``, polars and pyarrow given the union of the files' schemas: README) sees NULL for a
column a file lacks.
``newsbeam compact`` rewrites files of older versions to the current schema, so an output
converges; ``newsbeam compact --upgrade`` also moves events out of the version-3 ``event_date``
folders. ``tests/test_schema_versions.py`` holds the rule against recorded column lists.
"""

from __future__ import annotations

SCHEMA_VERSION = "6"

SCHEMA_CHANGES: dict[str, str] = {
    "1": "first release",
    "2": "articles.published_local_date (inserted after published_at)",
    "3": "errors.run_id",
    "4": (
        "events partitioned by ingest_date like the other tables; events.event_date is a DATE column "
        "in the file and events.added_at (UTC) is new; events.quad_class int8 -> int32 and "
        "events.goldstein, events.confidence float32 -> float64; articles.published_local_date moved last"
    ),
    "5": (
        "articles.tone, tone_positive, tone_negative, tone_polarity; events.action_geo_feature_id, "
        "action_geo_feature_type, action_geo_adm1_code, action_geo_fips_country_code, event_key, tone "
        "(all appended, nullable)"
    ),
    "6": (
        "events.actor1_geo_* and actor2_geo_* (name, country_code, lat, lon, feature_id, feature_type, "
        "adm1_code, fips_country_code): the place each actor's own phrase ties it to (appended, nullable)"
    ),
}
