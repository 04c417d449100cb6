"""INSERT … ON CONFLICT DO UPDATE for both SQLite and PostgreSQL."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


def upsert_rows(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], *, key: Sequence[str]
) -> None:
    """Insert `rows`, updating every non-key column of a row whose `key` columns already exist."""
    if not rows:
        return
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    statement = dialect.insert(table)
    updated = {c: statement.excluded[c] for c in rows[0] if c not in key}
    statement = statement.on_conflict_do_update(index_elements=list(key), set_=updated)
    connection.execute(statement, list(rows))
