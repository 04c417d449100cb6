"""A press on an account's "Open" on the Home tab: its health card, in a modal."""

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.render import health as render_health
from bot.render import home as render
from bot.render.templating import macros
from bot.render.wins import notice_modal, refusal_modal
from bot.services import Services
from domain.health.lookup import health_by_id
from handlers.access import outsider
from handlers.errors import int_value


def make_listener(services: Services) -> Callable[..., None]:
    def open_card(ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        ack()
        requester = services.directory.requester(client, body["user"]["id"])
        account_id = int_value(action.get("value"))
        trigger_id = body["trigger_id"]
        if outsider(services, requester, action="health", account_id=account_id):
            client.views_open(trigger_id=trigger_id, view=refusal_modal(language=requester.language))
            return
        card = health_by_id(
            services.engine,
            services.config.health,
            account_id=account_id,
            slack_user_id=requester.slack_user_id,
            today=services.today(),
            at=services.now(),
        )
        if card is None:  # deleted since the tab was drawn
            gone = macros(requester.language, "messages.j2").gone_account()
            client.views_open(trigger_id=trigger_id, view=notice_modal(gone, language=requester.language))
            return
        message = render_health.health_card(
            card, language=requester.language, currency=services.config.currency, names=services.config.labels
        )
        client.views_open(trigger_id=trigger_id, view=render.card_modal(message, language=requester.language))

    return open_card
