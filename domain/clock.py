"""The one source of "now", injected everywhere so time-dependent logic can be tested."""

from collections.abc import Callable
from datetime import UTC, date, datetime
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


def today_in(clock: Clock, zone: ZoneInfo) -> date:
    return clock().astimezone(zone).date()
