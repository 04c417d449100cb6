"""What happens when a listener fails: one line in the log with the traceback, a polite answer to the
person, never internals.

Every listener is registered through `guarded`, which catches its failure itself. Bolt's own error path
is not enough: when a listener raises after `ack()`, Bolt clears the acknowledgement it had recorded,
and Slack may then get no answer within its three seconds. `@app.error` stays for failures outside the
listeners (a middleware, a matcher).
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.context.respond import Respond

from bot.render.message import text_message
from bot.render.templating import macros
from bot.services import Services

logger = logging.getLogger(__name__)


class StaleButton(Exception):
    """A button whose value no longer means anything (an old message, or a value not made by csbot)."""


def int_value(text: object) -> int:
    """A button value that must be a whole number, or StaleButton."""
    if not str(text).isdigit():
        raise StaleButton(f"not a whole number: {str(text)[:40]!r}")
    return int(str(text))


def _language(services: Services, body: dict[str, Any]) -> str:
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    return services.directory.cached_language(user) if user else services.config.default_locale


def _tell(respond: Respond | None, text: str) -> None:
    # A view submission or an event has no response URL: nowhere to answer, the log line is all.
    if respond is None or not respond.response_url:
        return
    try:
        respond(response_type="ephemeral", replace_original=False, **text_message(text).payload())
    except Exception:
        logger.exception("could not tell the user about the failure")


def report_failure(
    services: Services, error: Exception, body: dict[str, Any], respond: Respond | None
) -> None:
    messages = macros(_language(services, body), "messages.j2")
    if isinstance(error, StaleButton):
        logger.warning("stale or foreign button value: %s", error)
        _tell(respond, messages.stale_button())
        return
    logger.error("listener failed", exc_info=error)
    _tell(respond, messages.failure())


def guarded(services: Services, listener: Callable[..., Any]) -> Callable[..., Any]:
    """The listener, with its failures answered here rather than left to Bolt (see the module's note)."""

    # functools.wraps makes Bolt see the listener's own parameters and pass exactly those.
    @functools.wraps(listener)
    def run(**kwargs: Any) -> Any:
        try:
            return listener(**kwargs)
        except Exception as error:
            # Whichever payload the listener asked for: each carries the person's user id.
            payload = kwargs.get("body") or kwargs.get("command") or kwargs.get("shortcut") or {}
            report_failure(services, error, payload, kwargs.get("respond"))
            return None

    return run


def register(app: App, services: Services) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Respond | None) -> BoltResponse | None:
        report_failure(services, error, body, respond)
        return None
