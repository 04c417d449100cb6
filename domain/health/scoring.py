"""Scoring one account on one day from its facts. Pure: no database, no Slack, no clock."""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter

from domain.health.scorecard import HealthConfig, Measure, Scorecard

# A metric's observations for one account, sorted by day.
Series = list[tuple[date, float]]


@dataclass(frozen=True)
class MilestoneFact:
    due_date: date
    achieved_date: date | None


@dataclass
class AccountFacts:
    """Everything scoring needs about one account, loaded in bulk by the storage layer."""

    account_id: int
    segment: str | None
    seats: int | None
    series: dict[str, Series] = field(default_factory=dict)
    milestones: list[MilestoneFact] = field(default_factory=list)


@dataclass(frozen=True)
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


def _window(series: Series, day: date, window_days: int) -> Series:
    """Observations in the `window_days` days ending on `day` (inclusive)."""
    start = bisect_left(series, day - timedelta(days=window_days - 1), key=itemgetter(0))
    end = bisect_right(series, day, key=itemgetter(0))
    return series[start:end]


def _metric_value(measure: Measure, facts: AccountFacts, day: date) -> float | None:
    observations = _window(facts.series.get(measure.metric or "", []), day, measure.window_days)
    if not observations:
        return None
    values = [v for _, v in observations]
    match measure.aggregate:
        case "latest":
            value = values[-1]
        case "average":
            # Days without a row count as no activity only if the metric is reported daily;
            # averaging what was reported keeps sparse feeds from looking like churn.
            value = sum(values) / len(values)
        case "sum":
            value = sum(values)
        case "max":
            value = max(values)
        case "days_since":
            value = float((day - observations[-1][0]).days)
    if measure.per_seat:
        if not facts.seats:
            return None
        value = value / facts.seats
    return value


def _milestone_value(measure: Measure, facts: AccountFacts, day: date) -> float | None:
    start = day - timedelta(days=measure.window_days - 1)
    due = [m for m in facts.milestones if start <= m.due_date <= day]
    if not due:
        return None
    on_time = sum(1 for m in due if m.achieved_date is not None and m.achieved_date <= m.due_date)
    return on_time / len(due)


def measure_account(measure: Measure, facts: AccountFacts, day: date) -> MeasureResult:
    if measure.source == "milestones":
        value = _milestone_value(measure, facts, day)
    else:
        value = _metric_value(measure, facts, day)
    score = None if value is None else measure.score_for(value)
    return MeasureResult(id=measure.id, group=measure.group, weight=measure.weight, value=value, score=score)


def weighted_score(results: list[MeasureResult], min_measures: int = 1) -> float | None:
    """Weighted mean over the measures that have data; None when fewer than `min_measures` have."""
    with_data = [r for r in results if r.score is not None]
    total_weight = sum(r.weight for r in with_data)
    if len(with_data) < max(1, min_measures) or total_weight == 0:
        return None
    return round(sum(r.weight * r.score for r in with_data) / total_weight, 1)  # type: ignore[operator]


def score_account(
    config: HealthConfig, facts: AccountFacts, day: date, scorecard: Scorecard | None = None
) -> HealthResult:
    scorecard = scorecard or config.scorecard_for(facts.segment)
    results = [measure_account(measure, facts, day) for measure in scorecard.measures]
    score = weighted_score(results, scorecard.min_measures)
    return HealthResult(
        account_id=facts.account_id,
        day=day,
        scorecard=scorecard.name,
        score=score,
        band=config.band_for(score),
        measures=results,
    )
