"""`csbot run`: serve Slack (Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PORT)."""

import argparse
import logging
import signal
import threading
from datetime import timedelta
from functools import partial
from typing import Any

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import create_app, missing_settings
from bot.cli.common import CliError, load_settings, open_database, workspace_config
from bot.executor import TrackedExecutor
from bot.http import EVENTS_PATH, bind
from bot.ingest import Rescorer, ingest_app
from bot.scheduler import Jobs, start_scheduler
from bot.signals import configured_links
from domain.clock import Clock, ClockFrom, system_clock
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


DRAIN_SECONDS = 25.0  # within the 30 s a container platform usually waits between SIGTERM and SIGKILL


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
    clock: Clock = system_clock
    if settings.clock_start is not None:
        clock = ClockFrom(settings.clock_start)
        logger.warning("living as if it were %s (CSBOT_CLOCK_START)", settings.clock_start.isoformat())
    configured_links(engine, config.signals, now=clock())  # so a message reads one stored row
    listeners = TrackedExecutor()
    app = create_app(settings, config=config, engine=engine, clock=clock, executor=listeners)
    server = None
    rescorer: Rescorer | None = None
    if settings.slack_app_token is None:
        assert settings.slack_signing_secret is not None  # missing_settings made sure
        try:
            # Bound before the scheduler starts: a port in use stops here, with nothing half-started.
            token = settings.ingest_token.get_secret_value() if settings.ingest_token else None
            rescorer = Rescorer(engine, config.health, clock, config.zone) if token else None
            server = bind(
                app,
                signing_secret=settings.slack_signing_secret.get_secret_value(),
                port=settings.port,
                ready=partial(reachable, engine),
                ingest=ingest_app(engine, token, rescore=rescorer) if token else None,
            )
        except OSError as error:
            raise CliError(f"cannot listen on port {settings.port}: {error.strerror or error}") from error
    jobs = Jobs(
        engine,
        config,
        app.client,
        clock,
        lease_ttl=timedelta(seconds=settings.lease_seconds),
        claim_seconds=settings.claim_seconds,
    )
    scheduler = None if args.no_scheduler else start_scheduler(jobs)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, _frame: _asked_to_stop(number, stopping))
    socket_mode = None
    serving = None
    if server is None:
        logger.info("connecting to Slack in Socket Mode")
        socket_mode = SocketModeHandler(app, settings.slack_app_token.get_secret_value())  # type: ignore[union-attr]
        socket_mode.connect()
    else:
        logger.info("serving Slack over HTTP on port %d at %s", settings.port, EVENTS_PATH)
        serving = threading.Thread(target=server.run, name="csbot-http", daemon=True)
        serving.start()
    try:
        while not stopping.wait(1.0):
            if serving is not None and not serving.is_alive():
                break  # the server stopped by itself
    finally:
        _drain(server, serving, socket_mode, listeners, scheduler, jobs, rescorer)
    return 0


def _asked_to_stop(signum: int, stopping: threading.Event) -> None:
    logger.info("%s: finishing what is in flight, then stopping", signal.Signals(signum).name)
    stopping.set()


def _drain(
    server: Any,
    serving: threading.Thread | None,
    socket_mode: SocketModeHandler | None,
    listeners: TrackedExecutor,
    scheduler: Any,
    jobs: Jobs,
    rescorer: Rescorer | None,
) -> None:
    """Stop taking work, finish what was taken, and hand on what this replica held: requests being
    answered finish (their listeners too), a delivery under way completes (so the messages it claimed
    are sent or rescheduled, not left claimed), and the scheduler lease is given up at once, so
    another replica takes over without waiting for it to expire."""
    if socket_mode is not None:
        socket_mode.close()
    if server is not None:
        server.trigger.pull_trigger(server.close)  # no new connections; those open carry on
        server.task_dispatcher.shutdown(cancel_pending=False, timeout=DRAIN_SECONDS)
        if serving is not None:
            serving.join(timeout=1.0)
    if not listeners.wait_idle(timeout=DRAIN_SECONDS):
        logger.warning("stopping with listeners still running after %.0f s", DRAIN_SECONDS)
    listeners.shutdown(wait=False)
    if scheduler is not None:
        scheduler.shutdown(wait=True)  # a running job (the sweep, a delivery) finishes first
    jobs.release()
    if rescorer is not None:
        rescorer.close()
    logger.info("stopped")
