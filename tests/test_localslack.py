"""The local Slack server, exercised through slack_sdk clients over real HTTP."""

import json
import time
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.context.ack import Ack
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from localslack import (
    LocalSlackServer,
    block_action_body,
    post_signed,
    sign,
    slash_command_body,
)
from localslack.parsing import parse_params
from localslack.web_api import Workspace

SECRET = "test-signing-secret"


@pytest.fixture
def server() -> Iterator[LocalSlackServer]:
    with LocalSlackServer() as running:
        yield running


@pytest.fixture
def client(server: LocalSlackServer) -> WebClient:
    return WebClient(base_url=server.api_url, token="xoxb-test")


def test_post_message_is_recorded_with_decoded_blocks(server: LocalSlackServer, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Acme* renews in 30 days"}}]

    first = client.chat_postMessage(channel="C123", text="renewal", blocks=blocks)
    second = client.chat_postMessage(channel="C123", text="again")

    assert first["ok"] is True
    assert first["channel"] == "C123"
    assert first["message"]["blocks"] == blocks
    assert float(second["ts"]) > float(first["ts"])
    [call, _] = server.calls_to("chat.postMessage")
    assert call.method == "chat.postMessage"
    assert call.body["blocks"] == blocks
    assert call.body["text"] == "renewal"
    assert call.headers["authorization"] == "Bearer xoxb-test"


def test_form_encoded_blocks_are_decoded_too(server: LocalSlackServer, client: WebClient) -> None:
    blocks = [{"type": "divider"}]

    client.api_call("chat.postEphemeral", data={"channel": "C1", "user": "U1", "blocks": json.dumps(blocks)})

    [call] = server.calls_to("chat.postEphemeral")
    assert call.body["blocks"] == blocks
    assert call.headers["content-type"].startswith("application/x-www-form-urlencoded")


def test_response_url_posts_are_recorded(server: LocalSlackServer) -> None:
    url = server.new_response_url()
    assert url != server.new_response_url()

    response = WebhookClient(url).send(text="Working on it", response_type="ephemeral")

    assert response.status_code == 200
    [call] = server.wait_for_calls(1, method="response_url")
    assert call.body == {"text": "Working on it", "response_type": "ephemeral"}
    assert call.response_token is not None
    assert url.endswith(call.response_token)


def test_response_url_never_issued_is_refused(server: LocalSlackServer) -> None:
    response = WebhookClient(server.url + "response/made-up").send(text="hi")

    assert response.status_code == 404
    assert server.calls == []
    with pytest.raises(TimeoutError, match="never issued"):
        server.wait_for_calls(1, timeout=0.1)


def test_response_url_failures_can_be_scripted(server: LocalSlackServer) -> None:
    url = server.new_response_url()
    server.fail("response_url", "expired_url")

    failed = WebhookClient(url).send(text="late")
    succeeded = WebhookClient(url).send(text="on time")

    assert json.loads(failed.body) == {"ok": False, "error": "expired_url"}
    assert succeeded.status_code == 200
    assert [call.body["text"] for call in server.calls_to("response_url")] == ["late", "on time"]


def test_users_info_comes_from_the_directory(server: LocalSlackServer, client: WebClient) -> None:
    server.add_user(
        "U1", email="ana@example.com", real_name="Ana Souza", locale="pt-BR", tz="America/Sao_Paulo"
    )

    with_locale = client.users_info(user="U1", include_locale=True)
    without_locale = client.users_info(user="U1")

    assert with_locale["user"]["locale"] == "pt-BR"
    assert with_locale["user"]["real_name"] == "Ana Souza"
    assert with_locale["user"]["profile"]["email"] == "ana@example.com"
    assert with_locale["user"]["tz"] == "America/Sao_Paulo"
    assert "locale" not in without_locale["user"]
    with pytest.raises(SlackApiError) as raised:
        client.users_info(user="U404")
    assert raised.value.response["error"] == "user_not_found"


def test_lookup_by_email(server: LocalSlackServer, client: WebClient) -> None:
    server.add_user("U1", email="ana@example.com")

    assert client.users_lookupByEmail(email="ANA@example.com")["user"]["id"] == "U1"
    with pytest.raises(SlackApiError) as raised:
        client.users_lookupByEmail(email="nobody@example.com")
    assert raised.value.response["error"] == "users_not_found"


def test_usergroup_members(server: LocalSlackServer, client: WebClient) -> None:
    server.set_usergroup("S1", ["U1", "U2"])

    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U1", "U2"]
    with pytest.raises(SlackApiError) as raised:
        client.usergroups_users_list(usergroup="S404")
    assert raised.value.response["error"] == "no_such_subteam"


def test_auth_conversations_and_views_defaults(server: LocalSlackServer, client: WebClient) -> None:
    auth = client.auth_test()
    dm = client.conversations_open(users="U7")
    published = client.views_publish(user_id="U7", view={"type": "home", "blocks": []})
    updated = client.views_update(view_id=published["view"]["id"], view={"type": "home", "blocks": []})

    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == ("U0CSBOT", "B0CSBOT", "T0DEMO")
    assert dm["channel"]["id"] == "DU7"
    assert updated["view"]["id"] == published["view"]["id"]
    assert [call.method for call in server.calls] == [
        "auth.test",
        "conversations.open",
        "views.publish",
        "views.update",
    ]


def test_scripted_failure_is_used_once(server: LocalSlackServer, client: WebClient) -> None:
    server.fail("chat.postMessage")

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="first")
    second = client.chat_postMessage(channel="C1", text="second")

    assert raised.value.response["error"] == "channel_not_found"
    assert second["ok"] is True
    assert len(server.calls_to("chat.postMessage")) == 2


def test_add_response_replaces_the_default_for_n_calls(server: LocalSlackServer, client: WebClient) -> None:
    server.add_response("users.info", {"ok": True, "user": {"id": "U9", "locale": "de-DE"}}, times=2)

    answers = [client.users_info(user="U9").get("user") for _ in range(2)]

    assert answers == [{"id": "U9", "locale": "de-DE"}] * 2
    with pytest.raises(SlackApiError):
        client.users_info(user="U9")


def test_rate_limit_is_retried_by_the_client(server: LocalSlackServer) -> None:
    client = WebClient(
        base_url=server.api_url,
        token="xoxb-test",
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    server.rate_limit("chat.postMessage", retry_after=1)

    started = time.monotonic()
    response = client.chat_postMessage(channel="C1", text="eventually")

    assert response["ok"] is True
    assert time.monotonic() - started >= 1
    calls = server.calls_to("chat.postMessage")
    assert [call.status for call in calls] == [429, 200]


def test_rate_limit_without_retry_surfaces_the_error(server: LocalSlackServer, client: WebClient) -> None:
    server.rate_limit("chat.postMessage", retry_after=7)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="now")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["retry-after"] == "7"
    assert raised.value.response["error"] == "ratelimited"


def test_file_upload_v2_goes_through_all_three_steps(server: LocalSlackServer, client: WebClient) -> None:
    content = b"account,arr\nacme,120000\n"

    response = client.files_upload_v2(content=content, filename="arr.csv", channel="C1")

    assert [call.method for call in server.calls] == [
        "files.getUploadURLExternal",
        "file_upload",
        "files.completeUploadExternal",
    ]
    upload = server.calls_to("file_upload")[0]
    assert upload.body == {"size": len(content)}
    file_id = response["file"]["id"]
    assert server.uploaded_bytes(file_id) == content
    completion = server.calls_to("files.completeUploadExternal")[0]
    assert completion.body["files"][0]["id"] == file_id
    assert completion.body["channel_id"] == "C1"


def test_unknown_methods_are_answered_and_recorded(server: LocalSlackServer, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.api_call("reactions.add", json={"name": "tada"})

    assert raised.value.response["error"] == "unknown_method"
    assert server.calls_to("reactions.add")[0].body == {"name": "tada"}


def test_wait_for_calls_times_out_with_what_was_seen(server: LocalSlackServer, client: WebClient) -> None:
    client.auth_test()

    with pytest.raises(TimeoutError, match=r"chat\.postMessage.*auth\.test"):
        server.wait_for_calls(1, timeout=0.2, method="chat.postMessage")


def test_clear_forgets_calls(server: LocalSlackServer, client: WebClient) -> None:
    client.auth_test()
    server.clear()

    assert server.calls == []


def test_two_servers_get_different_ports() -> None:
    with LocalSlackServer() as first, LocalSlackServer() as second:
        assert first.url != second.url
        assert first.api_url.endswith("/api/")
        assert first.url.startswith("http://127.0.0.1:")


def test_url_needs_a_running_server() -> None:
    server = LocalSlackServer()
    with pytest.raises(RuntimeError):
        _ = server.url
    server.start()
    server.stop()
    server.stop()


def test_sign_passes_slack_verification() -> None:
    body = slash_command_body(command="/cs", text="health acme", user_id="U1", response_url="http://x/")
    headers = sign(SECRET, body)

    verifier = SignatureVerifier(SECRET)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert verifier.is_valid(
        body=body,
        timestamp=headers["X-Slack-Request-Timestamp"],
        signature=headers["X-Slack-Signature"],
    )
    assert not SignatureVerifier("other-secret").is_valid(
        body=body,
        timestamp=headers["X-Slack-Request-Timestamp"],
        signature=headers["X-Slack-Signature"],
    )
    assert sign(SECRET, body, timestamp=1)["X-Slack-Request-Timestamp"] == "1"


def test_post_signed_returns_error_statuses(server: LocalSlackServer) -> None:
    ok_status, ok_text = post_signed(server.api_url + "auth.test", "", SECRET)
    missing_status, _ = post_signed(server.url + "nowhere", "a=b", SECRET)

    assert ok_status == 200
    assert json.loads(ok_text)["ok"] is True
    assert missing_status == 404
    [call] = server.calls
    assert SignatureVerifier(SECRET).is_valid(
        body="",
        timestamp=call.headers["x-slack-request-timestamp"],
        signature=call.headers["x-slack-signature"],
    )


def test_slash_command_body_has_slack_fields() -> None:
    body = slash_command_body(
        command="/cs", text="renewals", user_id="U1", response_url="http://x/r", trigger_id="t1"
    )

    fields = {key: values[0] for key, values in parse_qs(body).items()}
    assert fields["command"] == "/cs"
    assert fields["text"] == "renewals"
    assert fields["response_url"] == "http://x/r"
    assert fields["trigger_id"] == "t1"
    assert {"team_id", "channel_id", "user_id", "user_name", "api_app_id"} <= fields.keys()


def test_bolt_app_answers_signed_requests_through_the_server(server: LocalSlackServer) -> None:
    """Bolt accepts both body shapes and its respond() lands on the server's response URL."""
    app = App(
        signing_secret=SECRET,
        client=WebClient(base_url=server.api_url, token="xoxb-test"),
        process_before_response=True,
    )

    @app.command("/cs")
    def on_command(ack: Ack, respond: Respond, command: dict[str, str]) -> None:
        ack()
        respond(f"you asked: {command['text']}")

    @app.action("pick")
    def on_pick(ack: Ack, respond: Respond, body: dict) -> None:
        ack()
        assert body["container"]["is_ephemeral"] is True
        respond(f"picked {body['actions'][0]['value']}")

    command = slash_command_body(
        command="/cs", text="health", user_id="U1", response_url=server.new_response_url()
    )
    action = block_action_body(
        action_id="pick", value="acme", user_id="U1", response_url=server.new_response_url()
    )
    for body in (command, action):
        response = app.dispatch(BoltRequest(body=body, headers=sign(SECRET, body)))
        assert response.status == 200

    calls = server.wait_for_calls(2, method="response_url")
    assert [call.body["text"] for call in calls] == ["you asked: health", "picked acme"]
    assert calls[0].response_token != calls[1].response_token


def test_parse_params_merges_query_and_form_body() -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}

    params = parse_params("channel=C1&tag=a", form, b'tag=b&tag=c&blocks=[{"type":"divider"}]&text=')

    # The body wins over the query string; a key repeated within one of them collects its values.
    assert params == {"channel": "C1", "tag": ["b", "c"], "blocks": [{"type": "divider"}], "text": ""}
    assert parse_params("", {"content-type": "application/json"}, b"[1, 2]") is None
    assert parse_params("", {"content-type": "application/json"}, b"{oops") is None


def test_workspace_answers_by_method_name_without_http(server: LocalSlackServer) -> None:
    workspace = Workspace(server, lambda file_id: f"http://uploads/{file_id}")
    workspace.add_user("U1", email="ana@example.com", tz="Not/AZone")

    posted = workspace.answer("chat.postMessage", {"channel": "U1", "text": "hi"})
    upload = workspace.answer("files.getUploadURLExternal", {"filename": "a.csv", "length": "3"})

    assert posted["channel"] == "DU1"
    assert workspace.answer("users.lookupByEmail", {"email": "ana@example.com"})["user"]["tz_offset"] == 0
    assert workspace.answer("reactions.add", {}) == {"ok": False, "error": "unknown_method"}
    assert upload["upload_url"] == f"http://uploads/{upload['file_id']}"
    assert workspace.expects_upload(upload["file_id"])
    assert workspace.receive_upload(upload["file_id"], b"abc") == "OK - 3"
    assert workspace.uploaded_bytes(upload["file_id"]) == b"abc"


def test_identity_changes_show_in_later_answers(server: LocalSlackServer, client: WebClient) -> None:
    server.team_id = "T0OTHER"

    assert client.auth_test()["team_id"] == "T0OTHER"
