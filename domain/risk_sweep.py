"""At-risk alerts after the daily scoring, and escalation of the ones nobody acknowledged."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from domain.notices import daily_messages
from domain.ownership import AccountOwners, OwnershipConfig, renewal_owner
from domain.policy import ChannelsConfig, RisksConfig
from storage.outbox import NewMessage, Purpose, enqueue
from storage.risks import (
    accounts_for_alerts,
    alerted_since,
    alerts_to_escalate,
    at_risk_now,
    live_accounts,
    mark_escalated,
    next_renewals,
    overdue_renewals,
    record_alerts,
    scores_between,
)
from storage.team import people_by_email

# How far back to look for "yesterday" and "30 days ago" when a nightly run was missed.
_SLACK_DAYS = 7


@dataclass(frozen=True)
class RiskSweepResult:
    alerts: int
    escalations: int
    messages: int
    unreachable: list[str] = field(default_factory=list)  # people to tell with no Slack user id


def risk_reasons(
    *,
    band: str,
    score: float | None,
    previous_band: str | None,
    baseline: float | None,
    renews_on: date | None,
    day: date,
    policy: RisksConfig,
    renewal_overdue: bool = False,
) -> list[str]:
    """Why an account needs attention today; empty when it does not. Pure, so each rule is testable."""
    reasons = []
    if renewal_overdue:
        # A contract ended with nothing recorded: renewed unnoticed, or lapsing. Either way someone must look.
        reasons.append("renewal_overdue")
    if band == "red" and previous_band is not None and previous_band != "red":
        reasons.append("turned_red")
    if score is not None and baseline is not None and baseline - score >= policy.drop_points:
        reasons.append("dropped")
    # "no_data" is not evidence of risk: an unscored account is a data problem, not an alert.
    if (
        renews_on is not None
        and (renews_on - day).days <= policy.renewal_days
        and band not in ("green", "no_data")
    ):
        reasons.append("renewal_not_green")
    return reasons


# An account's score and band on a day.
DayScores = Mapping[int, tuple[float | None, str]]


@dataclass(frozen=True)
class RiskHistory:
    """What the rules compare today's scores with. None of it depends on today's scores, so the daily
    sweep reads it while the day's health figures are still being read."""

    day: date
    previous: dict[int, tuple[date, float | None, str]]  # latest snapshot in the week before the day
    baselines: dict[int, tuple[date, float | None, str]]  # latest snapshot at the trend window's start
    renewals: dict[int, date]  # next renewal within the policy's horizon
    lapsed: set[int]  # contracts ended, not marked renewed or lost
    cooling: set[int]  # alerted within the cooldown
    live: set[int]  # not churned


def read_risk_history(engine: Engine, *, day: date, trend_days: int, policy: RisksConfig) -> RiskHistory:
    with engine.connect() as connection:
        baseline_day = day - timedelta(days=trend_days)
        return RiskHistory(
            day=day,
            previous=scores_between(connection, day - timedelta(days=_SLACK_DAYS), day - timedelta(days=1)),
            baselines=scores_between(connection, baseline_day - timedelta(days=_SLACK_DAYS), baseline_day),
            renewals=next_renewals(connection, today=day, until=day + timedelta(days=policy.renewal_days)),
            lapsed=overdue_renewals(connection, today=day),
            cooling=alerted_since(connection, day - timedelta(days=policy.cooldown_days - 1)),
            live=live_accounts(connection),
        )


def sweep_risks(
    engine: Engine,
    *,
    day: date,
    now: datetime,
    trend_days: int,
    policy: RisksConfig,
    ownership: OwnershipConfig,
    channels: ChannelsConfig,
    default_language: str,
    history: RiskHistory | None = None,
    today: DayScores | None = None,
) -> RiskSweepResult:
    """Raise the day's alerts and escalations. `history` and `today` (the day's scores, as just
    computed) spare reading them again; without them both are read from the stored snapshots."""
    if history is None:
        history = read_risk_history(engine, day=day, trend_days=trend_days, policy=policy)
    if history.day != day:
        raise ValueError(f"risk history read for {history.day}, not {day}")
    with engine.begin() as connection:
        if today is None:
            today = {
                account_id: (score, band)
                for account_id, (_, score, band) in scores_between(connection, day, day).items()
            }
        previous, baselines, renewals = history.previous, history.baselines, history.renewals

        rows = []
        for account_id, (score, band) in today.items():
            if account_id in history.cooling or account_id not in history.live:
                continue
            reasons = risk_reasons(
                band=band,
                score=score,
                previous_band=previous[account_id][2] if account_id in previous else None,
                baseline=baselines[account_id][1] if account_id in baselines else None,
                renews_on=renewals.get(account_id),
                day=day,
                policy=policy,
                renewal_overdue=account_id in history.lapsed and account_id not in renewals,
            )
            if reasons:
                rows.append(
                    {"account_id": account_id, "day": day, "score": score, "band": band, "reasons": reasons}
                )
        inserted = record_alerts(connection, rows)
        accounts = accounts_for_alerts(connection, [alert["account_id"] for alert in inserted])

        # The CSM hears of it, and the renewal owner too when that is someone else.
        by_person: dict[str, list[int]] = defaultdict(list)
        by_channel: dict[str, list[int]] = defaultdict(list)
        for alert in inserted:
            account = accounts[alert["account_id"]]
            owner = renewal_owner(
                ownership,
                AccountOwners.of(account),
            )
            for email in dict.fromkeys(e for e in (account["csm_email"], owner.email) if e):
                by_person[email].append(alert["id"])
            channel = channels.for_account("risks", account["segment"], account["region"])
            if channel:
                by_channel[channel].append(alert["id"])

        # Alerts nobody acknowledged in time go to the CSM's manager, once.
        stale = alerts_to_escalate(connection, raised_by=day - timedelta(days=policy.escalate_after_days))
        csms = people_by_email(connection, [a["csm_email"] for a in stale if a["csm_email"]])
        by_manager: dict[str, list[int]] = defaultdict(list)
        for alert in stale:
            csm = csms.get(alert["csm_email"] or "")
            if csm and csm.manager_email:
                by_manager[csm.manager_email].append(alert["id"])
        people = people_by_email(connection, [*by_person, *by_manager])
        # A manager nobody can DM is not told; their alerts stay unescalated until someone can be.
        unreachable_managers = [e for e in by_manager if e not in people or not people[e].slack_user_id]
        for email in unreachable_managers:
            del by_manager[email]
        escalated = [alert_id for ids in by_manager.values() for alert_id in ids]
        mark_escalated(connection, escalated, day)

        alerts, unreachable = daily_messages(
            purpose=Purpose.RISK_DM,
            day=day,
            to_people=by_person,
            people=people,
            to_channels=by_channel,
            channel_purpose=Purpose.RISK_CHANNEL,
            default_language=default_language,
        )
        escalations, _ = daily_messages(
            purpose=Purpose.ESCALATION_DM,
            day=day,
            to_people=by_manager,
            people=people,
            default_language=default_language,
        )
        messages = alerts + escalations
        queued = enqueue(connection, messages, now=now)
    return RiskSweepResult(
        alerts=len(inserted),
        escalations=len(escalated),
        messages=queued,
        unreachable=sorted({*unreachable, *unreachable_managers}),
    )


def queue_weekly_summary(
    engine: Engine, *, day: date, now: datetime, channels: ChannelsConfig, default_language: str
) -> int:
    """Once a week, each risks channel gets the accounts at risk now (red, or alerted and unacknowledged)."""
    year, week, _ = day.isocalendar()
    with engine.begin() as connection:
        at_risk = at_risk_now(connection, day=day, alert_since=day - timedelta(days=14))
        accounts = accounts_for_alerts(connection, at_risk)
        by_channel: dict[str, list[int]] = defaultdict(list)
        for account_id in at_risk:
            account = accounts.get(account_id)
            channel = channels.for_account("risks", account["segment"], account["region"]) if account else ""
            if channel:
                by_channel[channel].append(account_id)
        messages = [
            NewMessage(
                dedup_key=f"risk-summary:{channel}:{year}-W{week:02d}",
                purpose=Purpose.RISK_SUMMARY,
                recipient=channel,
                items=ids,
                language=default_language,
            )
            for channel, ids in by_channel.items()
        ]
        return enqueue(connection, messages, now=now)
