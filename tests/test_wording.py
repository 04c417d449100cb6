"""How the bot words things, in both languages: plurals, Japanese punctuation and brackets, 'today'."""

from dataclasses import replace
from datetime import date

import pytest

from bot.cli.printing import counted
from bot.cli.sweep_cmd import describe
from bot.render.health import health_card
from domain.health.card import Drag, HealthCard
from domain.health.scoring import MeasureResult
from domain.renewal_sweep import RenewalSweepResult
from domain.risk_sweep import RiskSweepResult
from domain.sweep import SweepResult
from tests.factories import health_card_of

TODAY = date(2026, 11, 23)
SEATS = MeasureResult("seat_utilisation", "adoption", 25, 0.4, 50)
CARD = health_card_of()


def card_text(card: HealthCard, language: str) -> str:
    """The card's fallback and every mrkdwn text of its sections and context, one after another."""
    payload = health_card(card, language=language, currency="USD").payload()
    parts = [payload["text"]]
    for block in payload["blocks"]:
        if block["type"] == "section":
            parts += [block["text"]["text"]] if block.get("text") else []
            parts += [field["text"] for field in block.get("fields", [])]
        elif block["type"] == "context":
            parts += [element["text"] for element in block["elements"]]
    return "\n".join(parts)


def test_english_counts_agree_with_their_nouns() -> None:
    text = card_text(CARD, "en")
    assert "Trend, last 1 day" in text and "Up 1 point from 64" in text
    assert "(−1 point)" in text and "1 points" not in text
    assert "Nov 23, 2026 · today" in text and "Auto-renews; notice by Nov 24, 2026 (1 day left)" in text
    assert "No data: NPS and Last touch" in text
    two = card_text(replace(CARD, trend_days=30, baseline_score=62.0, drags=[Drag(SEATS, 2.5)]), "en")
    assert "Trend, last 30 days" in two and "Up 3 points from 62" in two and "(−2.5 points)" in two


def test_japanese_takes_full_width_brackets_the_ideographic_comma_and_no_space_after_a_stop() -> None:
    text = card_text(CARD, "ja")
    assert "（−1ポイント）" in text and " (" not in text
    assert "データなし: NPS、最終接点" in text
    assert "2026/11/23 · 本日" in text and "残り0日" not in text
    assert "。 " not in text


def test_the_cli_counts_agree_with_their_nouns() -> None:
    assert [counted(1, "reminder"), counted(2, "reminder"), counted(1200, "account")] == [
        "1 reminder",
        "2 reminders",
        "1,200 accounts",
    ]
    result = SweepResult(
        day=TODAY,
        snapshots=1,
        renewals=RenewalSweepResult(due=1, messages=1, unreachable=[]),
        risks=RiskSweepResult(alerts=1, escalations=1, messages=0),
    )
    assert describe(result) == (
        "Sweep for 2026-11-23: 1 account scored, 1 renewal reminder, 1 at-risk alert, 1 escalation; "
        "1 message queued."
    )


@pytest.mark.parametrize(("days", "heading"), [(1, "in the next 1 day"), (30, "in the next 30 days")])
def test_the_renewals_heading_counts_days_and_renewals_each_in_its_own_number(
    days: int, heading: str
) -> None:
    from bot.render.listings import renewals
    from domain.scope import Scope
    from domain.upcoming_renewals import RenewalsAnswer

    empty = renewals(RenewalsAnswer(scope=Scope("own"), days=days), language="en", currency="USD")
    assert empty.text == f"No renewals {heading} on your accounts."
    japanese = renewals(RenewalsAnswer(scope=Scope("own"), days=days), language="ja", currency="USD")
    assert japanese.text == f"今後{days}日以内に更新を迎えるあなたのアカウントはありません。"


def test_japanese_risk_reasons_are_listed_with_the_ideographic_comma() -> None:
    from bot.render.templating import macros
    from domain.at_risk import RiskLine

    line = RiskLine(
        account_id=1,
        external_id="A-1",
        name="Acme",
        csm_email=None,
        score=30.0,
        band="red",
        baseline_score=None,
        top_drag=None,
        in_worst_band=True,
        open_alert_on=TODAY,
        flagged_on=TODAY,
    )
    assert macros("ja", "listings.j2").reasons(line, "赤") == (
        "スコアが赤、2026/11/23のアラートが未確認、2026/11/23にリスクありに設定"
    )
    assert macros("en", "listings.j2").reasons(line, "red") == (
        "red score, alert of Nov 23, 2026 not acknowledged, and flagged at risk on Nov 23, 2026"
    )
