"""The calibration's chart: churn rate per band and the reliability curve, current beside calibrated,
on the hold-out. PNG bytes for Slack; matplotlib is imported only when a chart is drawn."""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, Any

from bot.i18n import Translator, translator
from bot.render.digest_chart import DPI, chart_language, finish
from bot.render.labels import band_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FIGURE_INCHES = (10.0, 4.6)
CURRENT_COLOUR = "#94a3b8"
CALIBRATED_COLOUR = "#2563eb"


def draw_calibration_chart(report: dict[str, Any], *, language: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = build_figure(report, language)
    FigureCanvasAgg(figure)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def build_figure(report: dict[str, Any], language: str) -> Figure:
    from matplotlib.figure import Figure

    chart_lang, family = chart_language(language)
    tr = translator(chart_lang)
    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI, layout="constrained")
    bands_ax, reliability_ax = figure.subplots(1, 2)
    figure.suptitle(
        tr.gettext(
            "Health score backtest: AUC %(current)s now, %(calibrated)s calibrated",
            current=_figure(report["current"]["auc"]),
            calibrated=_figure(report["holdout"]["auc"]),
        ),
        fontsize=14,
        fontweight="bold",
    )
    _draw_bands(bands_ax, report, tr)
    _draw_reliability(reliability_ax, report, tr)
    finish(figure, family)
    return figure


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _draw_bands(ax: Axes, report: dict[str, Any], tr: Translator) -> None:
    names = list(report["bands"])
    width = 0.38
    for offset, (key, label, colour) in enumerate(
        (
            ("current", tr.gettext("current"), CURRENT_COLOUR),
            ("holdout", tr.gettext("calibrated"), CALIBRATED_COLOUR),
        )
    ):
        bands = report[key]["bands"]
        rates = [100 * (bands.get(name, {}).get("churn_rate") or 0.0) for name in names]
        positions = [index + (offset - 0.5) * width for index in range(len(names))]
        bars = ax.bar(positions, rates, width=width, color=colour, label=label)
        for bar, name in zip(bars, names, strict=True):
            count = bands.get(name, {}).get("accounts", 0)
            ax.annotate(
                f"n={count}",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
            )
    ax.set_xticks(range(len(names)), [band_label(name, tr) for name in names])
    ax.set_ylabel(tr.gettext("churn rate on the hold-out (%%)"))
    ax.set_title(tr.gettext("Churn per band"), fontsize=11)
    ax.legend(frameon=False, fontsize=9)


def _draw_reliability(ax: Axes, report: dict[str, Any], tr: Translator) -> None:
    ax.plot([0, 100], [0, 100], color="#cbd5e1", linewidth=1, linestyle="--")
    for key, label, colour in (
        ("current", tr.gettext("current"), CURRENT_COLOUR),
        ("holdout", tr.gettext("calibrated"), CALIBRATED_COLOUR),
    ):
        points = report[key]["reliability"]
        ax.plot(
            [100 * p["predicted"] for p in points],
            [100 * p["observed"] for p in points],
            marker="o",
            color=colour,
            label=label,
        )
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel(tr.gettext("predicted churn (%%)"))
    ax.set_ylabel(tr.gettext("observed churn (%%)"))
    ax.set_title(tr.gettext("Reliability"), fontsize=11)
    ax.legend(frameon=False, fontsize=9)
