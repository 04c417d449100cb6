"""The daily sweep: score every account for the day, then record due reminders and at-risk alerts.

Everything it records is keyed uniquely, so running it twice for a day, or on two replicas at once,
records nothing new the second time. Sending is separate (the outbox), so a Slack outage delays
messages but loses none.
"""

from concurrent.futures import ThreadPoolExecutor
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
from domain.risk_sweep import RiskHistory, RiskSweepResult, read_risk_history, sweep_risks

UTC_ZONE = ZoneInfo("UTC")
# The thread that records reminders and reads the risk history while a large workspace is scored.
RULES_THREAD = "sweep-rules"


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

    The renewal reminders do not depend on the day's scores, nor does what the risk rules compare the
    scores with: on a large workspace both are done on a thread of their own while the accounts are
    scored (whose figures are read on threads of their own too). The at-risk alerts come last, from
    the scores just computed.

    Before scoring, customer channels' figures are worked out for yesterday (complete now, replies
    after midnight included) and today so far, so a customer who went quiet scores lower today."""
    if score_accounts:
        record_channel_days(engine, [day - timedelta(days=1), day], policy.zone)
    with HealthRefresh(engine, policy.health, [day] if score_accounts else [], keep_scores_of=day) as refresh:

        def record_renewals() -> RenewalSweepResult:
            return sweep_renewals(
                engine,
                day=day,
                now=now,
                ownership=policy.ownership,
                renewals=policy.renewals,
                channels=policy.channels,
                default_language=policy.default_language,
            )

        def read_history() -> RiskHistory:
            return read_risk_history(
                engine, day=day, trend_days=policy.health.trend_days, policy=policy.risks
            )

        if refresh.concurrent:
            # At scale, the reminders and the risk history (each a pass over every account) run on a
            # thread of their own while this one scores: most of both is the database's work.
            with ThreadPoolExecutor(1, thread_name_prefix=RULES_THREAD) as rules:
                recording, reading = rules.submit(record_renewals), rules.submit(read_history)
                snapshots = refresh.finish()
                renewals, history = recording.result(), reading.result()
        else:
            renewals, history = record_renewals(), read_history()
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
