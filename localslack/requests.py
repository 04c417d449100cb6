"""Requests shaped and signed the way Slack delivers them to an app's HTTP endpoint.

The demo and the tests drive the Bolt app through its real request path (signature check included), so
these helpers reproduce what Slack puts on the wire rather than calling handlers directly.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"
_TEAM_ID = "T0DEMO"
_APP_ID = "A0CSBOT"
_TEAM_DOMAIN = "csdemo"
# Slack still sends the deprecated verification token; Bolt ignores it, but the field keeps bodies honest.
_VERIFICATION_TOKEN = "localslack-verification-token"


def sign(
    signing_secret: str, body: str, timestamp: int | None = None, content_type: str | None = None
) -> dict[str, str]:
    """Headers that make ``body`` pass Slack signature verification for ``signing_secret``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=body)
    if signature is None:  # only happens for a missing timestamp or body, which the caller controls
        raise ValueError("could not sign the request body")
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
        "Content-Type": content_type or _FORM,
    }


def event_body(event: dict[str, Any], *, event_id: str | None = None, team_id: str = _TEAM_ID) -> str:
    """An Events API envelope around `event`, as Slack POSTs it (JSON)."""
    return json.dumps(
        {
            "token": _VERIFICATION_TOKEN,
            "team_id": team_id,
            "api_app_id": _APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team_id, "user_id": "U0CSBOT", "is_bot": True}],
        }
    )


def _trigger_id() -> str:
    return f"{int(time.time())}.{secrets.randbelow(10**10):010d}.{secrets.token_hex(16)}"


def slash_command_body(
    *,
    command: str,
    text: str,
    user_id: str,
    response_url: str,
    channel_id: str = "C0DEMO",
    team_id: str = "T0DEMO",
    user_name: str = "",
    trigger_id: str | None = None,
) -> str:
    """The form body of a slash command invocation; a fresh ``trigger_id`` is made up when none is given."""
    fields = {
        "token": _VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": _TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": "directmessage" if channel_id.startswith("D") else "demo",
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": _APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or _trigger_id(),
    }
    return urlencode(fields)


def block_action_body(
    *,
    action_id: str,
    value: str,
    user_id: str,
    response_url: str,
    channel_id: str = "C0DEMO",
    team_id: str = "T0DEMO",
    block_id: str = "b",
) -> str:
    """The form body of a button click on an ephemeral message (which is why no ``message`` is included)."""
    now = time.time()
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id},
        "api_app_id": _APP_ID,
        "token": _VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": f"{now:.6f}",
            "channel_id": channel_id,
            "is_ephemeral": True,
        },
        "trigger_id": _trigger_id(),
        "team": {"id": team_id, "domain": _TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "directmessage" if channel_id.startswith("D") else "demo"},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": value, "emoji": True},
                "value": value,
                "action_ts": f"{now:.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def view_action_body(
    *,
    view: dict[str, Any],
    action_id: str,
    user_id: str,
    value: str | None = None,
    selected: str | None = None,
    block_id: str = "b",
    team_id: str = "T0DEMO",
) -> str:
    """The form body of a press on a published Home view: a button (``value``) or a static select's
    choice (``selected``, the chosen option's value). Slack sends the view as it holds it, its
    private_metadata included, and no response_url: the app answers by publishing again."""
    now = time.time()
    view_id = str(view.get("id") or f"V{secrets.randbelow(10**8):08d}")
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "action_ts": f"{now:.6f}"}
    if selected is not None:
        option = {"text": {"type": "plain_text", "text": selected, "emoji": True}, "value": selected}
        action |= {"type": "static_select", "selected_option": option}
    else:
        action |= {
            "type": "button",
            "value": value or "",
            "text": {"type": "plain_text", "text": value or ""},
        }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": _APP_ID,
        "token": _VERIFICATION_TOKEN,
        "container": {"type": "view", "view_id": view_id},
        "trigger_id": _trigger_id(),
        "team": {"id": team_id, "domain": _TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": view.get("type", "home"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": secrets.token_hex(6),
            "app_id": _APP_ID,
            "bot_id": "B0CSBOT",
        },
        "actions": [action],
    }
    return urlencode({"payload": json.dumps(payload)})


def _user(user_id: str, team_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def _channel(channel_id: str) -> dict[str, str]:
    return {"id": channel_id, "name": "directmessage" if channel_id.startswith("D") else "demo"}


def message_shortcut_body(
    *,
    callback_id: str,
    user_id: str,
    response_url: str,
    message_text: str,
    message_user: str | None,
    message_ts: str | None = None,
    channel_id: str = "C0DEMO",
    team_id: str = "T0DEMO",
    trigger_id: str | None = None,
) -> str:
    """The form body of a message shortcut chosen from a message's "More actions" menu.

    ``message_user`` None stands for a message with no person behind it, as a bot or workflow posts.
    """
    now = time.time()
    ts = message_ts or f"{now - 60:.6f}"
    message: dict[str, Any] = {"type": "message", "text": message_text, "ts": ts}
    if message_user is None:
        message.update({"subtype": "bot_message", "bot_id": "B0OTHERBOT", "username": "a bot"})
    else:
        message.update({"user": message_user, "team": team_id, "client_msg_id": secrets.token_hex(16)})
    payload: dict[str, Any] = {
        "type": "message_action",
        "token": _VERIFICATION_TOKEN,
        "action_ts": f"{now:.6f}",
        "team": {"id": team_id, "domain": _TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "channel": _channel(channel_id),
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id or _trigger_id(),
        "response_url": response_url,
        "message_ts": ts,
        "message": message,
    }
    return urlencode({"payload": json.dumps(payload)})


def _state_values(values: dict[str, dict[str, str | None]]) -> dict[str, Any]:
    """``{block_id: {action_id: text}}`` as plain-text inputs report it; an empty optional input is None."""
    return {
        block_id: {
            action_id: {"type": "plain_text_input", "value": text or None}
            for action_id, text in actions.items()
        }
        for block_id, actions in values.items()
    }


def view_submission_body(
    *,
    view: dict[str, Any],
    values: dict[str, dict[str, str | None]],
    user_id: str,
    team_id: str = "T0DEMO",
) -> str:
    """The form body of a modal submitted: the view as Slack holds it, with what was typed in its inputs.

    ``view`` is the view the app opened (its callback_id, private_metadata and blocks are kept).
    """
    view_id = str(view.get("id") or f"V{secrets.randbelow(10**8):08d}")
    submitted = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "title": view.get("title"),
        "submit": view.get("submit"),
        "close": view.get("close"),
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "external_id": view.get("external_id", ""),
        "state": {"values": _state_values(values)},
        "hash": secrets.token_hex(6),
        "clear_on_close": False,
        "notify_on_close": False,
        "root_view_id": view_id,
        "previous_view_id": None,
        "app_id": _APP_ID,
        "app_installed_team_id": team_id,
        "bot_id": "B0CSBOT",
    }
    payload: dict[str, Any] = {
        "type": "view_submission",
        "token": _VERIFICATION_TOKEN,
        "team": {"id": team_id, "domain": _TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "api_app_id": _APP_ID,
        "trigger_id": _trigger_id(),
        "view": submitted,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return urlencode({"payload": json.dumps(payload)})


def post_signed(
    url: str,
    body: str,
    signing_secret: str,
    *,
    timestamp: int | None = None,
    timeout: float = 10,
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    """POST ``body`` as Slack would and return ``(status, text)``; error statuses are returned, not raised.
    A JSON body (an Events API envelope) goes as application/json, as Slack sends it."""
    content_type = _JSON if body.lstrip().startswith("{") else None
    request = urllib.request.Request(
        url,
        data=body.encode(),
        headers=sign(signing_secret, body, timestamp, content_type) | (headers or {}),
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            charset = response.headers.get_content_charset() or "utf-8"
            return response.status, response.read().decode(charset, errors="replace")
    except urllib.error.HTTPError as error:
        charset = error.headers.get_content_charset() if error.headers else None
        text = error.read().decode(charset or "utf-8", errors="replace")
        error.close()
        return error.code, text
