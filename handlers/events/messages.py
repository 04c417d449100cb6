"""Messages in channels (`message.channels`, `message.groups`): counted for the customer channel signals
when the channel is a customer's. Nothing is answered, and the text is never kept."""

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.services import Services
from bot.signals import record_message_event


def make_listener(services: Services) -> Callable[..., None]:
    def posted(event: dict[str, Any], body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        record_message_event(
            services.engine,
            services.config.signals,
            client,
            event,
            team_id=str(body.get("team_id") or context.team_id or ""),
            bot_user_id=context.bot_user_id,
            now=services.now(),
            is_guest=lambda user: services.directory.is_guest(client, user),
        )

    return posted
