"""The figures a health score is made of, computed in SQL for a batch of accounts, and the snapshots
that keep the scores.

Storage knows nothing of scorecards or thresholds. It is asked for (metric, window) pairs and answers,
per account, with the count, sum and largest of the observations in the window and the last one;
for value points, with how many fell due in a window and how many of those were reached on time.
One grouped pass over the metric rows a batch needs, one over its value points.
"""

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)

from storage.models import HealthSnapshot, MetricObservation, Milestone
from storage.tables import ACCOUNTS
from storage.upsert import upsert_rows

OBSERVATIONS = MetricObservation.__table__  # type: ignore[attr-defined]
VALUE_POINTS = Milestone.__table__  # type: ignore[attr-defined]
SNAPSHOTS_TABLE = HealthSnapshot.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class MetricWindow:
    """Observations of `metric` in the `days` days ending on the scored day, that day included."""

    metric: str
    days: int
    last_value: bool = False  # also read the value of the last observation in the window


@dataclass(frozen=True, slots=True)
class WindowFigures:
    count: int
    total: float
    largest: float
    last_day: date
    last_value: float | None  # when asked for


@dataclass(frozen=True)
class ScoredAccount:
    id: int
    segment: str | None
    seats: int | None


@dataclass(frozen=True)
class ValuePoints:
    due: int  # value points due in the window
    on_time: int  # of those, reached by their due date


def accounts_to_score(connection: Connection) -> list[int]:
    """Every account that is not churned, by id."""
    return list(
        connection.scalars(
            select(ACCOUNTS.c.id).where(ACCOUNTS.c.status != "churned").order_by(ACCOUNTS.c.id)
        )
    )


def scored_accounts(connection: Connection, account_ids: Collection[int]) -> list[ScoredAccount]:
    rows = connection.execute(
        select(ACCOUNTS.c.id, ACCOUNTS.c.segment, ACCOUNTS.c.seats)
        .where(ACCOUNTS.c.id.in_(sorted(account_ids)))
        .order_by(ACCOUNTS.c.id)
    )
    return [ScoredAccount(*row) for row in rows]


def _first_day(day: date, days: int) -> date:
    return day - timedelta(days=days - 1)


def metric_figures(
    connection: Connection,
    windows: Collection[MetricWindow],
    *,
    day: date,
    first_id: int,
    last_id: int,
) -> dict[tuple[int, str, int], WindowFigures]:
    """(account id, metric, window days) → figures, for accounts `first_id` to `last_id`; a window without
    a row in it has no entry (no data, never zero)."""
    if not windows:
        return {}
    query = _figures_query(tuple(sorted(set(windows), key=lambda w: (w.metric, -w.days, w.last_value))))
    params = {"day": day, "first_id": first_id, "last_id": last_id}
    params |= {_start(days): _first_day(day, days) for days in query.window_days}
    figures: dict[tuple[int, str, int], WindowFigures] = {}
    for row in connection.execute(query.statement, params):
        account_id, metric = row[0], row[1]
        for slot, days in enumerate(query.windows_of[metric]):
            count, total, largest, last_day, last_value = row[2 + 5 * slot : 7 + 5 * slot]
            if count:
                figures[(account_id, metric, days)] = WindowFigures(
                    count, total, largest, _day(last_day), last_value
                )
    return figures


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value[:10])


def _start(days: int) -> str:
    return f"start_{days}"


@dataclass(frozen=True)
class _FiguresQuery:
    statement: Any
    windows_of: dict[str, list[int]]  # metric → its window lengths, longest first (the slot order)
    window_days: frozenset[int]


@cache
def _figures_query(windows: tuple[MetricWindow, ...]) -> _FiguresQuery:
    """The statement for a set of windows, built once: the day and the batch are bound parameters, so
    every day and batch reuses the statement SQLAlchemy compiled the first time."""
    by_metric: dict[str, list[MetricWindow]] = defaultdict(list)
    for window in windows:
        by_metric[window.metric].append(window)
    slots = max(len(ws) for ws in by_metric.values())
    # One statement for every metric (one round trip): each part reads its own metric's rows.
    parts = [_metric_statement(metric, ws, slots) for metric, ws in by_metric.items()]
    return _FiguresQuery(
        statement=union_all(*parts) if len(parts) > 1 else parts[0],
        windows_of={metric: [w.days for w in ws] for metric, ws in by_metric.items()},
        window_days=frozenset(w.days for w in windows),
    )


def _metric_statement(metric: str, windows: Sequence[MetricWindow], slots: int) -> Any:
    """One metric's figures per account. Accounts drive the join, so each (account, metric, first day)
    is one seek in the unique index and only the rows inside the window are read, in account order:
    no sort, and fewer rows than a scan of the period would touch."""
    rows = OBSERVATIONS.alias("observation")
    day = bindparam("day", type_=Date)
    selected: list[ColumnElement[Any]] = [ACCOUNTS.c.id, literal(metric, String).label("metric")]
    for slot, window in enumerate(windows):
        first = bindparam(_start(window.days), type_=Date)
        # The longest window bounds the rows read; a shorter one of the same metric counts a part of them.
        inside = None if slot == 0 else rows.c.observed_on >= first

        def within(value: ColumnElement[Any], inside: ColumnElement[bool] | None = inside) -> Any:
            return value if inside is None else case((inside, value), else_=None)

        selected += [
            func.count(within(rows.c.value)),
            func.sum(within(rows.c.value)),
            func.max(within(rows.c.value)),
            # As the database gives it (text on SQLite, a date on PostgreSQL): parsed once, below.
            type_coerce(func.max(within(rows.c.observed_on)), String),
            _last_value(metric, first, day) if window.last_value else literal(None),
        ]
    # Every part of the union has the same columns: slots this metric does not use are empty.
    selected += [literal(None)] * (5 * (slots - len(windows)))
    return (
        select(*selected)
        .select_from(ACCOUNTS)
        .join(
            rows,
            and_(
                rows.c.account_id == ACCOUNTS.c.id,
                rows.c.metric == metric,
                rows.c.observed_on.between(bindparam(_start(windows[0].days), type_=Date), day),
            ),
        )
        .where(ACCOUNTS.c.id.between(bindparam("first_id"), bindparam("last_id")))
        .group_by(ACCOUNTS.c.id)
    )


def _last_value(metric: str, first: Any, day: Any) -> Any:
    """The account's last observation of `metric` in the window, exactly as stored: one backward seek
    in the unique index per account."""
    last = OBSERVATIONS.alias("last_observation")
    return (
        select(last.c.value)
        .where(
            last.c.account_id == ACCOUNTS.c.id,
            last.c.metric == metric,
            last.c.observed_on.between(first, day),
        )
        .order_by(last.c.observed_on.desc())
        .limit(1)
        .correlate(ACCOUNTS)
        .scalar_subquery()
    )


def value_point_figures(
    connection: Connection, windows: Collection[int], *, day: date, first_id: int, last_id: int
) -> dict[tuple[int, int], ValuePoints]:
    """(account id, window in days) → value points due in the window and those reached on time."""
    if not windows:
        return {}
    ordered = tuple(sorted(set(windows), reverse=True))
    params = {"day": day, "first_id": first_id, "last_id": last_id}
    params |= {_start(days): _first_day(day, days) for days in ordered}
    figures: dict[tuple[int, int], ValuePoints] = {}
    for row in connection.execute(_value_points_statement(ordered), params):
        for index, days in enumerate(ordered):
            due, reached = int(row[1 + 2 * index] or 0), int(row[2 + 2 * index] or 0)
            if due:
                figures[(row[0], days)] = ValuePoints(due=due, on_time=reached)
    return figures


@cache
def _value_points_statement(windows: tuple[int, ...]) -> Any:
    """Value points due per window, longest window first; built once, the day and batch bound."""
    column = VALUE_POINTS.c
    on_time = and_(column.achieved_date.is_not(None), column.achieved_date <= column.due_date)
    selected: list[ColumnElement[Any]] = [column.account_id]
    for days in windows:
        inside = column.due_date >= bindparam(_start(days), type_=Date)
        selected += [
            func.sum(case((inside, 1), else_=0)),
            func.sum(case((and_(inside, on_time), 1), else_=0)),
        ]
    return (
        select(*selected)
        .where(
            column.account_id.between(bindparam("first_id"), bindparam("last_id")),
            column.due_date.between(bindparam(_start(windows[0]), type_=Date), bindparam("day", type_=Date)),
        )
        .group_by(column.account_id)
    )


def write_snapshots(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Store (or replace) each account's snapshot for its day."""
    upsert_rows(connection, SNAPSHOTS_TABLE, rows, key=("account_id", "day"))
