"""Queries about accounts: loose lookup candidates and everything the health card shows."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, Row, func, or_, union
from sqlmodel import select

from storage.contracts import overdue
from storage.models import Account, AccountAlias
from storage.tables import ACCOUNTS, CONTRACTS, MOVEMENTS, SNAPSHOTS
from storage.team import Person, people_by_email


@dataclass(frozen=True)
class AccountRef:
    id: int
    external_id: str
    name: str
    search_name: str
    domain: str | None


_REF_COLUMNS = (Account.id, Account.external_id, Account.name, Account.search_name, Account.domain)


def _refs(rows: Sequence) -> list[AccountRef]:  # type: ignore[type-arg]
    return [AccountRef(*row) for row in rows]


def exact_matches(engine: Engine, *, raw: str, normalised: str) -> list[AccountRef]:
    """Accounts whose id, normalised name, alias or domain is exactly what was typed."""
    lowered = raw.strip().lower()
    # One lookup per way of naming an account, each by its own index, put together: as one OR with the
    # alias subquery, PostgreSQL read every account (a quarter of a second at a million).
    matching_ids = union(
        # Ids as typed in any case ("acc-0001"); an index on lower(external_id) serves it.
        select(Account.id).where(func.lower(Account.external_id) == lowered),
        select(Account.id).where(Account.search_name == normalised),
        select(Account.id).where(Account.domain == lowered),
        select(AccountAlias.account_id).where(AccountAlias.search_alias == normalised),
    )
    statement = select(*_REF_COLUMNS).where(Account.id.in_(matching_ids))  # type: ignore[union-attr]
    with engine.connect() as connection:
        return _refs(connection.execute(statement.limit(50)).all())


def partial_matches(engine: Engine, *, normalised: str, limit: int) -> list[AccountRef]:
    """Accounts whose normalised name, alias or domain contains the typed text."""
    alias_ids = select(AccountAlias.account_id).where(
        AccountAlias.search_alias.contains(normalised, autoescape=True)  # type: ignore[attr-defined]
    )
    statement = select(*_REF_COLUMNS).where(
        or_(
            Account.search_name.contains(normalised, autoescape=True),  # type: ignore[attr-defined]
            Account.domain.contains(normalised, autoescape=True),  # type: ignore[union-attr]
            Account.id.in_(alias_ids),  # type: ignore[union-attr]
        )
    )
    with engine.connect() as connection:
        return _refs(connection.execute(statement.order_by(Account.name).limit(limit)).all())


def all_search_names(engine: Engine) -> list[tuple[int, str, str]]:
    """(account id, display name, searchable text) for every account and alias: for "did you mean"."""
    with engine.connect() as connection:
        names = connection.execute(select(Account.id, Account.name, Account.search_name)).all()
        aliases = connection.execute(
            select(Account.id, Account.name, AccountAlias.search_alias).join(
                AccountAlias,
                AccountAlias.account_id == Account.id,  # type: ignore[arg-type]
            )
        ).all()
    return [tuple(row) for row in (*names, *aliases)]  # type: ignore[misc]


@dataclass(frozen=True)
class CardRows:
    """The raw rows behind one health card (rows read by attribute, e.g. `rows.account.name`)."""

    account: Row[Any]
    owners: dict[str, Person]  # team members by email
    contract: Row[Any] | None  # the next active contract to end, or the overdue one when none is ahead
    history: list[tuple[date, float | None]]  # (day, score), oldest first
    latest: Row[Any] | None  # the newest snapshot, with its per-measure detail
    churned_on: date | None = None  # the day of its last churn movement, for a churned account


def load_card_rows(engine: Engine, account_id: int, *, today: date, history_from: date) -> CardRows | None:
    # Plain Core reads on one connection: this runs on every /cs health, inside Slack's 3 seconds.
    with engine.connect() as connection:
        account = connection.execute(select(ACCOUNTS).where(ACCOUNTS.c.id == account_id)).first()
        if account is None:
            return None
        emails = [e for e in (account.csm_email, account.ae_email, account.am_email) if e]
        owners = people_by_email(connection, emails)
        contract = connection.execute(
            select(CONTRACTS)
            .where(
                CONTRACTS.c.account_id == account_id,
                CONTRACTS.c.end_date >= today,
                CONTRACTS.c.status == "active",
            )
            .order_by(CONTRACTS.c.end_date)
            .limit(1)
        ).first()
        if contract is None and account.status != "churned":
            contract = connection.execute(
                select(CONTRACTS)
                .where(CONTRACTS.c.account_id == account_id, overdue(today))
                .order_by(CONTRACTS.c.end_date.desc())
                .limit(1)
            ).first()
        churned_on = None
        if account.status == "churned":
            churned_on = connection.scalar(
                select(func.max(MOVEMENTS.c.moved_on)).where(
                    MOVEMENTS.c.account_id == account_id, MOVEMENTS.c.kind == "churn"
                )
            ) or connection.scalar(
                select(func.max(CONTRACTS.c.end_date)).where(CONTRACTS.c.account_id == account_id)
            )
        history = [
            (day, score)
            for day, score in connection.execute(
                select(SNAPSHOTS.c.day, SNAPSHOTS.c.score)
                .where(SNAPSHOTS.c.account_id == account_id, SNAPSHOTS.c.day.between(history_from, today))
                .order_by(SNAPSHOTS.c.day)
            )
        ]
        latest = None
        if history:
            latest = connection.execute(
                select(SNAPSHOTS).where(
                    SNAPSHOTS.c.account_id == account_id, SNAPSHOTS.c.day == history[-1][0]
                )
            ).first()
    return CardRows(
        account=account,
        owners=owners,
        contract=contract,
        history=history,
        latest=latest,
        churned_on=churned_on,
    )


def count_accounts(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(Account)) or 0)


def ids_by_external_id(engine: Engine, external_ids: Sequence[str]) -> dict[str, int]:
    """Lower-cased external id → the account's own id, for those that exist (case does not matter)."""
    wanted = sorted({external_id.strip().lower() for external_id in external_ids if external_id})
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            rows = connection.execute(
                select(func.lower(ACCOUNTS.c.external_id), ACCOUNTS.c.id).where(
                    func.lower(ACCOUNTS.c.external_id).in_(chunk)
                )
            )
            found.update({str(external): int(own) for external, own in rows})
    return found
