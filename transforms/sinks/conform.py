"""Rows of a file written with an older schema version, in the current schema of their table."""

from __future__ import annotations

import pyarrow as pa

from schemas.table import TableSpec


class CannotConform(ValueError):
    """A file lacks a column the current schema requires, or holds a value that does not fit."""


def conform(table: pa.Table, spec: TableSpec) -> pa.Table:
    """``table`` (any schema version of ``spec``'s table) -> ``spec.file_schema``, columns matched by
    name: a column the file lacks becomes NULL (every column added since version 1 may be NULL),
    a narrower type is widened (int8 -> int32; float32 -> float64 through the float32's shortest
    decimal form, so a Goldstein 5.2 stays 5.2, not 5.199999809), columns the current schema no
    longer has are dropped. Raises CannotConform for a missing required column or a lossy cast.
    """
    target = spec.file_schema
    columns = []
    for field in target:
        if field.name in table.column_names:
            column = table.column(field.name)
            try:
                columns.append(_converted(column, field.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
                raise CannotConform(f"column {field.name}: {column.type} does not convert to {field.type}: {error}") from error
        elif field.nullable:
            columns.append(pa.nulls(table.num_rows, field.type))
        else:
            raise CannotConform(f"the file has no {field.name} column, which {spec.name} requires")
    conformed = pa.Table.from_arrays(columns, schema=target)
    if any(conformed.column(field.name).null_count for field in target if not field.nullable):
        raise CannotConform(f"a required column of {spec.name} holds NULL values")
    return conformed


def _converted(column: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray:
    if column.type == target:
        return column
    if pa.types.is_float32(column.type) and pa.types.is_float64(target):
        # A float32 holds the decimal it was written from only approximately; its shortest text
        # form is that decimal, which float64 then holds as a fresh float64 writer would.
        return column.cast(pa.string()).cast(target)
    return column.cast(target, safe=True)
