"""Where each CRM source's incremental read of each object resumes."""

from sqlalchemy import Engine, select

from storage.models import SourceCursor
from storage.upsert import upsert_rows

CURSORS = SourceCursor.__table__  # type: ignore[attr-defined]


def load(engine: Engine, source: str) -> dict[str, str]:
    """Stream → the modification time the next read starts from (absent: read everything)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(CURSORS.c.stream, CURSORS.c.modified_after).where(CURSORS.c.source == source)
        ).all()
    return {stream: after for stream, after in rows}


def save(engine: Engine, source: str, stream: str, modified_after: str) -> None:
    with engine.begin() as connection:
        upsert_rows(
            connection,
            CURSORS,
            [{"source": source, "stream": stream, "modified_after": modified_after}],
            key=("source", "stream"),
        )


def forget(engine: Engine, source: str) -> None:
    """The next run of `source` reads everything again (`csbot sync --full`)."""
    with engine.begin() as connection:
        connection.execute(CURSORS.delete().where(CURSORS.c.source == source))
