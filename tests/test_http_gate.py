"""What stands in front of Bolt on the HTTP path: methods, sizes, signatures and malformed payloads."""

import http.client
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlencode, urlparse

import pytest
from sqlalchemy import Engine

from bot.config import load_config
from bot.http import MAX_BODY_BYTES, malformed
from bot.local import LOCAL_SIGNING_SECRET, LocalWorkspace
from domain.clock import fixed_clock
from localslack import post_signed, slash_command_body
from tests.factories import AE_ID, NOW, build_small_workspace


@pytest.fixture
def workspace(engine: Engine) -> Iterator[LocalWorkspace]:
    build_small_workspace(engine)
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        yield workspace


def status_of(request: urllib.request.Request) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_get_on_the_events_path_is_405_and_names_the_method_allowed(workspace: LocalWorkspace) -> None:
    status, headers = status_of(urllib.request.Request(workspace.url, method="GET"))
    assert status == 405 and headers["Allow"] == "POST"


def test_a_body_over_the_limit_is_refused_before_it_is_read(workspace: LocalWorkspace) -> None:
    # Ten megabytes announced, none sent: the answer comes from the headers alone.
    host, port = urlparse(workspace.url).hostname, urlparse(workspace.url).port
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.putrequest("POST", "/slack/events")
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.putheader("Content-Length", str(10 * MAX_BODY_BYTES))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    connection.close()
    assert workspace.slack.calls == []


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("payload=not-json", "the payload does not parse as JSON"),
        ("payload=%7Bbroken", "the payload does not parse as JSON"),
        (
            urlencode({"payload": json.dumps({"type": "block_actions", "user": {"id": AE_ID}})}),
            "block_actions without actions",
        ),
        (urlencode({"payload": json.dumps(["a", "list"])}), "the payload has no type"),
        ("hello=world", "neither a command nor a payload"),
    ],
)
def test_a_signed_malformed_request_is_400_with_one_log_line(
    workspace: LocalWorkspace, caplog: pytest.LogCaptureFixture, body: str, why: str
) -> None:
    with caplog.at_level(logging.WARNING):
        exchange = workspace.send(body)
    assert exchange.status == 400 and why in exchange.response_body
    # Only the gate speaks (a busy machine may add waitress's own queue-depth warning).
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.http"]
    assert line.startswith(f"refused a signed but malformed request: {why}")
    assert not any(r.exc_info for r in caplog.records)


def test_well_formed_requests_still_reach_the_bot(workspace: LocalWorkspace) -> None:
    body = slash_command_body(
        command="/cs", text="help", user_id=AE_ID, response_url=workspace.slack.new_response_url()
    )
    assert post_signed(workspace.url, body, LOCAL_SIGNING_SECRET)[0] == 200


def test_malformed_checks_on_their_own() -> None:
    assert malformed(b'{"type": "event_callback"}', "application/json") is None
    assert malformed(b"[1]", "application/json") == "the JSON body has no type"
    assert malformed(b"\xff\xfe", "application/x-www-form-urlencoded") == "the body is not UTF-8"
    view = urlencode({"payload": json.dumps({"type": "view_submission", "user": {"id": "U1"}})})
    assert malformed(view.encode(), "application/x-www-form-urlencoded") == "view_submission without a view"
