"""Reads behind the monthly digest's figures: a few aggregate queries per month, never one per account.

An account's ARR at the start of a day is its current ARR minus the deltas of its movements on or after
that day. The queries that roll ARR back read the accounts and the later movements as one UNION ALL
grouped by account: joining accounts to movements grouped by account leads SQLite to walk every movement
through the account index, several times slower than reading the recent ones by date.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Connection,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from storage.models import Milestone, MovementKind
from storage.tables import ACCOUNTS, CONTRACTS, MOVEMENTS, SNAPSHOTS

MILESTONES: Table = Milestone.__table__  # type: ignore[attr-defined]

# Summing float deltas can leave a churned account at ±1e-12 instead of 0: below half a cent an
# amount is noise, not a paying customer.
MIN_ARR = 0.005


def has_arr(amount: float) -> bool:
    return amount > MIN_ARR


@dataclass(frozen=True)
class CsmBook:
    """One CSM's accounts (by current `csm_email`; None = no CSM) at both ends of a month."""

    csm_email: str | None
    customers_at_start: int
    starting_arr: float
    customers_lost: int  # customers at the start with a churn movement in the month
    customers_at_end: int
    ending_arr: float


@dataclass(frozen=True)
class DueContract:
    id: int
    account_id: int
    end_date: date
    status: str
    auto_renew: bool


@dataclass(frozen=True)
class ContractStart:
    id: int
    account_id: int
    start_date: date


@dataclass(frozen=True)
class ScorePair:
    account_id: int
    external_id: str
    name: str
    before: float
    after: float


# (period, account id, movement kind, sum of ARR deltas): plain tuples, as there can be hundreds of thousands.
PeriodSum = tuple[int, int, str, float]


def books_by_csm(connection: Connection, first: date, after: date) -> list[CsmBook]:
    """Customers and ARR at the start of `first` and of `after` (the day after the month), per CSM."""
    moved = MOVEMENTS.c
    rows = union_all(
        select(
            ACCOUNTS.c.id.label("account_id"),
            ACCOUNTS.c.csm_email.label("csm_email"),
            ACCOUNTS.c.arr.label("at_start"),
            ACCOUNTS.c.arr.label("at_end"),
            literal(0).label("churned"),
        ),
        select(
            moved.account_id,
            cast(null(), String),
            -case((moved.moved_on >= first, moved.arr_delta), else_=literal(0.0)),
            -case((moved.moved_on >= after, moved.arr_delta), else_=literal(0.0)),
            case((and_(moved.kind == MovementKind.CHURN.value, moved.moved_on < after), 1), else_=0),
        ).where(moved.moved_on >= first),
    ).subquery()
    accounts = (
        select(
            func.max(rows.c.csm_email).label("csm_email"),
            func.sum(rows.c.at_start).label("at_start"),
            func.sum(rows.c.at_end).label("at_end"),
            func.max(rows.c.churned).label("churned"),
        )
        .group_by(rows.c.account_id)
        .subquery()
    )
    paying_at_start = accounts.c.at_start > MIN_ARR
    paying_at_end = accounts.c.at_end > MIN_ARR
    result = connection.execute(
        select(
            accounts.c.csm_email,
            func.sum(case((paying_at_start, 1), else_=0)).label("customers_at_start"),
            func.sum(case((paying_at_start, accounts.c.at_start), else_=0.0)).label("starting_arr"),
            func.sum(case((and_(paying_at_start, accounts.c.churned == 1), 1), else_=0)).label("lost"),
            func.sum(case((paying_at_end, 1), else_=0)).label("customers_at_end"),
            func.sum(case((paying_at_end, accounts.c.at_end), else_=0.0)).label("ending_arr"),
        )
        .where(or_(paying_at_start, paying_at_end))
        .group_by(accounts.c.csm_email)
    )
    return [
        CsmBook(
            csm_email=row.csm_email,
            customers_at_start=int(row.customers_at_start),
            starting_arr=float(row.starting_arr),
            customers_lost=int(row.lost),
            customers_at_end=int(row.customers_at_end),
            ending_arr=float(row.ending_arr),
        )
        for row in result
    ]


@dataclass(frozen=True)
class Cohort:
    """The customers paying at the start of a period, followed to its end."""

    customers: int
    starting_arr: float
    ending_arr: float  # what those same customers pay at the end (0 for those who left)
    kept_arr: float  # the same, each capped at what it paid at the start: growth does not hide losses


def cohort(connection: Connection, first: date, after: date) -> Cohort:
    """The customers paying at the start of `first`, and what they pay at the start of `after`."""
    moved = MOVEMENTS.c
    rows = union_all(
        select(
            ACCOUNTS.c.id.label("account_id"),
            ACCOUNTS.c.arr.label("at_start"),
            ACCOUNTS.c.arr.label("at_end"),
        ),
        select(
            moved.account_id,
            -moved.arr_delta,
            -case((moved.moved_on >= after, moved.arr_delta), else_=literal(0.0)),
        ).where(moved.moved_on >= first),
    ).subquery()
    accounts = (
        select(func.sum(rows.c.at_start).label("at_start"), func.sum(rows.c.at_end).label("at_end"))
        .group_by(rows.c.account_id)
        .subquery()
    )
    still = case((accounts.c.at_end > MIN_ARR, accounts.c.at_end), else_=0.0)
    row = connection.execute(
        select(
            func.count(),
            func.coalesce(func.sum(accounts.c.at_start), 0.0),
            func.coalesce(func.sum(still), 0.0),
            func.coalesce(
                func.sum(case((still < accounts.c.at_start, still), else_=accounts.c.at_start)), 0.0
            ),
        ).where(accounts.c.at_start > MIN_ARR)
    ).one()
    return Cohort(
        customers=int(row[0]), starting_arr=float(row[1]), ending_arr=float(row[2]), kept_arr=float(row[3])
    )


def first_data_day(connection: Connection) -> date | None:
    """The earliest day the data speaks of: an account's or a contract's start, a movement, a score."""
    earliest = [
        connection.scalar(select(func.min(column)))
        for column in (ACCOUNTS.c.start_date, CONTRACTS.c.start_date, MOVEMENTS.c.moved_on, SNAPSHOTS.c.day)
    ]
    found = [day for day in earliest if day is not None]
    return min(found) if found else None


def movement_totals(connection: Connection, first: date, last: date) -> dict[str, float]:
    """Sum of ARR deltas per movement kind, over movements dated `first` to `last` (both included)."""
    rows = connection.execute(
        select(MOVEMENTS.c.kind, func.sum(MOVEMENTS.c.arr_delta))
        .where(MOVEMENTS.c.moved_on.between(first, last))
        .group_by(MOVEMENTS.c.kind)
    )
    return {kind: float(total or 0.0) for kind, total in rows}


def current_arr(connection: Connection) -> dict[int, float]:
    return {
        account_id: float(arr)
        for account_id, arr in connection.execute(select(ACCOUNTS.c.id, ACCOUNTS.c.arr))
    }


def movements_by_period(connection: Connection, starts: Sequence[date]) -> list[PeriodSum]:
    """Movements on or after `starts[0]`, summed per period, account and kind. Period i holds the movements
    from `starts[i]` up to the day before `starts[i + 1]`; the last period is open-ended."""
    moved = MOVEMENTS.c
    # Later periods first, so the first boundary a movement reaches names its period.
    period = case(
        *((moved.moved_on >= start, literal(index)) for index, start in reversed(list(enumerate(starts)))),
        else_=literal(-1),
    )
    # Grouped outside a subquery: PostgreSQL would not see two bound copies of the CASE as one expression.
    # The period comes first so that SQLite reads the movements by date, not through the account index.
    dated = (
        select(period.label("period"), moved.account_id, moved.kind, moved.arr_delta)
        .where(moved.moved_on >= starts[0])
        .subquery()
    )
    rows = connection.execute(
        select(dated.c.period, dated.c.account_id, dated.c.kind, func.sum(dated.c.arr_delta)).group_by(
            dated.c.period, dated.c.account_id, dated.c.kind
        )
    ).all()
    return [(period, account_id, kind, float(delta)) for period, account_id, kind, delta in rows]


def contracts_ending(connection: Connection, first: date, last: date) -> list[DueContract]:
    c = CONTRACTS.c
    rows = connection.execute(
        select(c.id, c.account_id, c.end_date, c.status, c.auto_renew).where(c.end_date.between(first, last))
    )
    return [
        DueContract(row.id, row.account_id, row.end_date, row.status, bool(row.auto_renew)) for row in rows
    ]


def contracts_starting(
    connection: Connection, *, accounts_ending: tuple[date, date], starting: tuple[date, date]
) -> list[ContractStart]:
    """Contracts starting in the `starting` range, of accounts with a contract ending in `accounts_ending`."""
    c = CONTRACTS.c
    ending = select(c.account_id).where(c.end_date.between(*accounts_ending))
    rows = connection.execute(
        select(c.id, c.account_id, c.start_date).where(
            c.start_date.between(*starting), c.account_id.in_(ending)
        )
    )
    return [ContractStart(row.id, row.account_id, row.start_date) for row in rows]


def value_points_due(connection: Connection, first: date, last: date) -> tuple[int, int]:
    """(due, achieved on time) over the milestones due from `first` to `last`."""
    m = MILESTONES.c
    on_time = case((and_(m.achieved_date.is_not(None), m.achieved_date <= m.due_date), 1), else_=0)
    due, achieved = connection.execute(
        select(func.count(), func.coalesce(func.sum(on_time), 0)).where(m.due_date.between(first, last))
    ).one()
    return int(due), int(achieved)


def first_values(connection: Connection, first: date, last: date) -> list[tuple[date, date]]:
    """(start date, first value) of the accounts with a start date whose earliest achieved milestone falls
    from `first` to `last`."""
    m = MILESTONES.c
    achieved_then = select(m.account_id).where(m.achieved_date.between(first, last))
    earliest = (
        select(m.account_id, func.min(m.achieved_date).label("first_value"))
        .where(m.account_id.in_(achieved_then))
        .group_by(m.account_id)
        .subquery()
    )
    rows = connection.execute(
        select(ACCOUNTS.c.start_date, earliest.c.first_value)
        .join(earliest, earliest.c.account_id == ACCOUNTS.c.id)
        .where(earliest.c.first_value.between(first, last), ACCOUNTS.c.start_date.is_not(None))
    )
    return [(start_date, first_value) for start_date, first_value in rows]


def latest_snapshot_days(
    connection: Connection, *, within: tuple[date, date], up_to: date
) -> tuple[date | None, date | None]:
    """(the latest snapshot day in `within`, the latest snapshot day on or before `up_to`)."""
    day = SNAPSHOTS.c.day
    newest_within, newest_before = connection.execute(
        select(
            func.max(case((day.between(*within), day), else_=None)),
            func.max(case((day <= up_to, day), else_=None)),
        ).where(day <= max(within[1], up_to))
    ).one()
    return newest_within, newest_before


def band_counts(connection: Connection, days: Sequence[date]) -> dict[date, dict[str, int]]:
    """Number of snapshots per band on each of `days`."""
    counts: dict[date, dict[str, int]] = {day: {} for day in days}
    rows = connection.execute(
        select(SNAPSHOTS.c.day, SNAPSHOTS.c.band, func.count())
        .where(SNAPSHOTS.c.day.in_(list(days)))
        .group_by(SNAPSHOTS.c.day, SNAPSHOTS.c.band)
    )
    for day, band, count in rows:
        counts[day][band] = int(count)
    return counts


def biggest_score_changes(connection: Connection, before_day: date, day: date, top: int) -> list[ScorePair]:
    """Accounts not churned, scored on both days, whose change is among the `top` largest rises or falls,
    counting ties: every account tied with the last one kept is in, so the caller can break ties."""
    before = SNAPSHOTS.alias("before")
    after = SNAPSHOTS.alias("after")
    change = after.c.score - before.c.score
    pairs = (
        select(
            ACCOUNTS.c.id,
            ACCOUNTS.c.external_id,
            ACCOUNTS.c.name,
            before.c.score.label("before"),
            after.c.score.label("after"),
            func.rank().over(order_by=change.desc()).label("rise_rank"),
            func.rank().over(order_by=change).label("fall_rank"),
        )
        .join(after, after.c.account_id == ACCOUNTS.c.id)
        .join(before, before.c.account_id == ACCOUNTS.c.id)
        .where(
            after.c.day == day,
            before.c.day == before_day,
            after.c.score.is_not(None),
            before.c.score.is_not(None),
            # Unchanged scores are neither rises nor falls; left in, a mass of them would tie for a rank.
            after.c.score != before.c.score,
            ACCOUNTS.c.status != "churned",
        )
        .subquery()
    )
    rows = connection.execute(
        select(pairs.c.id, pairs.c.external_id, pairs.c.name, pairs.c.before, pairs.c.after).where(
            or_(pairs.c.rise_rank <= top, pairs.c.fall_rank <= top)
        )
    )
    return [ScorePair(id_, external_id, name, float(b), float(a)) for id_, external_id, name, b, a in rows]
