"""`/cs <subcommand> …`: acknowledge at once, then hand the rest of the text to the subcommand."""

from collections.abc import Callable
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein
from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import slack_ids
from bot.render.message import text_message
from bot.render.templating import macros
from bot.services import Services
from handlers.commands import ask
from handlers.commands.registry import BY_NAME
from playbooks.understanding import looks_like_question

# Slack sends at most a few thousand characters; more is not typed by a person, and nothing is read of it.
MAX_TEXT = 4000


def split_subcommand(text: str) -> tuple[str, str]:
    """`"health  acme corp"` → `("health", "acme corp")`; an empty text means help. The word comes back
    as typed when it names no subcommand, so a reply can quote it."""
    # split() also breaks on the full-width space a Japanese keyboard types.
    word, rest = [*(text or "").split(None, 1), "", ""][:2]
    folded = word.casefold()
    if not folded:
        return "help", rest.strip()
    subcommand = BY_NAME.get(folded)
    return (subcommand.name if subcommand else word), rest.strip()


def closest_subcommand(word: str) -> str | None:
    """The subcommand a mistyped word most likely meant: one edit away (two for longer words)."""
    folded = word.casefold()
    allowed = 1 if len(folded) <= 4 else 2
    best: tuple[int, str] | None = None
    for candidate, subcommand in BY_NAME.items():
        name = subcommand.name
        # Aliases of one or two characters ("h", "?") would be one edit from nearly any short word.
        if len(candidate) < 3:
            continue
        distance = DamerauLevenshtein.distance(folded, candidate, score_cutoff=allowed)
        if distance <= allowed and (best is None or distance < best[0]):
            best = (distance, name)
    return best[1] if best else None


def make_router(services: Services) -> Callable[..., None]:
    def route(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        typed = command.get("text", "").strip()
        requester = services.directory.requester(client, command["user_id"])
        if len(typed) > MAX_TEXT:
            reply = macros(requester.language, "messages.j2").text_too_long(len(typed), MAX_TEXT)
            respond(response_type="ephemeral", **text_message(reply).payload())
            return
        name, rest = split_subcommand(typed)
        subcommand = BY_NAME.get(name)
        if subcommand is not None:
            subcommand.run(services, requester, rest, respond)
            return
        texts = macros(requester.language, "messages.j2")
        meant = closest_subcommand(name)
        question = looks_like_question(typed)
        if meant and not question:
            suggestion = " ".join(part for part in (slack_ids.COMMAND, meant, rest) if part)
            reply = texts.did_you_mean(name, suggestion, slack_ids.COMMAND)
        elif question:
            # "/cs who should own renewals?" and "/cs 導入社数が120社です。CSは何人必要?" are questions.
            ask.run(services, requester, typed, respond)
            return
        else:
            reply = texts.unknown_subcommand(name, slack_ids.COMMAND)
        respond(response_type="ephemeral", **text_message(reply).payload())

    return route
