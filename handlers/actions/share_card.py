""" "Share in channel": post the card for everyone in the channel, naming who shared it."""

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.render import health as render
from bot.render.message import text_message
from bot.render.templating import macros
from bot.services import Services
from domain.health.lookup import health_by_id


def make_listener(services: Services) -> Callable[..., None]:
    def share(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        requester = services.directory.requester(client, body["user"]["id"])
        messages = macros(requester.language, "messages.j2")
        if not requester.allowed:
            respond(replace_original=True, **text_message(messages.refusal()).payload())
            return
        card = health_by_id(
            services.engine,
            services.config.health,
            account_id=int(action["value"]),
            slack_user_id=requester.slack_user_id,
            today=services.today(),
            at=services.now(),
            action="share",
        )
        if card is None:
            respond(
                replace_original=True,
                **text_message(messages.not_found(action["value"], [])).payload(),
            )
            return
        # The channel sees the workspace's language; the sharer chose to make it public.
        shared = render.health_card(
            card,
            language=services.config.default_locale,
            currency=services.config.currency,
            shared_by=requester.slack_user_id,
        )
        # Through the response URL, so the bot need not be a member of the channel.
        respond(response_type="in_channel", replace_original=False, **shared.payload())
        respond(delete_original=True)

    return share
