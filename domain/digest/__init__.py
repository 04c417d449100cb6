"""The monthly success-sharing digest: which month, and the KPI figures it reports."""

from domain.digest.figures import (
    CsmArr,
    FirstValue,
    HealthShift,
    MonthFigures,
    RenewalCounts,
    Retention,
    ScoreMove,
    ValuePoints,
    YearRetention,
    figures_json,
    month_figures,
    retention_trend,
    year_json,
    year_retention,
)
from domain.digest.month import Month

__all__ = [
    "CsmArr",
    "FirstValue",
    "HealthShift",
    "Month",
    "MonthFigures",
    "RenewalCounts",
    "Retention",
    "ScoreMove",
    "ValuePoints",
    "YearRetention",
    "figures_json",
    "month_figures",
    "retention_trend",
    "year_json",
    "year_retention",
]
