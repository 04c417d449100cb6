"""`csbot run`: serve Slack (Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PORT)."""

import argparse
import logging
from functools import partial

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import create_app, missing_settings
from bot.cli.common import CliError, load_settings, open_database, workspace_config
from bot.http import EVENTS_PATH, bind
from bot.ingest import Rescorer, ingest_app
from bot.scheduler import Jobs, start_scheduler
from domain.clock import system_clock
from playbooks.corpus import CorpusError
from playbooks.topics import default_classifier
from storage.db import reachable

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
    settings = load_settings()
    missing = missing_settings(settings)
    if missing:
        raise CliError("set " + " and ".join(missing), code=2)
    config = workspace_config(settings)
    try:
        # Trained before serving: a bad corpus file stops here, and the first question is answered fast.
        default_classifier()
    except CorpusError as error:
        raise CliError(f"question corpus: {error}", code=2) from error
    engine = open_database(settings)
    app = create_app(settings, config=config, engine=engine)
    server = None
    rescorer: Rescorer | None = None
    if settings.slack_app_token is None:
        assert settings.slack_signing_secret is not None  # missing_settings made sure
        try:
            # Bound before the scheduler starts: a port in use stops here, with nothing half-started.
            token = settings.ingest_token.get_secret_value() if settings.ingest_token else None
            rescorer = Rescorer(engine, config.health, system_clock, config.zone) if token else None
            server = bind(
                app,
                signing_secret=settings.slack_signing_secret.get_secret_value(),
                port=settings.port,
                ready=partial(reachable, engine),
                ingest=ingest_app(engine, token, rescore=rescorer) if token else None,
            )
        except OSError as error:
            raise CliError(f"cannot listen on port {settings.port}: {error.strerror or error}") from error
    scheduler = None if args.no_scheduler else start_scheduler(Jobs(engine, config, app.client))
    try:
        if server is None:
            logger.info("connecting to Slack in Socket Mode")
            SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()  # type: ignore[union-attr]
        else:
            logger.info("serving Slack over HTTP on port %d at %s", settings.port, EVENTS_PATH)
            server.run()
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if rescorer is not None:
            rescorer.close()
    return 0
