"""Scoring one account on one day from its figures. Pure: no database, no Slack, no clock.

The figures (a window's count, sum, largest value and last observation; value points due and reached)
come from storage/health_figures.py, read for a whole batch of accounts in grouped SQL; here each
measure turns its figure into a score through its thresholds, and the measures into one score.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from domain.health.scorecard import HealthConfig, Measure
from storage.health_figures import MetricWindow, ScoredAccount, ValuePoints, WindowFigures


@dataclass(frozen=True, slots=True)
class MeasureResult:
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


@dataclass(frozen=True)
class HealthResult:
    account_id: int
    day: date
    scorecard: str
    score: float | None
    band: str
    measures: list[MeasureResult]


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


def figure_value(
    measure: Measure,
    account: ScoredAccount,
    day: date,
    metrics: Mapping[tuple[int, str, int], WindowFigures],
    value_points: Mapping[tuple[int, int], ValuePoints],
) -> float | None:
    """The raw figure a measure's thresholds apply to, from the figures read for the day; None: no data."""
    if measure.source == "milestones":
        points = value_points.get((account.id, measure.window_days))
        return points.on_time / points.due if points else None
    figures = metrics.get((account.id, measure.metric or "", measure.window_days))
    if figures is None:
        return None
    match measure.aggregate:
        case "latest":
            value = figures.last_value
        case "average":
            # Days without a row count as no activity only if the metric is reported daily;
            # averaging what was reported keeps sparse feeds from looking like churn.
            value = figures.total / figures.count
        case "sum":
            value = figures.total
        case "max":
            value = figures.largest
        case "days_since":
            value = float((day - figures.last_day).days)
    if value is None:
        return None
    if measure.per_seat:
        return value / account.seats if account.seats else None
    return value


def score_from_figures(
    config: HealthConfig,
    account: ScoredAccount,
    day: date,
    metrics: Mapping[tuple[int, str, int], WindowFigures],
    value_points: Mapping[tuple[int, int], ValuePoints],
) -> HealthResult:
    """One account's score on one day, from the figures read for it. Pure: the reads happened before."""
    scorecard = config.scorecard_for(account.segment)
    results = []
    for measure in scorecard.measures:
        value = figure_value(measure, account, day, metrics, value_points)
        score = None if value is None else measure.score_for(value)
        results.append(
            MeasureResult(id=measure.id, group=measure.group, weight=measure.weight, value=value, score=score)
        )
    score = weighted_score(results, scorecard.min_measures)
    return HealthResult(
        account_id=account.id,
        day=day,
        scorecard=scorecard.name,
        score=score,
        band=config.band_for(score),
        measures=results,
    )
