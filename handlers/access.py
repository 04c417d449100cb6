"""The one guard in front of account data: every command, button, shortcut and form asks it.

`outsider` audits the refusal and says whether the person is outside the CS team; `refused` also gives
the polite reply most listeners send. A listener that answers in a form (the shortcut, the modal) asks
`outsider` and shows its own refusal view.
"""

from slack_bolt import Respond

from bot.access import Requester
from bot.render.message import text_message
from bot.render.templating import macros
from bot.services import Services
from domain.access import record_refusal


def outsider(
    services: Services,
    requester: Requester,
    *,
    action: str,
    query: str | None = None,
    account_id: int | None = None,
) -> bool:
    """True (after auditing it) when the requester may not see account data."""
    if requester.allowed:
        return False
    record_refusal(
        services.engine,
        slack_user_id=requester.slack_user_id,
        action=action,
        at=services.now(),
        query=query or None,
        account_id=account_id,
    )
    return True


def refused(
    services: Services,
    requester: Requester,
    *,
    action: str,
    query: str | None = None,
    account_id: int | None = None,
    respond: Respond,
) -> bool:
    """True (after refusing politely, privately, and auditing it) when the requester may not see account
    data; the message the person pressed a button on stays as it is."""
    if not outsider(services, requester, action=action, query=query, account_id=account_id):
        return False
    refusal = macros(requester.language, "messages.j2").refusal()
    respond(response_type="ephemeral", replace_original=False, **text_message(refusal).payload())
    return True
