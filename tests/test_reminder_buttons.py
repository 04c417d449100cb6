"""Buttons on a delivered reminder, pressed through the real Bolt path."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlmodel import Session

from bot import slack_ids
from bot.config import load_config
from bot.delivery import Sender
from bot.local import LocalWorkspace
from domain.clock import fixed_clock
from domain.sweep import run_sweep
from storage import outbox
from storage.models import Account, AuditEntry, Contract, RenewalReminder, RiskAlert
from storage.outbox import NewMessage, Purpose, enqueue
from tests.factories import CSM, START, build_renewal_workspace

DAY = START + timedelta(days=300)
NOW = datetime.combine(DAY, time(9, 0), tzinfo=ZoneInfo("Asia/Tokyo")).astimezone(UTC)


def delivered_buttons(workspace: LocalWorkspace, user_id: str) -> list[dict]:
    buttons = []
    for call in workspace.slack.calls_to("chat.postMessage"):
        if call.body["channel"] == f"D{user_id}":
            for block in call.body["blocks"]:
                if block["type"] == "actions":
                    buttons.extend(block["elements"])
    return buttons


def sweep_and_deliver(engine: Engine, workspace: LocalWorkspace) -> None:
    config = workspace.config
    run_sweep(engine, config.sweep_policy, day=DAY, now=NOW)
    assert workspace.app is not None
    Sender(engine, workspace.app.client, config, clock=fixed_clock(NOW), sleep=lambda _s: None).deliver_due()


def test_reminder_buttons_change_the_account_and_redraw_the_message(engine: Engine) -> None:
    build_renewal_workspace(engine)
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        sweep_and_deliver(engine, workspace)
        buttons = delivered_buttons(workspace, CSM[1])
        by_action: dict[str, list[dict]] = {}
        for button in buttons:
            by_action.setdefault(button["action_id"], []).append(button)
        assert set(slack_ids.RENEWAL_ACTIONS) <= set(by_action)

        # Someone outside the team: refused, nothing changes.
        renew = by_action[slack_ids.RENEWAL_MARK_RENEWED][0]
        refused = workspace.click(renew["action_id"], renew["value"], user_id="U0STRANGER").calls
        reply = next(c.body for c in refused if c.method == "response_url")
        assert reply["text"].startswith("Sorry") and reply.get("replace_original") is False
        reminder_id = int(renew["value"].split(":")[1])
        with Session(engine) as session:
            reminder = session.get(RenewalReminder, reminder_id)
            assert reminder is not None and reminder.handled is None

        # The CSM marks it renewed: the contract is renewed and the message shows who did it.
        calls = workspace.click(renew["action_id"], renew["value"], user_id=CSM[1]).calls
        redrawn = next(c.body for c in calls if c.method == "response_url")
        assert redrawn["replace_original"] is True
        assert f"Marked renewed by <@{CSM[1]}>" in str(redrawn["blocks"])
        assert f"renewal:{reminder_id}" not in str(redrawn["blocks"])  # its buttons are gone
        with Session(engine) as session:
            reminder = session.get(RenewalReminder, reminder_id)
            contract = session.get(Contract, reminder.contract_id)  # type: ignore[union-attr]
            assert contract is not None and contract.status == "renewed"

        snooze = next(b for b in by_action[slack_ids.RENEWAL_SNOOZE] if b["value"] != renew["value"])
        workspace.click(snooze["action_id"], snooze["value"], user_id=CSM[1])
        take = next(
            b
            for b in by_action[slack_ids.RENEWAL_TAKE_OWNERSHIP]
            if b["value"] not in (renew["value"], snooze["value"])
        )
        workspace.click(take["action_id"], take["value"], user_id=CSM[1])
        with Session(engine) as session:
            snoozed = session.get(RenewalReminder, int(snooze["value"].split(":")[1]))
            contract = session.get(Contract, snoozed.contract_id)  # type: ignore[union-attr]
            assert contract is not None and contract.snoozed_until == DAY + timedelta(days=7)
            taken = session.get(RenewalReminder, int(take["value"].split(":")[1]))
            account = session.exec(
                select(Account)
                .join(Contract, Contract.account_id == Account.id)
                .where(Contract.id == taken.contract_id)  # type: ignore[union-attr]
            ).scalar_one()
            assert account.renewal_owner_email == CSM[0]


def test_a_snoozed_contract_is_not_reminded_until_the_snooze_ends(engine: Engine) -> None:
    build_renewal_workspace(engine)
    config = load_config()
    with Session(engine) as session:
        contract = session.exec(select(Contract).order_by(Contract.end_date)).scalars().first()  # type: ignore[call-overload]
        contract.snoozed_until = date(2100, 1, 1)
        session.add(contract)
        session.commit()
        snoozed_id = contract.id
    run_sweep(engine, config.sweep_policy, day=contract.end_date - timedelta(days=3), now=NOW)
    with Session(engine) as session:
        ids = session.exec(select(RenewalReminder.contract_id)).scalars().all()  # type: ignore[call-overload]
    assert snoozed_id not in ids


def workspace_with_an_alert(engine: Engine) -> int:
    """The renewal workspace with one red alert raised today; its id."""
    build_renewal_workspace(engine)
    with Session(engine) as session:
        account = session.exec(select(Account)).scalars().first()  # type: ignore[call-overload]
        session.add(RiskAlert(account_id=account.id, day=DAY, score=30, band="red", reasons=["turned_red"]))
        session.commit()
        return int(session.exec(select(RiskAlert.id)).scalar_one())  # type: ignore[call-overload]


def test_acknowledging_an_alert_records_who_and_when(engine: Engine) -> None:
    alert_id = workspace_with_an_alert(engine)
    with engine.begin() as connection:
        message = NewMessage(
            dedup_key="risk_dm:test", purpose=Purpose.RISK_DM, recipient=CSM[1], items=[alert_id]
        )
        enqueue(connection, [message], now=NOW)
    message_id = outbox.due_ids(engine, now=NOW, limit=1)[0]
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        calls = workspace.click(slack_ids.RISK_ACKNOWLEDGE, f"{message_id}:{alert_id}", user_id=CSM[1]).calls
    [redrawn] = [c.body for c in calls if c.method == "response_url"]
    assert redrawn["replace_original"] is True and "Acknowledged by <@U0CSM01>" in str(redrawn["blocks"])
    with Session(engine) as session:
        alert = session.get(RiskAlert, alert_id)
        audited = (
            session.exec(select(AuditEntry).where(AuditEntry.action == "risk_acknowledge")).scalars().all()
        )  # type: ignore[call-overload]
    assert alert is not None and (alert.acknowledged_by, alert.acknowledged_on) == (CSM[1], DAY)
    assert [(a.slack_user_id, a.query, a.outcome) for a in audited] == [(CSM[1], str(alert_id), "done")]


def test_a_button_for_a_message_or_item_not_on_record_changes_nothing_and_says_so(engine: Engine) -> None:
    alert_id = workspace_with_an_alert(engine)
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        for value in ("999:99999", f"0:{alert_id}"):
            calls = workspace.click(slack_ids.RISK_ACKNOWLEDGE, value, user_id=CSM[1]).calls
            [reply] = [c.body for c in calls if c.method == "response_url"]
            assert reply["replace_original"] is False and reply["response_type"] == "ephemeral"
            assert reply["text"] == "That message is no longer on record, so nothing was changed."
    with Session(engine) as session:
        assert session.get(RiskAlert, alert_id).acknowledged_on is None  # type: ignore[union-attr]
