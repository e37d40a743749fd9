"""What the Parquet writer and the SQL layer need to know about a table."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

# Bumped whenever a column is added, removed or changes type; written into every file's metadata.
# 2 added articles.published_local_date; 3 added errors.run_id.
SCHEMA_VERSION = "3"
SCHEMA_VERSION_KEY = b"newsbeam.schema_version"
TABLE_NAME_KEY = b"newsbeam.table"


@dataclass(frozen=True)
class TableSpec:
    """A table: its full schema (partition column included) and its hive partition column."""

    name: str
    schema: pa.Schema
    partition_column: str
    # Above this many rows a partition's output of one run is split over several files.
    rows_per_file: int = 200_000

    @property
    def file_schema(self) -> pa.Schema:
        """The schema inside each Parquet file: the partition column lives in the folder name only."""
        index = self.schema.get_field_index(self.partition_column)
        return self.schema.remove(index).with_metadata(
            {SCHEMA_VERSION_KEY: SCHEMA_VERSION.encode(), TABLE_NAME_KEY: self.name.encode()}
        )
