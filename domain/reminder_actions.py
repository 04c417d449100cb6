"""What the buttons on a renewal reminder do to the account and contract behind it."""

from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import Engine, select, update

from storage import audit
from storage.models import Account, Contract, RenewalReminder

ReminderAction = Literal["renewed", "at_risk", "snoozed", "taken"]
SNOOZE = timedelta(days=7)

REMINDERS = RenewalReminder.__table__  # type: ignore[attr-defined]
CONTRACTS = Contract.__table__  # type: ignore[attr-defined]
ACCOUNTS = Account.__table__  # type: ignore[attr-defined]


def act_on_reminder(
    engine: Engine,
    reminder_id: int,
    action: ReminderAction,
    *,
    slack_user_id: str,
    member_email: str | None,
    today: date,
    at: datetime,
) -> bool:
    """Apply the action; False if the reminder does not exist (nothing changes then)."""
    with engine.begin() as connection:
        row = connection.execute(
            select(REMINDERS.c.contract_id, CONTRACTS.c.account_id)
            .join(CONTRACTS, CONTRACTS.c.id == REMINDERS.c.contract_id)
            .where(REMINDERS.c.id == reminder_id)
        ).first()
        if row is None:
            return False
        contract_id, account_id = row
        reminder_values: dict[str, object] = {"handled": action, "handled_by": slack_user_id}
        if action == "renewed":
            connection.execute(
                update(CONTRACTS).where(CONTRACTS.c.id == contract_id).values(status="renewed")
            )
        elif action == "at_risk":
            connection.execute(
                update(ACCOUNTS).where(ACCOUNTS.c.id == account_id).values(flagged_at_risk_on=today)
            )
        elif action == "snoozed":
            connection.execute(
                update(CONTRACTS).where(CONTRACTS.c.id == contract_id).values(snoozed_until=today + SNOOZE)
            )
        elif action == "taken":
            connection.execute(
                update(ACCOUNTS).where(ACCOUNTS.c.id == account_id).values(renewal_owner_email=member_email)
            )
            reminder_values["owner_email"] = member_email
        connection.execute(update(REMINDERS).where(REMINDERS.c.id == reminder_id).values(**reminder_values))
    audit.record(
        engine,
        at=at,
        slack_user_id=slack_user_id,
        action=f"reminder_{action}",
        account_id=account_id,
        outcome="done",
    )
    return True
