"""`/cs risks`: accounts at risk in the asker's scope, worst first, with the reason and the biggest drag."""

from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import load_config
from bot.local import LocalWorkspace, texts
from domain.at_risk import list_risks
from domain.health.scorecard import Band
from domain.policy import RisksConfig
from storage.models import RiskAlert
from tests.factories import (
    BOB,
    EMILY,
    GRACE,
    HOSTILE_NAME,
    MISAKI,
    NOW,
    OLGA,
    TODAY,
    add_contract,
    add_person,
    add_snapshot,
    member,
)

HEALTH = load_config().health


RISK_CONTEXT = (
    "At risk: a red score, an alert from the last 14 days nobody acknowledged, or a manual at-risk flag. "
    "Trends compare with 30 days ago."
)
HOSTILE_RISK = (
    "• *&lt;!channel&gt; &amp; &lt;@U123&gt; Partners* — :red_circle: *30* red · "
    "Not enough history to compare\n"
    "    Biggest drag: Last touch: 120 days ago → 0/100 (−40 points) · Listed for: red score"
)
BLUE_RISK = (
    "• *Blue Harbor* — :red_circle: *38* red · :arrow_lower_right: Down 12 points from 50\n"
    "    Biggest drag: Seat utilisation: 10% of seats active → 0/100 (−50 points) · Listed for: red score"
)
CREST_RISK = (
    "• *Crest Labs* — :large_yellow_circle: *63* yellow · :arrow_lower_right: Down 7 points from 70\n"
    "    Biggest drag: Open support tickets: 9 open → 25/100 (−37.5 points) · "
    "Listed for: alert of Nov 20, 2026 not acknowledged"
)
SAKURA_RISK = (
    "• *株式会社さくら物流* — :large_yellow_circle: *72* yellow · :arrow_right: Unchanged from 72\n"
    "    Listed for: flagged at risk on Nov 18, 2026"
)


def test_risks_of_a_csm_lowest_score_first(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("risks", EMILY)
    # Echo: yesterday's red is not its newest snapshot, one alert is acknowledged and one too old.
    assert reply["text"] == "2 of your accounts are at risk"
    assert texts(reply) == [
        "*2 of your accounts are at risk*",
        f"{HOSTILE_RISK}\n{BLUE_RISK}",
        RISK_CONTEXT,
    ]


def test_risks_of_a_manager_and_of_cs_ops(workspace: LocalWorkspace) -> None:
    team = workspace.reply_to("risk", GRACE)
    assert texts(team) == [
        "*4 of your team's accounts are at risk*",
        f"{HOSTILE_RISK}\n{BLUE_RISK}\n{CREST_RISK}\n{SAKURA_RISK}",
        RISK_CONTEXT,
    ]
    assert texts(workspace.reply_to("risks", OLGA))[0] == "*4 accounts are at risk*"
    assert texts(workspace.reply_to("risks", BOB))[1] == f"{BLUE_RISK}\n{CREST_RISK}"


def test_risks_in_japanese(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("リスク", MISAKI)
    assert texts(reply) == [
        "*リスクのあるあなたのアカウント: 2件*",
        "• *Crest Labs* — :large_yellow_circle: *63* 黄 · :arrow_lower_right: 70から7ポイント低下\n"
        "    最大の要因: 未解決のサポートチケット: 9件未解決 → 25/100（−37.5ポイント） · "
        "理由: 2026/11/20のアラートが未確認\n"
        "• *株式会社さくら物流* — :large_yellow_circle: *72* 黄 · :arrow_right: 72から変化なし\n"
        "    理由: 2026/11/18にリスクありに設定",
        "リスクの基準: スコアが赤、直近14日間のアラートが未確認、または手動でリスクありに設定されている。"
        "推移は30日前との比較です。",
    ]


def test_risks_when_nothing_is_at_risk(workspace: LocalWorkspace, engine: Engine) -> None:
    with Session(engine) as session:
        add_person(session, "new@example.com", "New AM", "am", "U0NEWAM", locale="en")
        session.commit()
    workspace.add_team_to_directory()
    reply = workspace.reply_to("risks", "U0NEWAM")
    assert texts(reply) == ["None of your accounts is at risk.", RISK_CONTEXT]
    assert workspace.reply_to("renewals", "U0NEWAM")["text"] == (
        "No renewals in the next 90 days on your accounts."
    )


def test_list_risks_reasons_trend_and_drag(engine: Engine, ids: dict[str, int]) -> None:
    answer = list_risks(
        engine,
        HEALTH,
        RisksConfig(),
        member=member(engine, "olga@example.com"),
        today=TODAY,
        slack_user_id=OLGA,
        at=NOW,
    )
    by_name = {line.name: line for line in answer.lines}
    assert list(by_name) == [HOSTILE_NAME, "Blue Harbor", "Crest Labs", "株式会社さくら物流"]
    assert (answer.total, answer.alert_days, answer.trend_days, answer.worst_band) == (4, 14, 30, "red")
    blue = by_name["Blue Harbor"]
    assert (blue.in_worst_band, blue.baseline_score, blue.open_alert_on, blue.flagged_on) == (
        True,
        50.0,
        None,
        None,
    )
    assert (blue.top_drag.measure.id, blue.top_drag.points_lost) == ("seat_utilisation", 50.0)  # type: ignore[union-attr]
    crest = by_name["Crest Labs"]
    assert (crest.in_worst_band, crest.open_alert_on, crest.baseline_score) == (
        False,
        date(2026, 11, 20),
        70.0,
    )
    sakura = by_name["株式会社さくら物流"]
    assert (sakura.flagged_on, sakura.top_drag) == (date(2026, 11, 18), None)


def test_list_risks_alert_window_edges(engine: Engine, ids: dict[str, int]) -> None:
    def listed(day: date) -> bool:
        with Session(engine) as session:
            for alert in session.exec(select(RiskAlert).where(RiskAlert.account_id == ids["echo"])).all():
                session.delete(alert)
            session.add(RiskAlert(account_id=ids["echo"], day=day, band="green", reasons=[]))
            session.commit()
        olga = member(engine, "olga@example.com")
        answer = list_risks(
            engine,
            HEALTH,
            RisksConfig(cooldown_days=7),
            member=olga,
            today=TODAY,
            slack_user_id=OLGA,
            at=NOW,
        )
        return "Echo Ltd" in {line.name for line in answer.lines}

    assert listed(date(2026, 11, 10))  # 14 days, today included
    assert not listed(date(2026, 11, 9))
    assert listed(TODAY)


def test_list_risks_uses_the_configured_worst_band(engine: Engine, ids: dict[str, int]) -> None:
    with Session(engine) as session:
        add_snapshot(
            session, ids["acme"], TODAY + timedelta(days=1), 10.0, "critical"
        )  # a future day is ignored
        session.commit()
    health = HEALTH.model_copy(update={"bands": [Band(name="yellow", below=70), Band(name="green")]})
    answer = list_risks(
        engine,
        health,
        RisksConfig(),
        member=member(engine, "emily@example.com"),
        today=TODAY,
        slack_user_id=EMILY,
        at=NOW,
    )
    assert [line.name for line in answer.lines] == ["Acme Corporation"]
    assert answer.lines[0].score == 65.3


def test_an_overdue_renewal_raises_an_alert(engine: Engine, ids: dict[str, int]) -> None:
    from domain.risk_sweep import sweep_risks

    with Session(engine) as session:
        add_contract(session, 44, ids["east"], TODAY - timedelta(days=2), arr=7000)
        add_snapshot(session, ids["east"], TODAY, 90.0, "green")
        session.commit()
    config = load_config()
    sweep_risks(
        engine,
        day=TODAY,
        now=NOW,
        trend_days=30,
        policy=config.risks,
        ownership=config.ownership,
        channels=config.channels,
        default_language="en",
    )
    with Session(engine) as session:
        raised = session.exec(select(RiskAlert).where(RiskAlert.account_id == ids["east"])).one()
    assert raised.reasons == ["renewal_overdue"] and raised.band == "green"
