"""A press on one of the "which account?" buttons: replace the prompt with that account's card."""

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
    def pick(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        requester = services.directory.requester(client, body["user"]["id"])
        if not requester.allowed:
            refusal = macros(requester.language, "messages.j2").refusal()
            respond(replace_original=True, **text_message(refusal).payload())
            return
        card = health_by_id(
            services.engine,
            services.config.health,
            account_id=int(action["value"]),
            slack_user_id=requester.slack_user_id,
            today=services.today(),
            at=services.now(),
        )
        if card is None:
            message = text_message(macros(requester.language, "messages.j2").not_found(action["value"], []))
        else:
            message = render.health_card(card, language=requester.language, currency=services.config.currency)
        respond(replace_original=True, **message.payload())

    return pick
