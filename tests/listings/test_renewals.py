"""`/cs renewals`: upcoming renewals in the asker's scope, soonest first, overdue ones flagged."""

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.local import LocalWorkspace, texts
from domain.ownership import OwnershipConfig
from domain.upcoming_renewals import list_renewals, parse_days
from storage.models import Contract
from tests.factories import (
    BOB,
    EMILY,
    GRACE,
    HOSTILE_NAME,
    MISAKI,
    NOW,
    OLGA,
    TODAY,
    add_account,
    add_contract,
    member,
)

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
        add_contract(session, 99, ids["echo"], TODAY, arr=30000, auto_renew=True, notice_days=30)
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
            add_contract(session, 200 + number, account.id, TODAY + timedelta(days=3))  # type: ignore[arg-type]
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


@pytest.mark.parametrize(
    ("typed", "days"),
    [("", 90), ("  ", 90), ("30", 30), ("30d", 30), ("30 days", 30), ("３０日", 30), ("1", 1), ("365", 365)],
)
def test_parse_days_reads(typed: str, days: int) -> None:
    assert parse_days(typed) == days


@pytest.mark.parametrize("typed", ["0", "366", "-1", "soon", "30 60", "3.5", "1e2"])
def test_parse_days_refuses(typed: str) -> None:
    assert parse_days(typed) is None


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


def test_a_contract_that_ended_unrenewed_is_listed_as_overdue(
    workspace: LocalWorkspace, ids: dict[str, int]
) -> None:
    with Session(workspace.engine) as session:
        # Ended 12 days ago, still active, no later contract: overdue. Nova East's was renewed by a new one.
        add_contract(session, 40, ids["acme"], TODAY - timedelta(days=12), arr=5000)
        session.delete(session.exec(select(Contract).where(Contract.external_id == "C-10")).one())
        add_contract(session, 41, ids["east"], TODAY - timedelta(days=5), arr=7000)
        add_contract(session, 42, ids["east"], TODAY + timedelta(days=360), arr=7000)
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
        add_contract(session, 43, ids["sakura"], TODAY - timedelta(days=3), arr=60000)
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
