"""The app factory: builds a Bolt app from settings, with the database and clock handed in."""

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy import Engine

import handlers
from bot.access import Directory
from bot.config import WorkspaceConfig
from bot.executor import TrackedExecutor
from bot.services import Services
from bot.settings import Settings
from domain.clock import Clock, system_clock


class SettingsError(Exception):
    pass


class _DropClientOverTokenWarning(logging.Filter):
    """Bolt warns at every start that the client's token wins over SLACK_BOT_TOKEN: they are the same
    token here (the client is built from it), so the warning says nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


_BOLT_LOGGER = logging.getLogger("csbot.bolt")
if not any(isinstance(f, _DropClientOverTokenWarning) for f in _BOLT_LOGGER.filters):
    _BOLT_LOGGER.addFilter(_DropClientOverTokenWarning())


def missing_settings(settings: Settings) -> list[str]:
    """What `csbot run` needs and the environment lacks, all of it at once."""
    missing = [] if settings.slack_bot_token else ["SLACK_BOT_TOKEN (the bot token, xoxb-…)"]
    if not settings.socket_mode and settings.slack_signing_secret is None:
        missing.append("SLACK_SIGNING_SECRET (HTTP mode verifies every request with it)")
    return missing


def make_client(settings: Settings) -> WebClient:
    if settings.slack_bot_token is None:
        raise SettingsError("SLACK_BOT_TOKEN is not set")
    client = WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url or WebClient.BASE_URL,
    )
    # Slack answers bursts with 429 and Retry-After; wait and try again rather than drop a message.
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client


def create_app(
    settings: Settings,
    *,
    config: WorkspaceConfig,
    engine: Engine,
    client: WebClient | None = None,
    clock: Clock = system_clock,
    executor: TrackedExecutor | None = None,
) -> App:
    if settings.slack_signing_secret is None and not settings.socket_mode:
        raise SettingsError("SLACK_SIGNING_SECRET is required to serve Slack over HTTP")
    client = client or make_client(settings)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value()
        if settings.slack_signing_secret
        else None,
        # The token is known to be valid by the operator; skipping auth.test keeps start-up offline-safe.
        token_verification_enabled=False,
        request_verification_enabled=not settings.socket_mode,
        listener_executor=executor or TrackedExecutor(),
        logger=_BOLT_LOGGER,
    )
    services = Services(
        engine=engine, config=config, clock=clock, directory=Directory(engine, config), client=client
    )
    handlers.register(app, services)
    return app
