"""When the monthly digest is due: the first business day of the month, at the configured local time."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from domain.digest.month import Month

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class BusinessCalendar:
    weekend: frozenset[int] = field(default_factory=lambda: frozenset({5, 6}))  # date.weekday() numbers
    holidays: frozenset[date] = field(default_factory=frozenset)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def first_business_day(self, month: Month) -> date:
        """The month's first business day; the 1st itself if holidays cover the whole month."""
        day = month.first
        while day <= month.last:
            if self.is_business_day(day):
                return day
            day += timedelta(days=1)
        return month.first


def digest_due(local_now: datetime, calendar: BusinessCalendar, post_at: time) -> Month | None:
    """The month whose digest is due at `local_now` (workspace time): the previous month, from this
    month's first business day at `post_at` on; None before that.

    A digest is recorded once per month and channel, so asking every day is harmless, and a digest
    missed while the bot was down goes out as soon as it is back. Only the latest month is caught up:
    once a newer digest is due, an older one missed would be old news.
    """
    this_month = Month.containing(local_now.date())
    opens = datetime.combine(calendar.first_business_day(this_month), post_at, tzinfo=local_now.tzinfo)
    return this_month.previous() if local_now >= opens else None
