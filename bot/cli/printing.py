"""Showing what the bot sent to Slack in a terminal: readable, or as JSON for scripts."""

import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from localslack import FILE_UPLOAD, RecordedCall
from storage.team import people_on_slack

# Calls the bot makes for its own bookkeeping; the readable view shows only what a person would see.
_QUIET_METHODS = {
    "auth.test",
    "users.info",
    "users.lookupByEmail",
    "usergroups.users.list",
    "conversations.open",
    "files.getUploadURLExternal",
}


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """ "1 renewal reminder", "2 renewal reminders", "1,200 accounts": a count with its noun agreeing."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str


def calls_as_json(calls: Iterable[RecordedCall]) -> str:
    return json.dumps([{"method": c.method, "body": c.body} for c in calls], ensure_ascii=False, indent=2)


_MENTION = re.compile(r"<@([A-Z0-9]+)>")


def _seen(text: str, names: Mapping[str, str] | None = None) -> str:
    """What Slack displays: mentions as @name, and the escaped characters turned back into themselves."""
    if names:
        text = _MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    return html.unescape(text)


def blocks_as_text(blocks: Iterable[dict[str, Any]], names: Mapping[str, str] | None = None) -> str:
    """Block Kit blocks as a person in Slack would read them."""
    return "\n".join(line for block in blocks for line in _block_lines(block, names))


def _block_lines(block: dict[str, Any], names: Mapping[str, str] | None) -> list[str]:
    kind = block.get("type")
    if kind == "section":
        lines = [_seen(block["text"]["text"], names)] if block.get("text") else []
        lines += [_seen(field["text"], names) for field in block.get("fields", [])]
        accessory = (block.get("accessory") or {}).get("text", {}).get("text")
        if accessory and lines:
            lines[0] += f"  [{_seen(accessory)}]"
        return lines
    if kind == "context":
        return ["  " + " ".join(_seen(e.get("text", ""), names) for e in block.get("elements", []))]
    if kind == "divider":
        return ["─" * 40]
    if kind == "actions":
        return [
            "  ".join(_control(e) for e in block.get("elements", []) if e.get("text") or e.get("options"))
        ]
    if kind == "header":
        return [_seen(block["text"]["text"]).upper()]
    if kind == "image":
        return [f"(image: {block.get('alt_text', '')})"]
    return [f"({kind} block)"]


def _control(element: dict[str, Any]) -> str:
    """A button as [label]; a menu as [label ▾], showing its chosen option."""
    if element.get("text"):
        return f"[{_seen(element['text']['text'])}]"
    chosen = element.get("initial_option") or element["options"][0]
    return f"[{_seen(chosen['text']['text'])} ▾]"


def _view(call: RecordedCall) -> dict[str, Any]:
    view = call.body.get("view")
    if isinstance(view, str):  # the SDK sends a view as JSON text in a form-encoded call
        view = json.loads(view)
    return view if isinstance(view, dict) else {}


def buttons(calls: Iterable[RecordedCall]) -> list[Button]:
    found = []
    for call in calls:
        for block in call.body.get("blocks") or []:
            if block.get("type") == "actions":
                for element in block.get("elements", []):
                    if element.get("type") == "button":
                        found.append(
                            Button(
                                _seen(element["text"]["text"]), element["action_id"], element.get("value", "")
                            )
                        )
    return found


def _audience(call: RecordedCall) -> str:
    body = call.body
    if call.method == "response_url":
        if body.get("delete_original"):
            return "deletes the original message"
        if body.get("response_type") == "in_channel":
            return "posted in the channel"
        return "replaces the original message" if body.get("replace_original") else "visible only to you"
    if call.method == "files.completeUploadExternal":
        files = ", ".join(str(f.get("title") or f.get("id")) for f in body.get("files") or [])
        return f"to {body.get('channel_id', '?')}, with the file {files}"
    if call.method == "views.publish":
        return f"the Home tab of {body.get('user_id', '?')}"
    if call.method == "chat.postEphemeral":
        return f"visible only to {body.get('user')} in {body.get('channel')}"
    return f"to {body.get('channel', '?')}"


def names_of_team(engine: Engine) -> dict[str, str]:
    """Slack user id → name, for showing mentions as a person in Slack sees them."""
    return {person.slack_user_id: person.name for person in people_on_slack(engine) if person.slack_user_id}


def calls_as_text(calls: Iterable[RecordedCall], names: Mapping[str, str] | None = None) -> str:
    """The calls as a person in Slack would see them; `names` turns user ids into display names."""
    out: list[str] = []
    for call in calls:
        if call.method in _QUIET_METHODS:
            continue
        if call.method == FILE_UPLOAD:
            out.append(f"── file upload ({call.body.get('size', '?')} bytes)\n")
            continue
        out.append(f"── {call.method} ({_audience(call)})")
        blocks = call.body.get("blocks") or _view(call).get("blocks")
        if blocks:
            for block in blocks:
                out.extend(_block_lines(block, names))
        elif call.body.get("text"):
            out.append(_seen(str(call.body["text"]), names))
        out.append("")
    return "\n".join(out).rstrip() or "(the bot sent nothing)"
