"""Background jobs: the daily sync of each configured source, the daily sweep, the weekly risk
summary, the monthly digest, and delivery of whatever the outbox still holds.

Jobs are recreated with fixed ids at every start; only the replica holding the database lease runs
them; and every effect is recorded under a unique key, so a restart, a catch-up run or a second
replica changes nothing that was already done.
"""

import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.access import Directory
from bot.config import WorkspaceConfig
from bot.delivery import Sender
from bot.home import republish_homes
from bot.signals import configured_links
from bot.sync import SourceResult, chosen_sources, rescore_after, run_scheduled
from domain.clock import Clock, system_clock, today_in
from domain.digest.calendar import digest_due
from domain.digest.content import MonthUnavailable, check_month
from domain.digest.month import Month
from domain.digest.posting import queue_digest
from domain.risk_sweep import queue_weekly_summary
from domain.sweep import SweepResult, run_sweep
from storage import lease, outbox, sweep_runs

logger = logging.getLogger(__name__)

SWEEP_JOB_ID = "daily-sweep"
CATCH_UP_JOB_ID = "daily-sweep-catch-up"
DELIVERY_JOB_ID = "deliver-outbox"
WEEKLY_SUMMARY_JOB_ID = "weekly-risk-summary"
DIGEST_JOB_ID = "monthly-digest"
DIGEST_CATCH_UP_JOB_ID = "monthly-digest-catch-up"
LEASE_JOB_ID = "scheduler-lease"
SYNC_CATCH_UP_JOB_ID = "sync-catch-up"
# A source with no `schedule` runs this long before the daily sweep, so the sweep scores its rows.
SYNC_BEFORE_SWEEP = timedelta(minutes=30)
LEASE_NAME = "scheduler"
LEASE_TTL = timedelta(seconds=90)
MISFIRE_GRACE = timedelta(hours=20)


class Jobs:
    """The scheduled work, runnable by hand (tests, `csbot sweep`) as well as by the scheduler."""

    def __init__(
        self,
        engine: Engine,
        config: WorkspaceConfig,
        client: WebClient | None,
        clock: Clock = system_clock,
        *,
        lease_ttl: timedelta = LEASE_TTL,
        claim_seconds: float = outbox.CLAIM_SECONDS,
    ) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        self.client = client
        self.lease_ttl = lease_ttl
        self.sender = (
            Sender(engine, client, config, clock=clock, claim_seconds=claim_seconds)
            if client is not None
            else None
        )
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._leading = False

    def is_leader(self) -> bool:
        return lease.hold(self.engine, LEASE_NAME, self.holder, now=self.clock(), ttl=self.lease_ttl)

    def keep_lease(self) -> bool:
        """Renew the lease, or take it when its holder has gone. A replica that just took it over does
        at once what the one before may have left unfinished: today's sweep if it did not finish, and
        the messages due. While it holds the lease it delivers at every renewal."""
        leading = self.is_leader()
        took_over, self._leading = leading and not self._leading, leading
        if took_over:
            logger.info("holding the scheduler lease (%s)", self.holder)
            self.catch_up()
        if leading:
            self.deliver()
        return leading

    def release(self) -> None:
        """Give up the lease (if this replica holds it): on a clean stop, another takes over at once."""
        lease.release(self.engine, LEASE_NAME, self.holder)

    def sweep(self) -> SweepResult | None:
        if not self.is_leader():
            return None
        configured_links(self.engine, self.config.signals, now=self.clock())
        result = run_sweep(
            self.engine,
            self.config.sweep_policy,
            day=today_in(self.clock, self.config.zone),
            now=self.clock(),
        )
        logger.info("sweep for %s: %s", result.day, result)
        # Finished: what it recorded is in the outbox, and delivering is the sender's own, retried work.
        sweep_runs.mark_finished(self.engine, result.day, at=self.clock())
        self.deliver()
        if self.client is not None:
            republish_homes(
                self.engine,
                self.config,
                self.client,
                Directory(self.engine, self.config),
                today=result.day,
                now=self.clock(),
            )
        return result

    def catch_up(self) -> bool:
        """Run today's sweep now if it has not run (downtime, a fresh install); True if it ran."""
        if not self.sweep_missing():
            return False
        return self.sweep() is not None

    def sweep_missing(self) -> bool:
        return not sweep_runs.finished(self.engine, today_in(self.clock, self.config.zone))

    def weekly_summary(self) -> int:
        if not self.is_leader():
            return 0
        queued = queue_weekly_summary(
            self.engine,
            day=today_in(self.clock, self.config.zone),
            now=self.clock(),
            channels=self.config.channels,
            default_language=self.config.default_locale,
        )
        self.deliver()
        return queued

    def monthly_digest(self) -> Month | None:
        """Queue and send last month's digest once its day has come; the month queued, if any."""
        digest = self.config.digest
        if not digest.channel or not self.is_leader():
            return None
        month = digest_due(
            self.clock().astimezone(self.config.zone), digest.business_calendar, digest.post_time
        )
        if month is None:
            return None
        try:
            check_month(self.engine, month, today=today_in(self.clock, self.config.zone))
        except MonthUnavailable as missing:
            # A workspace set up this month has no last month to tell of; nor has an empty one.
            logger.info("no digest to post for %s (%s)", month, missing.reason)
            return None
        queued = queue_digest(
            self.engine,
            month=month,
            channel=digest.channel,
            language=self.config.digest_language,
            now=self.clock(),
        )
        self.deliver()
        return month if queued else None

    def sync_source(self, name: str) -> SourceResult | None:
        """Today's run of one configured source, once across restarts and replicas."""
        if not self.is_leader():
            return None
        source = next(source for source in self.config.sources if source.name == name)
        result = run_scheduled(
            self.engine, self.config, source, day=today_in(self.clock, self.config.zone), now=self.clock()
        )
        if result is not None:
            logger.info("source %s: %s", name, "ok" if result.ok else "failed")
            # Before today's sweep, the sweep scores the new rows; after it, they are scored now.
            if not self.sweep_missing():
                rescore_after(self.engine, self.config, [result], today_in(self.clock, self.config.zone))
        self.deliver()
        return result

    def sync_catch_up(self) -> list[str]:
        """The sources whose time today has passed and that have not run today, run now; their names."""
        local = self.clock().astimezone(self.config.zone)
        ran = []
        for source in chosen_sources(self.config):
            due = local.strftime("%H:%M") >= sync_time(self.config, source.schedule)
            if due and self.sync_source(source.name) is not None:
                ran.append(source.name)
        return ran

    def deliver(self) -> None:
        if self.sender is not None and self.is_leader():
            self.sender.deliver_due()


def sync_time(config: WorkspaceConfig, schedule: str | None) -> str:
    """HH:MM a source runs: its own `schedule`, or half an hour before the daily sweep."""
    if schedule:
        return schedule
    sweep = datetime.strptime(config.schedule.sweep_at, "%H:%M")
    return (sweep - SYNC_BEFORE_SWEEP).strftime("%H:%M")


def _at(hhmm: str) -> tuple[int, int]:
    hour, minute = hhmm.split(":")
    return int(hour), int(minute)


def _add_cron_job(
    scheduler: BackgroundScheduler, job: Callable[[], object], job_id: str, trigger: CronTrigger
) -> None:
    # A job missed while the process was down still runs when it comes back within the grace period.
    scheduler.add_job(
        job,
        trigger,
        id=job_id,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
    )


def build_scheduler(jobs: Jobs) -> BackgroundScheduler:
    """The scheduler with its jobs, not yet started."""
    config, zone = jobs.config, jobs.config.zone
    scheduler = BackgroundScheduler(timezone=zone)
    # Cron triggers in the workspace's zone keep "08:00" at 08:00 local across daylight-saving changes.
    hour, minute = _at(config.schedule.sweep_at)
    _add_cron_job(scheduler, jobs.sweep, SWEEP_JOB_ID, CronTrigger(hour=hour, minute=minute, timezone=zone))
    hour, minute = _at(config.schedule.weekly_summary_at)
    day = config.schedule.weekly_summary_day
    _add_cron_job(
        scheduler,
        jobs.weekly_summary,
        WEEKLY_SUMMARY_JOB_ID,
        CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=zone),
    )
    # Every day at the digest hour: the job itself knows whether the month's first business day has
    # come, and the outbox key keeps it to one post a month, so a day missed is made up the next day.
    hour, minute = _at(config.digest.post_at)
    _add_cron_job(
        scheduler, jobs.monthly_digest, DIGEST_JOB_ID, CronTrigger(hour=hour, minute=minute, timezone=zone)
    )
    scheduler.add_job(
        jobs.deliver,
        IntervalTrigger(minutes=1),
        id=DELIVERY_JOB_ID,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        jobs.keep_lease,
        IntervalTrigger(seconds=max(1.0, jobs.lease_ttl.total_seconds() / 3)),
        id=LEASE_JOB_ID,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    for source in config.sources:
        hour, minute = _at(sync_time(config, source.schedule))
        _add_cron_job(
            scheduler,
            partial(jobs.sync_source, source.name),
            f"sync-{source.name}",
            CronTrigger(hour=hour, minute=minute, timezone=zone),
        )
    if config.sources:
        scheduler.add_job(jobs.sync_catch_up, id=SYNC_CATCH_UP_JOB_ID, replace_existing=True)
    scheduler.add_job(jobs.catch_up, id=CATCH_UP_JOB_ID, replace_existing=True)
    scheduler.add_job(jobs.monthly_digest, id=DIGEST_CATCH_UP_JOB_ID, replace_existing=True)
    return scheduler


def start_scheduler(jobs: Jobs) -> BackgroundScheduler:
    scheduler = build_scheduler(jobs)
    scheduler.start()
    return scheduler
