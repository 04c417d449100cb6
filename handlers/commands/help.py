"""`/cs help`: the subcommands, in the asker's language."""

from slack_bolt import Respond

from bot import slack_ids
from bot.access import Requester
from bot.render.message import text_message
from bot.render.templating import macros
from bot.services import Services


def run(services: Services, requester: Requester, _rest: str, respond: Respond) -> None:
    text = macros(requester.language, "messages.j2").help(slack_ids.COMMAND)
    respond(response_type="ephemeral", **text_message(text).payload())
