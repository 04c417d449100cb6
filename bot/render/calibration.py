"""The calibration's backtest report as text (a Slack message, or the terminal)."""

from typing import Any

from bot.i18n import translator
from bot.render.labels import band_label
from bot.render.templating import macros


def report_text(report: dict[str, Any], language: str = "en") -> str:
    tr = translator(language)
    return macros(language, "calibration.j2").report(report, lambda band: band_label(band, tr))
