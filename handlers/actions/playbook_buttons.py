"""Buttons on org-design answers: a topic from `/cs playbook`, or a fact that was missing."""

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.services import Services
from handlers.commands.ask import answer_for


def make_listener(services: Services) -> Callable[..., None]:
    def press(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        requester = services.directory.requester(client, body["user"]["id"])
        # The button's value is the question to ask: a topic's question, or the first one plus the fact.
        message = answer_for(services, str(action.get("value", "")), requester)
        respond(replace_original=True, **message.payload())

    return press
