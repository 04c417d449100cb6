"""Recording the renewal reminders due on a day, and the messages that carry them, exactly once.

Reminders and their messages are written in one transaction under unique keys: a second replica,
a restart or a re-run of the same day finds them recorded and adds nothing.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from domain.notices import daily_messages
from domain.ownership import AccountOwners, OwnershipConfig, renewal_owner
from domain.policy import ChannelsConfig, RenewalsConfig
from domain.renewals import countdown, reminder_due
from storage.outbox import Purpose, enqueue
from storage.reminders import record_reminders, recorded_windows, upcoming_contracts
from storage.team import people_by_email

# Notice periods longer than this are not looked ahead for (a year of notice is already unusual).
_MAX_NOTICE_DAYS = 366


@dataclass(frozen=True)
class RenewalSweepResult:
    due: int  # reminders this run recorded
    messages: int  # DMs and channel posts it queued
    unreachable: list[str]  # owners without a Slack user id: told through the channel only


def sweep_renewals(
    engine: Engine,
    *,
    day: date,
    now: datetime,
    ownership: OwnershipConfig,
    renewals: RenewalsConfig,
    channels: ChannelsConfig,
    default_language: str,
) -> RenewalSweepResult:
    horizon = day + timedelta(days=max(renewals.windows_days) + _MAX_NOTICE_DAYS)
    with engine.begin() as connection:
        contracts = upcoming_contracts(connection, today=day, until=horizon)
        recorded = recorded_windows(connection, today=day, until=horizon)
        rows = []
        decided = {}
        for contract in contracts:
            if contract.snoozed_until and day < contract.snoozed_until:
                continue
            target = countdown(contract.end_date, contract.auto_renew, contract.notice_days)
            days_left = (target.target_date - day).days
            window = reminder_due(
                renewals.windows_days,
                days_left,
                recorded.get((contract.contract_id, target.target_date), set()),
            )
            if window is None:
                continue
            decision = renewal_owner(ownership, AccountOwners.of(contract))
            decided[contract.contract_id] = (contract, decision)
            rows.append(
                {
                    "contract_id": contract.contract_id,
                    "target_date": target.target_date,
                    "window_days": window,
                    "sweep_day": day,
                    "status": "sent",
                    "owner_email": decision.email,
                    "rule": decision.rule if decision.fell_back_from is None else f"{decision.rule}:fallback",
                }
            )
        inserted = record_reminders(connection, rows)

        # Who hears of each new reminder: its owner and the configured copy roles, one DM per person.
        by_person: dict[str, list[int]] = defaultdict(list)
        by_channel: dict[str, list[int]] = defaultdict(list)
        for reminder in inserted:
            contract, decision = decided[reminder["contract_id"]]
            owners = AccountOwners.of(contract)
            recipients = [decision.email] + [owners.email_for(role) for role in renewals.copy_roles]
            for email in dict.fromkeys(e for e in recipients if e):
                by_person[email].append(reminder["id"])
            channel = channels.for_account("renewals", contract.segment, contract.region)
            if channel:
                by_channel[channel].append(reminder["id"])
        messages, unreachable = daily_messages(
            purpose=Purpose.RENEWAL_DM,
            day=day,
            to_people=by_person,
            people=people_by_email(connection, by_person),
            to_channels=by_channel,
            channel_purpose=Purpose.RENEWAL_CHANNEL,
            default_language=default_language,
        )
        queued = enqueue(connection, messages, now=now)
    return RenewalSweepResult(due=len(inserted), messages=queued, unreachable=unreachable)
