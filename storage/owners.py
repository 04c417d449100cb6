"""Who is on an account, as the listings read it: its owners and renewal-ownership fields, and which
accounts a set of people are on.

`emails` narrows a listing to the accounts where one of these people is the CSM, the AE, the AM or
has taken the renewal over; None means every account (CS Ops sees the whole book).
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, func, or_, select, true

from storage.tables import ACCOUNTS


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


OWNER_COLUMNS = (
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


def in_scope(emails: Collection[str] | None) -> ColumnElement[bool]:
    if emails is None:
        return true()
    chosen = sorted(emails)
    return or_(
        ACCOUNTS.c.csm_email.in_(chosen),
        ACCOUNTS.c.ae_email.in_(chosen),
        ACCOUNTS.c.am_email.in_(chosen),
        ACCOUNTS.c.renewal_owner_email.in_(chosen),
    )


def count_rows(engine: Engine, statement: Select[Any]) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(statement.subquery())) or 0)


def total_rows(engine: Engine, statement: Select[Any], found: list[Any], *, limit: int, offset: int) -> int:
    """How many rows the whole listing has: known from the page itself unless it was full or skipped."""
    if offset == 0 and len(found) < limit:
        return len(found)
    return count_rows(engine, statement)


def owner_row(engine: Engine, account_id: int) -> OwnerRow | None:
    with engine.connect() as connection:
        row = connection.execute(select(*OWNER_COLUMNS).where(ACCOUNTS.c.id == account_id)).first()
    return OwnerRow(*row) if row else None
