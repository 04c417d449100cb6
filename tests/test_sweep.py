"""The daily sweep end to end: reminders recorded and delivered exactly once, routed by the model."""

import logging
import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, select, update
from sqlmodel import Session

from bot.config import load_config
from bot.delivery import Sender
from bot.scheduler import Jobs
from domain.clock import MovableClock
from domain.sweep import run_sweep
from localslack import LocalSlackServer
from storage import outbox
from storage.models import Account, Contract, OutboxMessage, RenewalReminder
from tests.factories import AE, AM, CSM, CSM2, OPS, START, build_renewal_workspace
from tests.reference_reminders import expected_windows

TOKYO = ZoneInfo("Asia/Tokyo")


class MorningClock(MovableClock):
    """08:00 in Tokyo on a given day."""

    def __init__(self, day: date) -> None:
        super().__init__(datetime.combine(day, time(8, 0), tzinfo=TOKYO).astimezone(UTC))

    def go_to(self, day: date) -> None:
        self.moment = datetime.combine(day, time(8, 0), tzinfo=TOKYO).astimezone(UTC)


@pytest.fixture
def slack() -> LocalSlackServer:
    with LocalSlackServer() as server:
        yield server  # type: ignore[misc]


def plain_client(slack: LocalSlackServer) -> WebClient:
    # No in-place retry handler: the sender's own retry schedule is what these tests look at.
    return WebClient(token="xoxb-test", base_url=slack.api_url)


def dm_items(slack: LocalSlackServer) -> dict[int, list[str]]:
    """Reminder id → the DM channels whose message carried its buttons."""
    found: dict[int, list[str]] = defaultdict(list)
    for call in slack.calls_to("chat.postMessage"):
        if call.status != 200 or not str(call.body["channel"]).startswith("D"):
            continue
        for block in call.body.get("blocks") or []:
            if block["type"] == "actions" and block["block_id"].startswith("renewal:"):
                found[int(block["block_id"].split(":")[1])].append(call.body["channel"])
    return found


def _plg_with_am_override(account: Account) -> str | None:
    return account.am_email or account.csm_email  # the AM by override; the CSM where no AM is set


YEAR_VARIANTS = [
    # (model, renewal_owner override, who should own an account's renewal)
    ("low_touch_growth", None, lambda a: AE[0] if a.arr >= 150_000 else a.csm_email),
    (
        "high_touch_growth",
        None,
        lambda a: (a.am_email or a.csm_email) if a.expansion_potential is False else AE[0],
    ),
    ("plg", "am", _plg_with_am_override),
]


@pytest.mark.slow
@pytest.mark.parametrize(("model", "override", "owner_of"), YEAR_VARIANTS, ids=[v[0] for v in YEAR_VARIANTS])
def test_a_simulated_year_delivers_every_due_reminder_exactly_once(
    engine: Engine,
    slack: LocalSlackServer,
    model: str,
    override: str | None,
    owner_of,  # type: ignore[no-untyped-def]
) -> None:
    build_renewal_workspace(engine)
    config = load_config()
    config.ownership.model = model  # type: ignore[assignment]
    config.ownership.renewal_owner = override  # type: ignore[assignment]
    rng = random.Random(7)
    clock = MorningClock(START)
    jobs = Jobs(engine, config, plain_client(slack), clock)
    jobs.sender.sleep = lambda _s: None  # type: ignore[union-attr]
    swept = []
    for offset in range(365):
        day = START + timedelta(days=offset)
        clock.go_to(day)
        roll = rng.random()
        if roll < 0.1:
            continue  # the service was down all day
        if roll < 0.2:
            # A restart: a new process with a new lease holder; the old lease runs out first.
            clock.moment += timedelta(minutes=5)
            jobs = Jobs(engine, config, plain_client(slack), clock)
            jobs.sender.sleep = lambda _s: None  # type: ignore[union-attr]
        assert jobs.sweep() is not None
        swept.append(day)
        if roll > 0.85:
            # A second replica at the same moment: not the lease holder, so it does nothing…
            assert Jobs(engine, config, plain_client(slack), clock).sweep() is None
            # …and even a sweep that ignores the lease records nothing new.
            again = run_sweep(engine, config.sweep_policy, day=day, now=clock())
            assert again.renewals.due == 0 and again.renewals.messages == 0
    jobs.deliver()  # nothing left to send

    with Session(engine) as session:
        reminders = session.exec(select(RenewalReminder)).scalars().all()  # type: ignore[call-overload]
        messages = session.exec(select(OutboxMessage)).scalars().all()  # type: ignore[call-overload]
        accounts = {a.id: a for a in session.exec(select(Account)).scalars().all()}  # type: ignore[call-overload]
        contracts = {c.id: c for c in session.exec(select(Contract)).scalars().all()}  # type: ignore[call-overload]
    assert {(r.contract_id, r.window_days) for r in reminders} == expected_windows(engine, config, swept)
    assert len(reminders) > 40
    assert all(m.status == "sent" for m in messages)
    posted = [c for c in slack.calls_to("chat.postMessage") if c.status == 200]
    assert len(posted) == len(messages)  # nothing sent twice

    slack_ids = {CSM[0]: CSM[1], CSM2[0]: CSM2[1], AE[0]: AE[1], AM[0]: AM[1]}
    delivered = dm_items(slack)
    for reminder in reminders:
        account = accounts[contracts[reminder.contract_id].account_id]
        owner = owner_of(account)  # and the CSM is copied
        assert reminder.owner_email == owner
        wanted = sorted({f"D{slack_ids[owner]}", f"D{slack_ids[account.csm_email]}"})
        assert sorted(delivered[reminder.id]) == wanted, reminder


@pytest.mark.parametrize(
    ("model", "owner_of"),
    [
        ("high_touch_startup", lambda a: AE[0]),
        ("low_touch_startup", lambda a: AE[0]),
        (
            "high_touch_growth",
            lambda a: (a.am_email or a.csm_email) if a.expansion_potential is False else AE[0],
        ),
        ("low_touch_growth", lambda a: AE[0] if a.arr >= 150_000 else a.csm_email),
        (
            "technical_buyer",
            lambda a: (a.am_email or a.csm_email) if a.expansion_potential is False else AE[0],
        ),
        ("plg", lambda a: AE[0] if a.arr >= 150_000 else a.csm_email),
    ],
)
def test_reminders_go_to_the_owner_the_configured_model_names(engine: Engine, model: str, owner_of) -> None:  # type: ignore[no-untyped-def]
    build_renewal_workspace(engine)
    config = load_config()
    config.ownership.model = model  # type: ignore[assignment]
    day = START + timedelta(days=200)
    result = run_sweep(engine, config.sweep_policy, day=day, now=datetime(2027, 7, 20, tzinfo=UTC))
    assert result.renewals.due > 5
    with Session(engine) as session:
        rows = session.exec(
            select(RenewalReminder, Account)
            .join(Contract, Contract.id == RenewalReminder.contract_id)
            .join(Account, Account.id == Contract.account_id)
        ).all()
    for reminder, account in rows:
        assert reminder.owner_email == owner_of(account), (model, account.name)


def test_a_429_is_retried_after_retry_after_and_sent_once(engine: Engine, slack: LocalSlackServer) -> None:
    build_renewal_workspace(engine, accounts=4)
    config = load_config()
    clock = MorningClock(START + timedelta(days=30))
    run_sweep(engine, config.sweep_policy, day=START + timedelta(days=300), now=clock())
    sender = Sender(engine, plain_client(slack), config, clock=clock, sleep=lambda _s: None)
    slack.rate_limit("chat.postMessage", retry_after=2)
    first = sender.deliver_due()
    assert first.retrying == 1 and first.sent >= 0
    assert sender.deliver_due().sent == 0  # not before Retry-After
    clock.moment += timedelta(seconds=3)
    sender.deliver_due()
    with Session(engine) as session:
        statuses = [m.status for m in session.exec(select(OutboxMessage)).scalars().all()]  # type: ignore[call-overload]
    assert statuses and set(statuses) == {"sent"}
    ok = [c for c in slack.calls_to("chat.postMessage") if c.status == 200]
    assert len(ok) == len(statuses)


def test_a_server_error_backs_off_and_is_never_lost(engine: Engine, slack: LocalSlackServer) -> None:
    build_renewal_workspace(engine, accounts=4)
    config = load_config()
    clock = MorningClock(START)
    run_sweep(engine, config.sweep_policy, day=START + timedelta(days=300), now=clock())
    sender = Sender(engine, plain_client(slack), config, clock=clock, sleep=lambda _s: None)
    slack.add_response("chat.postMessage", {"ok": False, "error": "internal_error"}, status=500, times=3)
    for _ in range(6):
        sender.deliver_due()
        clock.moment += timedelta(minutes=10)
    with Session(engine) as session:
        messages = session.exec(select(OutboxMessage)).scalars().all()  # type: ignore[call-overload]
    assert messages and all(m.status == "sent" for m in messages)


class Killed(BaseException):
    """The process dying: nothing in the sender catches it."""


def test_a_sender_killed_after_slack_took_its_posts_does_not_post_them_again(
    engine: Engine, slack: LocalSlackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_renewal_workspace(engine, accounts=4)
    config = load_config()
    clock = MorningClock(START)
    run_sweep(engine, config.sweep_policy, day=START + timedelta(days=300), now=clock())

    def die(*_args: object, **_kwargs: object) -> None:
        raise Killed  # after chat.postMessage answered ok, before the outbox row says "sent"

    monkeypatch.setattr(outbox, "mark_sent", die)
    with pytest.raises(Killed):
        Sender(engine, plain_client(slack), config, clock=clock, sleep=lambda _s: None).deliver_due()
    monkeypatch.undo()
    [first] = slack.calls_to("chat.postMessage")
    assert first.body["metadata"]["event_type"] == "csbot_outbox_message"
    # Another sender, once the dead one's claim has expired, finds the post in the channel's history.
    clock.moment += timedelta(seconds=outbox.CLAIM_SECONDS + 1)
    Sender(engine, plain_client(slack), config, clock=clock, sleep=lambda _s: None).deliver_due()
    with Session(engine) as session:
        messages = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()  # type: ignore[call-overload]
    posts = slack.calls_to("chat.postMessage")
    keys = [p.body["metadata"]["event_payload"]["outbox_key"] for p in posts]
    assert sorted(keys) == sorted(m.dedup_key for m in messages)  # every message posted, each once
    assert {m.status for m in messages} == {"sent"}
    [looked] = slack.calls_to("conversations.history")  # only the message tried before was looked for
    assert looked.body["include_all_metadata"] in (True, "true", "1", 1)
    # The outbox row points at the post the killed sender made, the one message Slack has.
    history = plain_client(slack).conversations_history(
        channel=looked.body["channel"], include_all_metadata=True
    )
    [kept] = [m for m in history["messages"] if m["metadata"]["event_payload"]["outbox_key"] == keys[0]]
    assert [m.slack_ts for m in messages if m.dedup_key == keys[0]] == [kept["ts"]]


def test_channel_not_found_is_logged_and_admins_are_told_without_a_crash(
    engine: Engine, slack: LocalSlackServer, caplog: pytest.LogCaptureFixture
) -> None:
    build_renewal_workspace(engine, accounts=4)
    config = load_config()
    config.channels.renewals = "C0GONE"
    config.renewals.copy_roles = []
    clock = MorningClock(START)
    run_sweep(engine, config.sweep_policy, day=START + timedelta(days=300), now=clock())
    with Session(engine) as session:
        # Only the channel post is left to send.
        session.execute(
            update(OutboxMessage).where(OutboxMessage.purpose != "renewal_channel").values(status="sent")
        )
        session.commit()
    slack.fail("chat.postMessage", "channel_not_found")
    sender = Sender(engine, plain_client(slack), config, clock=clock, sleep=lambda _s: None)
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        report = sender.deliver_due()
    assert report.failed == 1
    assert any("C0GONE" in r.message and "channel_not_found" in r.message for r in caplog.records)
    sender.deliver_due()
    notice = [c for c in slack.calls_to("chat.postMessage") if c.body["channel"] == f"D{OPS[1]}"]
    assert len(notice) == 1 and "channel_not_found" in notice[0].body["text"]
    with Session(engine) as session:
        failed = session.exec(
            select(OutboxMessage).where(OutboxMessage.purpose == "renewal_channel")
        ).scalar_one()  # type: ignore[call-overload]
    assert failed.status == "failed" and failed.last_error == "channel_not_found"
    assert outbox.due_ids(engine, now=clock() + timedelta(days=1), limit=10) == []


def test_the_weekly_risk_summary_goes_to_the_risks_channel_once_a_week(
    engine: Engine, slack: LocalSlackServer
) -> None:
    from domain.risk_sweep import queue_weekly_summary
    from storage.models import HealthSnapshot

    build_renewal_workspace(engine, accounts=6)
    config = load_config()
    config.channels.risks = "C0RISKS"
    monday = date(2027, 3, 1)
    with Session(engine) as session:
        red = session.exec(select(Account).order_by(Account.id)).scalars().first()  # type: ignore[call-overload]
        name, external_id = red.name, red.external_id
        session.add(
            HealthSnapshot(
                account_id=red.id, day=monday, score=22.0, band="red", scorecard="default", measures=[]
            )
        )
        session.commit()
    clock = MorningClock(monday)
    queued = [
        queue_weekly_summary(engine, day=d, now=clock(), channels=config.channels, default_language="en")
        for d in (monday, monday + timedelta(days=2))  # the same ISO week: one summary only
    ]
    assert queued == [1, 0]
    Sender(engine, plain_client(slack), config, clock=clock, sleep=lambda _s: None).deliver_due()
    [post] = slack.calls_to("chat.postMessage")
    assert post.body["channel"] == "C0RISKS"
    assert post.body["text"] == "Weekly risk summary: 1 account at risk"
    assert f"*{name}* `{external_id}` · 22 (red)" in str(post.body["blocks"])


def test_an_alert_nobody_acknowledges_goes_to_the_managers_once(
    engine: Engine, slack: LocalSlackServer
) -> None:
    from storage.models import HealthSnapshot, RiskAlert
    from tests.factories import MANAGER

    build_renewal_workspace(engine, accounts=4)
    config = load_config()
    raised = date(2027, 3, 1)
    with Session(engine) as session:
        account = session.exec(select(Account).where(Account.csm_email == CSM[0])).scalars().first()  # type: ignore[call-overload]
        session.add(
            RiskAlert(account_id=account.id, day=raised, score=30.0, band="red", reasons=["turned_red"])
        )
        session.add(
            HealthSnapshot(
                account_id=account.id, day=raised, score=30.0, band="red", scorecard="default", measures=[]
            )
        )
        session.commit()
    clock = MorningClock(raised)
    sender = Sender(engine, plain_client(slack), config, clock=clock, sleep=lambda _s: None)
    for offset in range(1, 6):
        day = raised + timedelta(days=offset)
        clock.go_to(day)
        result = run_sweep(engine, config.sweep_policy, day=day, now=clock())
        # escalate_after_days is 3: the alert of 1 March reaches the manager on 4 March, and only then.
        assert result.risks.escalations == (1 if offset == 3 else 0)
        sender.deliver_due()
    to_manager = [c for c in slack.calls_to("chat.postMessage") if c.body["channel"] == f"D{MANAGER[1]}"]
    assert len(to_manager) == 1
    assert "nobody acknowledged, passed on to you" in to_manager[0].body["text"]


def test_twenty_five_escalations_all_reach_the_manager_with_a_button_each(
    engine: Engine, slack: LocalSlackServer
) -> None:
    """A manager told of 25 alerts sees all 25, in two messages that say so, and can acknowledge each."""
    from storage.models import HealthSnapshot, RiskAlert
    from tests.factories import MANAGER

    build_renewal_workspace(engine, accounts=30)
    config = load_config()
    raised = date(2027, 3, 1)
    with Session(engine) as session:
        accounts = session.exec(select(Account).order_by(Account.id)).scalars().all()[:25]  # type: ignore[call-overload]
        for account in accounts:
            session.add(
                RiskAlert(account_id=account.id, day=raised, score=30.0, band="red", reasons=["turned_red"])
            )
            session.add(
                HealthSnapshot(
                    account_id=account.id,
                    day=raised,
                    score=30.0,
                    band="red",
                    scorecard="default",
                    measures=[],
                )
            )
        session.commit()
    day = raised + timedelta(days=config.risks.escalate_after_days)
    clock = MorningClock(day)
    result = run_sweep(engine, config.sweep_policy, day=day, now=clock(), score_accounts=False)
    assert result.risks.escalations == 25
    Sender(engine, plain_client(slack), config, clock=clock, sleep=lambda _s: None).deliver_due()

    to_manager = [c.body for c in slack.calls_to("chat.postMessage") if c.body["channel"] == f"D{MANAGER[1]}"]
    assert len(to_manager) == 2
    assert all(m["text"] == "25 at-risk alerts nobody acknowledged, passed on to you" for m in to_manager)
    notes = [b["elements"][0]["text"] for m in to_manager for b in m["blocks"] if b["type"] == "context"]
    assert notes == [
        "Items 1–15 of 25: the others are in the messages sent with this one.",
        "Items 16–25 of 25: the others are in the messages sent with this one.",
    ]
    buttons = [
        e["value"] for m in to_manager for b in m["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    with Session(engine) as session:
        alert_ids = sorted(a.id for a in session.exec(select(RiskAlert)).scalars().all())  # type: ignore[call-overload]
    assert sorted(int(value.split(":")[1]) for value in buttons) == alert_ids
    assert all(len(m["blocks"]) <= 50 for m in to_manager)


def test_a_manager_nobody_can_dm_is_reported_and_the_alert_waits(engine: Engine) -> None:
    from storage.models import RiskAlert, TeamMember
    from tests.factories import MANAGER

    build_renewal_workspace(engine, accounts=4)
    config = load_config()
    raised = date(2027, 3, 1)
    with Session(engine) as session:
        manager = session.exec(select(TeamMember).where(TeamMember.email == MANAGER[0])).scalar_one()  # type: ignore[call-overload]
        manager.slack_user_id = None
        account = session.exec(select(Account).where(Account.csm_email == CSM[0])).scalars().first()  # type: ignore[call-overload]
        session.add(RiskAlert(account_id=account.id, day=raised, score=30.0, band="red", reasons=["dropped"]))
        session.commit()
    day = raised + timedelta(days=config.risks.escalate_after_days)
    result = run_sweep(engine, config.sweep_policy, day=day, now=MorningClock(day)(), score_accounts=False)
    assert result.risks.escalations == 0
    assert result.risks.unreachable == [MANAGER[0]]
    with Session(engine) as session:
        assert session.exec(select(RiskAlert)).scalar_one().escalated_on is None  # type: ignore[call-overload]


def test_a_channel_list_too_long_for_one_message_says_how_many_more_and_where() -> None:
    from bot.render.sweep import risk_summary

    rows = [
        {
            "id": n,
            "account_name": f"Account {n:04d} " + "x" * 100,
            "external_id": f"A-{n}",
            "score": 10.0,
            "band": "red",
        }
        for n in range(1200)
    ]
    message = risk_summary(rows, language="en")
    assert len(message.blocks) <= 50
    shown = sum(b.to_dict()["text"]["text"].count("\n") + 1 for b in message.blocks[1:-1])
    last = message.blocks[-1].to_dict()
    assert last["type"] == "context"
    assert last["elements"][0]["text"] == (
        f"…and {1200 - shown} more, not shown here: `/cs risks` lists them all."
    )


def test_every_outbox_purpose_has_a_drawer() -> None:
    from bot.render.outbox import DRAWERS
    from storage.outbox import Purpose

    assert set(DRAWERS) == set(Purpose)
