"""`csbot run` as a real process, as deployed: started on a free port against a database and the local
Slack server, waited for on /healthz, stopped by a signal."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from localslack import LocalSlackServer

SECRET = "run-test-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class BotProcess:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    @property
    def events_url(self) -> str:
        return f"{self.base_url}/slack/events"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 40) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.process.wait(timeout=timeout)


def start_bot(
    tmp_path: Path, slack: LocalSlackServer, database_url: str, *, name: str = "bot", **extra_env: str
) -> BotProcess:
    return start_bots(tmp_path, slack, database_url, [name], **extra_env)[0]


def start_bots(
    tmp_path: Path, slack: LocalSlackServer, database_url: str, names: list[str], **extra_env: str
) -> list[BotProcess]:
    """Start one process per name at once (replicas come up together in a deploy), then wait for each
    to answer /healthz."""
    bots = [_launch(tmp_path, slack, database_url, name, extra_env) for name in names]
    for bot in bots:
        _wait_until_healthy(bot, bots)
    return bots


def _launch(
    tmp_path: Path, slack: LocalSlackServer, database_url: str, name: str, extra_env: dict[str, str]
) -> BotProcess:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CSBOT_"))},
        "SLACK_BOT_TOKEN": "xoxb-run-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "PORT": str(port),
        "CSBOT_DATABASE_URL": database_url,
        "CSBOT_SLACK_API_URL": slack.api_url,
        **extra_env,
    }
    log_path = tmp_path / f"{name}.log"
    # A file, not a pipe: nobody reads a pipe while the test runs, and a full pipe would block the bot.
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    return BotProcess(process, f"http://127.0.0.1:{port}", log_path)


def _wait_until_healthy(bot: BotProcess, started: list[BotProcess]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{bot.base_url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            if bot.process.poll() is not None or time.monotonic() > deadline:
                for other in started:
                    other.stop(signal.SIGKILL)
                pytest.fail(f"csbot run did not come up:\n{bot.log()}")
            time.sleep(0.2)
