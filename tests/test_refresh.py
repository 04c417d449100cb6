"""The refresh's reading thread: used when there is enough to read, never left running, and an error
in it reaches the caller."""

import threading
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from bot.config import load_config
from domain.health import refresh
from domain.health.refresh import HealthRefresh, refresh_snapshots
from storage.db import make_engine, migrate
from storage.models import Account, HealthSnapshot, MetricObservation
from storage.risks import scores_between
from tests.factories import add_account

DAY = date(2026, 11, 23)


def readers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith(refresh.READER_NAME)]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three accounts to a batch, and a reading thread for any workload."""
    monkeypatch.setattr(refresh, "BATCH", 3)
    monkeypatch.setattr(refresh, "THREAD_FROM", 1)


@pytest.fixture
def reading_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the thread each metric-figure read ran on, in order."""
    seen: list[str] = []
    read = refresh.metric_figures

    def recording(*args: object, **kwargs: object) -> object:
        seen.append(threading.current_thread().name)
        return read(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(refresh, "metric_figures", recording)
    return seen


def add_accounts(engine: Engine, count: int, *, scored: bool = False) -> None:
    """Accounts with five days of active users; with `scored`, two more measures, enough for a score."""
    with Session(engine) as session:
        for number in range(count):
            account = add_account(session, f"R-{number}", f"Refreshed {number}", seats=10)
            if scored:
                for metric, value in (("logins", 40.0 * number), ("open_tickets", number % 4)):
                    session.add(
                        MetricObservation(account_id=account.id, metric=metric, observed_on=DAY, value=value)
                    )
            for back in range(5):
                session.add(
                    MetricObservation(
                        account_id=account.id,
                        metric="active_users",
                        observed_on=DAY - timedelta(days=back),
                        value=number,
                    )
                )
        session.commit()


def snapshots(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(HealthSnapshot)).scalar_one()


def test_many_batches_are_scored_through_the_reading_thread_which_then_ends(
    engine: Engine, small_batches: None, reading_threads: list[str]
) -> None:
    add_accounts(engine, 10)
    assert refresh_snapshots(engine, load_config().health, [DAY, DAY - timedelta(days=1)]) == 20
    # Four batches (3 + 3 + 3 + 1 accounts), two days each, all read by the reading threads.
    assert len(reading_threads) == 8
    assert all(name.startswith(refresh.READER_NAME) for name in reading_threads)
    assert snapshots(engine) == 20
    assert readers() == []


def test_a_small_workspace_is_read_in_the_calling_thread(engine: Engine, reading_threads: list[str]) -> None:
    add_accounts(engine, 4)
    assert refresh_snapshots(engine, load_config().health, [DAY]) == 4
    assert reading_threads == [threading.current_thread().name]


def test_an_error_while_reading_reaches_the_caller_and_nothing_of_its_batch_is_written(
    engine: Engine, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_accounts(engine, 10)
    read = refresh.metric_figures
    with Session(engine) as session:
        ids = sorted(session.scalars(select(Account.id)))
    # The third batch (batches of three), whichever reading thread gets to it first: the threads may
    # start reading the batches out of order.
    third_batch_starts = ids[6]

    def failing_on_the_third(*args: object, **kwargs: object) -> object:
        if kwargs["first_id"] == third_batch_starts:
            raise RuntimeError("the database went away")
        return read(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(refresh, "metric_figures", failing_on_the_third)
    with pytest.raises(RuntimeError, match="the database went away"):
        refresh_snapshots(engine, load_config().health, [DAY])
    assert snapshots(engine) == 6  # the two batches before the failing one, and none of it
    assert readers() == []


def test_leaving_before_finishing_stops_the_reader(engine: Engine, small_batches: None) -> None:
    add_accounts(engine, 30)
    with pytest.raises(KeyboardInterrupt), HealthRefresh(engine, load_config().health, [DAY]):
        raise KeyboardInterrupt  # e.g. the renewal reminders failed before the scoring began
    assert readers() == []
    assert snapshots(engine) == 0


@pytest.fixture
def memory_engine() -> Iterator[Engine]:
    engine = make_engine("sqlite://")
    migrate(engine)
    yield engine
    engine.dispose()


def test_an_in_memory_database_is_read_in_the_calling_thread(
    memory_engine: Engine, small_batches: None
) -> None:
    # Another thread's connection to "sqlite://" would open a database of its own, empty.
    add_accounts(memory_engine, 7)
    assert refresh_snapshots(memory_engine, load_config().health, [DAY]) == 7
    with memory_engine.connect() as connection:
        scored = connection.execute(
            select(func.count()).select_from(HealthSnapshot).where(HealthSnapshot.band != "no_data")
        ).scalar_one()
    assert scored == 0 and snapshots(memory_engine) == 7  # one measure of data: not enough for a score


def test_the_kept_scores_are_those_stored_for_that_day_only(engine: Engine, small_batches: None) -> None:
    add_accounts(engine, 8, scored=True)
    earlier = DAY - timedelta(days=1)
    with HealthRefresh(engine, load_config().health, [earlier, DAY], keep_scores_of=DAY) as refresh:
        assert refresh.finish() == 16
    with engine.connect() as connection:
        stored = {
            account_id: (score, band)
            for account_id, (_, score, band) in scores_between(connection, DAY, DAY).items()
        }
    assert refresh.scores == stored
    assert len(stored) == 8 and any(score is not None for score, _ in stored.values())


def writers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith(refresh.WRITER_NAME)]


def test_an_error_while_writing_reaches_the_caller_with_the_earlier_batches_stored(
    engine: Engine, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_accounts(engine, 10)
    write = refresh.write_snapshots
    calls: list[str] = []

    def failing_on_the_third(connection: object, rows: list[dict[str, object]]) -> None:
        calls.append(threading.current_thread().name)
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        write(connection, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(refresh, "write_snapshots", failing_on_the_third)
    with pytest.raises(RuntimeError, match="the disk is full"):
        refresh_snapshots(engine, load_config().health, [DAY])
    # Written off the scoring thread, one batch at a time, and nothing after the failure.
    assert all(name.startswith(refresh.WRITER_NAME) for name in calls)
    assert len(calls) == 3
    assert snapshots(engine) == 6
    assert writers() == [] and readers() == []


def test_refreshing_a_day_again_replaces_its_snapshots(engine: Engine, small_batches: None) -> None:
    add_accounts(engine, 10, scored=True)
    config = load_config().health
    assert refresh_snapshots(engine, config, [DAY]) == 10
    with engine.connect() as connection:
        before = scores_between(connection, DAY, DAY)
    with engine.begin() as connection:
        connection.execute(MetricObservation.__table__.update().values(value=0))  # type: ignore[attr-defined]
    assert refresh_snapshots(engine, config, [DAY]) == 10
    with engine.connect() as connection:
        after = scores_between(connection, DAY, DAY)
    assert snapshots(engine) == 10
    assert after.keys() == before.keys() and after != before
    with Session(engine) as session:
        measures = session.scalars(select(HealthSnapshot.measures)).first()
    assert measures and {"id", "score", "value"} <= set(measures[0])
