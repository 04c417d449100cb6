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
_APP_ID = "A0CSBOT"
_TEAM_DOMAIN = "csdemo"
# Slack still sends the deprecated verification token; Bolt ignores it, but the field keeps bodies honest.
_VERIFICATION_TOKEN = "localslack-verification-token"


def sign(signing_secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers that make ``body`` pass Slack signature verification for ``signing_secret``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=body)
    if signature is None:  # only happens for a missing timestamp or body, which the caller controls
        raise ValueError("could not sign the request body")
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
        "Content-Type": _FORM,
    }


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


def post_signed(
    url: str,
    body: str,
    signing_secret: str,
    *,
    timestamp: int | None = None,
    timeout: float = 10,
) -> tuple[int, str]:
    """POST ``body`` as Slack would and return ``(status, text)``; error statuses are returned, not raised."""
    request = urllib.request.Request(
        url, data=body.encode(), headers=sign(signing_secret, body, timestamp), method="POST"
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
