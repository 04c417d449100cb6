"""`/cs risks`: the asker's at-risk accounts (their team's, or all), lowest score first."""

from slack_bolt import Respond

from bot.access import Requester
from bot.render import listings as render
from bot.services import Services
from domain.listings import list_risks
from handlers.commands.access import refused


def run(services: Services, requester: Requester, _rest: str, respond: Respond) -> None:
    if refused(services, requester, action="risks", query=None, respond=respond):
        return
    answer = list_risks(
        services.engine,
        services.config.health,
        services.config.risks,
        member=requester.member,
        today=services.today(),
        slack_user_id=requester.slack_user_id,
        at=services.now(),
    )
    respond(response_type="ephemeral", **render.risks(answer, language=requester.language).payload())
