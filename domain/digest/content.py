"""Everything one month's digest shows: the figures, the retention trend and the team's wins."""

from dataclasses import dataclass

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
from storage.wins import WinView, wins_between

TREND_MONTHS = 12


@dataclass(frozen=True)
class DigestContent:
    figures: MonthFigures
    trend: list[Retention]
    year: YearRetention
    wins: list[WinView]


def digest_content(engine: Engine, month: Month) -> DigestContent:
    return DigestContent(
        figures=month_figures(engine, month),
        trend=retention_trend(engine, month, TREND_MONTHS),
        year=year_retention(engine, month, TREND_MONTHS),
        wins=wins_between(engine, month.first, month.last),
    )
