"""Buttons on org-design answers: a topic from `/cs playbook`, or a fact that was missing."""

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond

from bot.services import Services
from handlers.commands.ask import answer_for


def make_listener(services: Services) -> Callable[..., None]:
    def press(ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond) -> None:
        ack()
        # The button's value is the question to ask: a topic's question, or the first one plus the fact.
        message = answer_for(services, str(action["value"]), body["user"]["id"])
        respond(replace_original=True, **message.payload())

    return press
