"""The locustfile of the load test (tests/test_load.py): each simulated person sends one signed `/cs`
command a second. What to send comes from a plan the test wrote (replica, response URL, text, user),
one line per command, so every request can be matched to the reply the local Slack server recorded.
Each request appends what it saw to a record file: its response URL's token, when it was sent on the
machine's monotonic clock (the clock the local Slack server stamps calls with), how long the
acknowledgement took and its status."""

import json
import os
import time
from typing import IO

from locust import HttpUser, constant_throughput, task

from localslack import sign, slash_command_body

_SECRET = os.environ.get("CSBOT_LOAD_SECRET", "")
_plan: list[dict[str, str]] = []
_record: IO[str] | None = None
if "CSBOT_LOAD_PLAN" in os.environ:
    with open(os.environ["CSBOT_LOAD_PLAN"], encoding="utf-8") as plan_file:
        _plan = [json.loads(line) for line in plan_file]
    # Line-buffered: a record is on disk as soon as its request is done, even if locust is stopped hard.
    _record = open(os.environ["CSBOT_LOAD_RECORD"], "a", encoding="utf-8", buffering=1)  # noqa: SIM115
_next_command = iter(_plan)


class SlashCommandSender(HttpUser):
    wait_time = constant_throughput(1)
    host = "http://127.0.0.1"  # every planned command names the replica it goes to

    @task
    def send_command(self) -> None:
        planned = next(_next_command, None)
        if planned is None or _record is None:
            self.stop()
            return
        body = slash_command_body(
            command="/cs", text=planned["text"], user_id=planned["user"], response_url=planned["response_url"]
        )
        headers = sign(_SECRET, body)
        sent_at = time.monotonic()
        with self.client.post(
            planned["replica"], data=body, headers=headers, name="/cs", timeout=10, catch_response=True
        ) as response:
            acknowledged_in = time.monotonic() - sent_at
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
        token = planned["response_url"].rsplit("/", 1)[-1]
        status = response.status_code or 0
        _record.write(
            json.dumps({"token": token, "sent_at": sent_at, "ack": acknowledged_in, "status": status})
        )
        _record.write("\n")
