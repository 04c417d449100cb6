"""Replicas as deployed: real `csbot run` processes (HTTP mode) on one database, stopped by SIGTERM
the way a deploy stops them, or killed outright."""

import json
import signal
import time
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, select, text
from sqlmodel import Session

from bot.config import WorkspaceConfig, load_config
from bot.scheduler import LEASE_NAME, Jobs
from domain.clock import MovableClock, system_clock, today_in
from localslack import RESPONSE_URL, LocalSlackServer, post_signed, slash_command_body
from storage import sweep_runs
from storage.db import make_engine, migrate
from storage.models import (
    Account,
    MetricObservation,
    OutboxMessage,
    RenewalReminder,
    RiskAlert,
    SchedulerLease,
)
from tests.factories import (
    AE,
    AE_ID,
    add_account,
    add_contract,
    add_person,
    build_renewal_workspace,
    build_small_workspace,
)
from tests.processes import SECRET, BotProcess, start_bot, start_bots
from tests.reference_reminders import expected_windows


def _lease_holder(engine: Engine) -> str | None:
    with Session(engine) as session:
        row = session.exec(select(SchedulerLease).where(SchedulerLease.name == LEASE_NAME)).scalars().first()
        return row.holder if row else None


def _wait_for(condition, timeout: float = 30) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_sigterm_finishes_the_request_in_flight_and_gives_up_the_lease(
    engine: Engine, tmp_path: Path
) -> None:
    build_small_workspace(engine)
    url = engine.url.render_as_string(hide_password=False)
    with LocalSlackServer() as slack:
        bot = start_bot(tmp_path, slack, url)
        try:
            # At start the catch-up sweep runs, taking the scheduler lease.
            assert _wait_for(lambda: _lease_holder(engine) is not None), bot.log()
            slack.slow_down(RESPONSE_URL, 3.0)  # the answer is still on its way when the signal comes
            body = slash_command_body(
                command="/cs", text="health acme", user_id=AE_ID, response_url=slack.new_response_url()
            )
            status, _ = post_signed(bot.events_url, body, SECRET)
            assert status == 200  # acknowledged at once; the card follows
            stopped_at = time.monotonic()
            code = bot.stop()
            took = time.monotonic() - stopped_at
        finally:
            bot.stop()
        replies = slack.calls_to(RESPONSE_URL)
    assert code == 0, bot.log()
    assert [r.body["text"].splitlines()[0] for r in replies][:1] and "Acme Corporation" in replies[0].body[
        "text"
    ]
    assert _lease_holder(engine) is None  # handed on at once, not left to expire
    assert "SIGTERM: finishing what is in flight" in bot.log() and bot.log().rstrip().endswith("stopped")
    assert took < 30, took


OWNERS = 6


def _book_due_today(engine: Engine) -> None:
    """Six CSMs, each with one account whose contract ends 30 days from today (real time, as the
    processes keep it): today's sweep owes each of them one reminder DM."""
    today = today_in(system_clock, load_config().zone)
    with Session(engine) as session:
        for number in range(OWNERS):
            email = f"csm{number}@example.com"
            add_person(session, email, f"CSM {number}", "csm", f"U0REPLICA{number}")
            account = add_account(session, f"R-{number}", f"Replica Co {number}", arr=1000, csm_email=email)
            session.flush()
            add_contract(session, number, int(account.id), today + timedelta(days=30), arr=1000)  # type: ignore[arg-type]
        session.commit()


def _outbox(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage.dedup_key, OutboxMessage.status)).all()
    return [(key, status) for key, status in rows]


@pytest.mark.slow
@pytest.mark.postgres
def test_killing_the_lease_holder_mid_delivery_loses_nothing_and_sends_nothing_twice(
    engine: Engine, tmp_path: Path
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("replicas share PostgreSQL")
    _book_due_today(engine)
    url = engine.url.render_as_string(hide_password=False)
    quick = {"CSBOT_LEASE_SECONDS": "6", "CSBOT_CLAIM_SECONDS": "8"}
    with LocalSlackServer() as slack:
        slack.slow_down("chat.postMessage", 2.0, times=100)  # a post takes two seconds to be answered
        first = start_bot(tmp_path, slack, url, name="first", **quick)
        second = None
        try:
            assert _wait_for(lambda: _lease_holder(engine) is not None), first.log()
            holder = _lease_holder(engine)
            second = start_bot(tmp_path, slack, url, name="second", **quick)
            # The first replica is in the middle of delivering: Slack has its second post, unanswered.
            assert _wait_for(lambda: len(slack.calls_to("chat.postMessage")) >= 2), first.log()
            killed_at = time.monotonic()
            first.stop(signal.SIGKILL)
            assert _wait_for(lambda: _lease_holder(engine) not in (None, holder), timeout=20), second.log()
            took_over = time.monotonic() - killed_at
            assert _wait_for(
                lambda: {s for _, s in _outbox(engine)} == {"sent"} and len(_outbox(engine)) == OWNERS, 60
            )
        finally:
            first.stop(signal.SIGKILL)
            if second is not None:
                assert second.stop() == 0, second.log()
        posts = slack.calls_to("chat.postMessage")
    keys = [p.body["metadata"]["event_payload"]["outbox_key"] for p in posts]
    assert sorted(set(keys)) == sorted(key for key, _ in _outbox(engine))  # every reminder went out
    assert len(keys) == len(set(keys)) == OWNERS, keys  # and none twice: the cut-off post was found
    assert took_over <= 6 + 2 + 1  # within the lease time and one renewal
    assert "was in D" in second.log()  # found in the DM history, marked sent, not posted again


MONTH_FROM = date(2026, 12, 22)
MONTH_DAYS = 30  # through 20 January: December's digest goes out on January's first business day
DIGEST_CHANNEL = "C0DIGEST"
TOKYO = ZoneInfo("Asia/Tokyo")
# Short lease and claim so a dead holder's work moves on in seconds, not minutes.
QUICK = {"CSBOT_LEASE_SECONDS": "4", "CSBOT_CLAIM_SECONDS": "6"}


def _morning(day: date) -> datetime:
    """09:05 in the workspace's zone: the sweep (08:00) and the digest (09:00) are both due."""
    return datetime.combine(day, dt_time(9, 5), tzinfo=TOKYO)


def _month_workspace(engine: Engine) -> None:
    """Renewals spread over the year, and a quarter of the accounts barely using the product, so that
    as their renewals come near they are not green and raise alerts."""
    build_renewal_workspace(engine, accounts=48)
    with Session(engine) as session:
        accounts = session.exec(select(Account).order_by(Account.external_id)).scalars().all()  # type: ignore[call-overload]
        for account in accounts[1::4]:
            for offset in range(-40, MONTH_DAYS + 1):
                day = MONTH_FROM + timedelta(days=offset)
                for metric, value in (("active_users", 1), ("logins", 1), ("features_used", 1)):
                    session.add(
                        MetricObservation(account_id=account.id, metric=metric, observed_on=day, value=value)
                    )
        session.commit()


def _posted_keys(slack: LocalSlackServer) -> list[str]:
    """What every message Slack took was, in the order it took them: a post's outbox key (from its
    metadata) without its item id; for the digest, the chart shared in its channel."""
    keys = []
    for call in slack.calls:
        if call.status != 200:
            continue
        if call.method == "chat.postMessage" and call.body.get("metadata"):
            # A key ends with the id of the message's first item, which is the database's own: the rest
            # (purpose, recipient, day) is what two databases agree on.
            keys.append(call.body["metadata"]["event_payload"]["outbox_key"].rsplit(":", 1)[0])
        elif call.method == "files.completeUploadExternal" and call.body.get("channel_id") == DIGEST_CHANNEL:
            files = call.body["files"]
            titles = [file["title"] for file in (json.loads(files) if isinstance(files, str) else files)]
            keys.append(f"digest:{DIGEST_CHANNEL}:{titles}")  # the chart's title names the month
    return keys


def _alerts(engine: Engine) -> set[tuple[str, date, str]]:
    with Session(engine) as session:
        rows = session.exec(
            select(Account.external_id, RiskAlert.day, RiskAlert.reasons).join(
                Account, Account.id == RiskAlert.account_id
            )
        ).all()
    return {(external_id, day, ",".join(sorted(reasons))) for external_id, day, reasons in rows}


def _reference_month(
    tmp_path: Path, config: WorkspaceConfig, days: list[date]
) -> tuple[dict[date, list[str]], Engine]:
    """The month run in one process with no failures, on a database of its own: what each day must
    post. Returns the outbox keys posted, day by day, and that database, to compare with."""
    engine = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    migrate(engine)
    _month_workspace(engine)
    clock = MovableClock(_morning(days[0]))
    posted: dict[date, list[str]] = {}
    with LocalSlackServer() as slack:
        for day in days:
            clock.moment = _morning(day)
            before = len(_posted_keys(slack))
            jobs = Jobs(engine, config, WebClient(token="xoxb-test", base_url=slack.api_url), clock)
            jobs.catch_up()
            jobs.monthly_digest()
            jobs.deliver()
            posted[day] = _posted_keys(slack)[before:]
    return posted, engine


def _holder_pid(engine: Engine) -> int | None:
    holder = _lease_holder(engine)
    return int(holder.split(":")[-2]) if holder else None


def _waiting_for_lock_on(engine: Engine, table: str) -> bool:
    """Is some backend waiting for a lock on `table` (the sweep, stopped in its middle)?"""
    with engine.connect() as connection:
        waiting = connection.scalar(
            text(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE NOT l.granted AND c.relname = :table"
            ),
            {"table": table},
        )
    return bool(waiting)


def _kill_the_holder(engine: Engine, bots: list[BotProcess]) -> tuple[int | None, float]:
    """SIGKILL the replica holding the scheduler lease; its pid and when it died."""
    holder = _holder_pid(engine)
    victim = next(bot for bot in bots if bot.process.pid == holder)
    victim.stop(signal.SIGKILL)
    return holder, time.monotonic()


def _live_day(
    engine: Engine,
    slack: LocalSlackServer,
    tmp_path: Path,
    day: date,
    expected: list[str],
    env: dict[str, str],
    kill: str | None,
) -> float | None:
    """One day on two replicas started as if it were that morning: both answer a command, the jobs
    run, and the day ends when its sweep is finished and every message it owes is out; then both stop.
    `kill` (mid_sweep, mid_delivery) kills the lease holder then; returns how long the other took to
    take over."""
    url = engine.url.render_as_string(hide_password=False)
    env = {**env, "CSBOT_CLOCK_START": _morning(day).isoformat()}
    blocker = engine.connect() if kill == "mid_sweep" else None
    if blocker is not None:
        # Holds back the sweep's alert writes: the holder is caught mid-sweep, with its scores and
        # reminders written and its alerts not.
        blocker.execute(text("LOCK TABLE risk_alert IN EXCLUSIVE MODE"))
    if kill == "mid_delivery":
        slack.slow_down("chat.postMessage", 1.5, times=len(expected))
    posts_before = len(slack.calls_to("chat.postMessage"))
    keys_before = len(_posted_keys(slack))
    replies_before = len(slack.calls_to(RESPONSE_URL))
    took_over = None
    bots = start_bots(tmp_path, slack, url, ["first", "second"], **env)
    try:
        for bot in bots:  # both replicas answer people while the jobs run
            body = slash_command_body(
                command="/cs", text="health R-001", user_id=AE[1], response_url=slack.new_response_url()
            )
            assert post_signed(bot.events_url, body, SECRET)[0] == 200
        # Answered before any kill: a reply a killed replica had not sent yet is lost with it.
        assert _wait_for(lambda: len(slack.calls_to(RESPONSE_URL)) >= replies_before + 2)
        if kill == "mid_sweep":
            assert _wait_for(lambda: _waiting_for_lock_on(engine, "risk_alert")), bots[0].log()
        elif kill == "mid_delivery":
            assert _wait_for(lambda: len(slack.calls_to("chat.postMessage")) >= posts_before + 2)
        if kill is not None:
            holder, killed_at = _kill_the_holder(engine, bots)
            if blocker is not None:
                blocker.rollback()
                blocker.close()
            assert _wait_for(lambda: _holder_pid(engine) not in (None, holder), timeout=20)
            took_over = time.monotonic() - killed_at

        def day_done() -> bool:
            return (
                sweep_runs.finished(engine, day)
                and _unsent(engine) == 0
                and len(_posted_keys(slack)) - keys_before >= len(expected)
            )

        assert _wait_for(day_done, timeout=60), (day, [bot.log()[-2000:] for bot in bots])
    finally:
        if blocker is not None:
            blocker.close()
        codes = [bot.stop() for bot in bots if bot.process.poll() is None]
    assert codes and all(code == 0 for code in codes), [bot.log()[-2000:] for bot in bots]
    return took_over


@pytest.mark.slow
@pytest.mark.postgres
def test_a_month_on_two_replicas_with_kills_mid_sweep_and_mid_delivery_posts_everything_once(
    engine: Engine, tmp_path: Path
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("replicas share PostgreSQL")
    config_path = tmp_path / "csbot.yml"
    config_path.write_text(f"digest:\n  channel: {DIGEST_CHANNEL}\n", encoding="utf-8")
    config = load_config(config_path)
    days = [MONTH_FROM + timedelta(days=offset) for offset in range(MONTH_DAYS)]
    expected, reference = _reference_month(tmp_path, config, days)
    # The days to kill on, chosen from what they must post: the sweep is stopped where it records
    # alerts, delivery where a day has the most to send.
    alert_days = sorted({day for _, day, _ in _alerts(reference)})
    kills = {alert_days[len(alert_days) // 2]: "mid_sweep"}
    kills[max((d for d in days if d not in kills), key=lambda d: len(expected[d]))] = "mid_delivery"

    _month_workspace(engine)
    env = {**QUICK, "CSBOT_CONFIG": str(config_path)}
    with LocalSlackServer() as slack:
        take_overs = [
            _live_day(engine, slack, tmp_path, day, expected[day], env, kills.get(day)) for day in days
        ]
        posted = _posted_keys(slack)
        replies = slack.calls_to(RESPONSE_URL)

    wanted = [key for day in days for key in expected[day]]
    assert len(wanted) == len(set(wanted)) > 20  # the reference itself posts each message once
    assert sum(key.startswith("digest:") for key in wanted) == 2 and alert_days  # November's, December's
    assert sorted(posted) == sorted(wanted)  # every message arrived, and none twice
    with Session(engine) as session:
        reminders = session.exec(select(RenewalReminder.contract_id, RenewalReminder.window_days)).all()
    assert {(contract, window) for contract, window in reminders} == expected_windows(engine, config, days)
    assert _alerts(engine) == _alerts(reference)
    took = [seconds for seconds in take_overs if seconds is not None]
    assert len(took) == 2 and max(took) <= 4 + 4 / 3 + 1, took
    print("replicas: took over in", [round(seconds, 2) for seconds in took], "s")
    assert len(replies) == 2 * len(days)
    assert all("Renewal Account 1" in reply.body["text"] for reply in replies), replies[0].body


def _unsent(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(OutboxMessage.id).where(OutboxMessage.status != "sent")).all())
