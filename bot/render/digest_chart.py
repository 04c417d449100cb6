"""The chart posted with the monthly success digest: retention trend, ARR bridge and health bands in one PNG.

`draw_digest_chart` is a pure function of its input: the same figures give the same bytes, because the PNG
carries no software version or timestamp. It uses matplotlib's object-oriented API only, never pyplot,
whose global state is not safe on the background thread that draws the digest; and it needs no display.
matplotlib is imported inside the drawing functions, so that importing this module (which the slash-command
path does through the digest renderer) does not pay matplotlib's import time.

Japanese labels need a font with CJK glyphs, which most servers do not have. The first Japanese chart looks
once, through matplotlib's font manager, for one of a few well-known Japanese families and uses it; the
IPAex Gothic font that the matplotlib-fontja package carries is registered first, so a plain install has
one. Should no Japanese font be found after all, the chart is drawn in English, labels and number formats
alike (the Japanese compact forms use 万 and 億), rather than with empty boxes, and one debug line says so.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import textwrap
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.dates import format_skeleton
from babel.numbers import format_compact_currency, format_decimal

from bot.i18n import Translator, translator
from bot.render.labels import band_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

# 1200×900 px: readable when Slack shows it full size, and a PNG of well under 1 MB.
FIGURE_INCHES = (12.0, 9.0)
DPI = 100

CJK_LANGUAGES = frozenset({"ja", "zh", "ko"})
CJK_FAMILIES = (
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "IPAexGothic",
    "IPAGothic",
    "Hiragino Sans",
    "Yu Gothic",
    "TakaoGothic",
    "VL Gothic",
)
# A CJK font's Latin glyphs are fine, but it may lack a symbol such as the minus sign; DejaVu has them.
LATIN_FALLBACK = "DejaVu Sans"

BAND_COLOURS = {"red": "#d64541", "yellow": "#e0a800", "green": "#2f9e5f"}
NEUTRAL = "#9aa5b1"
NRR_COLOUR = "#2b6cb0"
GRR_COLOUR = "#dd6b20"
TOTAL_COLOUR = "#4a5568"
GAIN_COLOUR = "#2f9e5f"
LOSS_COLOUR = "#d64541"
MUTED = "#718096"
MINUS = "\u2212"


@dataclass(frozen=True)
class TrendPoint:
    label: str  # "2025-12"
    nrr: float | None  # a fraction; None when the month has no figure, drawn as a gap
    grr: float | None


@dataclass(frozen=True)
class Bridge:
    """The month's ARR bridge in the workspace currency; contraction and churn are positive amounts lost."""

    starting: float
    new: float
    expansion: float
    contraction: float
    churned: float
    ending: float


@dataclass(frozen=True)
class ChartInput:
    month_label: str  # "2026-10"
    trend: list[TrendPoint]  # up to 12, oldest first
    bridge: Bridge
    health_now: dict[str, int]  # band -> accounts at the end of the month
    health_before: dict[str, int]  # band -> accounts a month earlier
    band_order: list[str]
    currency: str  # ISO code


def _register_bundled_font(font_manager: Any) -> None:
    """Make the Japanese font shipped by matplotlib-fontja known to matplotlib's font manager."""
    # Found by its spec rather than imported: importing the package would also change matplotlib's global
    # default font, which every other chart in the process would then inherit.
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        return
    font = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "ipaexg.ttf"
    if font.is_file():
        font_manager.fontManager.addfont(str(font))
        # It has no bold weight: matplotlib draws bold titles in the regular one and would warn on each.
        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


@cache
def cjk_font() -> str | None:
    """The first installed font family that can draw Japanese, or None."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    _register_bundled_font(font_manager)
    for family in CJK_FAMILIES:
        try:
            path = font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
            # A family name alone could be a stub or an alias; the font must actually hold the glyphs.
            if FT2Font(path).get_char_index(ord("月")):
                return family
        except (ValueError, OSError, RuntimeError):
            continue
    logger.debug("No CJK font found (tried %s); digest charts are drawn with English labels", CJK_FAMILIES)
    return None


def chart_language(language: str) -> tuple[str, str | None]:
    """The language the chart can be drawn in here, and the font family it needs (None: the default)."""
    language = translator(language).language
    if language not in CJK_LANGUAGES:
        return language, None
    family = cjk_font()
    return (language, family) if family else ("en", None)


def draw_digest_chart(data: ChartInput, *, language: str) -> bytes:
    """The digest chart as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = build_figure(data, language)
    FigureCanvasAgg(figure)
    buffer = BytesIO()
    # No Software key (matplotlib's version): the bytes depend on the figures alone.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def build_figure(data: ChartInput, language: str) -> Figure:
    """The chart as a matplotlib Figure, before it is rendered (the tests read its texts)."""
    from matplotlib.figure import Figure

    chart_lang, family = chart_language(language)
    tr = translator(chart_lang)
    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI, layout="constrained")
    grid = figure.add_gridspec(2, 2, height_ratios=(1.0, 1.15))
    trend_ax = figure.add_subplot(grid[0, :])
    bridge_ax = figure.add_subplot(grid[1, 0])
    health_ax = figure.add_subplot(grid[1, 1])
    month = _month_name(data.month_label, tr, "yMMMM")
    figure.suptitle(tr.gettext("Customer success in %(month)s", month=month), fontsize=16, fontweight="bold")
    _draw_trend(trend_ax, data.trend, tr)
    _draw_bridge(bridge_ax, data.bridge, data.currency.upper(), tr)
    _draw_health(health_ax, data, tr)
    finish(figure, family)
    return figure


def finish(figure: Figure, family: str | None) -> None:
    """The house style on every chart: open axes, light horizontal grid, the font the language needs."""
    for ax in figure.axes:
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#e2e8f0", linewidth=0.8)
        ax.set_axisbelow(True)
    if family:
        use_font(figure, [family, LATIN_FALLBACK])


def use_font(figure: Figure, families: list[str]) -> None:
    # Applied once at the end rather than on each call, so no label can be missed; tick_params also covers
    # the tick labels matplotlib only creates when it draws.
    from matplotlib.text import Text

    for ax in figure.axes:
        ax.tick_params(labelfontfamily=families)
    for text in figure.findobj(Text):
        text.set_fontfamily(families)


def _month_name(label: str, tr: Translator, skeleton: str) -> str:
    """ "2026-10" as "October 2026" / "2026年10月"; a label of another shape is shown as it is."""
    try:
        year, month = (int(part) for part in label.split("-"))
        return format_skeleton(skeleton, date(year, month, 1), locale=tr.locale)
    except ValueError:
        return label


# Japanese counts large amounts in 万 (10⁴), 億 (10⁸) and 兆 (10¹²), and writes the currency after the
# figure: "3,440万ドル", "1.2億円". Babel's compact form puts a symbol in front ("$3440万"): it reads oddly.
_JAPANESE_UNITS = ((1e12, "兆"), (1e8, "億"), (1e4, "万"))
_JAPANESE_CURRENCY = {"JPY": "円", "USD": "ドル", "EUR": "ユーロ"}


def _compact(value: float, currency: str, tr: Translator) -> str:
    # Three significant figures throughout ($1.18M, $18.5K, $950); rounding before Babel also keeps
    # 999,999 from coming out as "$1000K".
    rounded = _three_figures(value)
    if tr.language == "ja":
        text = _compact_japanese(abs(rounded), currency, tr)
    else:
        text = format_compact_currency(abs(rounded), currency, locale=tr.locale, fraction_digits=2)
    # The typographic minus, as on the decreases, rather than Babel's hyphen.
    return MINUS + text if rounded < 0 else text


def _three_figures(value: float) -> float:
    """Rounded to three significant figures, halves up as people round ($408,500 → $409K, not $408K)."""
    if not value:
        return 0.0
    exact = Decimal(repr(float(value)))  # repr: the shortest decimal that is this float
    step = Decimal(1).scaleb(exact.adjusted() - 2)
    return float(exact.quantize(step, rounding=ROUND_HALF_UP))


def _compact_japanese(amount: float, currency: str, tr: Translator) -> str:
    unit_value, unit = next(((v, u) for v, u in _JAPANESE_UNITS if amount >= v), (1.0, ""))
    scaled = _three_figures(amount / unit_value)
    suffix = _JAPANESE_CURRENCY.get(currency, f" {currency}")
    return f"{format_decimal(scaled, locale=tr.locale)}{unit}{suffix}"


def _note(ax: Axes, text: str) -> None:
    # On a white box, so the 100% reference line does not strike through it.
    box = {"facecolor": "white", "edgecolor": "none", "pad": 4}
    ax.text(
        0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color=MUTED, fontsize=12, bbox=box
    )


def _draw_trend(ax: Axes, trend: list[TrendPoint], tr: Translator) -> None:
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    ax.set_title(tr.gettext("Revenue retention by month"), loc="left", fontweight="bold")
    xs = list(range(len(trend)))
    ax.axhline(100, color=MUTED, linestyle="--", linewidth=1, zorder=1)
    series = (
        ("nrr", tr.gettext("Net revenue retention (NRR)"), NRR_COLOUR, "bottom", 7),
        ("grr", tr.gettext("Gross revenue retention (GRR)"), GRR_COLOUR, "top", -7),
    )
    shown: list[float] = []
    for attribute, name, colour, va, offset in series:
        values: list[float | None] = [getattr(point, attribute) for point in trend]
        # NaN breaks the line, so a month without a figure is a gap rather than a fall to zero.
        ys = [value * 100 if value is not None else math.nan for value in values]
        ax.plot(xs, ys, marker="o", markersize=5, linewidth=2.2, color=colour, label=name, zorder=3)
        known = [i for i, value in enumerate(values) if value is not None]
        if not known:
            continue
        shown.extend(ys[i] for i in known)
        # NRR is never below GRR, so its latest figure goes above the point and GRR's below.
        last = known[-1]
        ax.annotate(
            tr.percent(values[last] or 0.0, 1),
            (last, ys[last]),
            xytext=(8, offset),
            textcoords="offset points",
            va=va,
            ha="left",
            color=colour,
            fontsize=10,
            fontweight="bold",
        )
    ax.set_xticks(xs, [_month_name(point.label, tr, "yMMM") for point in trend], fontsize=9)
    ax.set_xlim(-0.5, max(len(trend) - 1, 0) + 0.9)
    low, high = min([*shown, 100.0]), max([*shown, 100.0])
    pad = max((high - low) * 0.18, 2.0)
    ax.set_ylim(low - pad, high + pad)
    # Whole percentages on the axis; the latest figures carry the decimal.
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10], integer=True))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    if shown:
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False, fontsize=10)
    else:
        _note(ax, tr.gettext("No retention figures for these months"))


# When the month's movements are small beside the ARR they move (a few percent of $34M, say), bars standing
# on zero would show two tall totals and four slivers: the axis then starts just below the lowest level,
# and the chart says so.
ZOOM_WHEN_SPAN_BELOW = 0.5  # of the lowest level


def _draw_bridge(ax: Axes, bridge: Bridge, currency: str, tr: Translator) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.set_title(tr.gettext("How ARR moved this month"), loc="left", fontweight="bold")
    names = [
        tr.gettext("Starting ARR"),
        tr.gettext("New business"),
        tr.gettext("Expansion"),
        tr.gettext("Contraction"),
        tr.gettext("Churned"),
        tr.gettext("Ending ARR"),
    ]
    # Each step starts where the previous one ended: a waterfall around the starting ARR.
    steps = (bridge.new, bridge.expansion, -bridge.contraction, -bridge.churned)
    levels = [bridge.starting]
    for change in steps:
        levels.append(levels[-1] + change)
    low, high = min(*levels, bridge.ending), max(*levels, bridge.ending)
    span = high - low
    zoomed = low > 0 and span < ZOOM_WHEN_SPAN_BELOW * low
    # The totals stand on the axis floor: zero, or just below the lowest level when zoomed.
    floor = low - max(span, high * 0.005) * 0.9 if zoomed else 0.0
    bottoms = [floor, *levels[:-1], floor]
    heights = [bridge.starting - floor, *steps, bridge.ending - floor]
    colours = [TOTAL_COLOUR, GAIN_COLOUR, GAIN_COLOUR, LOSS_COLOUR, LOSS_COLOUR, TOTAL_COLOUR]
    xs = list(range(len(names)))
    ax.bar(xs, heights, bottom=bottoms, color=colours, width=0.62, zorder=2)
    for i in range(len(xs) - 1):
        # The connector sits at the level after step i: where step i+1 starts.
        after = bottoms[i] + heights[i]
        ax.plot([i + 0.31, i + 0.69], [after, after], color=MUTED, linewidth=0.9, linestyle=":", zorder=1)
    amounts = [bridge.starting, *steps, bridge.ending]
    for i, (bottom, height, amount) in enumerate(zip(bottoms, heights, amounts, strict=True)):
        total = i in (0, len(xs) - 1)
        if total:
            text = _compact(amount, currency, tr)
        elif amount > 0:
            text = "+" + _compact(amount, currency, tr)
        elif amount < 0:
            text = MINUS + _compact(-amount, currency, tr)
        else:
            text = _compact(0, currency, tr)
        below = total and amount < 0
        y = bottom + height if below else max(bottom, bottom + height)
        ax.annotate(
            text,
            (i, y),
            xytext=(0, -4 if below else 4),
            textcoords="offset points",
            ha="center",
            va="top" if below else "bottom",
            # Japanese amounts ("+10.7万ドル") are wider than "+$107K": a size smaller keeps neighbours apart.
            fontsize=(10 if total else 9) if tr.language == "ja" else 10,
            fontweight="bold" if total else "normal",
        )
    # Six labels side by side: two-word English ones go on two lines so they do not run together.
    ax.set_xticks(xs, [textwrap.fill(name, 9, break_long_words=False) for name in names], fontsize=10)
    reach = [floor, *levels, bridge.ending]
    bottom_limit, top_limit = min(reach), max(reach)
    room = (top_limit - bottom_limit) or 1.0
    ax.set_ylim(bottom_limit - (room * 0.12 if bottom_limit < 0 else 0.0), top_limit + room * 0.14)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _compact(value, currency, tr)))
    if zoomed:
        note = tr.gettext("The axis starts at %(amount)s, not at zero", amount=_compact(floor, currency, tr))
        # Beside the title, where no bar can be: at the foot it would sit on the starting ARR.
        ax.text(1.0, 1.01, note, transform=ax.transAxes, ha="right", va="bottom", color=MUTED, fontsize=9)


def _draw_health(ax: Axes, data: ChartInput, tr: Translator) -> None:
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    ax.set_title(tr.gettext("Accounts by health band"), loc="left", fontweight="bold")
    # A band the configuration no longer lists still has accounts worth showing; it goes last.
    extra = sorted((set(data.health_now) | set(data.health_before)) - set(data.band_order))
    bands = list(dict.fromkeys([*data.band_order, *extra]))
    before = [data.health_before.get(band, 0) for band in bands]
    now = [data.health_now.get(band, 0) for band in bands]
    colours = [BAND_COLOURS.get(band, NEUTRAL) for band in bands]
    xs = list(range(len(bands)))
    names = [band_label(band, tr) for band in bands]
    ax.set_xticks(xs, [name[:1].upper() + name[1:] for name in names], fontsize=10)
    ax.set_ylabel(tr.gettext("Number of accounts"))
    ax.set_xlim(-0.6, max(len(bands) - 1, 0) + 0.6)
    ax.set_ylim(0, max([*before, *now, 0]) * 1.18 or 1)
    width = 0.38
    ax.bar(
        [x - width / 2 for x in xs],
        before,
        width=width,
        color=colours,
        alpha=0.35,
        edgecolor=colours,
        linewidth=1.2,
        zorder=2,
    )
    ax.bar([x + width / 2 for x in xs], now, width=width, color=colours, zorder=2)
    if not any(before) and not any(now):
        ax.set_yticks([])
        _note(ax, tr.gettext("no health data"))
        return
    for x, count_before, count_now in zip(xs, before, now, strict=True):
        for dx, count in ((-width / 2, count_before), (width / 2, count_now)):
            ax.annotate(
                tr.number(count),
                (x + dx, count),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=10,
            )
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    legend: list[Any] = [
        Patch(facecolor=NEUTRAL, alpha=0.35, edgecolor=NEUTRAL, label=tr.gettext("A month earlier")),
        Patch(facecolor=NEUTRAL, label=tr.gettext("End of the month")),
    ]
    # Below the axes: above them it would collide with the title, inside it could hide a tall bar.
    ax.legend(
        handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.09), ncols=2, frameon=False, fontsize=10
    )
