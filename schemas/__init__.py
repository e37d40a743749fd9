"""Table schemas and the typed records that flow between pipeline stages.

Each table module holds the pyarrow schema (the one source of truth for the table's columns) and the
record type that ends up in it. ``TABLES`` maps each table name to its description for the writer
and for ``newsbeam sql``.
"""

from schemas.articles import ARTICLES
from schemas.errors import ERRORS
from schemas.events import EVENTS
from schemas.table import TableSpec

TABLES: dict[str, TableSpec] = {spec.name: spec for spec in (ARTICLES, EVENTS, ERRORS)}

__all__ = ["ARTICLES", "ERRORS", "EVENTS", "TABLES", "TableSpec"]
