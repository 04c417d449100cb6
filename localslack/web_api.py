"""The emulated workspace: its directory, views and uploads, and Slack's default answer to each method."""

from __future__ import annotations

import itertools
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from localslack.parsing import split_ids, truthy

# The first ts handed out; any value works as long as it sorts like real Slack timestamps do.
_TS_EPOCH = 1_700_000_000
_TS_STEP_MICROS = 100

Answer = Callable[[dict[str, Any]], dict[str, Any]]


def error_body(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


class Identity(Protocol):
    """Who the workspace and its bot are.

    Read on every answer rather than copied, so whoever owns these values may change them at any time.
    """

    team_id: str
    team: str
    team_domain: str
    bot_user_id: str
    bot_id: str
    bot_name: str
    app_id: str


@dataclass(frozen=True)
class _User:
    id: str
    email: str | None
    name: str
    real_name: str
    locale: str
    tz: str
    is_bot: bool
    team_id: str | None = None  # another organisation's user, met through a Slack Connect channel
    is_guest: bool = False  # a single- or multi-channel guest of this workspace


@dataclass(frozen=True)
class _Channel:
    id: str
    name: str
    members: tuple[str, ...]
    is_private: bool
    is_ext_shared: bool


@dataclass
class _Upload:
    filename: str
    length: int
    data: bytes | None = None


class Workspace:
    """Workspace state plus the answer Slack would give to each Web API method, looked up by name.

    Not synchronised: the owner must serialise every call, because answers read and advance shared state.
    """

    def __init__(self, identity: Identity, upload_url: Callable[[str], str]) -> None:
        # The upload URL comes from the owner because only it knows where it serves uploads.
        self._identity = identity
        self._upload_url = upload_url
        self._users: dict[str, _User] = {}
        self._usergroups: dict[str, list[str]] = {}
        self._channels: dict[str, _Channel] = {}
        # Every message posted, per channel, oldest first: what conversations.history reads.
        self._history: dict[str, list[dict[str, Any]]] = {}
        self._uploads: dict[str, _Upload] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._ts_counter = itertools.count(1)
        self._id_counter = itertools.count(1)
        self._answers: dict[str, Answer] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "conversations.open": self._conversations_open,
            "conversations.list": self._conversations_list,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.history": self._conversations_history,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "usergroups.users.list": self._usergroups_users_list,
            "views.publish": self._views_publish,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """The body Slack would send back for ``method`` called with ``params``."""
        handler = self._answers.get(method)
        return handler(params) if handler else error_body("unknown_method")

    # -- directory -------------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        name: str | None = None,
        real_name: str | None = None,
        locale: str = "en-US",
        tz: str = "America/New_York",
        is_bot: bool = False,
        team_id: str | None = None,
        is_guest: bool = False,
    ) -> None:
        """A user of this workspace (a guest with `is_guest`), or with `team_id` another organisation's."""
        handle = name or user_id.lower()
        self._users[user_id] = _User(
            user_id, email, handle, real_name or handle, locale, tz, is_bot, team_id, is_guest
        )

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str,
        members: Iterable[str] = (),
        is_private: bool = False,
        is_ext_shared: bool = False,
    ) -> None:
        """A channel the bot is in; `is_ext_shared` for a Slack Connect channel shared with another
        organisation."""
        self._channels[channel_id] = _Channel(channel_id, name, tuple(members), is_private, is_ext_shared)

    def set_usergroup(self, group_id: str, user_ids: Iterable[str]) -> None:
        self._usergroups[group_id] = list(user_ids)

    # -- uploads ---------------------------------------------------------------------------------------

    def expects_upload(self, file_id: str) -> bool:
        """Whether files.getUploadURLExternal handed out an upload URL for ``file_id``."""
        return file_id in self._uploads

    def receive_upload(self, file_id: str, data: bytes) -> str:
        """Keep the content sent to ``file_id``'s upload URL and return Slack's plain-text answer."""
        self._uploads[file_id].data = data
        return f"OK - {len(data)}"

    def uploaded_bytes(self, file_id: str) -> bytes:
        upload = self._uploads.get(file_id)
        if upload is None or upload.data is None:
            raise KeyError(f"no content was uploaded for {file_id}")
        return upload.data

    # -- helpers ---------------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        micros = next(self._ts_counter) * _TS_STEP_MICROS
        return f"{_TS_EPOCH + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._id_counter):08d}"

    def _channel_for(self, channel: str) -> str:
        # Posting to a user ID lands in the DM with that user, which is what Slack reports back.
        return f"D{channel}" if channel[:1] in ("U", "W") else channel

    def _message(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        identity = self._identity
        message: dict[str, Any] = {
            "type": "message",
            "text": params.get("text", ""),
            "user": identity.bot_user_id,
            "bot_id": identity.bot_id,
            "app_id": identity.app_id,
            "team": identity.team_id,
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in params:
                message[key] = params[key]
        if isinstance(message.get("metadata"), str):  # sent form-encoded, the metadata is JSON text
            message["metadata"] = json.loads(message["metadata"])
        return message

    def _message_problem(self, params: dict[str, Any]) -> str | None:
        if not params.get("channel"):
            return "channel_not_found"
        if not any(params.get(key) for key in ("text", "blocks", "attachments")):
            return "no_text"
        return None

    def _user_object(self, user: _User, include_locale: bool) -> dict[str, Any]:
        try:
            zone = ZoneInfo(user.tz)
            now = datetime.now(UTC).astimezone(zone)
            offset = now.utcoffset()
            tz_offset = int(offset.total_seconds()) if offset is not None else 0
            tz_label = now.tzname() or user.tz
        except (ZoneInfoNotFoundError, ValueError):
            tz_offset, tz_label = 0, user.tz
        team_id = user.team_id or self._identity.team_id
        profile: dict[str, Any] = {
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.name,
            "display_name_normalized": user.name,
            "team": team_id,
        }
        if user.email is not None:
            profile["email"] = user.email
        obj: dict[str, Any] = {
            "id": user.id,
            "team_id": team_id,
            "name": user.name,
            "real_name": user.real_name,
            "deleted": False,
            "tz": user.tz,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "is_bot": user.is_bot,
            "is_restricted": user.is_guest,
            "is_ultra_restricted": False,
            "is_app_user": False,
            "profile": profile,
        }
        if include_locale:
            obj["locale"] = user.locale
        return obj

    def _store_view(self, view: dict[str, Any], view_id: str, extra: dict[str, Any]) -> dict[str, Any]:
        identity = self._identity
        stored = {
            **view,
            "id": view_id,
            "team_id": identity.team_id,
            "app_id": identity.app_id,
            "bot_id": identity.bot_id,
            "root_view_id": view_id,
            "previous_view_id": None,
            "hash": secrets.token_hex(6),
            "state": {"values": {}},
            **extra,
        }
        self._views[view_id] = stored
        return {"ok": True, "view": stored}

    # -- answers, one per method -----------------------------------------------------------------------

    def _api_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "args": params}

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        identity = self._identity
        return {
            "ok": True,
            "url": f"https://{identity.team_domain}.slack.com/",
            "team": identity.team,
            "user": identity.bot_name,
            "team_id": identity.team_id,
            "user_id": identity.bot_user_id,
            "bot_id": identity.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        problem = self._message_problem(params)
        if problem:
            return error_body(problem)
        ts = self._next_ts()
        channel = self._channel_for(str(params["channel"]))
        message = self._message(params, ts)
        self._history.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        problem = self._message_problem(params)
        if problem:
            return error_body(problem)
        if not params.get("user"):
            return error_body("user_not_in_channel")
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel"):
            return error_body("channel_not_found")
        if not params.get("ts"):
            return error_body("message_not_found")
        ts = str(params["ts"])
        message = self._message(params, ts)
        posted = self._history.get(str(params["channel"]), [])
        for index, earlier in enumerate(posted):
            if earlier["ts"] == ts:
                posted[index] = {**earlier, **message}
        return {
            "ok": True,
            "channel": str(params["channel"]),
            "ts": ts,
            "text": params.get("text", ""),
            "message": message,
        }

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel"):
            return error_body("channel_not_found")
        if not params.get("ts"):
            return error_body("message_not_found")
        channel, ts = str(params["channel"]), str(params["ts"])
        self._history[channel] = [m for m in self._history.get(channel, []) if m["ts"] != ts]
        return {"ok": True, "channel": channel, "ts": ts}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel"):
            return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": params["channel"]}}
        users = split_ids(params.get("users"))
        if not users:
            return error_body("users_list_not_supplied")
        channel_id = f"D{users[0]}" if len(users) == 1 else "G" + "".join(sorted(users))
        return {"ok": True, "no_op": False, "already_open": False, "channel": {"id": channel_id}}

    def _channel_object(self, channel: _Channel) -> dict[str, Any]:
        return {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.is_private,
            "is_group": channel.is_private,
            "is_private": channel.is_private,
            "is_member": True,
            "is_ext_shared": channel.is_ext_shared,
            "is_shared": channel.is_ext_shared,
            "num_members": len(channel.members),
        }

    def _conversations_list(self, params: dict[str, Any]) -> dict[str, Any]:
        """Channels of the asked types, a page at a time: `cursor` is the position of the next one."""
        types = set(str(params.get("types") or "public_channel").split(","))
        chosen = [
            c
            for c in self._channels.values()
            if ("private_channel" if c.is_private else "public_channel") in types
        ]
        return self._page(params, [self._channel_object(c) for c in chosen], "channels")

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """A channel's messages newest first, within `oldest` and `latest`, a page at a time. As Slack
        does, message metadata comes back only when `include_all_metadata` is asked for."""
        channel = str(params.get("channel", ""))
        if not channel:
            return error_body("channel_not_found")
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")
        with_metadata = truthy(params.get("include_all_metadata"))
        chosen = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in reversed(self._history.get(channel, []))
            if oldest <= float(m["ts"]) <= latest
        ]
        page = self._page(params, chosen, "messages")
        page["has_more"] = bool(page["response_metadata"]["next_cursor"])
        return page

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channels.get(str(params.get("channel", "")))
        if channel is None:
            return error_body("channel_not_found")
        return {"ok": True, "channel": self._channel_object(channel)}

    def _conversations_members(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channels.get(str(params.get("channel", "")))
        if channel is None:
            return error_body("channel_not_found")
        return self._page(params, list(channel.members), "members")

    @staticmethod
    def _page(params: dict[str, Any], items: list[Any], key: str) -> dict[str, Any]:
        start = int(params.get("cursor") or 0)
        limit = int(params.get("limit") or 100)
        shown = items[start : start + limit]
        after = start + limit if start + limit < len(items) else ""
        return {"ok": True, key: shown, "response_metadata": {"next_cursor": str(after)}}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(str(params.get("user", "")))
        if user is None:
            return error_body("user_not_found")
        return {"ok": True, "user": self._user_object(user, truthy(params.get("include_locale")))}

    def _users_lookup_by_email(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = str(params.get("email", "")).strip().lower()
        for user in self._users.values():
            if wanted and user.email is not None and user.email.lower() == wanted:
                return {"ok": True, "user": self._user_object(user, include_locale=False)}
        return error_body("users_not_found")

    def _usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        members = self._usergroups.get(str(params.get("usergroup", "")))
        if members is None:
            return error_body("no_such_subteam")
        return {"ok": True, "users": list(members)}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not params.get("user_id") or not isinstance(view, dict):
            return error_body("invalid_arguments")
        return self._store_view(view, self._next_id("V"), {})

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            return error_body("invalid_arguments")
        return self._store_view(view, self._next_id("V"), {})

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            return error_body("invalid_arguments")
        view_id = params.get("view_id")
        if view_id is None and params.get("external_id"):
            view_id = next(
                (vid for vid, v in self._views.items() if v.get("external_id") == params["external_id"]), None
            )
        if view_id is None or view_id not in self._views:
            return error_body("not_found")
        previous = self._views[view_id]
        return self._store_view(view, str(view_id), {"root_view_id": previous.get("root_view_id", view_id)})

    def _files_get_upload_url_external(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        if not filename or params.get("length") in (None, ""):
            return error_body("invalid_arguments")
        try:
            length = int(params["length"])
        except (TypeError, ValueError):
            return error_body("invalid_arguments")
        file_id = self._next_id("F")
        self._uploads[file_id] = _Upload(str(filename), length)
        return {"ok": True, "upload_url": self._upload_url(file_id), "file_id": file_id}

    def _files_complete_upload_external(self, params: dict[str, Any]) -> dict[str, Any]:
        entries = params.get("files")
        if not isinstance(entries, list) or not entries:
            return error_body("invalid_arguments")
        channels = split_ids(params.get("channels")) or split_ids(params.get("channel_id"))
        # Shared into a channel, the upload is a message there, with the blocks given if any.
        shares = {"public": {channel: [{"ts": self._next_ts()}] for channel in channels}} if channels else {}
        files: list[dict[str, Any]] = []
        for entry in entries:
            file_id = entry.get("id") if isinstance(entry, dict) else None
            upload = self._uploads.get(str(file_id))
            if upload is None or upload.data is None:
                return error_body("file_not_found")
            files.append(
                {
                    "id": file_id,
                    "name": upload.filename,
                    "title": entry.get("title") or upload.filename,
                    "size": len(upload.data),
                    "user": self._identity.bot_user_id,
                    "channels": channels,
                    "shares": shares,
                }
            )
        for channel in channels:  # the share is a message in the channel, carrying the files
            ts = shares["public"][channel][0]["ts"]
            message = self._message({"blocks": params["blocks"]} if params.get("blocks") else {}, ts)
            if isinstance(message.get("blocks"), str):
                message["blocks"] = json.loads(message["blocks"])
            self._history.setdefault(channel, []).append({**message, "files": files})
        return {"ok": True, "files": files}
