"""`/cs risks`: the asker's at-risk accounts (their team's, or all), lowest score first."""

from slack_bolt import Respond

from bot.access import Requester
from bot.render import listings as render
from bot.render.message import text_message
from bot.render.templating import macros
from bot.services import Services
from domain.health.lookup import record_refusal
from domain.listings import list_risks


def run(services: Services, requester: Requester, _rest: str, respond: Respond) -> None:
    if not requester.allowed:
        record_refusal(
            services.engine, slack_user_id=requester.slack_user_id, action="risks", at=services.now()
        )
        refusal = macros(requester.language, "messages.j2").refusal()
        respond(response_type="ephemeral", **text_message(refusal).payload())
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
