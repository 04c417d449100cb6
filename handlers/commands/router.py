"""`/cs <subcommand> …`: acknowledge at once, then hand the rest of the text to the subcommand."""

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import slack_ids
from bot.access import Requester
from bot.render.message import text_message
from bot.render.templating import macros
from bot.services import Services
from handlers.commands import ask, digest, health, help, owner, renewals, risks, wins

Subcommand = Callable[[Services, Requester, str, Respond], None]

SUBCOMMANDS: dict[str, Subcommand] = {
    "health": health.run,
    "help": help.run,
    "owner": owner.run,
    "renewals": renewals.run,
    "risks": risks.run,
    "ask": ask.run,
    "playbook": ask.browse,
    "win": wins.record,
    "wins": wins.listing,
    "digest": digest.run,
}
ALIASES = {
    "h": "health",
    "ヘルス": "health",
    "ヘルプ": "help",
    "?": "help",
    "owners": "owner",
    "オーナー": "owner",
    "担当": "owner",
    "renewal": "renewals",
    "更新": "renewals",
    "risk": "risks",
    "リスク": "risks",
    "質問": "ask",
    "playbooks": "playbook",
    "プレイブック": "playbook",
    "成功事例": "win",
    "成功事例一覧": "wins",
    "ダイジェスト": "digest",
    "レポート": "digest",
}


def split_subcommand(text: str) -> tuple[str, str]:
    """`"health  acme corp"` → `("health", "acme corp")`; an empty text means help."""
    # split() also breaks on the full-width space a Japanese keyboard types.
    word, rest = [*(text or "").split(None, 1), "", ""][:2]
    word = word.casefold()
    return ALIASES.get(word, word) or "help", rest.strip()


def make_router(services: Services) -> Callable[..., None]:
    def route(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        name, rest = split_subcommand(command.get("text", ""))
        requester = services.directory.requester(client, command["user_id"])
        subcommand = SUBCOMMANDS.get(name)
        if subcommand is None and rest:
            # "/cs who should own renewals?" is a question, not a mistyped subcommand.
            ask.run(services, requester, command.get("text", "").strip(), respond)
            return
        if subcommand is None:
            text = macros(requester.language, "messages.j2").unknown_subcommand(name, slack_ids.COMMAND)
            respond(response_type="ephemeral", **text_message(text.strip()).payload())
            return
        subcommand(services, requester, rest, respond)

    return route
