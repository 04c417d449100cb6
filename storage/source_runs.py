"""The record of each configured source's daily run: claimed before it starts, so one replica runs it
once a day, and finished with what came of it."""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update

from storage.models import SourceRun
from storage.upsert import conflict_insert

RUNS = SourceRun.__table__  # type: ignore[attr-defined]
# A run still marked running after this long died with its process: another may take it over.
STALE_AFTER = timedelta(hours=1)


def claim(engine: Engine, source: str, day: date, *, now: datetime) -> int | None:
    """The run's id when this process is to run `source` for `day`; None when it ran (or runs) already."""
    with engine.begin() as connection:
        inserted = connection.execute(
            conflict_insert(connection, RUNS)
            .on_conflict_do_nothing(index_elements=["source", "day"])
            .returning(RUNS.c.id),
            [{"source": source, "day": day, "started_at": now, "status": "running"}],
        ).all()
        if inserted:
            return int(inserted[0][0])
        taken = connection.execute(
            update(RUNS)
            .where(
                RUNS.c.source == source,
                RUNS.c.day == day,
                RUNS.c.status == "running",
                RUNS.c.started_at < now - STALE_AFTER,
            )
            .values(started_at=now)
            .returning(RUNS.c.id)
        ).all()
        return int(taken[0][0]) if taken else None


def finish(engine: Engine, run_id: int, **outcome: Any) -> None:
    """`status` ("ok" or "failed") and the counts, seconds and error of the run."""
    with engine.begin() as connection:
        connection.execute(update(RUNS).where(RUNS.c.id == run_id).values(**outcome))


def load(engine: Engine, run_id: int) -> dict[str, Any] | None:
    with engine.connect() as connection:
        row = connection.execute(select(RUNS).where(RUNS.c.id == run_id)).mappings().first()
    return dict(row) if row else None
