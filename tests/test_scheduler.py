"""The scheduler: jobs, catch-up, the lease that lets one replica run them, daylight saving."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import load_config
from bot.scheduler import (
    CATCH_UP_JOB_ID,
    DELIVERY_JOB_ID,
    MISFIRE_GRACE,
    SWEEP_JOB_ID,
    Jobs,
    build_scheduler,
)
from domain.clock import MovableClock, fixed_clock
from storage import lease
from storage.models import HealthSnapshot
from tests.factories import build_small_workspace

# 20:00 UTC on the 22nd is already 05:00 on the 23rd in Tokyo, the workspace's time zone.
LATE_EVENING_UTC = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


def test_the_scheduler_has_the_daily_sweep_with_misfire_grace_delivery_and_a_catch_up(engine: Engine) -> None:
    scheduler = build_scheduler(Jobs(engine, load_config(), None, fixed_clock(LATE_EVENING_UTC)))
    sweep = scheduler.get_job(SWEEP_JOB_ID)
    assert sweep is not None
    assert sweep.misfire_grace_time == MISFIRE_GRACE.total_seconds() and sweep.coalesce is True
    assert str(sweep.trigger).startswith("cron[hour='8', minute='0'")
    assert scheduler.get_job(DELIVERY_JOB_ID) is not None
    assert scheduler.get_job(CATCH_UP_JOB_ID) is not None


def test_catch_up_sweeps_the_workspace_day_only_when_it_is_missing(engine: Engine) -> None:
    ids = build_small_workspace(engine)
    jobs = Jobs(engine, load_config(), None, fixed_clock(LATE_EVENING_UTC))
    assert jobs.catch_up() is True
    assert jobs.catch_up() is False
    with Session(engine) as session:
        today = session.exec(select(HealthSnapshot).where(HealthSnapshot.day == date(2026, 11, 23))).all()
    assert len(today) == len(ids)


def test_only_the_lease_holder_runs_jobs_and_another_takes_over_when_it_stops(engine: Engine) -> None:
    build_small_workspace(engine)
    clock = MovableClock(LATE_EVENING_UTC)
    first = Jobs(engine, load_config(), None, clock)
    second = Jobs(engine, load_config(), None, clock)
    assert first.sweep() is not None
    assert second.sweep() is None  # the first replica holds the lease
    clock.moment += timedelta(seconds=60)
    assert first.is_leader() and not second.is_leader()  # renewing keeps it
    clock.moment += timedelta(minutes=5)  # the first replica died: its lease ran out
    assert second.sweep() is not None
    assert not first.is_leader()


def test_lease_release_lets_another_take_it_at_once(engine: Engine) -> None:
    now = LATE_EVENING_UTC
    assert lease.hold(engine, "x", "a", now=now, ttl=timedelta(minutes=1))
    assert not lease.hold(engine, "x", "b", now=now, ttl=timedelta(minutes=1))
    lease.release(engine, "x", "a")
    assert lease.hold(engine, "x", "b", now=now, ttl=timedelta(minutes=1))


def test_the_sweep_stays_at_eight_local_across_daylight_saving_changes() -> None:
    zone = ZoneInfo("America/New_York")
    trigger = CronTrigger(hour=8, minute=0, timezone=zone)
    # 2027-03-14: clocks go forward in New York; 2027-11-07: back.
    for before in (datetime(2027, 3, 13, 7, 0, tzinfo=zone), datetime(2027, 11, 6, 7, 0, tzinfo=zone)):
        fire = trigger.get_next_fire_time(None, before)
        following = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
        assert fire is not None and following is not None
        assert (fire.hour, fire.minute) == (8, 0) and (following.hour, following.minute) == (8, 0)
        assert following.date() - fire.date() == timedelta(days=1)
        elapsed = following.astimezone(UTC) - fire.astimezone(UTC)
        assert elapsed in (timedelta(hours=23), timedelta(hours=25))  # the day itself was shorter or longer


def test_scoring_in_small_batches_gives_the_same_result_as_in_one(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from domain.health import refresh

    ids = build_small_workspace(engine)
    config = load_config()
    day = date(2026, 11, 23)
    refresh.refresh_snapshots(engine, config.health, [day])
    with Session(engine) as session:
        alone = {
            s.account_id: (s.score, s.band, s.measures)
            for s in session.exec(select(HealthSnapshot)).all()
            if s.day == day
        }
    monkeypatch.setattr(refresh, "BATCH", 2)  # five accounts in three batches
    assert refresh.refresh_snapshots(engine, config.health, [day]) == len(ids)
    with Session(engine) as session:
        split = {
            s.account_id: (s.score, s.band, s.measures)
            for s in session.exec(select(HealthSnapshot)).all()
            if s.day == day
        }
    assert split == alone and len(split) == len(ids)
    assert any(score is not None for score, _, _ in split.values())
