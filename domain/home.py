"""What a person's Home tab shows: the alerts waiting for them, their accounts worst first, the
renewals coming up; for a manager each CSM's accounts by band, and for CS Ops the whole workspace by
band with the week's biggest moves."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from domain.at_risk import RisksAnswer, alert_window_days, list_risks
from domain.health.scorecard import HealthConfig
from domain.ownership import OwnershipConfig
from domain.policy import RisksConfig
from domain.reminder_actions import acknowledge_alert
from domain.scope import scope_for
from domain.upcoming_renewals import DEFAULT_DAYS, RenewalsAnswer, list_renewals
from storage.at_risk import NO_DATA, bands_by_csm
from storage.digest import ScorePair, band_counts, biggest_score_changes
from storage.owners import owner_row
from storage.risks import OpenAlert, alert_account, open_alerts
from storage.snapshots import newest_snapshot_day
from storage.team import Person, people_by_email

MOVERS = 5
MOVERS_DAYS = 7
ALERTS_SHOWN = 10  # each has its own Acknowledge button, so each is a block of the tab's hundred
RENEWAL_WINDOWS = (30, 60, 90, 180)


@dataclass(frozen=True)
class HomeFilter:
    """What the person chose on their tab: one band or all, how far ahead renewals reach, and which
    page of their accounts they are on. Kept in the view itself, so every replica can redraw it."""

    band: str | None = None
    renewal_days: int = DEFAULT_DAYS
    offset: int = 0

    def with_band(self, band: str | None) -> "HomeFilter":
        return replace(self, band=band, offset=0)

    def with_renewal_days(self, days: int) -> "HomeFilter":
        return replace(self, renewal_days=days if days in RENEWAL_WINDOWS else DEFAULT_DAYS)

    def at(self, offset: int) -> "HomeFilter":
        return replace(self, offset=max(0, offset))


@dataclass(frozen=True)
class CsmLine:
    """One CSM of a manager's team: how many of their live accounts sit in each band."""

    email: str
    name: str
    bands: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.bands.values())


@dataclass(frozen=True)
class Overview:
    """The whole workspace on its newest scored day: accounts per band, and the largest moves since a
    week before it."""

    day: date
    bands: dict[str, int] = field(default_factory=dict)
    movers: list[ScorePair] = field(default_factory=list)


@dataclass(frozen=True)
class HomeAnswer:
    portfolio: RisksAnswer  # every live account in scope (in the chosen band), lowest score first
    renewals: RenewalsAnswer
    overview: Overview | None  # CS Ops only
    choice: HomeFilter = HomeFilter()
    bands: tuple[str, ...] = ()  # the workspace's band names, worst first, then "no_data"
    alerts: list[OpenAlert] = field(default_factory=list)  # newest first, at most ALERTS_SHOWN
    alerts_total: int = 0
    team: list[CsmLine] = field(default_factory=list)  # a manager's CSMs, themselves included
    names: dict[str, str] = field(default_factory=dict)  # CSM email → name, for grouping the list


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
    choice: HomeFilter = HomeFilter(),
) -> HomeAnswer:
    scope = scope_for(engine, member)
    portfolio = list_risks(
        engine,
        health,
        risks,
        member=member,
        today=today,
        slack_user_id=slack_user_id,
        at=at,
        offset=choice.offset,
        only_at_risk=False,
        audited_as="home",
        band=choice.band,
        by_csm=scope.kind == "team",
    )
    renewals = list_renewals(
        engine,
        ownership,
        member=member,
        days=choice.renewal_days,
        today=today,
        slack_user_id=slack_user_id,
        at=at,
    )
    alerts: list[OpenAlert] = []
    alerts_total = 0
    if scope.kind != "none":
        since = today - timedelta(days=alert_window_days(risks) - 1)
        alerts, alerts_total = open_alerts(
            engine, since=since, today=today, emails=scope.filter, limit=ALERTS_SHOWN
        )
    team: list[CsmLine] = []
    names: dict[str, str] = {}
    if scope.kind == "team":
        people = people_by_email(engine, scope.emails)
        names = {email: person.name for email, person in people.items()}
        counts = bands_by_csm(engine, today=today, emails=scope.emails)
        team = [
            CsmLine(email=email, name=names.get(email, email), bands=counts[email])
            for email in sorted(counts, key=lambda e: names.get(e or "", e or ""))
            if email is not None
        ]
    return HomeAnswer(
        portfolio=portfolio,
        renewals=renewals,
        overview=_overview(engine, today) if scope.kind == "all" else None,
        choice=choice,
        bands=(*(band.name for band in health.bands), NO_DATA),
        alerts=alerts,
        alerts_total=alerts_total,
        team=team,
        names=names,
    )


def acknowledge_in_scope(
    engine: Engine, member: Person | None, alert_id: int, *, slack_user_id: str, today: date, at: datetime
) -> bool:
    """Acknowledge the alert if it is on an account in the person's scope (the Home tab offers only
    those, and a forged button value must not reach anyone else's); whether it was acknowledged now."""
    if not _may_acknowledge(engine, member, alert_id):
        return False
    return acknowledge_alert(engine, alert_id, slack_user_id=slack_user_id, today=today, at=at)


def _may_acknowledge(engine: Engine, member: Person | None, alert_id: int) -> bool:
    account_id = alert_account(engine, alert_id)
    account = owner_row(engine, account_id) if account_id is not None else None
    if account is None:
        return False
    scope = scope_for(engine, member)
    if scope.kind == "all":
        return True
    owners = {account.csm_email, account.ae_email, account.am_email, account.renewal_owner_email}
    return bool(owners & scope.emails)


def _overview(engine: Engine, today: date) -> Overview | None:
    day = newest_snapshot_day(engine)
    if day is None or day > today:
        return None
    with engine.connect() as connection:
        bands = band_counts(connection, [day])[day]
        pairs = biggest_score_changes(connection, day - timedelta(days=MOVERS_DAYS), day, MOVERS)
    movers = sorted(pairs, key=lambda p: (-abs(p.after - p.before), p.name))[:MOVERS]
    return Overview(day=day, bands=bands, movers=movers)
