"""Replicas as deployed: real `csbot run` processes (HTTP mode) on one database, stopped by SIGTERM
the way a deploy stops them, or killed outright."""

import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.config import load_config
from bot.scheduler import LEASE_NAME
from domain.clock import system_clock, today_in
from localslack import RESPONSE_URL, LocalSlackServer, post_signed, slash_command_body
from storage.models import OutboxMessage, SchedulerLease
from tests.factories import AE_ID, add_account, add_contract, add_person, build_small_workspace
from tests.processes import SECRET, start_bot


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
