"""`/cs renewals [days]`: renewals coming up on the asker's accounts (their team's, or all), soonest first."""

from slack_bolt import Respond

from bot import slack_ids
from bot.access import Requester
from bot.render import listings as render
from bot.render.message import Message, text_message
from bot.render.templating import macros
from bot.services import Services
from domain.upcoming_renewals import MAX_DAYS, list_renewals, parse_days
from handlers.access import refused


def renewals_message(services: Services, requester: Requester, days_text: str, *, offset: int = 0) -> Message:
    """The renewals listing from `offset` on, or how to ask when the days are not understood."""
    days = parse_days(days_text)
    if days is None:
        usage = macros(requester.language, "listings.j2").renewals_usage(slack_ids.COMMAND, MAX_DAYS)
        return text_message(usage)
    answer = list_renewals(
        services.engine,
        services.config.ownership,
        member=requester.member,
        days=days,
        today=services.today(),
        slack_user_id=requester.slack_user_id,
        at=services.now(),
        offset=offset,
    )
    return render.renewals(answer, language=requester.language, currency=services.config.currency)


def run(services: Services, requester: Requester, rest: str, respond: Respond) -> None:
    if refused(services, requester, action="renewals", query=rest, respond=respond):
        return
    respond(response_type="ephemeral", **renewals_message(services, requester, rest).payload())
