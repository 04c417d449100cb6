from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import load_config
from bot.scheduler import (
    CATCH_UP_JOB_ID,
    MISFIRE_GRACE,
    SNAPSHOT_JOB_ID,
    build_scheduler,
    catch_up,
    snapshot_today,
    snapshots_missing,
)
from domain.clock import fixed_clock
from storage.models import HealthSnapshot
from tests.factories import build_small_workspace

# 20:00 UTC on the 22nd is already 05:00 on the 23rd in Tokyo, the workspace's time zone.
LATE_EVENING_UTC = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


def test_the_nightly_snapshot_is_for_the_workspace_day_and_rerunning_it_changes_nothing(
    engine: Engine,
) -> None:
    ids = build_small_workspace(engine)
    config = load_config()
    clock = fixed_clock(LATE_EVENING_UTC)
    assert snapshots_missing(engine, config, clock)

    assert snapshot_today(engine, config, clock) == len(ids)
    assert not snapshots_missing(engine, config, clock)
    snapshot_today(engine, config, clock)  # a second replica, or a catch-up run after a restart

    with Session(engine) as session:
        stored = session.exec(select(HealthSnapshot).where(HealthSnapshot.day == date(2026, 11, 23))).all()
        acme = session.exec(
            select(HealthSnapshot).where(
                HealthSnapshot.account_id == ids["acme"], HealthSnapshot.day == date(2026, 11, 23)
            )
        ).one()
    assert len(stored) == len(ids)
    assert acme.score == 65.3 and acme.band == "yellow"


def test_the_scheduler_has_the_nightly_job_with_misfire_grace_and_a_catch_up_at_start(engine: Engine) -> None:
    scheduler = build_scheduler(engine, load_config(), fixed_clock(LATE_EVENING_UTC))
    nightly = scheduler.get_job(SNAPSHOT_JOB_ID)
    assert nightly is not None
    assert nightly.misfire_grace_time == MISFIRE_GRACE.total_seconds() and nightly.coalesce is True
    assert str(nightly.trigger).startswith("cron[hour='2', minute='0'")
    assert scheduler.get_job(CATCH_UP_JOB_ID) is not None


def test_catch_up_scores_today_only_when_it_is_missing(engine: Engine) -> None:
    ids = build_small_workspace(engine)
    config = load_config()
    clock = fixed_clock(LATE_EVENING_UTC)
    assert catch_up(engine, config, clock) is True
    assert catch_up(engine, config, clock) is False
    with Session(engine) as session:
        today = session.exec(select(HealthSnapshot).where(HealthSnapshot.day == date(2026, 11, 23))).all()
    assert len(today) == len(ids)
