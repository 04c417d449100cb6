"""Everything one month's digest shows: the figures, the retention trend and the team's wins."""

from dataclasses import dataclass

from sqlalchemy import Engine

from domain.digest.figures import MonthFigures, Retention, month_figures, retention_trend
from domain.digest.month import Month
from storage.wins import WinView, wins_between

TREND_MONTHS = 12


@dataclass(frozen=True)
class DigestContent:
    figures: MonthFigures
    trend: list[Retention]
    wins: list[WinView]


def digest_content(engine: Engine, month: Month) -> DigestContent:
    return DigestContent(
        figures=month_figures(engine, month),
        trend=retention_trend(engine, month, TREND_MONTHS),
        wins=wins_between(engine, month.first, month.last),
    )
