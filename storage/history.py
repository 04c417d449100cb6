"""The workspace's history as columns, for calibrating the health score against what customers did.

Storage knows nothing of outcomes or measures: it hands over accounts, contracts, churn movements,
metric observations and value points as numpy columns (days as `datetime64[D]`), each sorted by account
and day, and the calibration (domain/calibration) works out the rest. Columns, not objects: a
workspace of 100,000 accounts has millions of observations.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, func, select

from storage.models import MovementKind
from storage.packed import exact, packed_columns, unpacked
from storage.tables import ACCOUNTS, CONTRACTS, MILESTONES, MOVEMENTS, OBSERVATIONS

# Rows fetched from the driver at a time: bounded memory beyond the columns themselves.
_CHUNK = 50_000
# Accounts whose observations of one metric are read in one statement.
_ACCOUNTS_PER_READ = 5_000


@dataclass(frozen=True)
class AccountColumns:
    ids: NDArray[np.int64]
    external_ids: list[str]
    names: list[str]
    status: list[str]
    segments: list[str | None]
    seats: NDArray[np.float64]  # NaN where none are recorded


@dataclass(frozen=True)
class ContractColumns:
    account_ids: NDArray[np.int64]
    start: NDArray[np.datetime64]
    end: NDArray[np.datetime64]
    status: list[str]


@dataclass(frozen=True)
class DatedColumns:
    """One dated figure per row: a metric's observations, or churn movements (value: the ARR lost)."""

    account_ids: NDArray[np.int64]
    days: NDArray[np.datetime64]
    values: NDArray[np.float64]


@dataclass(frozen=True)
class ValuePointColumns:
    account_ids: NDArray[np.int64]
    due: NDArray[np.datetime64]
    achieved: NDArray[np.datetime64]  # NaT: not reached


def _days(values: list[date | None]) -> NDArray[np.datetime64]:
    return np.array(values, dtype="datetime64[D]")


def _rows(connection: Connection, statement: object) -> Iterator[tuple[object, ...]]:
    result = connection.execution_options(stream_results=True).execute(statement)  # type: ignore[call-overload]
    while chunk := result.fetchmany(_CHUNK):
        yield from chunk


def accounts(connection: Connection) -> AccountColumns:
    c = ACCOUNTS.c
    statement = select(c.id, c.external_id, c.name, c.status, c.segment, c.seats).order_by(c.id)
    rows = list(_rows(connection, statement))
    return AccountColumns(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        external_ids=[str(r[1]) for r in rows],
        names=[str(r[2]) for r in rows],
        status=[str(r[3]) for r in rows],
        segments=[None if r[4] is None else str(r[4]) for r in rows],
        seats=np.array([r[5] if r[5] else np.nan for r in rows], dtype=np.float64),
    )


def contracts(connection: Connection) -> ContractColumns:
    c = CONTRACTS.c
    statement = select(c.account_id, c.start_date, c.end_date, c.status).order_by(c.account_id, c.end_date)
    rows = list(_rows(connection, statement))
    return ContractColumns(
        account_ids=np.array([r[0] for r in rows], dtype=np.int64),
        start=_days([r[1] for r in rows]),  # type: ignore[misc]
        end=_days([r[2] for r in rows]),  # type: ignore[misc]
        status=[str(r[3]) for r in rows],
    )


def churn_movements(connection: Connection) -> DatedColumns:
    c = MOVEMENTS.c
    statement = (
        select(c.account_id, c.moved_on, c.arr_delta)
        .where(c.kind == MovementKind.CHURN.value)
        .order_by(c.account_id, c.moved_on)
    )
    return _dated(list(_rows(connection, statement)))


def metric_names(connection: Connection) -> list[str]:
    column = OBSERVATIONS.c.metric
    return sorted(str(name) for name in connection.execute(select(column).distinct()).scalars())


def observations(connection: Connection, metric: str, first_day: date, last_day: date) -> DatedColumns:
    """Every observation of `metric` from `first_day` to `last_day`, by account and day.

    Read a range of accounts at a time as packed columns (storage/packed.py): millions of rows handed
    over one by one would cost more in Python than the database spends finding them."""
    c = OBSERVATIONS.c
    dialect = connection.dialect.name
    bounds = connection.execute(
        select(func.min(c.account_id), func.max(c.account_id)).where(c.metric == metric)
    ).one()
    parts: list[DatedColumns] = []
    if bounds[0] is not None:
        for first in range(int(bounds[0]), int(bounds[1]) + 1, _ACCOUNTS_PER_READ):
            statement = select(
                packed_columns([c.account_id, c.observed_on, exact(c.value, dialect)], dialect)
            ).where(
                c.metric == metric,
                c.observed_on.between(first_day, last_day),
                c.account_id.between(first, first + _ACCOUNTS_PER_READ - 1),
            )
            ids, days, values = unpacked(connection.execute(statement).scalar(), 3)
            parts.append(
                DatedColumns(
                    np.array(ids, dtype=np.int64),
                    np.array(days, dtype="datetime64[D]"),
                    np.array(values, dtype=np.float64),
                )
            )
    if not parts:
        return DatedColumns(np.array([], dtype=np.int64), np.array([], dtype="datetime64[D]"), np.array([]))
    ids = np.concatenate([p.account_ids for p in parts])
    days = np.concatenate([p.days for p in parts])
    values = np.concatenate([p.values for p in parts])
    order = np.lexsort((days, ids))
    return DatedColumns(ids[order], days[order], values[order])


def value_points(connection: Connection) -> ValuePointColumns:
    c = MILESTONES.c
    statement = select(c.account_id, c.due_date, c.achieved_date).order_by(c.account_id, c.due_date)
    rows = list(_rows(connection, statement))
    return ValuePointColumns(
        account_ids=np.array([r[0] for r in rows], dtype=np.int64),
        due=_days([r[1] for r in rows]),  # type: ignore[misc]
        achieved=_days([r[2] for r in rows]),  # type: ignore[misc]
    )


def _dated(rows: list[tuple[object, ...]]) -> DatedColumns:
    return DatedColumns(
        account_ids=np.array([r[0] for r in rows], dtype=np.int64),
        days=_days([r[1] for r in rows]),  # type: ignore[misc]
        values=np.array([r[2] for r in rows], dtype=np.float64),
    )
