"""The figures a health score is made of, computed in SQL for a batch of accounts, and the snapshots
that keep the scores.

Storage knows nothing of scorecards or thresholds. It is asked for (metric, window) pairs and answers,
for the accounts of a batch, with the count, sum and largest of the observations in each window, the
day of the last one and, where asked, its value; for value points, with how many fell due in a window
and how many of those were reached on time. One grouped pass over the metric rows a batch needs, one
over its value points.

The figures come back as columns (numpy arrays, one entry per account with data): a batch is
thousands of accounts, and the scoring that reads them works a column at a time.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Integer,
    and_,
    bindparam,
    case,
    func,
    literal,
    select,
    union_all,
)

from storage.db import json_text
from storage.models import HealthSnapshot, MetricObservation, Milestone
from storage.packed import exact, packed_columns, unpacked
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


@dataclass(frozen=True)
class WindowColumns:
    """One metric window's figures, one entry per account with at least one observation in it, in
    account order; an account without one has no entry (no data, never zero)."""

    account_ids: NDArray[np.int64]
    count: NDArray[np.int64]
    total: NDArray[np.float64]
    largest: NDArray[np.float64]
    last_day: NDArray[np.datetime64]
    last_value: NDArray[np.float64]  # NaN where the window was not asked for it


@dataclass(frozen=True)
class ValuePointColumns:
    """Value points due in one window, one entry per account with at least one due, in account order."""

    account_ids: NDArray[np.int64]
    due: NDArray[np.int64]
    on_time: NDArray[np.int64]  # of those due, reached by their due date


# (metric, window days) → that window's figures for a batch.
MetricFigures = dict[tuple[str, int], WindowColumns]
# Window days → value points of a batch.
ValuePointFigures = dict[int, ValuePointColumns]


@dataclass(frozen=True)
class ScoredAccount:
    id: int
    segment: str | None
    seats: int | None


def accounts_to_score(
    connection: Connection, account_ids: Collection[int] | None = None
) -> list[ScoredAccount]:
    """Every account that is not churned (or the accounts given, churned or not), in id order, with what
    scoring needs of them; read in one go, as one JSON document (storage/packed.py)."""
    columns = [ACCOUNTS.c.id, ACCOUNTS.c.segment, ACCOUNTS.c.seats]
    dialect = connection.dialect.name
    chosen = ACCOUNTS.c.status != "churned" if account_ids is None else ACCOUNTS.c.id.in_(sorted(account_ids))
    packed = connection.execute(select(packed_columns(columns, dialect)).where(chosen)).scalar()
    rows = sorted(zip(*unpacked(packed, 3), strict=True), key=lambda row: row[0])
    return [ScoredAccount(*row) for row in rows]


def _as_batch_read(connection: Connection) -> None:
    """Settings for one batch read, for this transaction only (SET LOCAL, so they hold through any
    connection pooler). No JIT: PostgreSQL compiles a statement it expects to be costly (these are) to
    machine code first, which took a third of each batch's time at a million accounts. No parallel
    workers: each part of a batch's statement would start one, and the refresh already reads several
    batches at once on connections of its own; the workers' start-up and their competition with those
    readers for the same cores halved the throughput."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL jit = off")
        connection.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")


def _first_day(day: date, days: int) -> date:
    return day - timedelta(days=days - 1)


def _start(days: int) -> str:
    return f"start_{days}"


# --- metric windows ---------------------------------------------------------------------------------


def metric_figures(
    connection: Connection,
    windows: Collection[MetricWindow],
    *,
    day: date,
    first_id: int,
    last_id: int,
) -> MetricFigures:
    """Each window's figures for the accounts with ids from `first_id` to `last_id`.

    The figures come back as one JSON document of columns (storage/packed.py), so that the whole
    aggregation runs in one call that holds no interpreter lock: the refresh scores the previous batch
    meanwhile. One row, not one per metric: each row handed over is another wait for the lock."""
    if not windows:
        return {}
    ordered = tuple(sorted(set(windows), key=lambda w: (w.metric, -w.days, w.last_value)))
    query = _figures_query(ordered, connection.dialect.name)
    params = {"day": day, "first_id": first_id, "last_id": last_id}
    params |= {_start(days): _first_day(day, days) for days in query.window_days}
    _as_batch_read(connection)
    packed = connection.execute(query.statement, params).scalar()
    ids, parts, *slots = unpacked(packed, 2 + 5 * query.slots)
    account_ids = np.array(ids, dtype=np.int64)
    part_of = np.array(parts, dtype=np.int64)
    # SQL NULL (a slot the row's metric does not use, or no value) becomes NaN or NaT; SQLite's exact
    # decimal text becomes the very double. The fourth figure of each set is a day.
    numbers = [
        np.array(column, dtype="datetime64[D]" if index % 5 == 3 else np.float64)
        for index, column in enumerate(slots)
    ]
    figures: MetricFigures = {}
    for part, (metric, windows_days) in enumerate(query.windows_of.items()):
        of_metric = part_of == part
        for slot, days in enumerate(windows_days):
            count, total, largest, last_day, last_value = range(5 * slot, 5 * slot + 5)
            has = of_metric & (numbers[count] > 0)
            figures[(metric, days)] = WindowColumns(
                account_ids=account_ids[has],
                count=numbers[count][has].astype(np.int64),
                total=numbers[total][has],
                largest=numbers[largest][has],
                last_day=numbers[last_day][has],
                last_value=numbers[last_value][has],
            )
    return figures


@dataclass(frozen=True)
class _FiguresQuery:
    statement: Any
    windows_of: dict[str, list[int]]  # metric → its window lengths, longest first (the slot order)
    window_days: frozenset[int]
    slots: int  # windows per metric at most: each row has this many sets of five figures


@cache
def _figures_query(windows: tuple[MetricWindow, ...], dialect: str) -> _FiguresQuery:
    """The statement for a set of windows, built once per database kind: the day and the batch are bound
    parameters, so every day and batch reuses the statement SQLAlchemy compiled the first time."""
    by_metric: dict[str, list[MetricWindow]] = {}
    for window in windows:
        by_metric.setdefault(window.metric, []).append(window)
    slots = max(len(ws) for ws in by_metric.values())
    # One statement for every metric: each part reads its own metric's rows and says which it is.
    parts = [_metric_statement(part, ws, slots) for part, ws in enumerate(by_metric.values())]
    rows = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("figures")
    reals = {2 + 5 * slot + offset for slot in range(slots) for offset in (1, 2, 4)}
    columns = [exact(column, dialect) if index in reals else column for index, column in enumerate(rows.c)]
    return _FiguresQuery(
        statement=select(packed_columns(columns, dialect)),
        windows_of={metric: [w.days for w in ws] for metric, ws in by_metric.items()},
        window_days=frozenset(w.days for w in windows),
        slots=slots,
    )


def _metric_statement(part: int, windows: Sequence[MetricWindow], slots: int) -> Any:
    """One metric's figures per account, each row marked with `part`. Accounts drive the join, so each
    (account, metric, first day) is one seek in the unique index and only the rows inside the window
    are read, in account order: no sort, and fewer rows than a scan of the period would touch."""
    metric = windows[0].metric
    rows = OBSERVATIONS.alias("observation")
    day = bindparam("day", type_=Date)
    selected: list[ColumnElement[Any]] = [ACCOUNTS.c.id, literal(part, Integer)]
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
            func.max(within(rows.c.observed_on)),
            _last_value(metric, first, day) if window.last_value else literal(None),
        ]
    # Every part of the union has the same columns: slots this metric does not use are empty.
    selected += [literal(None)] * (5 * (slots - len(windows)))
    return (
        select(*(column.label(f"c{index}") for index, column in enumerate(selected)))
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


# --- value points -------------------------------------------------------------------------------------


def value_point_figures(
    connection: Connection, windows: Collection[int], *, day: date, first_id: int, last_id: int
) -> ValuePointFigures:
    """Each window's value points (due in it; of those, reached on time) for the batch's accounts."""
    if not windows:
        return {}
    ordered = tuple(sorted(set(windows), reverse=True))
    params = {"day": day, "first_id": first_id, "last_id": last_id}
    params |= {_start(days): _first_day(day, days) for days in ordered}
    _as_batch_read(connection)
    packed = connection.execute(_value_points_statement(ordered, connection.dialect.name), params).scalar()
    ids, *counts = unpacked(packed, 1 + 2 * len(ordered))
    if not ids:
        return {}
    account_ids = np.array(ids, dtype=np.int64)
    figures: ValuePointFigures = {}
    for index, days in enumerate(ordered):
        due = np.array(counts[2 * index], dtype=np.int64)
        has = due > 0
        figures[days] = ValuePointColumns(
            account_ids=account_ids[has],
            due=due[has],
            on_time=np.array(counts[2 * index + 1], dtype=np.int64)[has],
        )
    return figures


@cache
def _value_points_statement(windows: tuple[int, ...], dialect: str) -> Any:
    """Value points due per window, longest window first; built once, the day and batch bound."""
    column = VALUE_POINTS.c
    on_time = and_(column.achieved_date.is_not(None), column.achieved_date <= column.due_date)
    selected: list[ColumnElement[Any]] = [column.account_id.label("c0")]
    for days in windows:
        inside = column.due_date >= bindparam(_start(days), type_=Date)
        selected += [
            func.sum(case((inside, 1), else_=0)).label(f"c{len(selected)}"),
            func.sum(case((and_(inside, on_time), 1), else_=0)).label(f"c{len(selected) + 1}"),
        ]
    per_account = (
        select(*selected)
        .where(
            column.account_id.between(bindparam("first_id"), bindparam("last_id")),
            column.due_date.between(bindparam(_start(windows[0]), type_=Date), bindparam("day", type_=Date)),
        )
        .group_by(column.account_id)
        .subquery("value_points")
    )
    return select(packed_columns(list(per_account.c), dialect))


_SNAPSHOT_COLUMNS = ("account_id", "day", "score", "band", "scorecard", "measures")
# A table of this session's own: COPY fills it with a batch's snapshots, one INSERT … SELECT moves them.
# Temporary tables write no WAL, and ON COMMIT DELETE ROWS empties it at each commit.
_SNAPSHOT_LOAD = "health_snapshot_load"


def write_snapshots(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Store (or replace) each account's snapshot for its day.

    On PostgreSQL the rows go in through COPY and one INSERT … ON CONFLICT from it: the nightly sweep
    writes a snapshot per account, and a statement per row costs about three times as much at the
    server (measured at a million accounts: the writes were the largest part of the sweep)."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        upsert_rows(connection, SNAPSHOTS_TABLE, rows, key=("account_id", "day"))
        return
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {_SNAPSHOT_LOAD} (account_id integer, day date, "
        "score double precision, band varchar(16), scorecard varchar(64), measures json) "
        "ON COMMIT DELETE ROWS"
    )
    with cursor.copy(f"COPY {_SNAPSHOT_LOAD} ({', '.join(_SNAPSHOT_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([*(row[column] for column in _SNAPSHOT_COLUMNS[:-1]), json_text(row["measures"])])
    columns = ", ".join(_SNAPSHOT_COLUMNS)
    updated = ", ".join(f"{column} = excluded.{column}" for column in _SNAPSHOT_COLUMNS[2:])
    cursor.execute(
        f"INSERT INTO health_snapshot ({columns}) SELECT {columns} FROM {_SNAPSHOT_LOAD} "
        f"ON CONFLICT (account_id, day) DO UPDATE SET {updated}"
    )
