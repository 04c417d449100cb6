"""Queries behind at-risk alerts: today's scores against earlier ones, recent alerts, open alerts."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Connection, Date, Engine, and_, bindparam, func, select, update

from storage.contracts import overdue
from storage.owners import OWNER_COLUMNS, in_scope, total_rows
from storage.packed import exact, packed_columns, unpacked
from storage.tables import ACCOUNTS, ALERTS, CONTRACTS, SNAPSHOTS
from storage.upsert import conflict_insert


def scores_between(
    connection: Connection, first: date, last: date
) -> dict[int, tuple[date, float | None, str]]:
    """Each account's latest snapshot (day, score, band) in [first, last]."""
    # One JSON document, not a row per account (storage/packed.py); the database picks the latest.
    statement = _scores_statement(connection.dialect.name)
    packed = connection.execute(statement, {"first": first, "last": last}).scalar()
    ids, days, scores, bands = unpacked(packed, 4)
    return {
        account_id: (date.fromisoformat(day[:10]), None if score is None else float(score), band)
        for account_id, day, score, band in zip(ids, days, scores, bands, strict=True)
    }


@cache
def _scores_statement(dialect: str) -> Any:
    period = SNAPSHOTS.c.day.between(bindparam("first", type_=Date), bindparam("last", type_=Date))
    latest = (
        select(SNAPSHOTS.c.account_id, func.max(SNAPSHOTS.c.day).label("day"))
        .where(period)
        .group_by(SNAPSHOTS.c.account_id)
        .subquery("latest")
    )
    columns = [SNAPSHOTS.c.account_id, SNAPSHOTS.c.day, exact(SNAPSHOTS.c.score, dialect), SNAPSHOTS.c.band]
    return select(packed_columns(columns, dialect)).select_from(
        SNAPSHOTS.join(
            latest,
            and_(SNAPSHOTS.c.account_id == latest.c.account_id, SNAPSHOTS.c.day == latest.c.day),
        )
    )


def live_accounts(connection: Connection) -> set[int]:
    """Accounts that are not churned: the only ones alerts are raised for."""
    return set(connection.scalars(select(ACCOUNTS.c.id).where(ACCOUNTS.c.status != "churned")))


def accounts_for_alerts(connection: Connection, account_ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """Who is on these accounts and where their channel posts go (segment, region)."""
    wanted = sorted(set(account_ids))
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(wanted), 5000):
        rows = connection.execute(
            select(*OWNER_COLUMNS, ACCOUNTS.c.segment, ACCOUNTS.c.region).where(
                ACCOUNTS.c.id.in_(wanted[start : start + 5000])
            )
        )
        found |= {row.id: dict(row._mapping) for row in rows}
    return found


def next_renewals(connection: Connection, *, today: date, until: date) -> dict[int, date]:
    """The soonest active contract end per account, for accounts renewing by `until`."""
    soonest: dict[int, date] = {}
    rows = connection.execute(
        select(CONTRACTS.c.account_id, CONTRACTS.c.end_date).where(
            CONTRACTS.c.status == "active", CONTRACTS.c.end_date.between(today, until)
        )
    )
    for account_id, end_date in rows:
        if account_id not in soonest or end_date < soonest[account_id]:
            soonest[account_id] = end_date
    return soonest


def overdue_renewals(connection: Connection, *, today: date) -> set[int]:
    """Accounts with a contract that ended without being renewed or lost (storage/contracts.py)."""
    return set(connection.scalars(select(CONTRACTS.c.account_id).where(overdue(today)).distinct()))


def alerted_since(connection: Connection, since: date) -> set[int]:
    return set(connection.scalars(select(ALERTS.c.account_id).where(ALERTS.c.day >= since)))


def record_alerts(connection: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    statement = (
        conflict_insert(connection, ALERTS)
        .on_conflict_do_nothing(index_elements=["account_id", "day"])
        .returning(ALERTS.c.id, ALERTS.c.account_id)
    )
    return [dict(row._mapping) for row in connection.execute(statement, rows).all()]


def alerts_to_escalate(connection: Connection, *, raised_by: date) -> list[dict[str, Any]]:
    """Alerts nobody acknowledged, raised on or before `raised_by`, not escalated yet."""
    rows = connection.execute(
        select(ALERTS.c.id, ALERTS.c.account_id, ACCOUNTS.c.csm_email)
        .join(ACCOUNTS, ACCOUNTS.c.id == ALERTS.c.account_id)
        .where(
            ALERTS.c.acknowledged_on.is_(None),
            ALERTS.c.escalated_on.is_(None),
            ALERTS.c.day <= raised_by,
        )
        .order_by(ALERTS.c.id)
    )
    return [dict(row._mapping) for row in rows]


def mark_escalated(connection: Connection, alert_ids: list[int], day: date) -> None:
    if alert_ids:
        connection.execute(
            update(ALERTS)
            .where(ALERTS.c.id.in_(alert_ids), ALERTS.c.escalated_on.is_(None))
            .values(escalated_on=day)
        )


def alert_details(engine: Engine, ids: Sequence[int]) -> list[dict[str, Any]]:
    """What an alert message shows, in the order given, with the day's per-measure detail for drivers."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                ALERTS.c.id,
                ALERTS.c.account_id,
                ALERTS.c.day,
                ALERTS.c.score,
                ALERTS.c.band,
                ALERTS.c.reasons,
                ALERTS.c.acknowledged_by,
                ALERTS.c.acknowledged_on,
                ALERTS.c.escalated_on,
                ACCOUNTS.c.name.label("account_name"),
                ACCOUNTS.c.external_id,
                ACCOUNTS.c.csm_email,
                SNAPSHOTS.c.measures,
            )
            .join(ACCOUNTS, ACCOUNTS.c.id == ALERTS.c.account_id)
            .outerjoin(
                SNAPSHOTS, (SNAPSHOTS.c.account_id == ALERTS.c.account_id) & (SNAPSHOTS.c.day == ALERTS.c.day)
            )
            .where(ALERTS.c.id.in_(list(ids)))
        ).all()
    by_id = {row.id: dict(row._mapping) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def acknowledge(engine: Engine, alert_id: int, *, by: str, day: date) -> bool:
    with engine.begin() as connection:
        done = connection.execute(
            update(ALERTS)
            .where(ALERTS.c.id == alert_id, ALERTS.c.acknowledged_on.is_(None))
            .values(acknowledged_by=by, acknowledged_on=day)
        )
    return done.rowcount == 1


def at_risk_now(connection: Connection, *, day: date, alert_since: date) -> list[int]:
    """Accounts red on `day`, or with an alert since `alert_since` that nobody acknowledged."""
    red = connection.scalars(
        select(SNAPSHOTS.c.account_id)
        .join(ACCOUNTS, ACCOUNTS.c.id == SNAPSHOTS.c.account_id)
        .where(SNAPSHOTS.c.day == day, SNAPSHOTS.c.band == "red", ACCOUNTS.c.status != "churned")
    )
    open_alerts = connection.scalars(
        select(ALERTS.c.account_id).where(ALERTS.c.day >= alert_since, ALERTS.c.acknowledged_on.is_(None))
    )
    return sorted({*red, *open_alerts})


def summary_rows(engine: Engine, account_ids: Sequence[int], day: date) -> list[dict[str, Any]]:
    """Name, score and band on `day` of each account, worst score first."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                ACCOUNTS.c.id,
                ACCOUNTS.c.name.label("account_name"),
                ACCOUNTS.c.external_id,
                SNAPSHOTS.c.score,
                SNAPSHOTS.c.band,
            )
            .outerjoin(SNAPSHOTS, (SNAPSHOTS.c.account_id == ACCOUNTS.c.id) & (SNAPSHOTS.c.day == day))
            .where(ACCOUNTS.c.id.in_(list(account_ids)))
        ).all()
    found = [dict(row._mapping) for row in rows]
    return sorted(found, key=lambda r: (r["score"] is None, r["score"] or 0))


@dataclass(frozen=True)
class OpenAlert:
    """An alert nobody acknowledged yet, as the Home tab lists it."""

    id: int
    account_id: int
    account_name: str
    day: date
    score: float | None
    band: str
    reasons: list[str]


def open_alerts(
    engine: Engine, *, since: date, today: date, emails: Collection[str] | None, limit: int
) -> tuple[list[OpenAlert], int]:
    """Unacknowledged alerts raised in [since, today] on live accounts these people are on (every
    account when `emails` is None): newest first, at most `limit`, and how many there are."""
    statement = (
        select(
            ALERTS.c.id,
            ALERTS.c.account_id,
            ACCOUNTS.c.name,
            ALERTS.c.day,
            ALERTS.c.score,
            ALERTS.c.band,
            ALERTS.c.reasons,
        )
        .join(ACCOUNTS, ACCOUNTS.c.id == ALERTS.c.account_id)
        .where(
            ALERTS.c.day.between(since, today),
            ALERTS.c.acknowledged_on.is_(None),
            ACCOUNTS.c.status != "churned",
            in_scope(emails),
        )
    )
    with engine.connect() as connection:
        rows = connection.execute(
            statement.order_by(ALERTS.c.day.desc(), ALERTS.c.score, ALERTS.c.id).limit(limit)
        ).all()
    found = [OpenAlert(*row) for row in rows]
    return found, total_rows(engine, statement, found, limit=limit, offset=0)


def alert_account(engine: Engine, alert_id: int) -> int | None:
    """The account an alert was raised on, or None when there is no such alert."""
    with engine.connect() as connection:
        return connection.scalar(select(ALERTS.c.account_id).where(ALERTS.c.id == alert_id))
