"""`/cs health <account>`: the account's health card, privately."""

from slack_bolt import Respond

from bot import slack_ids
from bot.access import Requester
from bot.render import health as render
from bot.render.message import text_message
from bot.render.templating import macros
from bot.services import Services
from domain.accounts import MAX_QUERY_LENGTH
from domain.health.lookup import health_by_name
from handlers.access import refused


def run(services: Services, requester: Requester, query: str, respond: Respond) -> None:
    messages = macros(requester.language, "messages.j2")
    if refused(services, requester, action="health", query=query, respond=respond):
        return
    if not query:
        respond(
            response_type="ephemeral",
            **text_message(messages.health_usage(slack_ids.COMMAND)).payload(),
        )
        return
    answer = health_by_name(
        services.engine,
        services.config.health,
        query=query,
        slack_user_id=requester.slack_user_id,
        today=services.today(),
        at=services.now(),
    )
    lookup = answer.lookup
    if answer.card:
        message = render.health_card(
            answer.card,
            language=requester.language,
            currency=services.config.currency,
            names=services.config.labels,
        )
    elif lookup.choices:
        message = render.choose_account(
            query, lookup.choices, lookup.more_choices, language=requester.language
        )
    elif lookup.too_long:
        message = text_message(messages.too_long(len(query), MAX_QUERY_LENGTH))
    else:
        message = text_message(messages.not_found(query, lookup.suggestions))
    respond(response_type="ephemeral", **message.payload())
