"""The one source of "now", injected everywhere so time-dependent logic can be tested."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    return lambda: moment


def today_in(clock: Clock, zone: ZoneInfo) -> date:
    return clock().astimezone(zone).date()
