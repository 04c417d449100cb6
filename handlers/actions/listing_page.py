""" "Show the next 20" under a listing: the same listing from where the message left off, in its place."""

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.render.listings import parse_page_value
from bot.render.message import Message
from bot.services import Services
from handlers.access import refused
from handlers.commands.renewals import renewals_message
from handlers.commands.risks import risks_message
from handlers.commands.wins import listing_message
from handlers.errors import StaleButton


def make_listener(services: Services) -> Callable[..., None]:
    def press(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        try:
            kind, argument, offset = parse_page_value(str(action.get("value", "")))
        except ValueError as error:
            raise StaleButton(str(error)) from error
        requester = services.directory.requester(client, body["user"]["id"])
        if refused(services, requester, action=kind, query=argument or None, respond=respond):
            return
        message: Message
        if kind == "renewals":
            message = renewals_message(services, requester, argument, offset=offset)
        elif kind == "risks":
            message = risks_message(services, requester, offset=offset)
        else:
            message = listing_message(services, requester, argument, offset=offset)
        respond(replace_original=True, **message.payload())

    return press
