"""What a person's Home tab shows: their accounts worst first, the renewals coming up, and for CS Ops
the whole workspace by band with the week's biggest moves."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from domain.at_risk import RisksAnswer, list_risks
from domain.health.scorecard import HealthConfig
from domain.ownership import OwnershipConfig
from domain.policy import RisksConfig
from domain.upcoming_renewals import DEFAULT_DAYS, RenewalsAnswer, list_renewals
from storage.digest import ScorePair, band_counts, biggest_score_changes
from storage.snapshots import newest_snapshot_day
from storage.team import Person

MOVERS = 5
MOVERS_DAYS = 7


@dataclass(frozen=True)
class Overview:
    """The whole workspace on its newest scored day: accounts per band, and the largest moves since a
    week before it."""

    day: date
    bands: dict[str, int] = field(default_factory=dict)
    movers: list[ScorePair] = field(default_factory=list)


@dataclass(frozen=True)
class HomeAnswer:
    portfolio: RisksAnswer  # every live account in scope, lowest score first
    renewals: RenewalsAnswer
    overview: Overview | None  # CS Ops only


def build_home(
    engine: Engine,
    *,
    health: HealthConfig,
    risks: RisksConfig,
    ownership: OwnershipConfig,
    member: Person | None,
    today: date,
    slack_user_id: str,
    at: datetime,
    offset: int = 0,
) -> HomeAnswer:
    portfolio = list_risks(
        engine,
        health,
        risks,
        member=member,
        today=today,
        slack_user_id=slack_user_id,
        at=at,
        offset=offset,
        only_at_risk=False,
        audited_as="home",
    )
    renewals = list_renewals(
        engine, ownership, member=member, days=DEFAULT_DAYS, today=today, slack_user_id=slack_user_id, at=at
    )
    overview = _overview(engine, today) if portfolio.scope.kind == "all" else None
    return HomeAnswer(portfolio=portfolio, renewals=renewals, overview=overview)


def _overview(engine: Engine, today: date) -> Overview | None:
    day = newest_snapshot_day(engine)
    if day is None or day > today:
        return None
    with engine.connect() as connection:
        bands = band_counts(connection, [day])[day]
        pairs = biggest_score_changes(connection, day - timedelta(days=MOVERS_DAYS), day, MOVERS)
    movers = sorted(pairs, key=lambda p: (-abs(p.after - p.before), p.name))[:MOVERS]
    return Overview(day=day, bands=bands, movers=movers)
