"""`/cs owner <account>`: who owns the account's renewal and expansion, and which rule decided it."""

from slack_bolt import Respond

from bot import slack_ids
from bot.access import Requester
from bot.render import listings as render
from bot.render.message import text_message
from bot.render.templating import macros
from bot.services import Services
from domain.account_owner import owner_by_name
from domain.accounts import MAX_QUERY_LENGTH
from handlers.access import refused


def run(services: Services, requester: Requester, query: str, respond: Respond) -> None:
    messages = macros(requester.language, "messages.j2")
    if refused(services, requester, action="owner", query=query, respond=respond):
        return
    if not query:
        usage = macros(requester.language, "listings.j2").owner_usage(slack_ids.COMMAND)
        respond(response_type="ephemeral", **text_message(usage).payload())
        return
    answer = owner_by_name(
        services.engine,
        services.config.ownership,
        query=query,
        slack_user_id=requester.slack_user_id,
        at=services.now(),
    )
    lookup = answer.lookup
    if answer.view:
        message = render.ownership(
            answer.view, language=requester.language, currency=services.config.currency
        )
    elif lookup.choices:
        message = render.owner_choices(
            query, lookup.choices, lookup.more_choices, language=requester.language
        )
    elif lookup.too_long:
        message = text_message(messages.too_long(len(query), MAX_QUERY_LENGTH))
    else:
        message = text_message(messages.not_found(query, lookup.suggestions))
    respond(response_type="ephemeral", **message.payload())
