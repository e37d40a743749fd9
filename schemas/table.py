"""What the Parquet writer and the SQL layer need to know about a table."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from schemas.versions import SCHEMA_VERSION

SCHEMA_VERSION_KEY = b"newsbeam.schema_version"
TABLE_NAME_KEY = b"newsbeam.table"
# Every table is partitioned by the UTC day its rows were added (GDELT's DATEADDED): append-only
# partitions, so a run writes a few files per table however old the articles it reads are.
PARTITION_COLUMN = "ingest_date"
UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class TableSpec:
    """A table: its full schema (``PARTITION_COLUMN`` last, a string ``YYYY-MM-DD`` in records and a
    DATE for readers), the columns rows are sorted by inside each file (so date filters skip row
    groups by their statistics), and how many rows one file holds at most."""

    name: str
    schema: pa.Schema
    sort_by: tuple[str, ...]
    # Above this many rows a partition's output of one run is split over several files.
    rows_per_file: int = 200_000

    @property
    def partition_column(self) -> str:
        return PARTITION_COLUMN

    @property
    def file_schema(self) -> pa.Schema:
        """The schema inside each Parquet file: the partition column lives in the folder name only
        (every value a reader needs is still in the file: the day derives from a UTC timestamp)."""
        index = self.schema.get_field_index(PARTITION_COLUMN)
        return self.schema.remove(index).with_metadata(
            {SCHEMA_VERSION_KEY: SCHEMA_VERSION.encode(), TABLE_NAME_KEY: self.name.encode()}
        )
