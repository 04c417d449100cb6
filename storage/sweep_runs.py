"""Which days' sweeps finished (the catch-up at start and a new lease holder ask)."""

from datetime import date, datetime

from sqlalchemy import Engine, select

from storage.models import SweepRun
from storage.upsert import conflict_insert

RUNS = SweepRun.__table__  # type: ignore[attr-defined]


def mark_finished(engine: Engine, day: date, *, at: datetime) -> None:
    with engine.begin() as connection:
        connection.execute(
            conflict_insert(connection, RUNS)
            .values(day=day, finished_at=at)
            .on_conflict_do_nothing(index_elements=["day"])
        )


def finished(engine: Engine, day: date) -> bool:
    with engine.connect() as connection:
        return connection.scalar(select(RUNS.c.day).where(RUNS.c.day == day)) is not None
