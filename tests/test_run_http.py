"""`csbot run` in HTTP mode, as deployed: a separate process, signed requests in, replies out."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from localslack import LocalSlackServer, post_signed, slash_command_body

SECRET = "run-test-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def running_bot(tmp_path: Path) -> Iterator[tuple[str, LocalSlackServer]]:
    with LocalSlackServer() as slack:
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CSBOT_"))},
            "SLACK_BOT_TOKEN": "xoxb-run-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "PORT": str(port),
            "CSBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
            "CSBOT_SLACK_API_URL": slack.api_url,
        }
        log_path = tmp_path / "run.log"
        # A file, not a pipe: nobody reads a pipe while the test runs, and a full pipe would block the bot.
        log = log_path.open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                        if response.status == 200:
                            break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"csbot run did not come up:\n{log_path.read_text()}")
                    time.sleep(0.2)
            yield f"{base}/slack/events", slack
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.close()


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
