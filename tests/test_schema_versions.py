"""The schema-evolution rule: from version 4 on, a table's file schema only grows at its end.

``tests/fixtures/schema_history.json`` records each version's file columns (name, Arrow type,
nullable). A new version adds its record (``newsbeam schema --format json`` prints the columns) and
a line in ``schemas/versions.py``; the test then holds every later schema to the earlier prefix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas import TABLES
from schemas.versions import SCHEMA_CHANGES, SCHEMA_VERSION

HISTORY = json.loads((Path(__file__).parent / "fixtures" / "schema_history.json").read_text())


def columns(spec) -> list[list]:
    return [[field.name, str(field.type), field.nullable] for field in spec.file_schema]


def test_the_current_version_is_recorded_and_explained():
    assert SCHEMA_VERSION in HISTORY, "record the new version's columns in tests/fixtures/schema_history.json"
    assert list(SCHEMA_CHANGES) == [str(version) for version in range(1, int(SCHEMA_VERSION) + 1)]
    assert HISTORY[SCHEMA_VERSION] == {name: columns(spec) for name, spec in TABLES.items()}


@pytest.mark.parametrize("version", sorted(HISTORY, key=int))
def test_columns_are_only_ever_appended(version):
    for table, recorded in HISTORY[version].items():
        current = columns(TABLES[table])
        assert current[: len(recorded)] == recorded, f"{table}: version {version}'s columns must stay first, unchanged"
        added = current[len(recorded) :]
        assert all(nullable for _, _, nullable in added), f"{table}: a column added later must allow NULL (older files lack it)"


def test_every_table_is_partitioned_by_ingest_date_and_sorted_by_its_own_columns():
    for spec in TABLES.values():
        assert spec.schema.names[-1] == "ingest_date" and "ingest_date" not in spec.file_schema.names
        assert all(column in spec.file_schema.names for column in spec.sort_by)
