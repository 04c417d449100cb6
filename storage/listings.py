"""Queries behind `/cs owner`, `/cs renewals` and `/cs risks`: reads only, in Core, a few per command.

`emails` narrows a listing to the accounts where one of these people is the CSM, the AE, the AM or
has taken the renewal over; None means every account (CS Ops sees the whole book).
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, and_, func, or_, select, true

from storage.contracts import overdue
from storage.tables import ACCOUNTS, ALERTS, CONTRACTS, SNAPSHOTS


@dataclass(frozen=True)
class OwnerRow:
    """An account's facts that decide who owns its renewal and its expansion."""

    id: int
    external_id: str
    name: str
    arr: float
    csm_email: str | None
    ae_email: str | None
    am_email: str | None
    expansion_potential: bool | None
    renewal_owner_email: str | None
    status: str  # active | churned | paused


_OWNER_COLUMNS = (
    ACCOUNTS.c.id,
    ACCOUNTS.c.external_id,
    ACCOUNTS.c.name,
    ACCOUNTS.c.arr,
    ACCOUNTS.c.csm_email,
    ACCOUNTS.c.ae_email,
    ACCOUNTS.c.am_email,
    ACCOUNTS.c.expansion_potential,
    ACCOUNTS.c.renewal_owner_email,
    ACCOUNTS.c.status,
)


@dataclass(frozen=True)
class RenewalRow:
    account: OwnerRow
    contract_id: int
    end_date: date
    auto_renew: bool
    notice_days: int | None
    contract_arr: float


@dataclass(frozen=True)
class SnapshotRow:
    account_id: int
    day: date
    score: float | None
    band: str
    measures: list[dict[str, Any]]


@dataclass(frozen=True)
class RiskRow:
    account: OwnerRow
    score: float | None  # of the newest snapshot; None when never scored or scored without data
    band: str | None
    latest_open_alert: date | None  # the newest alert in the window nobody acknowledged
    flagged_at_risk_on: date | None


def _in_scope(emails: Collection[str] | None) -> ColumnElement[bool]:
    if emails is None:
        return true()
    chosen = sorted(emails)
    return or_(
        ACCOUNTS.c.csm_email.in_(chosen),
        ACCOUNTS.c.ae_email.in_(chosen),
        ACCOUNTS.c.am_email.in_(chosen),
        ACCOUNTS.c.renewal_owner_email.in_(chosen),
    )


def _count(engine: Engine, statement: Select[Any]) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(statement.subquery())) or 0)


def owner_row(engine: Engine, account_id: int) -> OwnerRow | None:
    with engine.connect() as connection:
        row = connection.execute(select(*_OWNER_COLUMNS).where(ACCOUNTS.c.id == account_id)).first()
    return OwnerRow(*row) if row else None


def upcoming_renewals(
    engine: Engine,
    *,
    today: date,
    until: date,
    emails: Collection[str] | None,
    limit: int,
    offset: int = 0,
) -> tuple[list[RenewalRow], int, int]:
    """Active contracts of live accounts ending between today and `until`, and those whose renewal is
    overdue (storage/contracts.py), oldest end first: at most `limit` of them after skipping `offset`,
    how many there are in all, and how many of all are overdue."""
    statement = (
        select(
            *_OWNER_COLUMNS,
            CONTRACTS.c.id.label("contract_id"),
            CONTRACTS.c.end_date,
            CONTRACTS.c.auto_renew,
            CONTRACTS.c.notice_days,
            CONTRACTS.c.arr.label("contract_arr"),
        )
        .join(CONTRACTS, CONTRACTS.c.account_id == ACCOUNTS.c.id)
        .where(
            CONTRACTS.c.status == "active",
            or_(CONTRACTS.c.end_date.between(today, until), overdue(today)),
            ACCOUNTS.c.status != "churned",
            _in_scope(emails),
        )
    )
    ordered = (
        statement.order_by(CONTRACTS.c.end_date, ACCOUNTS.c.name, CONTRACTS.c.id).offset(offset).limit(limit)
    )
    with engine.connect() as connection:
        rows = connection.execute(ordered).all()
    found = [
        RenewalRow(
            account=OwnerRow(*row[: len(_OWNER_COLUMNS)]),
            contract_id=row.contract_id,
            end_date=row.end_date,
            auto_renew=bool(row.auto_renew),
            notice_days=row.notice_days,
            contract_arr=row.contract_arr,
        )
        for row in rows
    ]
    total = _total(engine, statement, found, limit=limit, offset=offset)
    if offset == 0 and len(found) < limit:
        late = sum(1 for row in found if row.end_date < today)
    else:
        late = _count(engine, statement.where(CONTRACTS.c.end_date < today))
    return found, total, late


def _total(engine: Engine, statement: Select[Any], found: list[Any], *, limit: int, offset: int) -> int:
    """How many rows the whole listing has: known from the page itself unless it was full or skipped."""
    if offset == 0 and len(found) < limit:
        return len(found)
    return _count(engine, statement)


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


def at_risk_accounts(
    engine: Engine,
    *,
    today: date,
    worst_band: str,
    alerts_since: date,
    emails: Collection[str] | None,
    limit: int,
    offset: int = 0,
) -> tuple[list[RiskRow], int]:
    """Live accounts whose newest snapshot is in `worst_band`, or with an alert since `alerts_since`
    nobody acknowledged, or flagged at risk by hand: lowest score first (unscored last), at most
    `limit` of them, and how many there are in all."""
    # A correlated max per account: each is one seek in the (account_id, day) unique index, where a
    # grouped subquery joined back to the accounts made SQLite scan it once per account.
    newest_day = (
        select(func.max(SNAPSHOTS.c.day))
        .where(SNAPSHOTS.c.account_id == ACCOUNTS.c.id, SNAPSHOTS.c.day <= today)
        .correlate(ACCOUNTS)
        .scalar_subquery()
    )
    latest = SNAPSHOTS.alias("latest")
    open_alerts = (
        select(ALERTS.c.account_id, func.max(ALERTS.c.day).label("day"))
        .where(ALERTS.c.day.between(alerts_since, today), ALERTS.c.acknowledged_on.is_(None))
        .group_by(ALERTS.c.account_id)
        .subquery()
    )
    statement = (
        select(
            *_OWNER_COLUMNS,
            latest.c.score,
            latest.c.band,
            open_alerts.c.day.label("alert_day"),
            ACCOUNTS.c.flagged_at_risk_on,
        )
        .select_from(ACCOUNTS)
        .outerjoin(latest, and_(latest.c.account_id == ACCOUNTS.c.id, latest.c.day == newest_day))
        .outerjoin(open_alerts, open_alerts.c.account_id == ACCOUNTS.c.id)
        .where(
            ACCOUNTS.c.status != "churned",
            _in_scope(emails),
            or_(
                latest.c.band == worst_band,
                open_alerts.c.day.is_not(None),
                ACCOUNTS.c.flagged_at_risk_on.is_not(None),
            ),
        )
    )
    ordered = (
        statement.order_by(latest.c.score.is_(None), latest.c.score, ACCOUNTS.c.name, ACCOUNTS.c.id)
        .offset(offset)
        .limit(limit)
    )
    with engine.connect() as connection:
        rows = connection.execute(ordered).all()
    found = [
        RiskRow(
            account=OwnerRow(*row[: len(_OWNER_COLUMNS)]),
            score=row.score,
            band=row.band,
            latest_open_alert=row.alert_day,
            flagged_at_risk_on=row.flagged_at_risk_on,
        )
        for row in rows
    ]
    return found, _total(engine, statement, found, limit=limit, offset=offset)
