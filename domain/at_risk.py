"""`/cs risks`: the accounts at risk in a person's scope, lowest score first, with what pulls them down."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from domain.health.card import Drag, drags
from domain.health.scorecard import HealthConfig
from domain.health.scoring import MeasureResult
from domain.policy import RisksConfig
from domain.scope import MAX_LINES, Scope, scope_for
from storage import audit
from storage.at_risk import at_risk_accounts
from storage.snapshots import latest_snapshots, scores_on_or_before
from storage.team import Person

# As on the health card: a missed nightly run should not leave the trend without a starting point.
_BASELINE_SLACK_DAYS = 7


@dataclass(frozen=True)
class RiskLine:
    account_id: int
    external_id: str
    name: str
    csm_email: str | None
    score: float | None
    band: str  # "no_data" when the account was never scored
    baseline_score: float | None  # the score `trend_days` earlier
    top_drag: Drag | None
    in_worst_band: bool
    open_alert_on: date | None  # the newest alert nobody acknowledged, within the window
    flagged_on: date | None


@dataclass(frozen=True)
class RisksAnswer:
    scope: Scope
    trend_days: int
    worst_band: str
    alert_days: int  # unacknowledged alerts this recent count
    lines: list[RiskLine] = field(default_factory=list)
    total: int = 0
    offset: int = 0  # how many lines come before these ones

    @property
    def more(self) -> int:
        """Lines after these ones."""
        return max(0, self.total - self.offset - len(self.lines))


def alert_window_days(risks: RisksConfig) -> int:
    """Alerts count for two cool-downs, today included: long enough that an alert nobody answered
    is still listed when the next one could be raised, short enough that old noise drops off."""
    return 2 * risks.cooldown_days


def list_risks(
    engine: Engine,
    health: HealthConfig,
    risks: RisksConfig,
    *,
    member: Person | None,
    today: date,
    slack_user_id: str,
    at: datetime,
    limit: int = MAX_LINES,
    offset: int = 0,
    only_at_risk: bool = True,
    audited_as: str = "risks",
    band: str | None = None,
    by_csm: bool = False,
) -> RisksAnswer:
    """The at-risk accounts in the person's scope (with `only_at_risk` False: all of them, a portfolio),
    lowest score first, each with its trend and what pulls it down most."""
    scope = scope_for(engine, member)
    # Bands run from worst to best, so the first one is "red" whatever a workspace calls it.
    worst = health.bands[0].name
    alert_days = alert_window_days(risks)
    answer = RisksAnswer(scope=scope, trend_days=health.trend_days, worst_band=worst, alert_days=alert_days)
    if scope.kind != "none":
        rows, total = at_risk_accounts(
            engine,
            today=today,
            worst_band=worst,
            alerts_since=today - timedelta(days=alert_days - 1),
            emails=scope.filter,
            limit=limit,
            offset=offset,
            only_at_risk=only_at_risk,
            band=band,
            by_csm=by_csm,
        )
        ids = [r.account.id for r in rows]
        snapshots = latest_snapshots(engine, ids, today)
        baseline_day = today - timedelta(days=health.trend_days)
        baselines = scores_on_or_before(
            engine, ids, day=baseline_day, not_before=baseline_day - timedelta(days=_BASELINE_SLACK_DAYS)
        )
        lines = []
        for row in rows:
            snapshot = snapshots.get(row.account.id)
            measures = [MeasureResult.from_dict(m) for m in snapshot.measures] if snapshot else []
            top = drags(measures, limit=1)
            lines.append(
                RiskLine(
                    account_id=row.account.id,
                    external_id=row.account.external_id,
                    name=row.account.name,
                    csm_email=row.account.csm_email,
                    score=row.score,
                    band=row.band or "no_data",
                    baseline_score=baselines.get(row.account.id),
                    top_drag=top[0] if top else None,
                    in_worst_band=row.band == worst,
                    open_alert_on=row.latest_open_alert,
                    flagged_on=row.flagged_at_risk_on,
                )
            )
        answer = RisksAnswer(
            scope=scope,
            trend_days=health.trend_days,
            worst_band=worst,
            alert_days=alert_days,
            lines=lines,
            total=total,
            offset=offset,
        )
    audit.record(engine, at=at, slack_user_id=slack_user_id, action=audited_as, outcome="listed")
    return answer
