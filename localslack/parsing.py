"""Reading Web API arguments the way Slack does: query string and body merged into one dict.

Everything here is a pure function of the request, so the server can run it without holding its lock.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import parse_qsl

# slack_sdk serialises these arguments to JSON text when it sends a form, so tests would otherwise have to
# parse them again before looking inside.
JSON_TEXT_FIELDS = frozenset({"blocks", "attachments", "view", "files", "metadata"})


def parse_params(query: str, headers: dict[str, str], raw: bytes) -> dict[str, Any] | None:
    """Merge query string and body the way Slack does; ``None`` means the JSON body was unreadable.

    ``headers`` must have lower-cased names.
    """
    params = parse_form(query)
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    text = raw.decode("utf-8", errors="replace")
    if content_type == "application/json":
        try:
            parsed = json.loads(text) if text.strip() else {}
        except ValueError:
            return None
        if not isinstance(parsed, dict):
            return None
        params.update(parsed)
    elif content_type.startswith("multipart/"):
        # Only the retired files.upload sends multipart; its size is all anyone needs to see.
        params["_multipart_size"] = len(raw)
    elif text:
        params.update(parse_form(text))
    return decode_json_text(params)


def parse_form(text: str) -> dict[str, Any]:
    """A form or query string as a dict; a repeated key becomes a list of its values in order."""
    params: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        if key in params:
            previous = params[key]
            params[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            params[key] = value
    return params


def decode_json_text(params: dict[str, Any]) -> dict[str, Any]:
    decoded = dict(params)
    for key in JSON_TEXT_FIELDS & decoded.keys():
        value = decoded[key]
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):  # text that merely looks like JSON stays text
                decoded[key] = json.loads(value)
    return decoded


def truthy(value: Any) -> bool:
    """A boolean argument, which arrives as text when the client sent a form."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def split_ids(value: Any) -> list[str]:
    """An ID-list argument, which Slack accepts both as a JSON array and as comma-separated text."""
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return []
