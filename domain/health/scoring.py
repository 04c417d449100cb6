"""Scoring accounts on a day from their figures. Pure: no database, no Slack, no clock.

The figures (a window's count, sum, largest value and last observation; value points due and reached)
come from storage/health_figures.py, read for a whole batch of accounts in grouped SQL; here each
measure turns its figure into a score through its thresholds, and the measures into one score.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from domain.health.scorecard import HealthConfig, Measure
from storage.health_figures import (
    MetricFigures,
    MetricWindow,
    ScoredAccount,
    ValuePointFigures,
    WindowColumns,
)


class MeasureResult(NamedTuple):
    """One measure's outcome for an account on a day (a named tuple: the refresh makes one per measure
    and account, and a tuple is the cheapest to make)."""

    id: str
    group: str
    weight: float
    value: float | None  # the raw figure the thresholds were applied to; None = no data
    score: float | None

    @property
    def has_data(self) -> bool:
        return self.score is not None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "group": self.group,
            "weight": self.weight,
            "value": self.value,
            "score": self.score,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> "MeasureResult":
        return cls(
            id=str(data["id"]),
            group=str(data["group"]),
            weight=float(data["weight"]),  # type: ignore[arg-type]
            value=None if data.get("value") is None else float(data["value"]),  # type: ignore[arg-type]
            score=None if data.get("score") is None else float(data["score"]),  # type: ignore[arg-type]
        )


def weighted_score(results: list[MeasureResult], min_measures: int = 1) -> float | None:
    """Weighted mean over the measures that have data; None when fewer than `min_measures` have."""
    with_data = [r for r in results if r.score is not None]
    total_weight = sum(r.weight for r in with_data)
    if len(with_data) < max(1, min_measures) or total_weight == 0:
        return None
    return round(sum(r.weight * r.score for r in with_data) / total_weight, 1)  # type: ignore[operator]


@dataclass(frozen=True)
class FigureRequests:
    """What every scorecard's measures need read, each once: metric windows and value-point windows."""

    metric_windows: list[MetricWindow]
    value_point_windows: frozenset[int]

    @classmethod
    def of(cls, config: HealthConfig) -> "FigureRequests":
        wanted: dict[tuple[str, int], bool] = {}
        value_points: set[int] = set()
        for name in config.scorecards:
            for measure in config.resolve(name).measures:
                if measure.source == "milestones":
                    value_points.add(measure.window_days)
                    continue
                key = (measure.metric or "", measure.window_days)
                wanted[key] = wanted.get(key, False) or measure.aggregate == "latest"
        windows = [MetricWindow(metric, days, last_value=latest) for (metric, days), latest in wanted.items()]
        return cls(metric_windows=windows, value_point_windows=frozenset(value_points))


@dataclass(frozen=True)
class _Step:
    """One measure ready to apply to a batch: where its figure is, how to read it, its thresholds as
    plain tuples. Built once per refresh, so scoring touches no configuration objects."""

    id: str
    group: str
    weight: float
    milestones: bool
    metric_key: tuple[str, int]  # (metric, window days); for value points, ("", window days)
    aggregate: str
    per_seat: bool
    thresholds: "Thresholds"
    optional: bool

    @classmethod
    def of(cls, measure: Measure) -> "_Step":
        return cls(
            id=measure.id,
            group=measure.group,
            weight=measure.weight,
            milestones=measure.source == "milestones",
            metric_key=(measure.metric or "", measure.window_days),
            aggregate=measure.aggregate,
            per_seat=measure.per_seat,
            thresholds=thresholds_of(measure),
            optional=measure.optional,
        )

    def figures(self, batch: "_Batch") -> NDArray[np.float64]:
        """The raw figure the thresholds apply to, for every account of the batch; NaN: no data."""
        values = np.full(len(batch.ids), np.nan)
        if self.milestones:
            points = batch.value_points.get(self.metric_key[1])
            if points is not None:
                at, found = batch.place(points.account_ids)
                values[at[found]] = (points.on_time / points.due)[found]
        else:
            window = batch.metrics.get(self.metric_key)
            if window is not None:
                at, found = batch.place(window.account_ids)
                values[at[found]] = self._read(window, batch.day)[found]
        # No seats (none recorded, or zero): a per-seat figure has no data.
        return values / batch.seats if self.per_seat else values

    def _read(self, window: WindowColumns, day: np.datetime64) -> NDArray[np.float64]:
        match self.aggregate:
            case "latest":
                return window.last_value
            case "average":
                # Days without a row count as no activity only if the metric is reported daily;
                # averaging what was reported keeps sparse feeds from looking like churn.
                return window.total / window.count
            case "sum":
                return window.total
            case "max":
                return window.largest
            case _:  # days_since
                return (day - window.last_day).astype(np.int64).astype(np.float64)

    def scores(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        return threshold_scores(self.thresholds, values)


Thresholds = tuple[tuple[float | None, float | None, float], ...]  # (at least, at most, score)


def thresholds_of(measure: Measure) -> Thresholds:
    return tuple((t.at_least, t.at_most, t.score) for t in measure.thresholds)


def threshold_scores(thresholds: Thresholds, values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each figure's score: the first threshold it meets (as `Measure.score_for`), else 0; NaN where
    there is no figure. The one place a measure's figures become points, for scoring and for the
    calibration's backtest alike."""
    scores = np.full(len(values), np.nan)
    open_ = ~np.isnan(values)
    for at_least, at_most, score in thresholds:
        meets = open_.copy()
        if at_least is not None:
            meets &= ~(values < at_least)
        if at_most is not None:
            meets &= ~(values > at_most)
        scores[meets] = score
        open_ &= ~meets
    scores[open_] = 0.0
    return scores


@dataclass(frozen=True)
class _Card:
    name: str
    steps: tuple[_Step, ...]
    min_measures: int


@dataclass(frozen=True)
class _Batch:
    """The accounts of a batch (in id order) and their figures for one day."""

    ids: NDArray[np.int64]
    seats: NDArray[np.float64]  # NaN where an account has no seats recorded, or zero
    day: np.datetime64
    metrics: MetricFigures
    value_points: ValuePointFigures

    def place(self, account_ids: NDArray[np.int64]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        """Where each of these accounts sits in the batch, and which of them are in it at all (figures
        are read by id range, which may take in accounts the batch does not score)."""
        at = np.minimum(np.searchsorted(self.ids, account_ids), len(self.ids) - 1)
        return at, self.ids[at] == account_ids


@dataclass(frozen=True)
class BatchScores:
    """A batch's scores, one entry per account in the order given."""

    account_ids: list[int]
    scorecards: list[str]
    scores: list[float | None]
    bands: list[str]
    measures: list[list[dict[str, object]]]  # per account, each measure as `MeasureResult.as_dict`


class Scorer:
    """Scores a batch of accounts from its figures for one health configuration. Pure: the reads
    happened before.

    The configuration is compiled once (scorecards by segment, measures as `_Step`s, bands as bounds)
    and each measure is worked out for the whole batch at once, column by column: the nightly refresh
    scores tens of thousands of accounts in a row. The arithmetic is the same, in the same order, as
    one account at a time would do it, so the scores are identical to the last digit."""

    def __init__(self, config: HealthConfig) -> None:
        self._config = config
        self._cards: dict[str | None, _Card] = {}
        self._bands = tuple((band.below, band.name) for band in config.bands)

    def _card(self, segment: str | None) -> _Card:
        card = self._cards.get(segment)
        if card is None:
            scorecard = self._config.scorecard_for(segment)
            card = _Card(
                scorecard.name, tuple(_Step.of(m) for m in scorecard.measures), scorecard.min_measures
            )
            self._cards[segment] = card
        return card

    def band_for(self, score: float | None) -> str:
        """As `HealthConfig.band_for`."""
        if score is None:
            return "no_data"
        for below, name in self._bands:
            if below is None or score < below:
                return name
        return self._bands[-1][1]

    def score_batch(
        self,
        accounts: Sequence[ScoredAccount],
        day: date,
        metrics: MetricFigures,
        value_points: ValuePointFigures,
    ) -> BatchScores:
        """Every account's score on `day`; `accounts` in id order, as storage reads them."""
        count = len(accounts)
        scores: list[float | None] = [None] * count
        bands = ["no_data"] * count
        names = [""] * count
        measures: list[list[dict[str, object]]] = [[] for _ in range(count)]
        if not count:
            return BatchScores([], names, scores, bands, measures)
        batch = _Batch(
            ids=np.fromiter((a.id for a in accounts), dtype=np.int64, count=count),
            seats=np.array([a.seats or np.nan for a in accounts], dtype=np.float64),
            day=np.datetime64(day, "D"),
            metrics=metrics,
            value_points=value_points,
        )
        if np.any(batch.ids[1:] <= batch.ids[:-1]):
            raise ValueError("accounts must come in id order")
        figures = {}
        by_card: dict[str, tuple[_Card, list[int]]] = {}
        for index, account in enumerate(accounts):
            card = self._card(account.segment)
            by_card.setdefault(card.name, (card, []))[1].append(index)
        for name, (card, members) in by_card.items():
            chosen = np.array(members)
            with_data = np.zeros(len(chosen), dtype=np.int64)
            total_weight = np.zeros(len(chosen))
            weighted = np.zeros(len(chosen))
            columns = []
            for step in card.steps:
                if step not in figures:
                    figures[step] = step.figures(batch)
                values = figures[step][chosen]
                step_scores = step.scores(values)
                has = ~np.isnan(values)
                # As `weighted_score` sums: measure by measure, in order, only those with data.
                with_data += has
                total_weight += np.where(has, step.weight, 0.0)
                weighted += np.where(has, step.weight * step_scores, 0.0)
                columns.append((step, _listed(values), _listed(step_scores)))
            enough = ((with_data >= max(1, card.min_measures)) & (total_weight != 0)).tolist()
            means = (weighted / np.where(total_weight == 0, 1.0, total_weight)).tolist()
            for position, index in enumerate(members):
                names[index] = name
                if enough[position]:
                    scores[index] = round(means[position], 1)
                    bands[index] = self.band_for(scores[index])
                measures[index] = [
                    {
                        "id": step.id,
                        "group": step.group,
                        "weight": step.weight,
                        "value": values[position],
                        "score": step_scores[position],
                    }
                    for step, values, step_scores in columns
                    if not (step.optional and values[position] is None)
                ]
        return BatchScores([a.id for a in accounts], names, scores, bands, measures)


def _listed(column: NDArray[np.float64]) -> list[float | None]:
    """The column as Python numbers, None where it holds no figure."""
    return [None if value != value else value for value in column.tolist()]  # NaN is not equal to itself
