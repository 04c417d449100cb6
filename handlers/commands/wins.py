"""`/cs win <account> <story>` records a customer win; `/cs wins [YYYY-MM]` lists a month's."""

from slack_bolt import Respond

from bot import slack_ids
from bot.access import Requester
from bot.i18n import translator
from bot.render import wins as render
from bot.render.message import Message, text_message
from bot.render.templating import macros
from bot.services import Services
from domain.digest.month import Month
from domain.wins import record_typed_win, wins_of_month
from handlers.access import refused
from handlers.slack_text import unescape


def record(services: Services, requester: Requester, rest: str, respond: Respond) -> None:
    if refused(services, requester, action="win", query=rest, respond=respond):
        return
    outcome = record_typed_win(
        services.engine,
        unescape(rest),
        slack_user_id=requester.slack_user_id,
        today=services.today(),
        at=services.now(),
    )
    message = render.win_reply(outcome, language=requester.language, command=slack_ids.COMMAND)
    respond(response_type="ephemeral", **message.payload())


def listing_message(services: Services, requester: Requester, month_text: str, *, offset: int = 0) -> Message:
    """A month's wins from `offset` on (this month's without a month), or why there are none to list."""
    texts = macros(requester.language, "wins.j2")
    this_month = Month.containing(services.today())
    try:
        month = Month.parse(month_text) if month_text else this_month
    except ValueError:
        return text_message(texts.listing_usage(slack_ids.COMMAND))
    if month > this_month:
        return text_message(texts.future_month(translator(requester.language).month_and_year(month.first)))
    wins = wins_of_month(
        services.engine,
        month=month,
        today=services.today(),
        slack_user_id=requester.slack_user_id,
        at=services.now(),
    )
    return render.month_listing(wins, language=requester.language, command=slack_ids.COMMAND, offset=offset)


def listing(services: Services, requester: Requester, rest: str, respond: Respond) -> None:
    if refused(services, requester, action="wins", query=rest or None, respond=respond):
        return
    respond(response_type="ephemeral", **listing_message(services, requester, rest).payload())
