"""The reads behind `/cs renewals`: active contracts ending soon, and those overdue, on a set of accounts."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, or_, select

from storage.contracts import overdue
from storage.owners import OWNER_COLUMNS, OwnerRow, count_rows, in_scope, total_rows
from storage.tables import ACCOUNTS, CONTRACTS


@dataclass(frozen=True)
class RenewalRow:
    account: OwnerRow
    contract_id: int
    end_date: date
    auto_renew: bool
    notice_days: int | None
    contract_arr: float


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
            *OWNER_COLUMNS,
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
            in_scope(emails),
        )
    )
    ordered = (
        statement.order_by(CONTRACTS.c.end_date, ACCOUNTS.c.name, CONTRACTS.c.id).offset(offset).limit(limit)
    )
    with engine.connect() as connection:
        rows = connection.execute(ordered).all()
    found = [
        RenewalRow(
            account=OwnerRow(*row[: len(OWNER_COLUMNS)]),
            contract_id=row.contract_id,
            end_date=row.end_date,
            auto_renew=bool(row.auto_renew),
            notice_days=row.notice_days,
            contract_arr=row.contract_arr,
        )
        for row in rows
    ]
    total = total_rows(engine, statement, found, limit=limit, offset=offset)
    if offset == 0 and len(found) < limit:
        late = sum(1 for row in found if row.end_date < today)
    else:
        late = count_rows(engine, statement.where(CONTRACTS.c.end_date < today))
    return found, total, late
