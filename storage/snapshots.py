"""Reads of stored health snapshots for listings: each account's newest, and its score on an earlier day."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, and_, func, select

from storage.tables import ACCOUNTS, SNAPSHOTS


@dataclass(frozen=True)
class SnapshotRow:
    account_id: int
    day: date
    score: float | None
    band: str
    measures: list[dict[str, Any]]


def _latest_days(today: date, account_ids: Sequence[int] | None = None) -> Any:
    """Per account, the day of its newest snapshot up to today."""
    statement = select(SNAPSHOTS.c.account_id, func.max(SNAPSHOTS.c.day).label("day")).where(
        SNAPSHOTS.c.day <= today
    )
    if account_ids is not None:
        statement = statement.where(SNAPSHOTS.c.account_id.in_(account_ids))
    return statement.group_by(SNAPSHOTS.c.account_id).subquery()


def latest_snapshots(engine: Engine, account_ids: Sequence[int], today: date) -> dict[int, SnapshotRow]:
    if not account_ids:
        return {}
    latest = _latest_days(today, account_ids)
    statement = select(
        SNAPSHOTS.c.account_id, SNAPSHOTS.c.day, SNAPSHOTS.c.score, SNAPSHOTS.c.band, SNAPSHOTS.c.measures
    ).join(latest, and_(SNAPSHOTS.c.account_id == latest.c.account_id, SNAPSHOTS.c.day == latest.c.day))
    with engine.connect() as connection:
        return {row.account_id: SnapshotRow(*row) for row in connection.execute(statement)}


def scores_on_or_before(
    engine: Engine, account_ids: Sequence[int], *, day: date, not_before: date
) -> dict[int, float | None]:
    """Each account's newest stored score between `not_before` and `day`: the trend's starting point."""
    if not account_ids:
        return {}
    newest = (
        select(SNAPSHOTS.c.account_id, func.max(SNAPSHOTS.c.day).label("day"))
        .where(SNAPSHOTS.c.account_id.in_(account_ids), SNAPSHOTS.c.day.between(not_before, day))
        .group_by(SNAPSHOTS.c.account_id)
        .subquery()
    )
    statement = select(SNAPSHOTS.c.account_id, SNAPSHOTS.c.score).join(
        newest, and_(SNAPSHOTS.c.account_id == newest.c.account_id, SNAPSHOTS.c.day == newest.c.day)
    )
    with engine.connect() as connection:
        return {account_id: score for account_id, score in connection.execute(statement)}


@dataclass(frozen=True)
class DaySnapshot:
    external_id: str
    name: str
    score: float | None
    band: str
    scorecard: str
    measures: list[dict[str, Any]]


def newest_snapshot_day(engine: Engine) -> date | None:
    with engine.connect() as connection:
        return connection.execute(select(func.max(SNAPSHOTS.c.day))).scalar()


def snapshots_of_day(engine: Engine, day: date) -> Iterator[DaySnapshot]:
    """Every account's snapshot of `day`, in external id order, streamed (a workspace may have 100,000)."""
    statement = (
        select(
            ACCOUNTS.c.external_id,
            ACCOUNTS.c.name,
            SNAPSHOTS.c.score,
            SNAPSHOTS.c.band,
            SNAPSHOTS.c.scorecard,
            SNAPSHOTS.c.measures,
        )
        .join(ACCOUNTS, ACCOUNTS.c.id == SNAPSHOTS.c.account_id)
        .where(SNAPSHOTS.c.day == day)
        .order_by(ACCOUNTS.c.external_id)
    )
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True).execute(statement)
        while rows := result.fetchmany(5_000):
            yield from (DaySnapshot(*row) for row in rows)
