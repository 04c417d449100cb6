"""INSERT … ON CONFLICT for both SQLite and PostgreSQL."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine


def conflict_insert(bind: Connection | Engine, table: Table) -> Any:
    """An INSERT that takes `.on_conflict_do_nothing()` / `.on_conflict_do_update()` on either database:
    the one way csbot writes rows that may already be there."""
    dialects = {"sqlite": sqlite, "postgresql": postgresql}
    if bind.dialect.name not in dialects:
        raise NotImplementedError(f"csbot stores its data in SQLite or PostgreSQL, not {bind.dialect.name}")
    return dialects[bind.dialect.name].insert(table)


def upsert_rows(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], *, key: Sequence[str]
) -> None:
    """Insert `rows`, updating every non-key column of a row whose `key` columns already exist."""
    if not rows:
        return
    statement = conflict_insert(connection, table)
    updated = {c: statement.excluded[c] for c in rows[0] if c not in key}
    statement = statement.on_conflict_do_update(index_elements=list(key), set_=updated)
    connection.execute(statement, list(rows))
