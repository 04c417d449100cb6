"""Replicas as deployed: real `csbot run` processes (HTTP mode) on one database, stopped by SIGTERM
the way a deploy stops them, or killed outright."""

import time
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.scheduler import LEASE_NAME
from localslack import RESPONSE_URL, LocalSlackServer, post_signed, slash_command_body
from storage.models import SchedulerLease
from tests.factories import AE_ID, build_small_workspace
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
