"""`csbot run` in HTTP mode, as deployed: a separate process, signed requests in, replies out."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from localslack import LocalSlackServer, post_signed, slash_command_body
from tests.processes import SECRET, start_bot


@pytest.fixture
def running_bot(tmp_path: Path) -> Iterator[tuple[str, LocalSlackServer]]:
    with LocalSlackServer() as slack:
        bot = start_bot(tmp_path, slack, f"sqlite:///{tmp_path / 'run.db'}")
        try:
            yield bot.events_url, slack
        finally:
            bot.stop(timeout=40)


def test_csbot_run_serves_signed_commands_and_refuses_unsigned_ones(
    running_bot: tuple[str, LocalSlackServer],
) -> None:
    url, slack = running_bot
    body = slash_command_body(
        command="/cs", text="help", user_id="U0ANYONE", response_url=slack.new_response_url()
    )
    assert post_signed(url, body, "wrong-secret")[0] == 401
    status, _ = post_signed(url, body, SECRET)
    assert status == 200
    reply = slack.wait_for_calls(1, method="response_url")[0]
    assert "`/cs health <account>`" in reply.body["text"]
