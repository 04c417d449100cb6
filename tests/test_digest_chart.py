"""The digest chart: a deterministic PNG of the right size, edge data that still draws, and labels in a
language the server can actually draw (English when no Japanese font is installed)."""

import logging
import math
import struct
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Text

from bot.render import digest_chart
from bot.render.digest_chart import (
    BAND_COLOURS,
    DPI,
    FIGURE_INCHES,
    NEUTRAL,
    Bridge,
    ChartInput,
    TrendPoint,
    build_figure,
    chart_language,
    draw_digest_chart,
)

ROOT = Path(__file__).parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MONTHS = [f"{2025 + (m > 12)}-{(m - 1) % 12 + 1:02d}" for m in range(11, 23)]  # 2025-11 … 2026-10
NRR = [1.02, 1.031, 0.99, None, 1.045, 1.05, 1.012, 1.03, 1.061, 1.04, 1.055, 1.023]
GRR = [0.95, 0.96, 0.93, None, 0.955, 0.97, 0.94, 0.951, 0.962, 0.958, 0.97, 0.948]
SAMPLE = ChartInput(
    month_label="2026-10",
    trend=[TrendPoint(month, nrr, grr) for month, nrr, grr in zip(MONTHS, NRR, GRR, strict=True)],
    bridge=Bridge(
        starting=1_180_000, new=85_000, expansion=42_000, contraction=18_500, churned=31_000, ending=1_257_500
    ),
    health_now={"red": 4, "yellow": 11, "green": 27, "legacy": 1},
    health_before={"red": 6, "yellow": 9, "green": 25},
    band_order=["red", "yellow", "green"],
    currency="USD",
)
CJK = ("\u3040", "\u9fff")  # kana and CJK ideographs


def has_cjk(text: str) -> bool:
    return any(CJK[0] <= ch <= CJK[1] or ch == "￥" for ch in text)


def png_size(png: bytes) -> tuple[int, int]:
    # IHDR is the first chunk: width and height follow the signature, the chunk length and its type.
    return struct.unpack(">II", png[16:24])


def all_texts(figure: Figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_text()]


@pytest.fixture(scope="module")
def sample_png() -> bytes:
    return draw_digest_chart(SAMPLE, language="en")


def test_the_chart_is_a_modest_png_of_the_chosen_size(sample_png: bytes) -> None:
    assert sample_png.startswith(PNG_SIGNATURE)
    assert png_size(sample_png) == (FIGURE_INCHES[0] * DPI, FIGURE_INCHES[1] * DPI) == (1200, 900)
    assert 10_000 < len(sample_png) < 1_000_000


def test_the_same_figures_give_the_same_bytes_and_other_figures_other_bytes(sample_png: bytes) -> None:
    assert draw_digest_chart(SAMPLE, language="en") == sample_png
    fewer_churned = replace(SAMPLE, bridge=replace(SAMPLE.bridge, churned=5_000, ending=1_283_500))
    assert draw_digest_chart(fewer_churned, language="en") != sample_png


def test_the_png_carries_no_matplotlib_version(sample_png: bytes) -> None:
    assert b"matplotlib" not in sample_png.lower()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            replace(
                SAMPLE,
                trend=[],
                bridge=Bridge(0, 0, 0, 0, 0, 0),
                health_now={},
                health_before={},
                band_order=[],
                currency="JPY",
            ),
            id="nothing-at-all",
        ),
        pytest.param(
            replace(
                SAMPLE,
                trend=[TrendPoint(month, None, None) for month in MONTHS],
                bridge=Bridge(100_000, 0, 0, 20_000, 150_000, -70_000),
                health_now={"purple": 3},
                health_before={},
                month_label="October",
            ),
            id="no-figures-negative-ending-unknown-band",
        ),
    ],
)
def test_edge_data_still_draws_a_png(data: ChartInput) -> None:
    png = draw_digest_chart(data, language="en")
    assert png.startswith(PNG_SIGNATURE)
    assert png_size(png) == (1200, 900)


def test_a_month_without_figures_is_a_gap_not_a_zero() -> None:
    figure = build_figure(SAMPLE, "en")
    nrr = next(line for line in figure.axes[0].lines if line.get_label() == "Net revenue retention (NRR)")
    ys = list(nrr.get_ydata())
    assert math.isnan(ys[3])
    assert ys[-1] == pytest.approx(102.3)


def test_the_bridge_is_labelled_in_compact_money() -> None:
    labels = {t.get_text() for t in build_figure(SAMPLE, "en").axes[1].texts}
    assert labels == {
        "$1.18M",
        "+$85K",
        "+$42K",
        "\u2212$18.5K",
        "\u2212$31K",
        "$1.26M",
        "The axis starts at $1.07M, not at zero",
    }


def test_small_movements_beside_a_large_arr_float_around_the_starting_arr() -> None:
    """$34M moved by a few hundred thousand: the axis starts near the levels, so each step is visible."""
    data = replace(SAMPLE, bridge=Bridge(34_369_800, 408_500, 107_200, 31_800, 0, 34_853_700))
    bridge = build_figure(data, "en").axes[1]
    bottom, top = bridge.get_ylim()
    assert 33_500_000 < bottom < 34_369_800 and top > 34_885_500
    new, expansion, contraction = (abs(bar.get_height()) / (top - bottom) for bar in bridge.patches[1:4])
    # On an axis from zero these would be 1.0%, 0.3% and 0.08% of its height: slivers nobody sees.
    assert new > 0.25 and expansion > 0.05 and contraction > 0.02
    starting, ending = bridge.patches[0], bridge.patches[-1]
    assert starting.get_y() == pytest.approx(
        bottom, rel=0.01
    ) and starting.get_y() + starting.get_height() == pytest.approx(34_369_800)
    assert ending.get_y() + ending.get_height() == pytest.approx(34_853_700)
    labels = [t.get_text() for t in bridge.texts]
    assert labels[:6] == ["$34.4M", "+$409K", "+$107K", "\u2212$31.8K", "$0", "$34.9M"]
    assert labels[6].startswith("The axis starts at $")


def test_large_movements_keep_the_axis_at_zero() -> None:
    data = replace(SAMPLE, bridge=Bridge(100_000, 80_000, 0, 0, 0, 180_000))
    bridge = build_figure(data, "en").axes[1]
    assert bridge.get_ylim()[0] == 0 and all("axis starts" not in t.get_text() for t in bridge.texts)


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (34_400_000, "USD", "3,440万ドル"),
        (1_180_000, "USD", "118万ドル"),
        (18_500, "USD", "1.85万ドル"),
        (950, "USD", "950ドル"),
        (340_000_000, "JPY", "3.4億円"),
        (1_234_567_890_000, "JPY", "1.23兆円"),
        (2_500_000, "EUR", "250万ユーロ"),
        (2_500_000, "GBP", "250万 GBP"),
    ],
)
def test_japanese_amounts_are_written_in_man_and_oku_with_the_currency_after(
    amount: float, currency: str, text: str
) -> None:
    from bot.i18n import translator
    from bot.render.digest_chart import _compact

    assert _compact(amount, currency, translator("ja")) == text
    assert _compact(-amount, currency, translator("ja")) == "\u2212" + text


def test_a_negative_ending_is_drawn_below_zero_with_a_minus_sign() -> None:
    data = replace(SAMPLE, bridge=Bridge(100_000, 0, 0, 20_000, 150_000, -70_000), currency="EUR")
    bridge = build_figure(data, "en").axes[1]
    assert [t.get_text() for t in bridge.texts] == [
        "€100K",
        "€0",
        "€0",
        "\u2212€20K",
        "\u2212€150K",
        "\u2212€70K",
    ]
    assert bridge.patches[-1].get_height() == -70_000
    assert bridge.get_ylim()[0] < -70_000


def test_without_health_data_the_panel_says_so_instead_of_counting_zeros() -> None:
    data = replace(SAMPLE, health_now={}, health_before={})
    health = build_figure(data, "en").axes[2]
    assert [t.get_text() for t in health.texts] == ["no health data"]
    assert [t.get_text() for t in health.get_xticklabels()] == ["Red", "Yellow", "Green"]


def test_bands_keep_the_configured_order_and_colours_with_unknown_bands_neutral_and_last() -> None:
    health = build_figure(SAMPLE, "en").axes[2]
    assert [t.get_text() for t in health.get_xticklabels()] == ["Red", "Yellow", "Green", "Legacy"]
    now_bars = health.patches[4:]
    expected = [BAND_COLOURS["red"], BAND_COLOURS["yellow"], BAND_COLOURS["green"], NEUTRAL]
    assert [to_hex(bar.get_facecolor()) for bar in now_bars] == expected
    assert [bar.get_height() for bar in now_bars] == [4, 11, 27, 1]
    assert [bar.get_height() for bar in health.patches[:4]] == [6, 9, 25, 0]


def test_importing_the_module_does_not_import_matplotlib() -> None:
    code = "import bot.render.digest_chart, sys; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_japanese_without_a_cjk_font_falls_back_to_english_words_and_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(digest_chart, "cjk_font", lambda: None)
    assert chart_language("ja") == ("en", None)
    figure = build_figure(replace(SAMPLE, currency="JPY"), "ja")
    FigureCanvasAgg(figure).draw()  # creates the axis tick labels, which carry the money format
    texts = [t.get_text() for t in all_texts(figure)]
    assert figure.get_suptitle() == "Customer success in October 2026"
    assert "Starting\nARR" in texts
    assert "¥1.18M" in texts
    assert [t for t in texts if has_cjk(t)] == []


def test_japanese_with_a_cjk_font_uses_the_japanese_labels_in_that_font(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(digest_chart, "cjk_font", lambda: "Noto Sans CJK JP")
    figure = build_figure(replace(SAMPLE, currency="JPY"), "ja")
    assert figure.get_suptitle() == "2026年10月のカスタマーサクセス"
    assert figure.axes[0].get_title(loc="left") == "月別の売上継続率"
    assert [t.get_text() for t in figure.axes[2].get_xticklabels()] == ["赤", "黄", "緑", "Legacy"]
    assert "118万円" in {t.get_text() for t in figure.axes[1].texts}
    # Every text, the tick labels too, must ask for the CJK font, or it would draw empty boxes.
    assert {t.get_fontfamily()[0] for t in all_texts(figure)} == {"Noto Sans CJK JP"}


def test_english_never_looks_for_a_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    def unexpected() -> str:
        raise AssertionError("English needs no CJK font")

    monkeypatch.setattr(digest_chart, "cjk_font", unexpected)
    assert chart_language("en") == ("en", None)
    assert chart_language("fr") == ("en", None)


def test_font_detection_reports_none_once_when_no_family_is_installed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from matplotlib import font_manager

    def missing(*_: object, **__: object) -> str:
        raise ValueError("not installed")

    monkeypatch.setattr(font_manager, "findfont", missing)
    digest_chart.cjk_font.cache_clear()
    try:
        with caplog.at_level(logging.DEBUG, logger="bot.render.digest_chart"):
            assert digest_chart.cjk_font() is None
            assert digest_chart.cjk_font() is None
        assert len([r for r in caplog.records if "No CJK font" in r.getMessage()]) == 1
    finally:
        digest_chart.cjk_font.cache_clear()


def test_a_plain_install_draws_japanese_with_the_bundled_font() -> None:
    # matplotlib-fontja is a dependency: its IPAex Gothic is registered without touching global defaults.
    from matplotlib import rcParams

    digest_chart.cjk_font.cache_clear()
    try:
        before = list(rcParams["font.family"])
        assert digest_chart.chart_language("ja") == ("ja", "IPAexGothic")
        assert list(rcParams["font.family"]) == before
    finally:
        digest_chart.cjk_font.cache_clear()
