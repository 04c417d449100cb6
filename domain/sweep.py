"""The daily sweep: score every account for the day, then record due reminders and at-risk alerts.

Everything it records is keyed uniquely, so running it twice for a day, or on two replicas at once,
records nothing new the second time. Sending is separate (the outbox), so a Slack outage delays
messages but loses none.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from domain.channel_signals import record_channel_days
from domain.health.refresh import HealthRefresh
from domain.health.scorecard import HealthConfig
from domain.ownership import OwnershipConfig
from domain.policy import ChannelsConfig, RenewalsConfig, RisksConfig
from domain.renewal_sweep import RenewalSweepResult, sweep_renewals
from domain.risk_sweep import RiskSweepResult, read_risk_history, sweep_risks

UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class SweepPolicy:
    health: HealthConfig
    ownership: OwnershipConfig
    renewals: RenewalsConfig
    risks: RisksConfig
    channels: ChannelsConfig
    default_language: str
    zone: ZoneInfo = UTC_ZONE  # whose midnight ends a day of customer channel messages


@dataclass(frozen=True)
class SweepResult:
    day: date
    snapshots: int
    renewals: RenewalSweepResult
    risks: RiskSweepResult


def run_sweep(
    engine: Engine, policy: SweepPolicy, *, day: date, now: datetime, score_accounts: bool = True
) -> SweepResult:
    """`score_accounts=False` reuses the day's stored snapshots (e.g. replaying days already scored).

    The health figures are read on a thread of their own; meanwhile this thread records the renewal
    reminders, which do not depend on the day's scores, and reads what the risk rules compare the
    scores with. The at-risk alerts come last, from the scores just computed.

    Before scoring, customer channels' figures are worked out for yesterday (complete now, replies
    after midnight included) and today so far, so a customer who went quiet scores lower today."""
    if score_accounts:
        record_channel_days(engine, [day - timedelta(days=1), day], policy.zone)
    with HealthRefresh(engine, policy.health, [day] if score_accounts else [], keep_scores_of=day) as refresh:
        renewals = sweep_renewals(
            engine,
            day=day,
            now=now,
            ownership=policy.ownership,
            renewals=policy.renewals,
            channels=policy.channels,
            default_language=policy.default_language,
        )
        history = read_risk_history(engine, day=day, trend_days=policy.health.trend_days, policy=policy.risks)
        snapshots = refresh.finish()
    risks = sweep_risks(
        engine,
        day=day,
        now=now,
        trend_days=policy.health.trend_days,
        policy=policy.risks,
        ownership=policy.ownership,
        channels=policy.channels,
        default_language=policy.default_language,
        history=history,
        today=refresh.scores if score_accounts else None,
    )
    return SweepResult(day=day, snapshots=snapshots, renewals=renewals, risks=risks)
