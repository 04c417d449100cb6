"""Queries about accounts: loose lookup candidates and everything the health card shows."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, or_
from sqlmodel import Session, select

from storage.models import Account, AccountAlias, Contract, HealthSnapshot, TeamMember


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
    alias_ids = select(AccountAlias.account_id).where(AccountAlias.search_alias == normalised)
    statement = select(*_REF_COLUMNS).where(
        or_(
            Account.external_id == raw.strip(),
            Account.search_name == normalised,
            Account.domain == lowered,
            Account.id.in_(alias_ids),  # type: ignore[union-attr]
        )
    )
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
    """The raw rows behind one health card."""

    account: Account
    owners: dict[str, TeamMember]  # by email
    contract: Contract | None
    snapshots: list[HealthSnapshot]  # oldest first


def load_card_rows(engine: Engine, account_id: int, *, today: date, history_from: date) -> CardRows | None:
    with Session(engine, expire_on_commit=False) as session:
        account = session.get(Account, account_id)
        if account is None:
            return None
        emails = [e for e in (account.csm_email, account.ae_email, account.am_email) if e]
        owners = {
            member.email: member
            for member in session.exec(select(TeamMember).where(TeamMember.email.in_(emails)))  # type: ignore[attr-defined]
        }
        contract = session.exec(
            select(Contract)
            .where(Contract.account_id == account_id, Contract.end_date >= today, Contract.status == "active")
            .order_by(Contract.end_date)  # type: ignore[arg-type]
            .limit(1)
        ).first()
        snapshots = session.exec(
            select(HealthSnapshot)
            .where(HealthSnapshot.account_id == account_id, HealthSnapshot.day.between(history_from, today))  # type: ignore[attr-defined]
            .order_by(HealthSnapshot.day)  # type: ignore[arg-type]
        ).all()
        session.expunge_all()
    return CardRows(account=account, owners=owners, contract=contract, snapshots=list(snapshots))


def count_accounts(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(Account)) or 0)
