"""`csbot run`: serve Slack (Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PORT)."""

import argparse
import logging
import sys

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import SettingsError, create_app
from bot.cli.common import open_database, workspace_config
from bot.http import EVENTS_PATH, serve_forever
from bot.scheduler import Jobs, start_scheduler
from bot.settings import Settings

logger = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run", help="connect to Slack and serve commands, buttons and scheduled jobs"
    )
    parser.add_argument(
        "--no-scheduler", action="store_true", help="serve Slack only; run no background jobs"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    logging.getLogger().setLevel(logging.INFO)
    settings = Settings()
    config = workspace_config(settings)
    engine = open_database(settings)
    try:
        app = create_app(settings, config=config, engine=engine)
    except SettingsError as error:
        print(f"csbot: {error}", file=sys.stderr)
        return 2
    scheduler = None if args.no_scheduler else start_scheduler(Jobs(engine, config, app.client))
    try:
        if settings.slack_app_token is not None:
            logger.info("connecting to Slack in Socket Mode")
            SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
        else:
            logger.info("serving Slack over HTTP on port %d at %s", settings.port, EVENTS_PATH)
            serve_forever(app, settings.port)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
    return 0
