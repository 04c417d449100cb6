"""The specification of a health score, computed the slow, obvious way: every observation of an
account's windows read into Python and aggregated there. The refresh computes the same figures in
grouped SQL; tests/test_scoring_pass.py holds the two to identical results.
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import Engine, select

from domain.health.scorecard import HealthConfig, Measure, Scorecard
from domain.health.scoring import MeasureResult, weighted_score
from storage.models import Account, MetricObservation, Milestone

# A metric's observations for one account, sorted by day.
Series = list[tuple[date, float]]


@dataclass(frozen=True)
class HealthResult:
    account_id: int
    day: date
    scorecard: str
    score: float | None
    band: str
    measures: list[MeasureResult]


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


def score_account(
    config: HealthConfig, facts: AccountFacts, day: date, scorecard: Scorecard | None = None
) -> HealthResult:
    scorecard = scorecard or config.scorecard_for(facts.segment)
    measured = [measure_account(measure, facts, day) for measure in scorecard.measures]
    # An optional measure without data is not part of the account's measures at all.
    optional = {m.id for m in scorecard.measures if m.optional}
    results = [r for r in measured if r.has_data or r.id not in optional]
    score = weighted_score(results, scorecard.min_measures)
    return HealthResult(
        account_id=facts.account_id,
        day=day,
        scorecard=scorecard.name,
        score=score,
        band=config.band_for(score),
        measures=results,
    )


def _load_facts(engine: Engine, account_ids: Sequence[int]) -> list[AccountFacts]:
    with engine.connect() as connection:
        accounts = connection.execute(
            select(Account.id, Account.segment, Account.seats).where(Account.id.in_(account_ids))  # type: ignore[union-attr]
        ).all()
        facts = {a.id: AccountFacts(account_id=a.id, segment=a.segment, seats=a.seats) for a in accounts}
        series: dict[int, dict[str, list[tuple[date, float]]]] = defaultdict(lambda: defaultdict(list))
        for account_id, metric, observed_on, value in connection.execute(
            select(
                MetricObservation.account_id,
                MetricObservation.metric,
                MetricObservation.observed_on,
                MetricObservation.value,
            ).order_by(MetricObservation.account_id, MetricObservation.metric, MetricObservation.observed_on)
        ):
            if account_id in facts:
                series[account_id][metric].append((observed_on, value))
        for account_id, due_date, achieved_date in connection.execute(
            select(Milestone.account_id, Milestone.due_date, Milestone.achieved_date)
        ):
            if account_id in facts:
                facts[account_id].milestones.append(MilestoneFact(due_date, achieved_date))
    for account_id, by_metric in series.items():
        facts[account_id].series = dict(by_metric)
    return list(facts.values())


def reference_snapshots(
    engine: Engine, config: HealthConfig, days: Sequence[date]
) -> dict[tuple[int, date], tuple[Any, ...]]:
    """(account, day) → (score, band, scorecard, measures) for every account not churned, as stored."""
    with engine.connect() as connection:
        ids = list(connection.scalars(select(Account.id).where(Account.status != "churned")))
    snapshots = {}
    for facts in _load_facts(engine, ids):
        for day in days:
            result = score_account(config, facts, day)
            measures = [m.as_dict() for m in result.measures]
            snapshots[(result.account_id, day)] = (result.score, result.band, result.scorecard, measures)
    return snapshots
