"""Slack's request signatures on the HTTP path: only a request signed with the workspace's secret, over
exactly the body received and within five minutes, reaches the bot; anything else is 401 and the bot
sends nothing."""

import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot import slack_ids
from bot.config import load_config
from bot.local import LOCAL_SIGNING_SECRET, LocalWorkspace
from domain.clock import fixed_clock
from localslack import block_action_body, sign, slash_command_body
from tests.factories import AE_ID, NOW, build_small_workspace

FIVE_MINUTES = 5 * 60


@pytest.fixture
def workspace(engine: Engine) -> Iterator[LocalWorkspace]:
    build_small_workspace(engine)
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        yield workspace


def health_command(workspace: LocalWorkspace) -> str:
    return slash_command_body(
        command="/cs", text="health acme", user_id=AE_ID, response_url=workspace.slack.new_response_url()
    )


def post(workspace: LocalWorkspace, body: str, headers: dict[str, str]) -> int:
    before = len(workspace.slack.calls)
    request = urllib.request.Request(workspace.url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
        error.close()
    workspace.executor.wait_idle()
    if status != 200:
        assert workspace.slack.calls[before:] == [], "a refused request must not make the bot say anything"
    return status


def test_a_request_signed_with_the_secret_reaches_the_bot(workspace: LocalWorkspace) -> None:
    exchange = workspace.send(health_command(workspace))
    assert exchange.status == 200
    assert exchange.reply["text"].startswith("Acme Corporation")


def test_a_button_press_is_checked_the_same_way(workspace: LocalWorkspace) -> None:
    body = block_action_body(
        action_id=slack_ids.SHARE_HEALTH_CARD,
        value="1",
        user_id=AE_ID,
        response_url=workspace.slack.new_response_url(),
        channel_id="C0DEMO",
    )
    exchange = workspace.send(body, signing_secret="not-the-secret")
    assert (exchange.status, exchange.calls) == (401, [])


def test_a_request_signed_with_another_secret_is_rejected(workspace: LocalWorkspace) -> None:
    exchange = workspace.send(health_command(workspace), signing_secret="not-the-secret")
    assert (exchange.status, exchange.calls) == (401, [])


def test_a_body_changed_after_signing_is_rejected(workspace: LocalWorkspace) -> None:
    body = health_command(workspace)
    headers = sign(LOCAL_SIGNING_SECRET, body)
    assert post(workspace, body.replace("health+acme", "health+globex"), headers) == 401
    assert post(workspace, body, headers) == 200  # the same headers over the body they were made for


@pytest.mark.parametrize("age", [FIVE_MINUTES + 60, -(FIVE_MINUTES + 60)])
def test_a_timestamp_more_than_five_minutes_off_is_rejected(workspace: LocalWorkspace, age: int) -> None:
    exchange = workspace.send(health_command(workspace), timestamp=int(time.time()) - age)
    assert (exchange.status, exchange.calls) == (401, [])


def test_a_timestamp_within_five_minutes_is_accepted(workspace: LocalWorkspace) -> None:
    exchange = workspace.send(health_command(workspace), timestamp=int(time.time()) - FIVE_MINUTES + 30)
    assert exchange.status == 200


@pytest.mark.parametrize(
    "broken",
    [
        {"X-Slack-Signature": None},
        {"X-Slack-Request-Timestamp": None},
        {"X-Slack-Request-Timestamp": "soon"},
        {"X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Signature": ""},
    ],
    ids=["no signature", "no timestamp", "timestamp not a number", "wrong digest", "empty signature"],
)
def test_missing_or_malformed_signature_headers_are_rejected(
    workspace: LocalWorkspace, broken: dict[str, str | None]
) -> None:
    body = health_command(workspace)
    headers = sign(LOCAL_SIGNING_SECRET, body)
    for name, value in broken.items():
        if value is None:
            del headers[name]
        else:
            headers[name] = value
    assert post(workspace, body, headers) == 401


def test_an_unsigned_request_is_refused_before_its_body_is_parsed(workspace: LocalWorkspace) -> None:
    assert post(workspace, "payload=not-json", {"Content-Type": "application/x-www-form-urlencoded"}) == 401
