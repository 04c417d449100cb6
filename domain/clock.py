"""The one source of "now", injected everywhere so time-dependent logic can be tested."""

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    return lambda: moment


class MovableClock:
    """A clock that stands still until moved: for replaying days and restarts in tests and the demo."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


class ClockFrom:
    """A clock that starts at a chosen moment and then runs at real speed: a process started with it
    lives that day as if it had come (a rehearsal of a day's jobs, or one day of a simulated month)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's start needs a UTC offset")
        self.start = start.astimezone(UTC)
        self._started = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._started)


def today_in(clock: Clock, zone: ZoneInfo) -> date:
    return clock().astimezone(zone).date()
