"""Who opened the Home tab, and when (the latest time only)."""

from datetime import datetime

from sqlalchemy import Engine, select

from storage.models import HomeVisit
from storage.upsert import upsert_rows

VISITS = HomeVisit.__table__  # type: ignore[attr-defined]


def record(engine: Engine, slack_user_id: str, at: datetime) -> None:
    with engine.begin() as connection:
        upsert_rows(
            connection, VISITS, [{"slack_user_id": slack_user_id, "opened_at": at}], key=("slack_user_id",)
        )


def opened_since(engine: Engine, since: datetime) -> list[str]:
    with engine.connect() as connection:
        return list(
            connection.scalars(
                select(VISITS.c.slack_user_id)
                .where(VISITS.c.opened_at >= since)
                .order_by(VISITS.c.slack_user_id)
            )
        )
