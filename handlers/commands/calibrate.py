"""`/cs calibrate [lead days]`: fit the health score to the workspace's churn history and send the
backtest report with its chart to the asker alone. CS Ops and managers only; nothing changes until an
admin points CSBOT_CONFIG at a file written by `csbot calibrate --write`."""

from slack_bolt import Respond

from bot import slack_ids
from bot.access import Requester
from bot.calibration import calibrate_for, may_calibrate
from bot.render import calibration as render
from bot.render.calibration_chart import draw_calibration_chart
from bot.render.message import text_message
from bot.render.templating import macros
from bot.services import Services
from domain.access import record_refusal
from domain.calibration.calibrate import DEFAULT_LEAD_DAYS

MAX_LEAD_DAYS = 365


def run(services: Services, requester: Requester, rest: str, respond: Respond) -> None:
    texts = macros(requester.language, "calibration.j2")
    if not may_calibrate(requester.member):
        record_refusal(
            services.engine, slack_user_id=requester.slack_user_id, action="calibrate", at=services.now()
        )
        respond(response_type="ephemeral", **text_message(texts.not_allowed()).payload())
        return
    if rest and not (rest.isdigit() and 1 <= int(rest) <= MAX_LEAD_DAYS):
        respond(
            response_type="ephemeral", **text_message(texts.usage(slack_ids.COMMAND, MAX_LEAD_DAYS)).payload()
        )
        return
    lead_days = int(rest) if rest else DEFAULT_LEAD_DAYS
    respond(response_type="ephemeral", **text_message(texts.started(lead_days)).payload())
    calibration = calibrate_for(
        services.engine,
        services.config,
        today=services.today(),
        lead_days=lead_days,
        slack_user_id=requester.slack_user_id,
        at=services.now(),
    )
    channel = services.client.conversations_open(users=requester.slack_user_id)["channel"]["id"]
    if not calibration.eligible:
        services.client.chat_postMessage(
            channel=channel, **render.report_message(calibration.report, requester.language).payload()
        )
        return
    chart = draw_calibration_chart(calibration.report, language=requester.language)
    services.client.files_upload_v2(
        channel=channel, **render.upload_arguments(calibration.report, requester.language, chart)
    )
