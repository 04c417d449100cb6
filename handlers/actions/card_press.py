"""What both card buttons share: who pressed, whether they may see it, and the card they pressed for."""

from dataclasses import dataclass
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.access import Requester
from bot.render.message import text_message
from bot.render.templating import macros
from bot.services import Services
from domain.health.card import HealthCard
from domain.health.lookup import health_by_id
from handlers.access import refused
from handlers.errors import int_value


@dataclass(frozen=True)
class Pressed:
    requester: Requester
    card: HealthCard


def card_for_press(
    services: Services,
    *,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    audit_action: str,
) -> Pressed | None:
    """The card for the account on the pressed button, or None after telling the person why not."""
    requester = services.directory.requester(client, body["user"]["id"])
    messages = macros(requester.language, "messages.j2")
    account_id = int_value(action.get("value"))
    if refused(services, requester, action=audit_action, account_id=account_id, respond=respond):
        return None
    card = health_by_id(
        services.engine,
        services.config.health,
        account_id=account_id,
        slack_user_id=requester.slack_user_id,
        today=services.today(),
        at=services.now(),
        action=audit_action,
    )
    if card is None:  # deleted since the button was drawn: the card the person has stays as it is
        respond(
            replace_original=False,
            response_type="ephemeral",
            **text_message(messages.gone_account()).payload(),
        )
        return None
    return Pressed(requester, card)
