"""CSBOT_CLOCK_START: a process that lives a chosen day (rehearsals, the month on two replicas)."""

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from bot.settings import Settings
from domain.clock import ClockFrom


def test_a_clock_from_a_moment_starts_there_and_runs_at_real_speed() -> None:
    tokyo_morning = datetime(2027, 1, 4, 9, 5, tzinfo=timezone(timedelta(hours=9)))
    clock = ClockFrom(tokyo_morning)
    first = clock()
    time.sleep(0.05)
    second = clock()
    assert first.tzinfo is UTC and first - tokyo_morning < timedelta(seconds=0.05)
    assert timedelta(seconds=0.05) <= second - first < timedelta(seconds=1)


def test_a_moment_without_its_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        ClockFrom(datetime(2027, 1, 4, 9, 5))


def test_the_setting_reads_an_iso_moment_and_refuses_one_without_an_offset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CSBOT_CLOCK_START", "2027-01-04T09:05:00+09:00")
    assert Settings().clock_start == datetime(2027, 1, 4, 0, 5, tzinfo=UTC)
    monkeypatch.setenv("CSBOT_CLOCK_START", "2027-01-04T09:05:00")
    with pytest.raises(ValidationError, match="with its UTC offset"):
        Settings()
    monkeypatch.delenv("CSBOT_CLOCK_START")
    assert Settings().clock_start is None
