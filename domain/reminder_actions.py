"""What the buttons on renewal reminders and at-risk alerts do to what lies behind them."""

from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Engine

from storage import audit
from storage.reminders import apply_reminder_action
from storage.risks import acknowledge

ReminderAction = Literal["renewed", "at_risk", "snoozed", "taken"]
SNOOZE = timedelta(days=7)


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
    reminder: dict[str, Any] = {"handled": action, "handled_by": slack_user_id}
    contract: dict[str, Any] = {}
    account: dict[str, Any] = {}
    if action == "renewed":
        contract["status"] = "renewed"
    elif action == "at_risk":
        account["flagged_at_risk_on"] = today
    elif action == "snoozed":
        contract["snoozed_until"] = today + SNOOZE
    elif action == "taken":
        account["renewal_owner_email"] = member_email
        reminder["owner_email"] = member_email
    with engine.begin() as connection:
        account_id = apply_reminder_action(
            connection, reminder_id, reminder, contract=contract, account=account
        )
    if account_id is None:
        return False
    audit.record(
        engine,
        at=at,
        slack_user_id=slack_user_id,
        action=f"reminder_{action}",
        account_id=account_id,
        outcome="done",
    )
    return True


def acknowledge_alert(
    engine: Engine, alert_id: int, *, slack_user_id: str, today: date, at: datetime
) -> bool:
    """Mark the alert seen; False when it was acknowledged already or does not exist."""
    done = acknowledge(engine, alert_id, by=slack_user_id, day=today)
    audit.record(
        engine,
        at=at,
        slack_user_id=slack_user_id,
        action="risk_acknowledge",
        query=str(alert_id),
        outcome="done" if done else "already_done",
    )
    return done
