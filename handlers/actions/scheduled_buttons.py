"""Buttons on renewal reminders and at-risk alerts: change the account, then redraw the message."""

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import slack_ids
from bot.render.message import Message, text_message
from bot.render.outbox import draw
from bot.render.templating import macros
from bot.services import Services
from domain.access import record_refusal
from domain.reminder_actions import ReminderAction, acknowledge_alert, act_on_reminder
from handlers.access import refused
from handlers.errors import int_value
from storage import outbox
from storage.outbox import Purpose

REMINDER_ACTIONS: dict[str, ReminderAction] = {
    slack_ids.RENEWAL_MARK_RENEWED: "renewed",
    slack_ids.RENEWAL_FLAG_AT_RISK: "at_risk",
    slack_ids.RENEWAL_SNOOZE: "snoozed",
    slack_ids.RENEWAL_TAKE_OWNERSHIP: "taken",
}


# The messages whose buttons act on reminders, and those whose buttons act on alerts.
RENEWAL_PURPOSES = frozenset({Purpose.RENEWAL_DM})
ALERT_PURPOSES = frozenset({Purpose.RISK_DM, Purpose.ESCALATION_DM})


def _ids(action: dict[str, Any]) -> tuple[int, int]:
    """(outbox message id, reminder or alert id) from a value "<message>:<item>"."""
    message_id, _, item_id = str(action.get("value", "")).partition(":")
    return int_value(message_id), int_value(item_id)


def make_listener(services: Services) -> Callable[..., None]:
    def press(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        requester = services.directory.requester(client, body["user"]["id"])
        messages = macros(requester.language, "messages.j2")
        message_id, item_id = _ids(action)
        kind = REMINDER_ACTIONS.get(action["action_id"])
        # Taking ownership needs a team member to hand the account to; the user group alone is not enough.
        if refused(services, requester, action=action["action_id"], query=str(item_id), respond=respond):
            return
        if kind == "taken" and requester.member is None:
            # A user-group member may see accounts but is no one the account can be handed to.
            record_refusal(
                services.engine,
                slack_user_id=requester.slack_user_id,
                action=action["action_id"],
                at=services.now(),
            )
            respond(
                replace_original=False,
                response_type="ephemeral",
                **text_message(messages.refusal()).payload(),
            )
            return
        message = outbox.load(services.engine, message_id)
        purposes = RENEWAL_PURPOSES if kind is not None else ALERT_PURPOSES
        if message is None or message["purpose"] not in purposes or item_id not in (message["items"] or []):
            # Not a message csbot sent, or not with this item on it: change nothing rather than guess.
            respond(
                replace_original=False,
                response_type="ephemeral",
                **text_message(messages.gone_message()).payload(),
            )
            return
        if kind is not None:
            act_on_reminder(
                services.engine,
                item_id,
                kind,
                slack_user_id=requester.slack_user_id,
                member_email=requester.member.email if requester.member else None,
                today=services.today(),
                at=services.now(),
            )
        else:
            acknowledge_alert(
                services.engine,
                item_id,
                slack_user_id=requester.slack_user_id,
                today=services.today(),
                at=services.now(),
            )
        redrawn = draw(services.engine, services.config, message, services.today())
        assert isinstance(redrawn, Message)  # reminders and alerts are messages, never the digest
        respond(replace_original=True, **redrawn.payload())

    return press
