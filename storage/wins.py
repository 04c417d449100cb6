"""Customer wins: recorded from `/cs win` or the "Share as customer win" shortcut, told by the digest."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, Table, select

from storage.models import CustomerWin
from storage.tables import ACCOUNTS, MEMBERS
from storage.upsert import conflict_insert

WINS: Table = CustomerWin.__table__  # type: ignore[attr-defined]
SOURCE_KEY = ["source_channel", "source_ts", "account_id"]


@dataclass(frozen=True)
class WinRecord:
    id: int
    account_id: int
    story: str
    impact: str | None
    author_slack_user_id: str
    won_on: date
    source: str


@dataclass(frozen=True)
class WinView:
    id: int
    account_id: int
    account_name: str
    external_id: str
    story: str
    impact: str | None
    author_slack_user_id: str
    author_name: str | None  # the credited person's name on the team list, if they are on it
    recorded_by_slack_user_id: str
    won_on: date
    source: str


def record_win(
    engine: Engine,
    *,
    account_id: int,
    story: str,
    impact: str | None,
    author_slack_user_id: str,
    recorded_by_slack_user_id: str,
    won_on: date,
    created_at: datetime,
    source: str,
    source_channel: str | None = None,
    source_ts: str | None = None,
) -> WinRecord | None:
    """The new win, or None when this message was already recorded as a win for this account."""
    # ON CONFLICT rather than check-then-insert: two people sharing the same message at once record one win.
    statement = (
        conflict_insert(engine, WINS)
        .values(
            account_id=account_id,
            story=story,
            impact=impact,
            author_slack_user_id=author_slack_user_id,
            recorded_by_slack_user_id=recorded_by_slack_user_id,
            won_on=won_on,
            created_at=created_at,
            source=source,
            source_channel=source_channel,
            source_ts=source_ts,
        )
        .on_conflict_do_nothing(index_elements=SOURCE_KEY)
        .returning(WINS.c.id)
    )
    with engine.begin() as connection:
        new_id = connection.execute(statement).scalar()
    if new_id is None:
        return None
    return WinRecord(
        id=int(new_id),
        account_id=account_id,
        story=story,
        impact=impact,
        author_slack_user_id=author_slack_user_id,
        won_on=won_on,
        source=source,
    )


def wins_between(engine: Engine, first: date, last: date) -> list[WinView]:
    """Wins recorded from `first` to `last`, both included, oldest first."""
    statement = (
        select(
            WINS.c.id,
            WINS.c.account_id,
            ACCOUNTS.c.name,
            ACCOUNTS.c.external_id,
            WINS.c.story,
            WINS.c.impact,
            WINS.c.author_slack_user_id,
            MEMBERS.c.name,
            WINS.c.recorded_by_slack_user_id,
            WINS.c.won_on,
            WINS.c.source,
        )
        .join(ACCOUNTS, ACCOUNTS.c.id == WINS.c.account_id)
        .outerjoin(MEMBERS, MEMBERS.c.slack_user_id == WINS.c.author_slack_user_id)
        .where(WINS.c.won_on.between(first, last))
        .order_by(WINS.c.won_on, WINS.c.id)
    )
    with engine.connect() as connection:
        return [WinView(*row) for row in connection.execute(statement)]
