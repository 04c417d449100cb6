"""Queries behind renewal reminders: contracts coming up, reminders already recorded, people to tell."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from storage.packed import exact, packed_columns, unpacked
from storage.tables import ACCOUNTS, CONTRACTS, MEMBERS, REMINDERS, SNAPSHOTS
from storage.upsert import conflict_insert


@dataclass(frozen=True)
class UpcomingContract:
    contract_id: int
    account_id: int
    end_date: date
    auto_renew: bool
    notice_days: int | None
    snoozed_until: date | None
    arr: float
    segment: str | None
    region: str | None
    csm_email: str | None
    ae_email: str | None
    am_email: str | None
    expansion_potential: bool | None
    renewal_owner_email: str | None


def _upcoming(today: date, until: date) -> list[Any]:
    """Which contracts count as coming up: active, of an account not churned, ending in the period."""
    return [
        CONTRACTS.c.status == "active",
        ACCOUNTS.c.status != "churned",
        CONTRACTS.c.end_date.between(today, until),
    ]


def upcoming_contracts(connection: Connection, *, today: date, until: date) -> list[UpcomingContract]:
    """Active contracts of accounts that are not churned, ending between today and `until`, by id."""
    dialect = connection.dialect.name
    columns = [
        CONTRACTS.c.id,
        CONTRACTS.c.account_id,
        CONTRACTS.c.end_date,
        CONTRACTS.c.auto_renew,
        CONTRACTS.c.notice_days,
        CONTRACTS.c.snoozed_until,
        exact(ACCOUNTS.c.arr, dialect),
        ACCOUNTS.c.segment,
        ACCOUNTS.c.region,
        ACCOUNTS.c.csm_email,
        ACCOUNTS.c.ae_email,
        ACCOUNTS.c.am_email,
        ACCOUNTS.c.expansion_potential,
        ACCOUNTS.c.renewal_owner_email,
    ]
    # Every contract of a year and a half ahead: one JSON document, not a row each (storage/packed.py).
    packed = connection.execute(
        select(packed_columns(columns, dialect))
        .select_from(CONTRACTS.join(ACCOUNTS, ACCOUNTS.c.id == CONTRACTS.c.account_id))
        .where(*_upcoming(today, until))
    ).scalar()
    found = [
        UpcomingContract(
            contract_id=contract_id,
            account_id=account_id,
            end_date=date.fromisoformat(end_date[:10]),
            auto_renew=bool(auto_renew),
            notice_days=notice_days,
            snoozed_until=date.fromisoformat(snoozed_until[:10]) if snoozed_until else None,
            arr=float(arr),
            segment=segment,
            region=region,
            csm_email=csm_email,
            ae_email=ae_email,
            am_email=am_email,
            expansion_potential=None if expansion_potential is None else bool(expansion_potential),
            renewal_owner_email=renewal_owner_email,
        )
        for (
            contract_id,
            account_id,
            end_date,
            auto_renew,
            notice_days,
            snoozed_until,
            arr,
            segment,
            region,
            csm_email,
            ae_email,
            am_email,
            expansion_potential,
            renewal_owner_email,
        ) in zip(*unpacked(packed, len(columns)), strict=True)
    ]
    return sorted(found, key=lambda contract: contract.contract_id)


def recorded_windows(connection: Connection, *, today: date, until: date) -> dict[tuple[int, date], set[int]]:
    """Windows already recorded for the contracts `upcoming_contracts` finds, by (contract, target
    date): one statement and one JSON document, however many contracts (at a million, a list of their
    ids was most of the reminders' time, spent building the statements that carried it)."""
    dialect = connection.dialect.name
    columns = [REMINDERS.c.contract_id, REMINDERS.c.target_date, REMINDERS.c.window_days]
    packed = connection.execute(
        select(packed_columns(columns, dialect))
        .select_from(
            REMINDERS.join(CONTRACTS, CONTRACTS.c.id == REMINDERS.c.contract_id).join(
                ACCOUNTS, ACCOUNTS.c.id == CONTRACTS.c.account_id
            )
        )
        .where(*_upcoming(today, until))
    ).scalar()
    found: dict[tuple[int, date], set[int]] = defaultdict(set)
    for contract_id, target_date, window_days in zip(*unpacked(packed, len(columns)), strict=True):
        found[(contract_id, date.fromisoformat(target_date[:10]))].add(window_days)
    return found


def record_reminders(connection: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert reminders; return the ones this call inserted (a concurrent sweep may have won others)."""
    if not rows:
        return []
    statement = (
        conflict_insert(connection, REMINDERS)
        .on_conflict_do_nothing(index_elements=["contract_id", "target_date", "window_days"])
        .returning(REMINDERS.c.id, REMINDERS.c.contract_id, REMINDERS.c.target_date, REMINDERS.c.window_days)
    )
    inserted = connection.execute(statement, rows).all()
    return [dict(row._mapping) for row in inserted]


@dataclass(frozen=True)
class ReminderDetail:
    id: int
    contract_id: int
    account_id: int
    account_name: str
    external_id: str
    target_date: date
    end_date: date
    auto_renew: bool
    notice_days: int | None
    window_days: int
    arr: float
    owner_email: str | None
    owner_name: str | None
    rule: str
    handled: str | None
    handled_by: str | None
    contract_status: str
    score: float | None
    band: str | None


def reminder_details(engine: Engine, ids: Sequence[int]) -> list[ReminderDetail]:
    """What a reminder message shows, in the order given; the health is the newest snapshot's."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                REMINDERS.c.id,
                CONTRACTS.c.id,
                ACCOUNTS.c.id,
                ACCOUNTS.c.name,
                ACCOUNTS.c.external_id,
                REMINDERS.c.target_date,
                CONTRACTS.c.end_date,
                CONTRACTS.c.auto_renew,
                CONTRACTS.c.notice_days,
                REMINDERS.c.window_days,
                CONTRACTS.c.arr,
                REMINDERS.c.owner_email,
                MEMBERS.c.name,
                REMINDERS.c.rule,
                REMINDERS.c.handled,
                REMINDERS.c.handled_by,
                CONTRACTS.c.status,
            )
            .join(CONTRACTS, CONTRACTS.c.id == REMINDERS.c.contract_id)
            .join(ACCOUNTS, ACCOUNTS.c.id == CONTRACTS.c.account_id)
            .outerjoin(MEMBERS, MEMBERS.c.email == REMINDERS.c.owner_email)
            .where(REMINDERS.c.id.in_(list(ids)))
        ).all()
        health = latest_health(connection, [row[2] for row in rows])
    by_id = {row[0]: ReminderDetail(*row, *health.get(row[2], (None, None))) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def latest_health(connection: Connection, account_ids: Sequence[int]) -> dict[int, tuple[float | None, str]]:
    """Each account's newest snapshot (score, band)."""
    snapshots = SNAPSHOTS
    newest = (
        select(snapshots.c.account_id, func.max(snapshots.c.day).label("day"))
        .where(snapshots.c.account_id.in_(list(account_ids)))
        .group_by(snapshots.c.account_id)
        .subquery()
    )
    rows = connection.execute(
        select(snapshots.c.account_id, snapshots.c.score, snapshots.c.band).join(
            newest, (newest.c.account_id == snapshots.c.account_id) & (newest.c.day == snapshots.c.day)
        )
    )
    return {account_id: (score, band) for account_id, score, band in rows}


def apply_reminder_action(
    connection: Connection,
    reminder_id: int,
    values: dict[str, Any],
    *,
    contract: dict[str, Any],
    account: dict[str, Any],
) -> int | None:
    """Record what was done with a reminder and change its contract and account to match.

    Returns the account id, or None if the reminder does not exist (then nothing changes).
    """
    row = connection.execute(
        select(REMINDERS.c.contract_id, CONTRACTS.c.account_id)
        .join(CONTRACTS, CONTRACTS.c.id == REMINDERS.c.contract_id)
        .where(REMINDERS.c.id == reminder_id)
    ).first()
    if row is None:
        return None
    contract_id, account_id = row
    if contract:
        connection.execute(update(CONTRACTS).where(CONTRACTS.c.id == contract_id).values(**contract))
    if account:
        connection.execute(update(ACCOUNTS).where(ACCOUNTS.c.id == account_id).values(**account))
    connection.execute(update(REMINDERS).where(REMINDERS.c.id == reminder_id).values(**values))
    return int(account_id)
