"""`/cs risks`: the asker's at-risk accounts (their team's, or all), lowest score first."""

from slack_bolt import Respond

from bot.access import Requester
from bot.render import listings as render
from bot.render.message import Message
from bot.services import Services
from domain.at_risk import list_risks
from handlers.access import refused


def risks_message(services: Services, requester: Requester, *, offset: int = 0) -> Message:
    answer = list_risks(
        services.engine,
        services.config.health,
        services.config.risks,
        member=requester.member,
        today=services.today(),
        slack_user_id=requester.slack_user_id,
        at=services.now(),
        offset=offset,
    )
    return render.risks(answer, language=requester.language)


def run(services: Services, requester: Requester, _rest: str, respond: Respond) -> None:
    if refused(services, requester, action="risks", query=None, respond=respond):
        return
    respond(response_type="ephemeral", **risks_message(services, requester).payload())
