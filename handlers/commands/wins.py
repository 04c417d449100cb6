"""`/cs win <account> <story>` records a customer win; `/cs wins` lists this month's."""

from slack_bolt import Respond

from bot import slack_ids
from bot.access import Requester
from bot.render import wins as render
from bot.services import Services
from domain.wins import record_typed_win, wins_this_month
from handlers.commands.access import refused
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


def listing(services: Services, requester: Requester, _rest: str, respond: Respond) -> None:
    if refused(services, requester, action="wins", query=None, respond=respond):
        return
    month = wins_this_month(
        services.engine, today=services.today(), slack_user_id=requester.slack_user_id, at=services.now()
    )
    message = render.month_listing(month, language=requester.language, command=slack_ids.COMMAND)
    respond(response_type="ephemeral", **message.payload())
