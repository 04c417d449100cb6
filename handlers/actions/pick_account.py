"""A press on one of the "which account?" buttons: replace the prompt with that account's card."""

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.render import health as render
from bot.services import Services
from handlers.actions.card_press import card_for_press


def make_listener(services: Services) -> Callable[..., None]:
    def pick(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        pressed = card_for_press(
            services, action=action, body=body, respond=respond, client=client, audit_action="health"
        )
        if pressed is None:
            return
        card = render.health_card(
            pressed.card,
            language=pressed.requester.language,
            currency=services.config.currency,
            names=services.config.labels,
        )
        respond(replace_original=True, **card.payload())

    return pick
