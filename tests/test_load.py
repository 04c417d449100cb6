"""Load as Slack brings it: locust sends 50 signed `/cs` commands a second for a minute, spread over two
real `csbot run` replicas on one PostgreSQL. Slack gives up on a command not acknowledged within three
seconds, so each one must be; and each must get its own reply, once, at its own response URL."""

import json
import os
import statistics
import subprocess
import sys
import time
from itertools import cycle
from pathlib import Path

import pytest
from sqlalchemy import Engine

from localslack import RESPONSE_URL, LocalSlackServer
from tests.factories import AE_ID, CSM_ID, build_small_workspace
from tests.processes import SECRET, start_bot

RATE_PER_SECOND = 50
SECONDS = 60
SLACK_ACK_LIMIT = 3.0
# What people ask, and the name their reply must carry: English and Japanese, an alias, a fuzzy name.
COMMANDS = [
    ("health acme", AE_ID, "Acme Corporation"),
    ("health さくら", CSM_ID, "株式会社さくら物流"),
    ("health Globex America", AE_ID, "Globex America"),
    ("health acme.com", CSM_ID, "Acme Corporation"),
]


LOCUST_ARGUMENTS = (
    f"--locustfile={Path(__file__).with_name('load_commands.py')}",
    "--headless",
    f"--users={RATE_PER_SECOND}",  # each sends one command a second
    f"--spawn-rate={RATE_PER_SECOND}",
    f"--run-time={SECONDS}s",
    "--stop-timeout=15",  # requests in flight at the end finish and are recorded
    "--only-summary",
    "--loglevel=WARNING",
)


def _percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def _write_plan(
    path: Path, slack: LocalSlackServer, replicas: list[str], count: int
) -> dict[str, tuple[str, str]]:
    """One line per command to send; returns, by response URL token, the replica it goes to and the
    name its reply must carry."""
    expected: dict[str, tuple[str, str]] = {}
    with path.open("w", encoding="utf-8") as plan:
        for replica, (text, user, name) in zip(cycle(replicas), cycle(COMMANDS)):
            if len(expected) == count:
                break
            response_url = slack.new_response_url()
            expected[response_url.rsplit("/", 1)[-1]] = (replica, name)
            line = {"replica": replica, "response_url": response_url, "text": text, "user": user}
            plan.write(json.dumps(line, ensure_ascii=False) + "\n")
    return expected


@pytest.mark.slow
@pytest.mark.postgres
def test_fifty_commands_a_second_for_a_minute_across_two_replicas(engine: Engine, tmp_path: Path) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("replicas share PostgreSQL")
    build_small_workspace(engine)
    url = engine.url.render_as_string(hide_password=False)
    planned = RATE_PER_SECOND * SECONDS
    with LocalSlackServer() as slack:
        bots = [start_bot(tmp_path, slack, url, name=f"replica{n}") for n in (1, 2)]
        try:
            replicas = [bot.events_url for bot in bots]
            # Room for locust's ramp-up: it may send a few more than rate × seconds in the minute.
            expected = _write_plan(tmp_path / "plan.jsonl", slack, replicas, planned + RATE_PER_SECOND)
            record_path = tmp_path / "record.jsonl"
            env = {
                **os.environ,
                "CSBOT_LOAD_SECRET": SECRET,
                "CSBOT_LOAD_PLAN": str(tmp_path / "plan.jsonl"),
                "CSBOT_LOAD_RECORD": str(record_path),
            }
            locust = subprocess.run(
                [sys.executable, "-m", "locust", *LOCUST_ARGUMENTS],
                env=env,
                capture_output=True,
                text=True,
                timeout=SECONDS + 60,
            )
            records = [json.loads(line) for line in record_path.read_text(encoding="utf-8").splitlines()]
            sent = {record["token"] for record in records}
            # Every acknowledged command's reply arrives, however long the queue behind it is.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                answered = {call.response_token for call in slack.calls_to(RESPONSE_URL)}
                if sent <= answered:
                    break
                time.sleep(0.5)
            replies = slack.calls_to(RESPONSE_URL)
        finally:
            codes = [bot.stop() for bot in bots]
    assert codes == [0, 0], [bot.log()[-3000:] for bot in bots]
    assert len(records) >= planned * 0.97, (len(records), locust.stdout[-3000:], locust.stderr[-3000:])
    assert [r for r in records if r["status"] != 200] == []
    acks = [r["ack"] for r in records]
    assert max(acks) < SLACK_ACK_LIMIT, sorted(acks)[-10:]

    by_token: dict[str, list[float]] = {}
    for reply in replies:
        assert reply.response_token is not None
        assert expected[reply.response_token][1] in reply.body["text"], reply.body["text"]  # its own account
        by_token.setdefault(reply.response_token, []).append(reply.at)
    assert set(by_token) == sent  # none lost, none made up
    assert [token for token, times in by_token.items() if len(times) > 1] == []  # none twice
    sent_at = {r["token"]: r["sent_at"] for r in records}
    full = [by_token[token][0] - sent_at[token] for token in sent]
    served = [sum(1 for token in sent if expected[token][0] == bot.events_url) for bot in bots]
    assert min(served) >= len(records) * 0.45, served  # both replicas carried the load

    figures = {
        "commands": len(records),
        "per_second": round(len(records) / SECONDS, 1),
        "ack_p50_ms": round(_percentile(acks, 0.50) * 1000, 1),
        "ack_p99_ms": round(_percentile(acks, 0.99) * 1000, 1),
        "ack_max_ms": round(max(acks) * 1000, 1),
        "reply_p50_ms": round(_percentile(full, 0.50) * 1000, 1),
        "reply_p99_ms": round(_percentile(full, 0.99) * 1000, 1),
        "reply_max_ms": round(max(full) * 1000, 1),
    }
    print("load:", json.dumps(figures))
