"""Everything one month's digest shows: the figures, the retention trend and the team's wins.

A digest tells what happened, so it exists only for months that have begun and that the workspace's
data reaches: a month still going on counts up to today and says so; a future month, or one that ended
before the first date in the data, has no digest rather than figures rolled back from nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import Engine

from domain.digest.figures import (
    MonthFigures,
    Retention,
    YearRetention,
    month_figures,
    retention_trend,
    year_retention,
)
from domain.digest.month import Month
from storage import audit
from storage.digest import first_data_day
from storage.wins import WinView, wins_between

TREND_MONTHS = 12


@dataclass(frozen=True)
class DigestContent:
    figures: MonthFigures
    trend: list[Retention]
    year: YearRetention
    wins: list[WinView]


class MonthUnavailable(Exception):
    """No digest can be told for this month: it has not begun, or the data starts after it."""

    def __init__(
        self, month: Month, reason: Literal["future", "before_data", "no_data"], data_since: date | None
    ) -> None:
        super().__init__(f"no digest for {month}: {reason}")
        self.month = month
        self.reason = reason
        self.data_since = data_since


def check_month(engine: Engine, month: Month, *, today: date) -> date | None:
    """The first day of data when `month` can have a digest; MonthUnavailable when it cannot."""
    if month.first > today:
        raise MonthUnavailable(month, "future", None)
    with engine.connect() as connection:
        since = first_data_day(connection)
    if since is None:
        raise MonthUnavailable(month, "no_data", None)
    if month.last < since:
        raise MonthUnavailable(month, "before_data", since)
    return since


def digest_content(engine: Engine, month: Month, *, today: date) -> DigestContent:
    """The month's digest as of `today` (workspace date); raises MonthUnavailable (see `check_month`)."""
    since = check_month(engine, month, today=today)
    through = min(today, month.last)
    return DigestContent(
        figures=month_figures(engine, month, through=through),
        trend=retention_trend(engine, month, TREND_MONTHS, through=through, since=since),
        year=year_retention(engine, month, TREND_MONTHS, through=through, since=since),
        wins=wins_between(engine, month.first, through),
    )


def preview(engine: Engine, month: Month, *, today: date, slack_user_id: str, at: datetime) -> DigestContent:
    """`/cs digest`: the month's digest for one person, audited; MonthUnavailable (audited too) when the
    month has none."""
    try:
        content = digest_content(engine, month, today=today)
    except MonthUnavailable as missing:
        outcome = f"no_digest:{missing.reason}"
        audit.record(
            engine, at=at, slack_user_id=slack_user_id, action="digest", outcome=outcome, query=str(month)
        )
        raise
    audit.record(
        engine, at=at, slack_user_id=slack_user_id, action="digest", outcome="previewed", query=str(month)
    )
    return content
