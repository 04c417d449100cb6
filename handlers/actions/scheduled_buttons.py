"""Buttons on renewal reminders and at-risk alerts: change the account, then redraw the message."""

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import slack_ids
from bot.delivery import render_outbox_message
from bot.render.message import text_message
from bot.render.templating import macros
from bot.services import Services
from domain.health.lookup import record_refusal
from domain.reminder_actions import ReminderAction, act_on_reminder
from storage import outbox
from storage.risks import acknowledge

REMINDER_ACTIONS: dict[str, ReminderAction] = {
    slack_ids.RENEWAL_MARK_RENEWED: "renewed",
    slack_ids.RENEWAL_FLAG_AT_RISK: "at_risk",
    slack_ids.RENEWAL_SNOOZE: "snoozed",
    slack_ids.RENEWAL_TAKE_OWNERSHIP: "taken",
}


def _ids(action: dict[str, Any]) -> tuple[int, int]:
    message_id, _, item_id = str(action["value"]).partition(":")
    return int(message_id), int(item_id)


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
        if not requester.allowed or (kind == "taken" and requester.member is None):
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
            acknowledge(services.engine, item_id, by=requester.slack_user_id, day=services.today())
        message = outbox.load(services.engine, message_id)
        if message is not None:
            redrawn = render_outbox_message(services.engine, services.config, message, services.today())
            respond(replace_original=True, **redrawn.payload())

    return press
