"""Buttons on org-design answers: a topic from `/cs playbook`, or a fact that was missing."""

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.render import playbook as render
from bot.services import Services
from handlers.commands.ask import answer_for


def make_listener(services: Services) -> Callable[..., None]:
    def press(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        requester = services.directory.requester(client, body["user"]["id"])
        # The button carries the question (a topic's own, the asker's, or theirs plus the fact picked) and
        # the topic to answer it as.
        question, topic = render.read_button_value(str(action.get("value", "")))
        message = answer_for(services, question, requester, topic=topic)
        respond(replace_original=True, **message.payload())

    return press
