"""Customer channels linked to accounts, and when messages were posted in them (never what they said)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from storage.tables import ACCOUNTS, CHANNEL_LINKS, CHANNEL_MESSAGES
from storage.upsert import conflict_insert


@dataclass(frozen=True)
class LinkRow:
    channel_id: str
    account_id: int
    external_id: str
    account_name: str
    linked_by: str  # config | domain
    linked_at: datetime


def link(engine: Engine, channel_id: str, account_id: int, *, by: str, at: datetime) -> None:
    """Link the channel to the account; a channel linked already keeps its first link's time, and takes
    the new account and way (the configuration may move a channel to another account)."""
    statement = conflict_insert(engine, CHANNEL_LINKS).values(
        channel_id=channel_id, account_id=account_id, linked_by=by, linked_at=at
    )
    statement = statement.on_conflict_do_update(
        index_elements=["channel_id"],
        set_={"account_id": statement.excluded.account_id, "linked_by": statement.excluded.linked_by},
    )
    with engine.begin() as connection:
        connection.execute(statement)


def linked_account(engine: Engine, channel_id: str) -> int | None:
    with engine.connect() as connection:
        return connection.scalar(
            select(CHANNEL_LINKS.c.account_id).where(CHANNEL_LINKS.c.channel_id == channel_id)
        )


def links(engine: Engine) -> list[LinkRow]:
    """Every linked channel with its account, by account name."""
    statement = (
        select(
            CHANNEL_LINKS.c.channel_id,
            CHANNEL_LINKS.c.account_id,
            ACCOUNTS.c.external_id,
            ACCOUNTS.c.name,
            CHANNEL_LINKS.c.linked_by,
            CHANNEL_LINKS.c.linked_at,
        )
        .join(ACCOUNTS, ACCOUNTS.c.id == CHANNEL_LINKS.c.account_id)
        .order_by(ACCOUNTS.c.name, CHANNEL_LINKS.c.channel_id)
    )
    with engine.connect() as connection:
        return [LinkRow(*row) for row in connection.execute(statement)]


def accounts_by_domain(engine: Engine, domains: Collection[str]) -> dict[str, list[int]]:
    """Live accounts whose domain is one of these (lower case): domain → account ids."""
    found: dict[str, list[int]] = {}
    if not domains:
        return found
    with engine.connect() as connection:
        rows = connection.execute(
            select(func.lower(ACCOUNTS.c.domain), ACCOUNTS.c.id)
            .where(func.lower(ACCOUNTS.c.domain).in_(sorted(domains)), ACCOUNTS.c.status != "churned")
            .order_by(ACCOUNTS.c.id)
        )
        for domain, account_id in rows:
            found.setdefault(domain, []).append(account_id)
    return found


def record_message(
    engine: Engine, *, channel_id: str, ts: str, account_id: int, posted_at: datetime, from_customer: bool
) -> bool:
    """Remember that a message was posted; False when it was already (Slack retried the event, or sent
    it twice): each message counts once."""
    statement = (
        conflict_insert(engine, CHANNEL_MESSAGES)
        .values(
            channel_id=channel_id,
            ts=ts,
            account_id=account_id,
            posted_at=posted_at,
            from_customer=from_customer,
        )
        .on_conflict_do_nothing(index_elements=["channel_id", "ts"])
        .returning(CHANNEL_MESSAGES.c.id)
    )
    with engine.begin() as connection:
        return connection.execute(statement).first() is not None


def posts_since(engine: Engine, since: datetime) -> dict[int, list[tuple[datetime, bool]]]:
    """Each account's posts from `since` on, in time order: (posted at, from the customer)."""
    found: dict[int, list[tuple[datetime, bool]]] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                CHANNEL_MESSAGES.c.account_id, CHANNEL_MESSAGES.c.posted_at, CHANNEL_MESSAGES.c.from_customer
            )
            .where(CHANNEL_MESSAGES.c.posted_at >= since)
            .order_by(CHANNEL_MESSAGES.c.account_id, CHANNEL_MESSAGES.c.posted_at, CHANNEL_MESSAGES.c.id)
        )
        for account_id, posted_at, from_customer in rows:
            found.setdefault(account_id, []).append((posted_at, bool(from_customer)))
    return found


def last_customer_posts(engine: Engine, before: datetime) -> dict[int, datetime]:
    """Each account's latest post from the customer before `before`."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(CHANNEL_MESSAGES.c.account_id, func.max(CHANNEL_MESSAGES.c.posted_at))
            .where(CHANNEL_MESSAGES.c.from_customer.is_(True), CHANNEL_MESSAGES.c.posted_at < before)
            .group_by(CHANNEL_MESSAGES.c.account_id)
        )
        return {account_id: posted_at for account_id, posted_at in rows}


def linked_accounts(engine: Engine) -> dict[int, tuple[str, datetime]]:
    """Each live account with a linked channel: its external id, and since when its channels count (the
    first link, or the first message counted if that is earlier: a delayed event lands after it)."""
    first_post = (
        select(CHANNEL_MESSAGES.c.account_id, func.min(CHANNEL_MESSAGES.c.posted_at).label("at"))
        .group_by(CHANNEL_MESSAGES.c.account_id)
        .subquery()
    )
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                CHANNEL_LINKS.c.account_id,
                ACCOUNTS.c.external_id,
                func.min(CHANNEL_LINKS.c.linked_at),
                func.min(first_post.c.at),
            )
            .join(ACCOUNTS, ACCOUNTS.c.id == CHANNEL_LINKS.c.account_id)
            .outerjoin(first_post, first_post.c.account_id == CHANNEL_LINKS.c.account_id)
            .where(ACCOUNTS.c.status != "churned")
            .group_by(CHANNEL_LINKS.c.account_id, ACCOUNTS.c.external_id)
        )
        return {
            account_id: (external_id, min(linked_at, posted_at) if posted_at else linked_at)
            for account_id, external_id, linked_at, posted_at in rows
        }
