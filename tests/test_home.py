"""The Home tab through the real Bolt path: a signed `app_home_opened` event in, `views.publish` out."""

import json
from datetime import timedelta

from sqlalchemy import Engine, select, update
from sqlmodel import Session

from bot import slack_ids
from bot.config import load_config
from bot.local import LocalWorkspace
from bot.scheduler import Jobs
from domain.clock import fixed_clock
from domain.health.refresh import refresh_snapshots
from localslack import event_body
from storage import home_visits
from storage.models import Account, RiskAlert, TeamMember
from tests.factories import (
    AE_ID,
    CSM_ID,
    NOW,
    STRANGER_ID,
    TODAY,
    add_account,
    add_person,
    add_snapshot,
    build_small_workspace,
)


def _published(workspace: LocalWorkspace, user_id: str) -> list[dict]:
    exchange = workspace.open_home(user_id)
    assert exchange.status == 200
    return [call.body for call in exchange.calls if call.method == "views.publish"]


def _workspace(engine: Engine) -> LocalWorkspace:
    build_small_workspace(engine)
    config = load_config()
    refresh_snapshots(engine, config.health, [TODAY])
    return LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW))


def test_a_csm_sees_their_accounts_in_their_language(engine: Engine) -> None:
    with _workspace(engine) as workspace:
        [published] = _published(workspace, CSM_ID)
    assert published["user_id"] == CSM_ID
    view = published["view"] if isinstance(published["view"], dict) else json.loads(published["view"])
    assert view["type"] == "home"
    shown = json.dumps(view, ensure_ascii=False)
    assert view["blocks"][0]["text"]["text"] == "担当アカウント"
    [filters] = [b for b in view["blocks"] if b.get("block_id") == slack_ids.HOME_FILTERS_BLOCK]
    menus = [e["initial_option"]["text"]["text"] for e in filters["elements"]]
    assert menus == ["すべてのバンド", "90 日以内の更新"]
    assert "Acme Corporation" in shown
    # Only the asker's own accounts: Sakura, Globex and the hostile name belong to nobody here.
    assert "さくら物流" not in shown and "Globex" not in shown and "Partners" not in shown
    # The conversation listings' "show the next" buttons would answer nowhere from a tab.
    assert slack_ids.LISTING_MORE not in shown
    assert len(view["blocks"]) <= 100


def test_an_ae_sees_the_same_account_in_english(engine: Engine) -> None:
    with _workspace(engine) as workspace:
        [published] = _published(workspace, AE_ID)
    view = published["view"] if isinstance(published["view"], dict) else json.loads(published["view"])
    assert view["blocks"][0]["text"]["text"] == "Your accounts"
    assert "Acme Corporation" in json.dumps(view)


def test_someone_outside_the_team_is_told_how_to_get_access_and_sees_no_account(engine: Engine) -> None:
    with _workspace(engine) as workspace:
        workspace.slack.add_user(STRANGER_ID, email="visitor@example.org", real_name="Visitor")
        [published] = _published(workspace, STRANGER_ID)
    shown = json.dumps(published["view"], ensure_ascii=False)
    assert "Ask your CS Ops admin to add you to the team list" in shown
    assert "Acme" not in shown and "renew" not in shown.lower()


def test_the_messages_tab_publishes_nothing(engine: Engine) -> None:
    with _workspace(engine) as workspace:
        exchange = workspace.send(
            event_body({"type": "app_home_opened", "user": CSM_ID, "channel": "D0CSM01", "tab": "messages"})
        )
    assert exchange.status == 200
    assert [c for c in exchange.calls if c.method == "views.publish"] == []


OPS_ID = "U0OPS01"
MANAGER_ID = "U0MGR01"


def _add_people(engine: Engine) -> None:
    with Session(engine) as session:
        add_person(session, "ops@example.com", "Olivia Ops", "cs_ops", OPS_ID, locale="en")
        add_person(session, "mgr@example.com", "Mina Manager", "manager", MANAGER_ID, locale="en")
        session.commit()
    with engine.begin() as connection:  # 佐藤 reports to the manager
        connection.execute(
            update(TeamMember)
            .where(TeamMember.email == "misaki.sato@example.com")
            .values(manager_email="mgr@example.com")
        )


def test_cs_ops_sees_the_workspace_by_band_the_weeks_movers_and_every_account_escaped(engine: Engine) -> None:
    build_small_workspace(engine)
    _add_people(engine)
    config = load_config()
    with Session(engine) as session:  # a week ago Acme scored 90: the biggest move
        acme = session.exec(select(Account).where(Account.external_id == "A-1")).scalars().one()
        add_snapshot(session, acme.id, TODAY - timedelta(days=7), 90.0, "green")
        session.commit()
    refresh_snapshots(engine, config.health, [TODAY])
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        [published] = _published(workspace, OPS_ID)
    shown = json.dumps(published["view"], ensure_ascii=False)
    assert "The workspace on" in shown
    assert "Biggest moves over 7 days" in shown and "Acme Corporation: 90 → 65" in shown
    assert "All 5 accounts, lowest score first" in shown
    # The hostile name is on CS Ops's list, and reaches Slack as text, not as a mention.
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown


def test_a_manager_sees_their_teams_accounts(engine: Engine) -> None:
    build_small_workspace(engine)
    _add_people(engine)
    config = load_config()
    refresh_snapshots(engine, config.health, [TODAY])
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        [published] = _published(workspace, MANAGER_ID)
    shown = json.dumps(published["view"], ensure_ascii=False)
    assert "Your team's 1 account, lowest score first" in shown and "Acme Corporation" in shown
    assert "The workspace on" not in shown  # the overview is CS Ops's


def _bulk_workspace(engine: Engine) -> LocalWorkspace:
    """The small workspace with 300 more accounts for 佐藤: 301 in her portfolio."""
    build_small_workspace(engine)
    with Session(engine) as session:
        for number in range(300):
            add_account(
                session, f"B-{number}", f"Bulk {number:03d}", arr=1000, csm_email="misaki.sato@example.com"
            )
        session.commit()
    config = load_config()
    refresh_snapshots(engine, config.health, [TODAY])
    return LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW))


def test_three_hundred_accounts_stay_within_slacks_limits(engine: Engine) -> None:
    with _bulk_workspace(engine) as workspace:
        [published] = _published(workspace, CSM_ID)
    view = published["view"]
    assert len(view["blocks"]) <= 100
    assert all(
        len(b.get("text", {}).get("text", "")) <= 3000 for b in view["blocks"] if b["type"] == "section"
    )
    shown = json.dumps(view, ensure_ascii=False)
    assert "301" in shown  # the page says how many there are in all
    assert shown.count("Bulk ") == 19  # 20 lines a page, Acme among them


def test_open_on_an_account_shows_its_health_card_in_a_modal(engine: Engine) -> None:
    with _workspace(engine) as workspace:
        [published] = _published(workspace, AE_ID)
        [button] = [
            b["accessory"]
            for b in published["view"]["blocks"]
            if b.get("accessory", {}).get("action_id") == slack_ids.HOME_OPEN_CARD
        ]
        pressed = workspace.click(slack_ids.HOME_OPEN_CARD, button["value"], user_id=AE_ID)
        refused = workspace.click(slack_ids.HOME_OPEN_CARD, button["value"], user_id=STRANGER_ID)
    [opened] = [c.body for c in pressed.calls if c.method == "views.open"]
    modal = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    shown = json.dumps(modal, ensure_ascii=False)
    assert modal["type"] == "modal" and modal["title"]["text"] == "Account health"
    assert "*Acme Corporation*" in shown and ":large_yellow_circle: *65* / 100" in shown
    assert "Seat utilisation: 40% of seats active" in shown  # the card's drivers, as /cs health shows them
    assert not any(block["type"] == "actions" for block in modal["blocks"])
    [refusal] = [c.body for c in refused.calls if c.method == "views.open"]
    assert "Acme" not in json.dumps(refusal) and "CS Ops admin" in json.dumps(refusal)


def test_after_the_sweep_the_tab_is_published_again_for_those_who_opened_it_this_week(engine: Engine) -> None:
    with _workspace(engine) as workspace:
        _published(workspace, CSM_ID)
        home_visits.record(engine, AE_ID, NOW - timedelta(days=8))  # opened once, long ago
        assert workspace.app is not None
        before = len(workspace.slack.calls)
        result = Jobs(engine, workspace.config, workspace.app.client, clock=fixed_clock(NOW)).sweep()
        published = [c.body for c in workspace.slack.calls[before:] if c.method == "views.publish"]
    assert result is not None
    assert [p["user_id"] for p in published] == [CSM_ID]
    assert "Acme Corporation" in json.dumps(published[0]["view"], ensure_ascii=False)


def _view(published: dict) -> dict:
    return published["view"] if isinstance(published["view"], dict) else json.loads(published["view"])


def _one_publish(exchange) -> dict:  # type: ignore[no-untyped-def]
    assert exchange.status == 200
    [published] = [c.body for c in exchange.calls if c.method == "views.publish"]
    return _view(published)


def _section_texts(view: dict) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]


def test_a_manager_sees_each_csm_by_band_and_their_accounts_grouped_under_them(engine: Engine) -> None:
    build_small_workspace(engine)
    _add_people(engine)
    with Session(engine) as session:
        add_person(
            session, "kenji@example.com", "Kenji Ito", "csm", "U0KENJI", manager_email="mgr@example.com"
        )
        for number in range(3):
            add_account(session, f"K-{number}", f"Kenji Co {number}", arr=500, csm_email="kenji@example.com")
        add_account(session, "X-1", "Elsewhere Inc", arr=500, csm_email="someone.else@example.com")
        session.commit()
    config = load_config()
    refresh_snapshots(engine, config.health, [TODAY])
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        view = _view(_published(workspace, MANAGER_ID)[0])
    texts = _section_texts(view)
    [team] = [t for t in texts if t.startswith("*Your team by CSM*")]
    # Kenji's three accounts have no data to score; 佐藤's Acme scores 65, yellow.
    assert "• *Kenji Ito*: 3 accounts — :white_circle: no data 3" in team
    assert "• *佐藤 美咲*: 1 account — :large_yellow_circle: yellow 1" in team
    assert "Your team's 4 accounts, lowest score first" in json.dumps(view)
    groups = [
        b["elements"][0]["text"] for b in view["blocks"] if b["type"] == "context" and "CSM:" in json.dumps(b)
    ]
    assert groups == ["CSM: Kenji Ito", "CSM: 佐藤 美咲"]  # ordered by CSM, each heading once
    assert "Elsewhere" not in json.dumps(view)


def _alert(engine: Engine, external_id: str, **fields: object) -> int:
    with Session(engine) as session:
        account = session.exec(select(Account).where(Account.external_id == external_id)).scalars().one()
        alert = RiskAlert(
            account_id=account.id, day=TODAY, score=35.0, band="red", reasons=["turned_red"], **fields
        )
        session.add(alert)
        session.commit()
        return int(alert.id)  # type: ignore[arg-type]


def test_an_open_alert_is_acknowledged_from_the_tab_and_leaves_it(engine: Engine) -> None:
    with _workspace(engine) as workspace:
        alert_id = _alert(engine, "A-1")
        stranger_alert = _alert(engine, "A-2")  # Sakura belongs to nobody on the team
        view = _view(_published(workspace, AE_ID)[0])
        shown = json.dumps(view, ensure_ascii=False)
        assert "1 alert waiting for an acknowledgement" in shown and "turned red" in shown
        [button] = [
            b["accessory"]
            for b in view["blocks"]
            if b.get("accessory", {}).get("action_id") == slack_ids.HOME_ACKNOWLEDGE
        ]
        assert button["value"] == str(alert_id)
        # A forged value naming an alert on someone else's account changes nothing.
        forged = workspace.press_on_view(
            view, slack_ids.HOME_ACKNOWLEDGE, user_id=AE_ID, value=str(stranger_alert)
        )
        after = _one_publish(
            workspace.press_on_view(view, slack_ids.HOME_ACKNOWLEDGE, user_id=AE_ID, value=button["value"])
        )
    assert forged.status == 200
    with engine.connect() as connection:
        rows = dict(connection.execute(select(RiskAlert.id, RiskAlert.acknowledged_by)).all())
    assert rows == {alert_id: AE_ID, stranger_alert: None}
    assert "alert waiting" not in json.dumps(after)
    assert "Acme Corporation" in json.dumps(after)  # still on the list, without its alert


def test_the_band_menu_keeps_one_band_and_the_window_menu_changes_the_renewals(engine: Engine) -> None:
    build_small_workspace(engine)
    _add_people(engine)
    config = load_config()
    refresh_snapshots(engine, config.health, [TODAY])
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        first = _view(_published(workspace, OPS_ID)[0])
        yellow = _one_publish(
            workspace.press_on_view(first, slack_ids.HOME_PICK_BAND, user_id=OPS_ID, selected="yellow")
        )
        window = _one_publish(
            workspace.press_on_view(yellow, slack_ids.HOME_PICK_RENEWAL_DAYS, user_id=OPS_ID, selected="30")
        )
        everything = _one_publish(
            workspace.press_on_view(window, slack_ids.HOME_PICK_BAND, user_id=OPS_ID, selected="all")
        )
    assert "All 5 accounts" in json.dumps(first)
    assert "All 1 account, lowest score first" in json.dumps(yellow) and "Acme Corporation" in json.dumps(
        yellow
    )
    assert "Globex" not in json.dumps(yellow)
    # The window menu keeps the band chosen before it, and both menus show what is chosen.
    [filters] = [b for b in window["blocks"] if b.get("block_id") == slack_ids.HOME_FILTERS_BLOCK]
    assert [e["initial_option"]["value"] for e in filters["elements"]] == ["yellow", "30"]
    assert json.loads(window["private_metadata"]) == {"band": "yellow", "days": 30, "offset": 0}
    assert "next 30 days" in json.dumps(window)
    assert "All 5 accounts" in json.dumps(everything)


def test_three_hundred_accounts_page_within_the_tab(engine: Engine) -> None:
    with _bulk_workspace(engine) as workspace:
        first = _view(_published(workspace, CSM_ID)[0])
        [more] = [
            e
            for b in first["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["type"] == "button"
        ]
        second = _one_publish(
            workspace.press_on_view(first, more["action_id"], user_id=CSM_ID, value=more["value"])
        )
        buttons = {
            e["action_id"]: e["value"]
            for b in second["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["type"] == "button"
        }
        last = _one_publish(
            workspace.press_on_view(second, slack_ids.HOME_PAGE + ":next", user_id=CSM_ID, value="300")
        )

    def names(view: dict) -> list[str]:  # the accounts on the page, by the ids their Open buttons carry
        return [
            b["accessory"]["value"]
            for b in view["blocks"]
            if b.get("accessory", {}).get("action_id") == slack_ids.HOME_OPEN_CARD
        ]

    assert more["action_id"] == "home_page:next" and more["value"] == "20"
    assert "全301件のうち21〜40件目を表示しています。" in json.dumps(second, ensure_ascii=False)
    assert len(names(second)) == 20 and not set(names(second)) & set(names(first))
    assert buttons == {"home_page:previous": "0", "home_page:next": "40"}
    assert len(names(last)) == 1  # the 301st is alone on its page
    assert "home_page:next" not in json.dumps(last)
    for view in (first, second, last):
        assert len(view["blocks"]) <= 100


def test_a_csm_named_like_a_mention_reaches_the_managers_tab_as_text(engine: Engine) -> None:
    build_small_workspace(engine)
    _add_people(engine)
    with Session(engine) as session:
        add_person(
            session, "mal@example.com", "Mal <!here> & Co", "csm", "U0MAL", manager_email="mgr@example.com"
        )
        add_account(session, "M-1", "Mal's Account", arr=500, csm_email="mal@example.com")
        session.commit()
    config = load_config()
    refresh_snapshots(engine, config.health, [TODAY])
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        shown = json.dumps(_view(_published(workspace, MANAGER_ID)[0]), ensure_ascii=False)
    assert "Mal &lt;!here&gt; &amp; Co" in shown  # in the team summary and the group heading
    assert "<!here>" not in shown
