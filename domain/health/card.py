"""Everything the health card shows, as plain data: built from stored snapshots, never recomputed."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine

from domain.health.scorecard import HealthConfig
from domain.health.scoring import MeasureResult
from storage.accounts import CardRows, load_card_rows
from storage.team import Person

SPARKLINE_POINTS = 7
TOP_DRAGS = 3


@dataclass(frozen=True)
class Drag:
    """A measure and how many points it costs the overall score."""

    measure: MeasureResult
    points_lost: float


@dataclass(frozen=True)
class Renewal:
    end_date: date
    days_left: int  # below 0 when the contract ended without being renewed (overdue)
    arr: float
    auto_renew: bool
    notice_deadline: date | None  # last day to give notice, for auto-renewing contracts
    notice_days_left: int | None

    @property
    def overdue(self) -> bool:
        """The contract ended and nothing says it was renewed or lost."""
        return self.days_left < 0


@dataclass(frozen=True)
class HealthCard:
    account_id: int
    external_id: str
    name: str
    segment: str | None
    region: str | None
    lifecycle_stage: str | None
    status: str  # active | churned | paused
    churned_on: date | None  # when a churned account left, as far as the data says
    arr: float
    csm: Person | None
    ae: Person | None
    am: Person | None
    renewal: Renewal | None
    as_of: date | None  # day of the newest snapshot; None when the account was never scored
    score: float | None
    band: str
    scorecard: str | None
    baseline_score: float | None  # the score `trend_days` earlier
    trend_days: int
    history: list[float | None]  # scores at evenly spaced days over the trend window, oldest first
    drags: list[Drag]
    strongest: MeasureResult | None
    no_data: list[MeasureResult]
    measures_total: int = 0  # measures in the scorecard it was scored with
    min_measures: int = 1  # measures with data that scorecard needs for a score

    @property
    def measures_with_data(self) -> int:
        return self.measures_total - len(self.no_data)

    @property
    def too_little_data(self) -> bool:
        """Some data, but on fewer measures than a score needs."""
        return self.score is None and 0 < self.measures_with_data < self.min_measures

    @property
    def trend(self) -> float | None:
        if self.score is None or self.baseline_score is None:
            return None
        return round(self.score - self.baseline_score, 1)


def drags(measures: list[MeasureResult], limit: int = TOP_DRAGS) -> list[Drag]:
    """The measures costing the most points: weight share × shortfall from 100."""
    with_data = [m for m in measures if m.score is not None]
    total_weight = sum(m.weight for m in with_data)
    if not total_weight:
        return []
    costs = [Drag(m, round(m.weight / total_weight * (100 - m.score), 1)) for m in with_data]  # type: ignore[operator]
    return sorted((d for d in costs if d.points_lost > 0), key=lambda d: -d.points_lost)[:limit]


def strongest(measures: list[MeasureResult]) -> MeasureResult | None:
    """The best-scoring measure, when there is one to set against the drags: with a single measure
    of data, or when every measure costs points, it would only repeat a drag."""
    with_data = [m for m in measures if m.score is not None]
    if len(with_data) < 2:
        return None
    best = max(with_data, key=lambda m: (m.score, m.weight))
    return None if any(d.measure.id == best.id for d in drags(measures)) else best


def _person(rows: CardRows, email: str | None) -> Person | None:
    if not email:
        return None
    return rows.owners.get(email) or Person.by_email_only(email)


def _renewal(rows: CardRows, today: date) -> Renewal | None:
    contract = rows.contract
    if contract is None:
        return None
    deadline = None
    if contract.auto_renew and contract.notice_days:
        deadline = contract.end_date - timedelta(days=contract.notice_days)
    return Renewal(
        end_date=contract.end_date,
        days_left=(contract.end_date - today).days,
        arr=contract.arr,
        auto_renew=contract.auto_renew,
        notice_deadline=deadline,
        notice_days_left=(deadline - today).days if deadline else None,
    )


def sample_days(today: date, trend_days: int, points: int = SPARKLINE_POINTS) -> list[date]:
    """Evenly spaced days from `trend_days` ago up to today: the sparkline's x axis."""
    step = trend_days / (points - 1)
    return [today - timedelta(days=round(trend_days - i * step)) for i in range(points)]


def _score_on_or_before(by_day: dict[date, float | None], days: list[date], day: date) -> float | None:
    """The latest stored score on or before `day` (a missed nightly run should not blank the chart)."""
    earlier = [d for d in days if d <= day]
    return by_day[earlier[-1]] if earlier else None


def build_card(engine: Engine, config: HealthConfig, account_id: int, today: date) -> HealthCard | None:
    # A week of slack before the baseline so a missed nightly run still leaves a comparison point.
    history_from = today - timedelta(days=config.trend_days + 7)
    rows = load_card_rows(engine, account_id, today=today, history_from=history_from)
    if rows is None:
        return None
    account = rows.account
    latest = rows.latest
    measures = [MeasureResult.from_dict(m) for m in latest.measures] if latest else []
    by_day = dict(rows.history)
    days = [day for day, _ in rows.history]
    baseline_day = today - timedelta(days=config.trend_days)
    return HealthCard(
        account_id=account.id,
        external_id=account.external_id,
        name=account.name,
        segment=account.segment,
        region=account.region,
        lifecycle_stage=account.lifecycle_stage,
        status=account.status,
        churned_on=rows.churned_on,
        arr=account.arr,
        csm=_person(rows, account.csm_email),
        ae=_person(rows, account.ae_email),
        am=_person(rows, account.am_email),
        renewal=None if account.status == "churned" else _renewal(rows, today),
        as_of=latest.day if latest else None,
        score=latest.score if latest else None,
        band=latest.band if latest else "no_data",
        scorecard=latest.scorecard if latest else None,
        baseline_score=_score_on_or_before(by_day, days, baseline_day),
        trend_days=config.trend_days,
        history=[_score_on_or_before(by_day, days, d) for d in sample_days(today, config.trend_days)],
        drags=drags(measures),
        strongest=strongest(measures),
        no_data=[m for m in measures if m.score is None],
        measures_total=len(measures),
        min_measures=_min_measures(config, latest.scorecard if latest else None),
    )


def _min_measures(config: HealthConfig, name: str | None) -> int:
    # A snapshot names its scorecard; one since removed from the configuration asks for nothing more.
    scorecard = config.scorecard(name) if name else None
    return scorecard.min_measures if scorecard else 1
