"""The one error handler: log the traceback, tell the person politely, never leak internals."""

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.context.respond import Respond

from bot.render.message import text_message
from bot.render.templating import macros
from bot.services import Services

logger = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Respond | None) -> BoltResponse | None:
        logger.exception("listener failed", exc_info=error)
        if respond is not None and body.get("response_url"):
            text = macros(services.config.default_locale, "messages.j2").failure()
            try:
                respond(response_type="ephemeral", replace_original=False, **text_message(text).payload())
            except Exception:
                logger.exception("could not tell the user about the failure")
        return None
