"""The README documents every column and every error type the code can produce."""

from pathlib import Path

from schemas import TABLES
from schemas.errors import ERROR_TYPES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_column_of_every_table_is_documented():
    missing = [
        f"{spec.name}.{column}" for spec in TABLES.values() for column in spec.schema.names if f"`{column}`" not in README
    ]
    assert missing == []


def test_every_error_type_is_documented_with_its_meaning():
    for error_type, meaning in ERROR_TYPES.items():
        assert f"| `{error_type}` | {meaning} |" in README
