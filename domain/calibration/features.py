"""The measures a calibrated scorecard may use, read for each outcome as of its lead day.

A candidate is anything the scorecard format can express, so that whatever the calibration keeps is
written back as an ordinary measure and scored by the same code as every other (domain/health):
each metric in the history with the aggregates that fit it (latest, 30-day average and sum, per seat
where seats are known, days since the last observation), value points on time, and the current
scorecards' own measures.

Every figure is read as `Measure` scoring reads it on a day — the window of `window_days` ending on
that day, the day included — with the day being the outcome's day minus the lead days, and only
observations on or before it. No observation in the window: no figure (NaN), never zero.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from domain.health.scorecard import Aggregate, Measure, MeasureGroup, Scorecard
from storage.history import DatedColumns, ValuePointColumns

# Days as integers with the account in the high bits: one sorted key per observation, so a window of
# one account is two binary searches.
_ACCOUNT_SHIFT = 1 << 22
_EPOCH = np.datetime64("1970-01-01", "D")
# Seats must be known for at least this share of accounts before per-seat candidates are tried.
PER_SEAT_FROM = 0.5


@dataclass(frozen=True)
class Candidate:
    """A measure the calibration may keep, as the scorecard would read it."""

    id: str
    group: MeasureGroup
    metric: str | None  # None: value points on time
    aggregate: Aggregate = "latest"
    window_days: int = 30
    per_seat: bool = False

    @property
    def key(self) -> tuple[object, ...]:
        return (self.metric, self.aggregate, self.window_days, self.per_seat)

    @classmethod
    def of(cls, measure: Measure) -> "Candidate":
        metric = measure.metric if measure.source == "metric" else None
        return cls(
            measure.id, measure.group, metric, measure.aggregate, measure.window_days, measure.per_seat
        )

    def measure(self, weight: float, thresholds: list[dict[str, float]]) -> Measure:
        fields: dict[str, object] = {
            "id": self.id,
            "group": self.group,
            "window_days": self.window_days,
            "weight": weight,
            "thresholds": thresholds,
        }
        if self.metric is None:
            fields["source"] = "milestones"
        else:
            fields |= {"metric": self.metric, "aggregate": self.aggregate, "per_seat": self.per_seat}
        return Measure.model_validate(fields)


def group_of(metric: str, scorecards: Iterable[Scorecard]) -> MeasureGroup:
    """The group a metric's measures belong to: as a current scorecard files it, else by its name."""
    for scorecard in scorecards:
        for measure in scorecard.measures:
            if measure.metric == metric:
                return measure.group
    name = metric.lower()
    if any(word in name for word in ("ticket", "support", "incident", "escalation")):
        return "support"
    if any(word in name for word in ("nps", "csat", "survey", "review", "reference")):
        return "advocacy"
    if any(word in name for word in ("touch", "meeting", "call", "qbr", "email", "message")):
        return "relationship"
    return "adoption"


def candidates(
    metrics: Sequence[str], scorecards: Sequence[Scorecard], *, per_seat: Iterable[str] = ()
) -> list[Candidate]:
    """The current scorecards' measures first (under their own ids), then what each metric offers;
    per seat for the metrics in `per_seat` (counts, where seats are known)."""
    per_seat = set(per_seat)
    found: dict[tuple[object, ...], Candidate] = {}
    for scorecard in scorecards:
        for measure in scorecard.measures:
            candidate = Candidate.of(measure)
            found.setdefault(candidate.key, candidate)
    offered: list[Candidate] = [Candidate("value_points_on_time", "outcomes", None, window_days=365)]
    for metric in metrics:
        group = group_of(metric, scorecards)
        offered += [
            Candidate(f"{metric}_latest", group, metric, "latest", 90),
            Candidate(f"{metric}_average_30d", group, metric, "average", 30),
            Candidate(f"{metric}_sum_30d", group, metric, "sum", 30),
            Candidate(f"{metric}_days_since", group, metric, "days_since", 180),
        ]
        if metric in per_seat:
            offered += [
                Candidate(f"{metric}_average_30d_per_seat", group, metric, "average", 30, per_seat=True),
                Candidate(f"{metric}_sum_30d_per_seat", group, metric, "sum", 30, per_seat=True),
            ]
    taken_ids = {c.id for c in found.values()}
    for candidate in offered:
        if candidate.key not in found and candidate.id not in taken_ids:
            found[candidate.key] = candidate
            taken_ids.add(candidate.id)
    return list(found.values())


def _ordinal(days: NDArray[np.datetime64]) -> NDArray[np.int64]:
    return (days - _EPOCH).astype(np.int64)


@dataclass(frozen=True)
class _Indexed:
    """Rows sorted by (account, day) with their search keys."""

    keys: NDArray[np.int64]
    days: NDArray[np.int64]

    @classmethod
    def of(cls, account_ids: NDArray[np.int64], days: NDArray[np.datetime64]) -> "_Indexed":
        ordinals = _ordinal(days)
        keys = account_ids * _ACCOUNT_SHIFT + ordinals
        if np.any(keys[1:] < keys[:-1]):
            raise ValueError("history rows must come in account and day order")
        return cls(keys, ordinals)

    def window(
        self, account_ids: NDArray[np.int64], as_of: NDArray[np.int64], days: int
    ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """For each (account, day): the rows from `days - 1` days before to the day itself, [lo, hi)."""
        base = account_ids * _ACCOUNT_SHIFT
        lo = np.searchsorted(self.keys, base + as_of - (days - 1), side="left")
        hi = np.searchsorted(self.keys, base + as_of, side="right")
        return lo, hi


def _range_reduce(
    ufunc: np.ufunc, values: NDArray[np.float64], lo: NDArray[np.intp], hi: NDArray[np.intp]
) -> NDArray[np.float64]:
    """`ufunc` over values[lo:hi] for each pair, adding in row order as SQL does; NaN for empty ranges."""
    result = np.full(len(lo), np.nan)
    has = hi > lo
    if not has.any():
        return result
    padded = np.append(values, 0.0)  # reduceat may be asked for the index just past the end
    bounds = np.empty(2 * int(has.sum()), dtype=np.intp)
    bounds[0::2], bounds[1::2] = lo[has], hi[has]
    result[has] = ufunc.reduceat(padded, bounds)[0::2]
    return result


class MetricHistory:
    """One metric's observations, ready to be read as of any day."""

    def __init__(self, rows: DatedColumns) -> None:
        self._index = _Indexed.of(rows.account_ids, rows.days)
        self._values = rows.values

    @property
    def counts_things(self) -> bool:
        """Never negative: a count of something, which may be read per seat (an NPS may not)."""
        return bool(len(self._values)) and bool(self._values.min() >= 0)

    def read(
        self,
        candidate: Candidate,
        account_ids: NDArray[np.int64],
        as_of: NDArray[np.datetime64],
        seats: NDArray[np.float64],
    ) -> NDArray[np.float64]:
        days = _ordinal(as_of)
        lo, hi = self._index.window(account_ids, days, candidate.window_days)
        count = (hi - lo).astype(np.float64)
        has = count > 0
        last = np.where(has, hi - 1, 0)
        match candidate.aggregate:
            case "latest":
                values = np.where(has, self._values[last] if len(self._values) else np.nan, np.nan)
            case "average":
                values = _range_reduce(np.add, self._values, lo, hi) / np.where(has, count, np.nan)
            case "sum":
                values = _range_reduce(np.add, self._values, lo, hi)
            case "max":
                values = _range_reduce(np.maximum, self._values, lo, hi)
            case _:  # days_since
                values = np.where(has, days - (self._index.days[last] if len(self._values) else 0), np.nan)
        values = values.astype(np.float64)
        return values / seats if candidate.per_seat else values


class ValuePointHistory:
    def __init__(self, rows: ValuePointColumns) -> None:
        self._index = _Indexed.of(rows.account_ids, rows.due)
        on_time = ~np.isnat(rows.achieved) & (rows.achieved <= rows.due)
        self._on_time = np.concatenate([[0], np.cumsum(on_time)])

    def read(
        self, candidate: Candidate, account_ids: NDArray[np.int64], as_of: NDArray[np.datetime64]
    ) -> NDArray[np.float64]:
        lo, hi = self._index.window(account_ids, _ordinal(as_of), candidate.window_days)
        due = (hi - lo).astype(np.float64)
        on_time = (self._on_time[hi] - self._on_time[lo]).astype(np.float64)
        return np.where(due > 0, on_time / np.where(due > 0, due, 1.0), np.nan)


@dataclass
class History:
    """Everything a candidate is read from: each metric's observations, value points, seats."""

    metrics: dict[str, MetricHistory]
    value_points: ValuePointHistory
    seat_ids: NDArray[np.int64]  # account ids in order, with their seats (NaN: none)
    seats: NDArray[np.float64]

    def per_seat_metrics(self) -> list[str]:
        """The metrics worth reading per seat: counts, with seats known for most accounts."""
        if not len(self.seats) or float(np.mean(~np.isnan(self.seats))) < PER_SEAT_FROM:
            return []
        return [name for name, history in self.metrics.items() if history.counts_things]

    def seats_of(self, account_ids: NDArray[np.int64]) -> NDArray[np.float64]:
        if not len(self.seat_ids):
            return np.full(len(account_ids), np.nan)
        at = np.minimum(np.searchsorted(self.seat_ids, account_ids), len(self.seat_ids) - 1)
        return np.where(self.seat_ids[at] == account_ids, self.seats[at], np.nan)

    def read(
        self, candidate: Candidate, account_ids: NDArray[np.int64], as_of: NDArray[np.datetime64]
    ) -> NDArray[np.float64]:
        """The candidate's figure for each (account, day); NaN where there is none."""
        if candidate.metric is None:
            return self.value_points.read(candidate, account_ids, as_of)
        history = self.metrics.get(candidate.metric)
        if history is None:
            return np.full(len(account_ids), np.nan)
        return history.read(candidate, account_ids, as_of, self.seats_of(account_ids))

    def matrix(
        self, chosen: Sequence[Candidate], account_ids: NDArray[np.int64], as_of: NDArray[np.datetime64]
    ) -> NDArray[np.float64]:
        """Outcomes × candidates."""
        columns = [self.read(candidate, account_ids, as_of) for candidate in chosen]
        return np.column_stack(columns) if columns else np.empty((len(account_ids), 0))
