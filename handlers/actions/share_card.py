""" "Share in channel": post the card for everyone in the channel, naming who shared it."""

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.render import health as render
from bot.services import Services
from handlers.actions.card_press import card_for_press


def make_listener(services: Services) -> Callable[..., None]:
    def share(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        pressed = card_for_press(
            services, action=action, body=body, respond=respond, client=client, audit_action="share"
        )
        if pressed is None:
            return
        # The channel reads the workspace's language; the sharer chose to make the card public.
        shared = render.health_card(
            pressed.card,
            language=services.config.default_locale,
            currency=services.config.currency,
            names=services.config.labels,
            shared_by=pressed.requester.slack_user_id,
        )
        # Through the response URL, so the bot need not be a member of the channel.
        respond(response_type="in_channel", replace_original=False, **shared.payload())
        respond(delete_original=True)

    return share
