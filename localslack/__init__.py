"""A local Slack: a Web API emulator plus helpers that build signed Slack-to-app requests."""

from localslack.requests import (
    block_action_body,
    event_body,
    message_shortcut_body,
    post_signed,
    sign,
    slash_command_body,
    view_action_body,
    view_submission_body,
)
from localslack.server import FILE_UPLOAD, RESPONSE_URL, LocalSlackServer, RecordedCall

__all__ = [
    "FILE_UPLOAD",
    "RESPONSE_URL",
    "LocalSlackServer",
    "RecordedCall",
    "block_action_body",
    "event_body",
    "message_shortcut_body",
    "post_signed",
    "sign",
    "slash_command_body",
    "view_action_body",
    "view_submission_body",
]
