"""Reading many rows as one JSON document of columns.

Python's database drivers hand rows over one at a time, and each row costs more in Python than the
database spent making it. For the nightly jobs' bulk reads (tens of thousands of rows) the database
packs the columns into one JSON text instead, decoded in C: the query then runs entirely inside the
driver's first call, which lets go of Python's interpreter lock meanwhile, so another thread can work.
"""

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Text, case, cast, func


def exact(column: Any, dialect: str) -> Any:
    """A real number as JSON will carry it without loss. PostgreSQL writes a double in its shortest exact
    form; SQLite's JSON would round it to 15 digits, so there it travels as text with 17 ("!": SQLite's
    printf stops at 16 without), which reads back as the very double stored."""
    if dialect == "postgresql":
        return column
    return case((column.is_(None), None), else_=func.printf("%!.17g", column))


def packed_columns(columns: Sequence[Any], dialect: str) -> Any:
    """The values of each column over the rows aggregated (a group, or all of them) as one JSON array
    of arrays, as text: `[[a1, a2, …], [b1, b2, …], …]`, the columns' entries in the same row order."""
    if dialect == "postgresql":
        return cast(func.json_build_array(*(func.json_agg(column) for column in columns)), Text)
    if dialect != "sqlite":
        raise NotImplementedError(f"csbot stores its data in SQLite or PostgreSQL, not {dialect}")
    return func.json_array(*(func.json_group_array(column) for column in columns))


def unpacked(packed: str | None, width: int) -> list[list[Any]]:
    """The `width` columns of a `packed_columns` result; empty ones when no row was aggregated (which
    PostgreSQL writes as nulls)."""
    columns = orjson.loads(packed) if packed else None
    if not columns:
        return [[] for _ in range(width)]
    return [column or [] for column in columns]
