"""`/cs owner`, `/cs renewals` and `/cs risks`: end to end through the signed HTTP path, and the use cases.

The dataset is small enough to check by hand. Today is 2026-11-23 (Tokyo); 30 days ago is 2026-10-24.

- Blue Harbor: CSM Emily, AE Bob; ARR 480,000; ends 2026-12-10; 37.5 red (50 thirty days ago).
- the hostile name: CSM Mal (a hostile name too), AM Emily; ARR 1,000; ends 2026-12-31 (the contract has
  no ARR); 30 red, no history.
- Acme Corporation: CSM Emily, AE Bob; ARR 120,000; ends 2027-01-31, auto-renews, 60 days' notice;
  65.3 yellow (80 before).
- 株式会社さくら物流: CSM Misaki; ARR 60,000; no expansion potential; ends 2027-02-15; 72 yellow (72 before);
  flagged at risk on 2026-11-18.
- Crest Labs: CSM Misaki, renewal taken over by Bob; ARR 90,000; ends 2027-06-01; 62.5 yellow (70 on
  2026-10-20, within the week of slack); an alert on 2026-11-20 nobody acknowledged.
- Echo Ltd: CSM Emily; contract renewed (not active); red yesterday but 80 green today; an acknowledged
  alert on 2026-11-21 and an open one on 2026-11-09, too old.
- Dune Co: churned, so never listed, though red, flagged and with a contract ending 2026-12-05.
- Nova East, Nova West: nobody on them, no contract, never scored.

Emily, Misaki and Mal report to Grace (manager); Olga is CS Ops.
"""

import json
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import WorkspaceConfig, load_config
from bot.local import LocalWorkspace, texts
from bot.render.listings import pack
from domain.account_owner import owner_by_name, ownership_view
from domain.at_risk import list_risks
from domain.clock import fixed_clock
from domain.health.scorecard import Band
from domain.ownership import OwnershipConfig
from domain.policy import RisksConfig
from domain.scope import Scope, scope_for
from domain.upcoming_renewals import list_renewals, parse_days
from storage.models import AuditEntry, Contract, HealthSnapshot, RiskAlert, TeamMember
from tests.factories import NOW, STRANGER_ID, TODAY, add_account

EMILY = "U0EMILY"
MISAKI = "U0MISAKI"
BOB = "U0BOB"
GRACE = "U0GRACE"
OLGA = "U0OLGA"
HOSTILE_NAME = "<!channel> & <@U123> Partners"
HOSTILE_PERSON = "Mal <!here> & Co"

SEAT_10 = {"id": "seat_utilisation", "group": "adoption", "weight": 25, "value": 0.1, "score": 0}
NPS_40 = {"id": "nps", "group": "advocacy", "weight": 15, "value": 40, "score": 75}
TICKETS_2 = {"id": "open_tickets", "group": "support", "weight": 10, "value": 2, "score": 75}
TICKETS_9 = {"id": "open_tickets", "group": "support", "weight": 10, "value": 9, "score": 25}
FEATURES_8 = {"id": "feature_breadth", "group": "adoption", "weight": 10, "value": 8, "score": 100}
TOUCH_120 = {"id": "days_since_touch", "group": "relationship", "weight": 10, "value": 120, "score": 0}
HEALTH = load_config().health
NPS_10 = {"id": "nps", "group": "advocacy", "weight": 15, "value": 10, "score": 50}


def _person(session: Session, email: str, name: str, role: str, slack_id: str | None, **more: str) -> None:
    session.add(TeamMember(email=email, name=name, role=role, slack_user_id=slack_id, **more))  # type: ignore[arg-type]


def _snapshot(
    session: Session,
    account_id: int,
    day: date,
    score: float | None,
    band: str,
    measures: Sequence[dict[str, Any]] = (),
) -> None:
    session.add(
        HealthSnapshot(
            account_id=account_id,
            day=day,
            score=score,
            band=band,
            scorecard="default",
            measures=list(measures),
        )
    )


def _contract(session: Session, number: int, account_id: int, end: date, **more: object) -> None:
    session.add(
        Contract(
            external_id=f"C-{number}",
            account_id=account_id,
            start_date=end - timedelta(days=365),
            end_date=end,
            **more,  # type: ignore[arg-type]
        )
    )


def build_book(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        _person(session, "grace@example.com", "Grace Hall", "manager", GRACE, locale="en")
        _person(
            session,
            "emily@example.com",
            "Emily Carter",
            "csm",
            EMILY,
            locale="en",
            manager_email="grace@example.com",
        )
        _person(
            session,
            "misaki@example.com",
            "佐藤 美咲",
            "csm",
            MISAKI,
            locale="ja",
            manager_email="grace@example.com",
        )
        _person(session, "bob@example.com", "Bob Ray", "ae", BOB, locale="en")
        _person(session, "olga@example.com", "Olga Ops", "cs_ops", OLGA, locale="en")
        _person(session, "mal@example.com", HOSTILE_PERSON, "csm", None, manager_email="grace@example.com")
        emily, bob, misaki = "emily@example.com", "bob@example.com", "misaki@example.com"

        blue = add_account(session, "A-11", "Blue Harbor", arr=480000, csm_email=emily, ae_email=bob)
        hostile = add_account(
            session, "A-15", HOSTILE_NAME, arr=1000, csm_email="mal@example.com", am_email=emily
        )
        acme = add_account(session, "A-10", "Acme Corporation", arr=120000, csm_email=emily, ae_email=bob)
        sakura = add_account(
            session,
            "A-12",
            "株式会社さくら物流",
            arr=60000,
            csm_email=misaki,
            expansion_potential=False,
            flagged_at_risk_on=date(2026, 11, 18),
        )
        crest = add_account(
            session, "A-13", "Crest Labs", arr=90000, csm_email=misaki, renewal_owner_email=bob
        )
        echo = add_account(session, "A-16", "Echo Ltd", arr=30000, csm_email=emily)
        dune = add_account(
            session, "A-14", "Dune Co", arr=10000, csm_email=emily, status="churned", flagged_at_risk_on=TODAY
        )
        east = add_account(session, "A-17", "Nova East")
        add_account(session, "A-18", "Nova West")

        ids = {
            "blue": blue.id,
            "hostile": hostile.id,
            "acme": acme.id,
            "sakura": sakura.id,
            "crest": crest.id,
            "echo": echo.id,
            "dune": dune.id,
            "east": east.id,
        }
        _contract(session, 11, ids["blue"], date(2026, 12, 10), arr=480000)
        _contract(session, 15, ids["hostile"], date(2026, 12, 31))  # no ARR on the contract: the account's
        _contract(session, 10, ids["acme"], date(2027, 1, 31), arr=120000, auto_renew=True, notice_days=60)
        _contract(session, 12, ids["sakura"], date(2027, 2, 15), arr=60000)
        _contract(session, 13, ids["crest"], date(2027, 6, 1), arr=90000)
        _contract(session, 16, ids["echo"], date(2026, 12, 1), arr=30000, status="renewed")
        _contract(session, 14, ids["dune"], date(2026, 12, 5), arr=10000)

        before = TODAY - timedelta(days=30)
        # (0·25 + 75·15 + 75·10) / 50 = 37.5: red; the seats cost 25/50 · 100 = 50 points.
        _snapshot(session, ids["blue"], TODAY, 37.5, "red", [SEAT_10, NPS_40, TICKETS_2])
        _snapshot(session, ids["blue"], before, 50.0, "red")
        # (0·10 + 50·15) / 25 = 30: red; the last touch costs 10/25 · 100 = 40 points, NPS 30.
        _snapshot(session, ids["hostile"], TODAY, 30.0, "red", [TOUCH_120, NPS_10])
        _snapshot(session, ids["acme"], TODAY, 65.3, "yellow", [NPS_40])
        _snapshot(session, ids["acme"], before, 80.0, "green")
        _snapshot(session, ids["sakura"], TODAY, 72.0, "yellow")
        _snapshot(session, ids["sakura"], before, 72.0, "yellow")
        # (25·10 + 100·10) / 20 = 62.5; tickets cost 10/20 · 75 = 37.5 points. 34 days ago: within the slack.
        _snapshot(session, ids["crest"], TODAY, 62.5, "yellow", [TICKETS_9, FEATURES_8])
        _snapshot(session, ids["crest"], TODAY - timedelta(days=34), 70.0, "yellow")
        # Yesterday's snapshot is older than today's: only the newest counts.
        _snapshot(session, ids["echo"], TODAY - timedelta(days=1), 20.0, "red")
        _snapshot(session, ids["echo"], TODAY, 80.0, "green")
        _snapshot(session, ids["dune"], TODAY, 10.0, "red")

        session.add(
            RiskAlert(account_id=ids["crest"], day=date(2026, 11, 20), band="yellow", reasons=["dropped"])
        )
        # Cool-down 7 days → alerts count for 14 days, today included: from 2026-11-10 on.
        session.add(
            RiskAlert(account_id=ids["echo"], day=date(2026, 11, 9), band="yellow", reasons=["dropped"])
        )
        session.add(
            RiskAlert(
                account_id=ids["echo"],
                day=date(2026, 11, 21),
                band="yellow",
                reasons=["dropped"],
                acknowledged_by=EMILY,
                acknowledged_on=date(2026, 11, 21),
            )
        )
        session.commit()
    return ids  # type: ignore[return-value]


@pytest.fixture
def config() -> WorkspaceConfig:
    return load_config()


@pytest.fixture
def ids(engine: Engine) -> dict[str, int]:
    return build_book(engine)


@pytest.fixture
def workspace(engine: Engine, config: WorkspaceConfig, ids: dict[str, int]) -> Iterator[LocalWorkspace]:
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        yield workspace


def member(engine: Engine, email: str) -> TeamMember:
    with Session(engine) as session:
        found = session.exec(select(TeamMember).where(TeamMember.email == email)).one()
        session.expunge(found)
        return found


# --- /cs owner, end to end ------------------------------------------------------------------------


def test_owner_names_each_owner_and_the_rule_that_chose_them(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("owner acme", BOB)
    assert reply["text"] == "Acme Corporation: renewal owner Emily Carter (CSM)."
    assert texts(reply) == [
        "*Acme Corporation*  `A-10`",
        "*Renewal*: Emily Carter (CSM) — the low-touch growth company model gives renewals to the CSM\n"
        "*Expansion*: Bob Ray (AE) — the low-touch growth company model gives expansions to the AE\n"
        "*Small expansions*: Emily Carter (CSM) — the low-touch growth company model lets the CSM take "
        "expansions of up to $20,000",
        "Ownership model: low-touch growth company · ARR: $120,000",
    ]


def test_owner_of_a_large_account_is_the_ae(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("owner blue harbor", EMILY)
    assert texts(reply)[1].splitlines()[0] == (
        "*Renewal*: Bob Ray (AE) — ARR $480,000 is at or above the large-account line of $150,000, "
        "so the AE leads the renewal"
    )


def test_owner_who_took_the_renewal_over_wins(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("owner crest", EMILY)
    assert texts(reply)[1].splitlines()[0] == (
        "*Renewal*: Bob Ray (AE) — took the renewal over, which wins over the model"
    )


def test_owner_falls_back_when_the_role_the_model_names_is_empty(engine: Engine, ids: dict[str, int]) -> None:
    config = load_config()
    config.ownership = OwnershipConfig(model="high_touch_growth")
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        reply = workspace.reply_to("owner A-12", EMILY)
    assert texts(reply)[1:] == [
        "*Renewal*: 佐藤 美咲 (CSM) — the account has no expansion potential, and the high-touch growth "
        "company model hands such renewals to the AM\n"
        "↳ _the rules name the AM, but none is set on this account, so it falls back to the CSM_\n"
        "*Expansion*: 佐藤 美咲 (CSM) — the customer already has most of what we sell, so account "
        "management looks after the rest\n"
        "↳ _the rules name the AM, but none is set on this account, so it falls back to the CSM_",
        "Ownership model: high-touch growth company · ARR: $60,000",
    ]


def test_owner_of_an_account_nobody_is_on(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("owner A-17", EMILY)
    assert reply["text"] == "Nova East: renewal owner nobody."
    assert texts(reply)[1].splitlines()[:2] == [
        "*Renewal*: nobody — the low-touch growth company model gives renewals to the CSM",
        "↳ _this account has no CSM, AE or AM set_",
    ]


def test_owner_in_japanese(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("オーナー acme", MISAKI)
    assert reply["text"] == "Acme Corporation: 更新担当はEmily Carter（CSM）です。"
    assert texts(reply) == [
        "*Acme Corporation*  `A-10`",
        "*更新*: Emily Carter（CSM） — ロータッチ型の成長企業モデルでは更新はCSMの担当です\n"
        "*拡大*: Bob Ray（AE） — ロータッチ型の成長企業モデルでは拡大はAEの担当です\n"
        "*小規模な拡大*: Emily Carter（CSM） — ロータッチ型の成長企業モデルでは$20,000までの拡大はCSMが"
        "担当できます",
        "オーナーシップモデル: ロータッチ型の成長企業 · ARR: $120,000",
    ]


def test_owner_lists_several_matches_and_suggests_close_names(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("owner nova", EMILY)
    assert reply["text"] == "Several accounts match “nova”:"
    assert texts(reply) == [
        "Several accounts match “nova”:\n"
        "• Nova East  `A-17`\n"
        "• Nova West  `A-18`\n"
        "Ask again with the name or the id, e.g. `/cs owner A-17`."
    ]
    assert workspace.reply_to("owner acmee", EMILY)["text"] == (
        "No account matches “acmee”. Did you mean: Acme Corporation?"
    )
    assert workspace.reply_to("owner", EMILY)["text"] == "Which account? For example: `/cs owner acme`"


def test_owner_escapes_hostile_account_and_person_names(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("owner partners", EMILY)
    text = json.dumps(reply, ensure_ascii=False)
    assert "<!channel>" not in text and "<@U123>" not in text and "<!here>" not in text
    assert texts(reply)[0] == "*&lt;!channel&gt; &amp; &lt;@U123&gt; Partners*  `A-15`"
    assert texts(reply)[1].splitlines()[0] == (
        "*Renewal*: Mal &lt;!here&gt; &amp; Co (CSM) — "
        "the low-touch growth company model gives renewals to the CSM"
    )
    choices = workspace.reply_to("owner <!here> & co", EMILY)
    assert "<!here>" not in json.dumps(choices) and "&lt;!here&gt; &amp; co" in choices["text"]


def test_owner_is_audited(workspace: LocalWorkspace, ids: dict[str, int]) -> None:
    workspace.reply_to("owner acme", BOB)
    workspace.reply_to("owner nova", BOB)
    workspace.reply_to("owner zzqqxx", BOB)
    with Session(workspace.engine) as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    assert [(e.action, e.query, e.outcome, e.account_id, e.slack_user_id) for e in entries] == [
        ("owner", "acme", "shown", ids["acme"], BOB),
        ("owner", "nova", "ambiguous", None, BOB),
        ("owner", "zzqqxx", "not_found", None, BOB),
    ]


# --- /cs renewals, end to end ---------------------------------------------------------------------

ACME_LINE = (
    "• *Acme Corporation* — Jan 31, 2027 (69 days left) · notice by Dec 2, 2026 (9 days left) · $120,000 · "
    ":large_yellow_circle: *65* yellow · renewal owner: Emily Carter (CSM)"
)
BLUE_LINE = (
    "• *Blue Harbor* — Dec 10, 2026 (17 days left) · $480,000 · :red_circle: *38* red · "
    "renewal owner: Bob Ray (AE)"
)
HOSTILE_LINE = (
    "• *&lt;!channel&gt; &amp; &lt;@U123&gt; Partners* — Dec 31, 2026 (38 days left) · $1,000 · "
    ":red_circle: *30* red · renewal owner: Mal &lt;!here&gt; &amp; Co (CSM)"
)
SAKURA_LINE = (
    "• *株式会社さくら物流* — Feb 15, 2027 (84 days left) · $60,000 · :large_yellow_circle: *72* yellow · "
    "renewal owner: 佐藤 美咲 (CSM)"
)


def test_renewals_of_a_csm_soonest_first(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("renewals", EMILY)
    # Dune Co is churned and Echo's contract is renewed already: neither is listed.
    assert reply["text"] == "3 renewals in the next 90 days on your accounts"
    assert texts(reply) == [
        "*3 renewals in the next 90 days on your accounts*",
        f"{BLUE_LINE}\n{HOSTILE_LINE}\n{ACME_LINE}",
    ]


def test_renewals_of_an_ae_include_accounts_they_took_over(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("renewals 365", BOB)
    crest = (
        "• *Crest Labs* — Jun 1, 2027 (190 days left) · $90,000 · :large_yellow_circle: *63* yellow · "
        "renewal owner: Bob Ray (AE)"
    )
    assert texts(reply) == [
        "*3 renewals in the next 365 days on your accounts*",
        f"{BLUE_LINE}\n{ACME_LINE}\n{crest}",
    ]


def test_renewals_of_a_manager_cover_the_team_and_cs_ops_sees_all(workspace: LocalWorkspace) -> None:
    team = workspace.reply_to("renewals", GRACE)
    assert texts(team) == [
        "*4 renewals in the next 90 days on your team's accounts*",
        f"{BLUE_LINE}\n{HOSTILE_LINE}\n{ACME_LINE}\n{SAKURA_LINE}",
    ]
    everyone = workspace.reply_to("renewal 40", OLGA)
    assert texts(everyone) == ["*2 renewals in the next 40 days*", f"{BLUE_LINE}\n{HOSTILE_LINE}"]


def test_renewals_in_japanese(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("更新 ９０日", MISAKI)
    assert texts(reply) == [
        "*今後90日以内に更新を迎えるあなたのアカウント: 1件*",
        "• *株式会社さくら物流* — 2027/02/15（残り84日） · $60,000 · :large_yellow_circle: *72* 黄 · "
        "更新担当: 佐藤 美咲（CSM）",
    ]
    empty = workspace.reply_to("更新 30", MISAKI)
    assert empty["text"] == "今後30日以内に更新を迎えるあなたのアカウントはありません。"


def test_renewals_notice_deadline_passed_and_today(workspace: LocalWorkspace, ids: dict[str, int]) -> None:
    with Session(workspace.engine) as session:
        # Ends today with 30 days' notice: the notice deadline went by on 2026-10-24.
        _contract(session, 99, ids["echo"], TODAY, arr=30000, auto_renew=True, notice_days=30)
        session.commit()
    reply = workspace.reply_to("renewals 1", EMILY)
    assert texts(reply)[1] == (
        "• *Echo Ltd* — Nov 23, 2026 (today) · notice deadline passed on Oct 24, 2026 · $30,000 · "
        ":large_green_circle: *80* green · renewal owner: Emily Carter (CSM)"
    )


@pytest.mark.parametrize("typed", ["0", "366", "soon", "-5", "30 60"])
def test_renewals_refuses_days_it_cannot_read(workspace: LocalWorkspace, typed: str) -> None:
    reply = workspace.reply_to(f"renewals {typed}", EMILY)
    assert reply["text"] == "Give a number of days from 1 to 365, e.g. `/cs renewals 30`."


def test_renewals_are_capped_and_fit_in_slack(workspace: LocalWorkspace, engine: Engine) -> None:
    with Session(engine) as session:
        for number in range(30):
            # Names that grow five-fold when escaped, to push the text past one section.
            name = f"{number:02d} " + "&" * 250
            account = add_account(session, f"B-{number:02d}", name, arr=5000, csm_email="olga@example.com")
            _contract(session, 200 + number, account.id, TODAY + timedelta(days=3))  # type: ignore[arg-type]
        session.commit()
    reply = workspace.reply_to("renewals 5", OLGA)
    assert reply["text"] == "30 renewals in the next 5 days"
    sections = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"][1:]
    lines = "\n".join(sections).splitlines()
    assert len(lines) == 20
    assert lines[0].startswith("• *00 &amp;&amp;") and lines[-1].startswith("• *19 &amp;")
    assert len(sections) > 1 and all(len(s) <= 3000 for s in sections)
    assert len(reply["blocks"]) <= 50
    assert texts(reply)[-1] == "Showing 1–20 of 30."
    [button] = reply["blocks"][-1]["elements"]
    assert button["text"]["text"] == "Show the next 10" and button["action_id"] == "listing_more"

    # The button replaces the list with the rest of it, in the same order, and offers nothing more.
    pressed = workspace.click(button["action_id"], button["value"], user_id=OLGA).calls
    [page] = [c.body for c in pressed if c.method == "response_url"]
    assert page["replace_original"] is True
    rest = "\n".join(b["text"]["text"] for b in page["blocks"] if b["type"] == "section").splitlines()[1:]
    assert [line[:5] for line in rest] == [f"• *{n:02d}" for n in range(20, 30)]
    assert texts(page)[-1] == "Showing 21–30 of 30."
    assert not [b for b in page["blocks"] if b["type"] == "actions"]


def test_the_next_page_of_a_listing_is_refused_to_people_outside_the_team(workspace: LocalWorkspace) -> None:
    pressed = workspace.click("listing_more", "risks::20", user_id=STRANGER_ID).calls
    [reply] = [c.body for c in pressed if c.method == "response_url"]
    assert reply["text"].startswith("Sorry, account details are only available")


# --- /cs risks, end to end ------------------------------------------------------------------------

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
        _person(session, "new@example.com", "New AM", "am", "U0NEWAM", locale="en")
        session.commit()
    workspace.add_team_to_directory()
    reply = workspace.reply_to("risks", "U0NEWAM")
    assert texts(reply) == ["None of your accounts is at risk.", RISK_CONTEXT]
    assert workspace.reply_to("renewals", "U0NEWAM")["text"] == (
        "No renewals in the next 90 days on your accounts."
    )


# --- access and audit -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "action"),
    [("owner acme", "owner"), ("renewals", "renewals"), ("risks", "risks"), ("更新 30", "renewals")],
)
def test_people_outside_the_team_are_refused_and_audited(
    workspace: LocalWorkspace, typed: str, action: str
) -> None:
    workspace.slack.add_user(STRANGER_ID, email="visitor@example.org", locale="en-US")
    reply = workspace.reply_to(typed, STRANGER_ID)
    assert reply["text"].startswith("Sorry, account details are only available to the Customer Success team.")
    for secret in ("Acme", "Blue Harbor", "480,000", "Emily"):
        assert secret not in json.dumps(reply)
    with Session(workspace.engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.slack_user_id == STRANGER_ID)).one()
    assert (entry.action, entry.outcome, entry.account_id) == (action, "refused", None)


def test_user_group_members_off_the_team_list_are_told_why_the_list_is_empty(
    engine: Engine, ids: dict[str, int]
) -> None:
    config = load_config()
    config.access.allowed_usergroup = "S0CSLEADS"
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        workspace.slack.add_user(STRANGER_ID, email="lead@example.org")
        workspace.slack.set_usergroup("S0CSLEADS", [STRANGER_ID])
        for typed in ("renewals", "risks"):
            assert workspace.reply_to(typed, STRANGER_ID)["text"] == (
                "You are not on the team list, so no accounts name you as an owner. "
                "Ask your CS Ops admin to add you."
            )
        assert workspace.reply_to("owner acme", STRANGER_ID)["text"].startswith("Acme Corporation:")


def test_listings_are_audited(workspace: LocalWorkspace) -> None:
    workspace.reply_to("renewals 30", EMILY)
    workspace.reply_to("risks", EMILY)
    with Session(workspace.engine) as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    assert [(e.action, e.query, e.outcome, e.slack_user_id) for e in entries] == [
        ("renewals", "30", "listed", EMILY),
        ("risks", None, "listed", EMILY),
    ]


@pytest.mark.parametrize(
    ("user", "expected"), [(EMILY, "`/cs renewals [days]`"), (MISAKI, "`/cs renewals [日数]`")]
)
def test_help_lists_the_new_subcommands(workspace: LocalWorkspace, user: str, expected: str) -> None:
    text = workspace.reply_to("help", user)["text"]
    assert expected in text and "`/cs risks`" in text and "`/cs owner <" in text


# --- the use cases, without Slack -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "days"),
    [("", 90), ("  ", 90), ("30", 30), ("30d", 30), ("30 days", 30), ("３０日", 30), ("1", 1), ("365", 365)],
)
def test_parse_days_reads(typed: str, days: int) -> None:
    assert parse_days(typed) == days


@pytest.mark.parametrize("typed", ["0", "366", "-1", "soon", "30 60", "3.5", "1e2"])
def test_parse_days_refuses(typed: str) -> None:
    assert parse_days(typed) is None


def test_scope_follows_the_role(engine: Engine, ids: dict[str, int]) -> None:
    assert scope_for(engine, None) == Scope("none")
    assert scope_for(engine, member(engine, "olga@example.com")) == Scope("all")
    assert scope_for(engine, member(engine, "emily@example.com")) == Scope(
        "own", frozenset({"emily@example.com"})
    )
    grace = scope_for(engine, member(engine, "grace@example.com"))
    assert grace == Scope(
        "team",
        frozenset({"grace@example.com", "emily@example.com", "misaki@example.com", "mal@example.com"}),
    )
    assert Scope("all").filter is None and grace.filter == grace.emails


def test_list_renewals_counts_beyond_the_limit(engine: Engine, ids: dict[str, int]) -> None:
    answer = list_renewals(
        engine,
        OwnershipConfig(),
        member=member(engine, "grace@example.com"),
        days=90,
        today=TODAY,
        slack_user_id=GRACE,
        at=NOW,
        limit=2,
    )
    assert [line.name for line in answer.lines] == ["Blue Harbor", HOSTILE_NAME]
    assert (answer.total, answer.more) == (4, 2)
    blue, hostile = answer.lines
    assert (blue.days_left, blue.notice_deadline, blue.arr, blue.score, blue.band) == (
        17,
        None,
        480000,
        37.5,
        "red",
    )
    assert (blue.owner.decision.rule, blue.owner.role, blue.owner.person.name) == (
        "large_account",
        "ae",
        "Bob Ray",
    )  # type: ignore[union-attr]
    assert hostile.arr == 1000  # the contract has none, so the account's ARR stands in


def test_list_renewals_notice_deadline(engine: Engine, ids: dict[str, int]) -> None:
    answer = list_renewals(
        engine, OwnershipConfig(), member=None, days=90, today=TODAY, slack_user_id=GRACE, at=NOW
    )
    assert answer.lines == [] and answer.scope.kind == "none"
    answer = list_renewals(
        engine,
        OwnershipConfig(),
        member=member(engine, "bob@example.com"),
        days=90,
        today=TODAY,
        slack_user_id=BOB,
        at=NOW,
    )
    acme = answer.lines[-1]
    assert (acme.name, acme.notice_deadline, acme.notice_days_left) == (
        "Acme Corporation",
        date(2026, 12, 2),
        9,
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
        _snapshot(
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


def test_ownership_view_without_small_expansions_and_with_an_override(
    engine: Engine, ids: dict[str, int]
) -> None:
    view = ownership_view(engine, OwnershipConfig(model="high_touch_startup"), ids["acme"])
    assert view is not None and view.small_expansion is None
    assert (view.renewal.decision.rule, view.renewal.person.name) == ("model", "Bob Ray")  # type: ignore[union-attr]
    view = ownership_view(engine, OwnershipConfig(renewal_owner="csm", large_account_arr=None), ids["blue"])
    assert view is not None
    assert (view.renewal.decision.rule, view.renewal.person.name) == ("override", "Emily Carter")  # type: ignore[union-attr]
    assert ownership_view(engine, OwnershipConfig(), 10**6) is None


def test_owner_by_name_audits_and_answers(engine: Engine, ids: dict[str, int]) -> None:
    answer = owner_by_name(engine, OwnershipConfig(), query="crest", slack_user_id=BOB, at=NOW)
    assert answer.view is not None
    taken = answer.view.renewal
    assert (taken.decision.rule, taken.decision.role, taken.role) == ("taken", None, "ae")


def test_pack_keeps_lines_whole_and_sections_short() -> None:
    lines = ["a" * 1000, "b" * 1000, "c" * 1500, "d"]
    packed = pack(lines)
    assert packed == ["a" * 1000 + "\n" + "b" * 1000, "c" * 1500 + "\nd"]
    assert pack([]) == []


# --- churned accounts and renewals left overdue ------------------------------------------------------


def test_owner_of_a_churned_account_routes_no_renewal(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("owner dune", EMILY)
    assert reply["text"] == "Dune Co has churned: no renewal to own."
    assert texts(reply)[1] == (
        ":no_entry: This account has churned, so there is no renewal or expansion to own. "
        "If it comes back, import it as active again."
    )
    assert "Renewal*:" not in json.dumps(reply)


def test_a_contract_that_ended_unrenewed_is_listed_as_overdue(
    workspace: LocalWorkspace, ids: dict[str, int]
) -> None:
    with Session(workspace.engine) as session:
        # Ended 12 days ago, still active, no later contract: overdue. Nova East's was renewed by a new one.
        _contract(session, 40, ids["acme"], TODAY - timedelta(days=12), arr=5000)
        session.delete(session.exec(select(Contract).where(Contract.external_id == "C-10")).one())
        _contract(session, 41, ids["east"], TODAY - timedelta(days=5), arr=7000)
        _contract(session, 42, ids["east"], TODAY + timedelta(days=360), arr=7000)
        session.commit()
    reply = workspace.reply_to("renewals", EMILY)
    assert texts(reply)[0] == "*3 renewals in the next 90 days on your accounts* · :warning: 1 overdue"
    first = texts(reply)[1].splitlines()[0]
    assert first.startswith("• *Acme Corporation* — Nov 11, 2026 (:warning: overdue by 12 days) · $5,000")
    everyone = texts(workspace.reply_to("renewals", OLGA))
    assert "Nova East" not in "\n".join(everyone)  # renewed by the contract that follows it


def test_the_card_says_churned_and_overdue(workspace: LocalWorkspace, ids: dict[str, int]) -> None:
    from storage.models import RevenueMovement

    with Session(workspace.engine) as session:
        session.add(
            RevenueMovement(
                account_id=ids["dune"], moved_on=date(2026, 10, 3), kind="churn", arr_delta=-10000
            )
        )
        _contract(session, 43, ids["sakura"], TODAY - timedelta(days=3), arr=60000)
        session.delete(session.exec(select(Contract).where(Contract.external_id == "C-12")).one())
        session.commit()
    dune = workspace.reply_to("health dune", EMILY)
    assert texts(dune)[0] == "*Dune Co*  `A-14` · :no_entry: *Churned on Oct 3, 2026*"
    assert dune["text"].startswith("Dune Co has churned.")
    fields = [f["text"] for b in dune["blocks"] if b["type"] == "section" for f in b.get("fields", [])]
    assert "*Next renewal*\nNone: the account has churned" in fields
    sakura = workspace.reply_to("health A-12", MISAKI)
    assert texts(sakura)[0] == "*株式会社さくら物流*  `A-12` · :warning: *更新期限切れ*"
    fields = [f["text"] for b in sakura["blocks"] if b["type"] == "section" for f in b.get("fields", [])]
    assert (
        "*次回更新*\n:warning: 期限切れ: 契約は2026/11/20に終了しています\n"
        "3日前に終了し、更新・失注のどちらも記録されていません"
    ) in fields


def test_an_overdue_renewal_raises_an_alert(engine: Engine, ids: dict[str, int]) -> None:
    from domain.risk_sweep import sweep_risks

    with Session(engine) as session:
        _contract(session, 44, ids["east"], TODAY - timedelta(days=2), arr=7000)
        _snapshot(session, ids["east"], TODAY, 90.0, "green")
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
