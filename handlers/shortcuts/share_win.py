""" "Share as customer win" on a message: open the form, prefilled with the message, crediting its author."""

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.render import wins as render
from bot.services import Services
from domain.wins import story_for_prefill
from handlers.access import outsider
from handlers.slack_text import message_as_plain_text


def make_listener(services: Services) -> Callable[..., None]:
    def share(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        requester = services.directory.requester(client, shortcut["user"]["id"])
        trigger_id = shortcut["trigger_id"]
        if outsider(services, requester, action="win"):
            # Only the person who pressed sees a modal; an ephemeral message needs the bot in the channel.
            client.views_open(trigger_id=trigger_id, view=render.refusal_modal(language=requester.language))
            return
        message = shortcut.get("message") or {}
        # A bot's or a workflow's message has no person behind it: whoever shares it is credited.
        author = str(message.get("user") or requester.slack_user_id)
        metadata = {
            "channel": (shortcut.get("channel") or {}).get("id"),
            "ts": message.get("ts") or shortcut.get("message_ts"),
            "author": author,
        }
        view = render.win_modal(
            language=requester.language,
            story=story_for_prefill(message_as_plain_text(str(message.get("text") or ""))),
            author=author,
            private_metadata=json.dumps(metadata),
        )
        client.views_open(trigger_id=trigger_id, view=view)

    return share
