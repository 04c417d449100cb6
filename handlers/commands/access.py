"""The one refusal every account-data subcommand gives to people outside the CS team."""

from slack_bolt import Respond

from bot.access import Requester
from bot.render.message import text_message
from bot.render.templating import macros
from bot.services import Services
from domain.health.lookup import record_refusal


def refused(
    services: Services, requester: Requester, *, action: str, query: str | None, respond: Respond
) -> bool:
    """True (after refusing politely and auditing it) when the requester may not see account data."""
    if requester.allowed:
        return False
    record_refusal(
        services.engine,
        slack_user_id=requester.slack_user_id,
        action=action,
        at=services.now(),
        query=query or None,
    )
    refusal = macros(requester.language, "messages.j2").refusal()
    respond(response_type="ephemeral", **text_message(refusal).payload())
    return True
