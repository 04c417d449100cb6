"""`/cs digest [YYYY-MM]`: a private preview of a month's success digest, before the meeting."""

from slack_bolt import Respond
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject

from bot import slack_ids
from bot.access import Requester
from bot.render import digest as render
from bot.render.message import Message, text_message
from bot.render.mrkdwn import Trusted
from bot.render.templating import macros
from bot.services import Services
from domain.digest.content import MonthUnavailable, preview
from domain.digest.month import Month
from handlers.access import refused


def run(services: Services, requester: Requester, rest: str, respond: Respond) -> None:
    if refused(services, requester, action="digest", query=rest, respond=respond):
        return
    texts = macros(requester.language, "digest_preview.j2")
    try:
        month = Month.parse(rest) if rest else Month.containing(services.today()).previous()
    except ValueError:
        respond(response_type="ephemeral", **text_message(texts.usage(slack_ids.COMMAND)).payload())
        return
    config = services.config
    try:
        content = preview(
            services.engine,
            month,
            today=services.today(),
            slack_user_id=requester.slack_user_id,
            at=services.now(),
        )
    except MonthUnavailable as missing:
        text = render.unavailable_text(missing, language=requester.language)
        respond(response_type="ephemeral", **text_message(text).payload())
        return
    text = render.digest_text(
        content,
        language=requester.language,
        currency=config.currency,
        bands=config.band_names,
        template=config.digest.template,
    )
    digest = render.digest_message(text, language=requester.language)
    channel = config.digest.channel
    note = texts.note(Trusted(f"<#{channel}>") if channel.isalnum() else "")
    blocks = [ContextBlock(elements=[MarkdownTextObject(text=note)]), *digest.blocks][: render.MAX_BLOCKS]
    respond(response_type="ephemeral", **Message(text=digest.text, blocks=blocks).payload())
