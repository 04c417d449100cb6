"""Background jobs. Jobs are recreated with fixed ids at every start, and each job's effect is an
idempotent upsert under a unique key, so a restart, a catch-up run or a second replica running the
same job changes nothing that was already done.
"""

import logging
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine, exists, select

from bot.config import WorkspaceConfig
from domain.clock import Clock, system_clock, today_in
from storage.models import HealthSnapshot
from storage.snapshots import refresh_snapshots

logger = logging.getLogger(__name__)

SNAPSHOT_JOB_ID = "health-snapshots"
CATCH_UP_JOB_ID = "health-snapshots-catch-up"
# A nightly job missed while the process was down should still run when it comes back the same day.
MISFIRE_GRACE = timedelta(hours=20)


def snapshot_today(engine: Engine, config: WorkspaceConfig, clock: Clock = system_clock) -> int:
    today = today_in(clock, config.zone)
    written = refresh_snapshots(engine, config.health, [today])
    logger.info("stored %d health snapshots for %s", written, today)
    return written


def snapshots_missing(engine: Engine, config: WorkspaceConfig, clock: Clock = system_clock) -> bool:
    today = today_in(clock, config.zone)
    with engine.connect() as connection:
        return not connection.scalar(select(exists().where(HealthSnapshot.day == today)))


def catch_up(engine: Engine, config: WorkspaceConfig, clock: Clock = system_clock) -> bool:
    """Store today's snapshot if the nightly run has not (downtime, a fresh install); True if it ran."""
    if not snapshots_missing(engine, config, clock):
        return False
    snapshot_today(engine, config, clock)
    return True


def build_scheduler(
    engine: Engine, config: WorkspaceConfig, clock: Clock = system_clock
) -> BackgroundScheduler:
    """The scheduler with its jobs, not yet started."""
    scheduler = BackgroundScheduler(timezone=config.zone)
    scheduler.add_job(
        snapshot_today,
        CronTrigger(hour=2, minute=0, timezone=config.zone),
        args=(engine, config, clock),
        id=SNAPSHOT_JOB_ID,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
    )
    # At start, rather than wait for tomorrow night: the card would otherwise show an old score.
    scheduler.add_job(catch_up, args=(engine, config, clock), id=CATCH_UP_JOB_ID, replace_existing=True)
    return scheduler


def start_scheduler(
    engine: Engine, config: WorkspaceConfig, clock: Clock = system_clock
) -> BackgroundScheduler:
    scheduler = build_scheduler(engine, config, clock)
    scheduler.start()
    return scheduler
