"""Which contracts are still to be renewed: the one rule the card, the listings and the sweep share.

A contract whose end date has passed while it is still `active`, with no later contract on the
account, was neither renewed nor lost in the data: its renewal is overdue.
"""

from datetime import date

from sqlalchemy import ColumnElement, Table, and_, exists, select

from storage.tables import CONTRACTS


def superseded(contracts: Table = CONTRACTS) -> ColumnElement[bool]:
    """The account has a contract ending after this one: the renewal (or a new term) is recorded."""
    later = CONTRACTS.alias("later_contract")
    return exists(
        select(later.c.id).where(
            later.c.account_id == contracts.c.account_id, later.c.end_date > contracts.c.end_date
        )
    )


def overdue(today: date, contracts: Table = CONTRACTS) -> ColumnElement[bool]:
    """Active, ended before `today`, and not followed by another contract."""
    return and_(contracts.c.status == "active", contracts.c.end_date < today, ~superseded(contracts))
