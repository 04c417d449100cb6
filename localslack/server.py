"""An in-process stand-in for the Slack Web API, response URLs and file uploads.

The demo, the benchmarks and the tests all talk to it over real HTTP so that the code under test goes
through slack_sdk exactly as it would in production; only the host changes.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

RESPONSE_URL = "response_url"
FILE_UPLOAD = "file_upload"

# slack_sdk serialises these arguments to JSON text when it sends a form, so tests would otherwise have to
# parse them again before looking inside.
_JSON_TEXT_FIELDS = frozenset({"blocks", "attachments", "view", "files", "metadata"})

# The first ts handed out; any value works as long as it sorts like real Slack timestamps do.
_TS_EPOCH = 1_700_000_000
_TS_STEP_MICROS = 100


@dataclass(frozen=True)
class RecordedCall:
    """One request the server received.

    ``at`` comes from :func:`time.monotonic` so benchmarks can measure latency against their own clock.
    Header names are lower-cased because HTTP treats them case-insensitively.
    """

    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float
    response_token: str | None = None
    status: int = 200


@dataclass(frozen=True)
class _Reply:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Scripted:
    reply: _Reply
    remaining: int


@dataclass(frozen=True)
class _User:
    id: str
    email: str | None
    name: str
    real_name: str
    locale: str
    tz: str
    is_bot: bool


@dataclass
class _Upload:
    filename: str
    length: int
    data: bytes | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        # The demo prints to the same terminal; per-request access lines would drown it.
        return

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.server.owner._route(self.command, self.path, headers, raw)
        if isinstance(reply.body, str):
            payload = reply.body.encode()
            content_type = "text/plain; charset=utf-8"
        else:
            payload = json.dumps(reply.body).encode()
            content_type = "application/json; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: LocalSlackServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.owner = owner

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up early (a timed-out test, a killed demo) is not our problem to report.
        return


def _decode_json_text(params: dict[str, Any]) -> dict[str, Any]:
    decoded = dict(params)
    for key in _JSON_TEXT_FIELDS & decoded.keys():
        value = decoded[key]
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):  # text that merely looks like JSON stays text
                decoded[key] = json.loads(value)
    return decoded


def _parse_form(text: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        if key in params:
            previous = params[key]
            params[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            params[key] = value
    return params


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _split_ids(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return []


def _error(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


def _reply_invalid() -> _Reply:
    return _Reply(200, _error("invalid_json"))


class LocalSlackServer:
    """A real HTTP server on 127.0.0.1 that answers like Slack and remembers every call it got.

    Point ``WebClient(base_url=server.api_url)`` at it, hand out :meth:`new_response_url` as a
    ``response_url``, then assert on :attr:`calls` or block on :meth:`wait_for_calls`.
    """

    def __init__(
        self,
        *,
        team_id: str = "T0DEMO",
        team: str = "CS Demo",
        team_domain: str = "csdemo",
        bot_user_id: str = "U0CSBOT",
        bot_id: str = "B0CSBOT",
        bot_name: str = "csbot",
        app_id: str = "A0CSBOT",
    ) -> None:
        self.team_id = team_id
        self.team = team
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id

        self._condition = threading.Condition(threading.RLock())
        self._calls: list[RecordedCall] = []
        self._unrouted: list[str] = []
        self._errors: list[str] = []
        self._scripted: dict[str, deque[_Scripted]] = {}
        self._users: dict[str, _User] = {}
        self._usergroups: dict[str, list[str]] = {}
        self._response_tokens: set[str] = set()
        self._uploads: dict[str, _Upload] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._ts_counter = itertools.count(1)
        self._id_counter = itertools.count(1)

        self._http: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

        self.add_user(bot_user_id, name=bot_name, real_name=bot_name, is_bot=True)

        self._defaults: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "usergroups.users.list": self._usergroups_users_list,
            "views.publish": self._views_publish,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._http is not None:
            return self
        self._http = _HTTPServer(self)
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"localslack:{self._http.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        http, thread = self._http, self._thread
        if http is None:
            return
        self._http = None
        self._thread = None
        http.shutdown()
        http.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._http is None:
            raise RuntimeError("LocalSlackServer is not running; call start() or use it as a context manager")
        return int(self._http.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    def new_response_url(self) -> str:
        token = secrets.token_hex(8)
        with self._condition:
            self._response_tokens.add(token)
        return f"{self.url}response/{token}"

    # -- recorded traffic ------------------------------------------------------------------------------

    @property
    def calls(self) -> list[RecordedCall]:
        with self._condition:
            return list(self._calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        with self._condition:
            return [call for call in self._calls if call.method == method]

    def clear(self) -> None:
        """Forget recorded traffic; the user directory and any scripted replies stay in place."""
        with self._condition:
            self._calls.clear()
            self._unrouted.clear()
            self._errors.clear()

    def wait_for_calls(
        self, count: int, timeout: float = 5.0, method: str | None = None
    ) -> list[RecordedCall]:
        """Block until at least ``count`` matching calls were recorded and return all of them so far."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                matching = [call for call in self._calls if method is None or call.method == method]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(self._shortfall(count, timeout, method, len(matching)))
                self._condition.wait(remaining)

    def uploaded_bytes(self, file_id: str) -> bytes:
        """The content a client sent to the upload URL of ``file_id``."""
        with self._condition:
            upload = self._uploads.get(file_id)
            if upload is None or upload.data is None:
                raise KeyError(f"no content was uploaded for {file_id}")
            return upload.data

    def _shortfall(self, count: int, timeout: float, method: str | None, got: int) -> str:
        target = f"to {method}" if method else "of any method"
        recorded = ", ".join(
            f"{call.method}[{call.status}]" if call.status != 200 else call.method for call in self._calls
        )
        message = f"expected {count} call(s) {target} within {timeout}s but saw {got}; recorded: [{recorded}]"
        if self._unrouted:
            message += f"; rejected requests: {self._unrouted}"
        if self._errors:
            message += f"; server errors: {self._errors}"
        return message

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
    ) -> None:
        handle = name or user_id.lower()
        user = _User(user_id, email, handle, real_name or handle, locale, tz, is_bot)
        with self._condition:
            self._users[user_id] = user

    def set_usergroup(self, group_id: str, user_ids: Iterable[str]) -> None:
        with self._condition:
            self._usergroups[group_id] = list(user_ids)

    # -- scripting -------------------------------------------------------------------------------------

    def add_response(
        self,
        method: str,
        body: dict[str, Any],
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with ``body``; queued replies are used in order."""
        if times < 1:
            raise ValueError("times must be at least 1")
        reply = _Reply(status, dict(body), dict(headers or {}))
        with self._condition:
            self._scripted.setdefault(method, deque()).append(_Scripted(reply, times))

    def fail(self, method: str, error: str = "channel_not_found", *, times: int = 1) -> None:
        self.add_response(method, _error(error), times=times)

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        self.add_response(
            method, _error("ratelimited"), status=429, headers={"Retry-After": str(retry_after)}, times=times
        )

    def _take_scripted(self, method: str) -> _Reply | None:
        queue = self._scripted.get(method)
        if not queue:
            return None
        head = queue[0]
        head.remaining -= 1
        if head.remaining == 0:
            queue.popleft()
        return head.reply

    # -- routing ---------------------------------------------------------------------------------------

    def _route(self, verb: str, target: str, headers: dict[str, str], raw: bytes) -> _Reply:
        path, _, query = target.partition("?")
        with self._condition:
            try:
                if path.startswith("/api/"):
                    return self._api_call(path[len("/api/") :].strip("/"), query, headers, raw)
                if path.startswith("/response/") and verb == "POST":
                    return self._response_url(path[len("/response/") :].strip("/"), query, headers, raw)
                if path.startswith("/upload/") and verb in ("POST", "PUT"):
                    return self._file_upload(path[len("/upload/") :].strip("/"), headers, raw)
                self._unrouted.append(f"{verb} {path}")
                self._condition.notify_all()
                return _Reply(404, _error("not_found"))
            except Exception as error:  # surfaced through wait_for_calls rather than a silent thread
                self._errors.append(f"{verb} {path}: {error!r}")
                self._condition.notify_all()
                return _Reply(500, _error("localslack_internal_error"))

    def _parse(self, query: str, headers: dict[str, str], raw: bytes) -> dict[str, Any] | None:
        """Merge query string and body the way Slack does; ``None`` means the JSON body was unreadable."""
        params = _parse_form(query)
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
            params.update(_parse_form(text))
        return _decode_json_text(params)

    def _record(
        self,
        method: str,
        body: dict[str, Any],
        headers: dict[str, str],
        reply: _Reply,
        response_token: str | None = None,
    ) -> _Reply:
        call = RecordedCall(method, body, headers, time.monotonic(), response_token, reply.status)
        self._calls.append(call)
        self._condition.notify_all()
        return reply

    def _api_call(self, method: str, query: str, headers: dict[str, str], raw: bytes) -> _Reply:
        params = self._parse(query, headers, raw)
        if params is None:
            return self._record(method, {"_raw": raw.decode("utf-8", "replace")}, headers, _reply_invalid())
        reply = self._take_scripted(method)
        if reply is None:
            handler = self._defaults.get(method)
            reply = _Reply(200, handler(params) if handler else _error("unknown_method"))
        return self._record(method, params, headers, reply)

    def _response_url(self, token: str, query: str, headers: dict[str, str], raw: bytes) -> _Reply:
        if token not in self._response_tokens:
            # Real Slack refuses URLs it never issued; recording them would let a wrong URL pass a test.
            self._unrouted.append(f"POST /response/{token} (never issued)")
            self._condition.notify_all()
            return _Reply(404, _error("expired_url"))
        params = self._parse(query, headers, raw)
        if params is None:
            return self._record(
                RESPONSE_URL, {"_raw": raw.decode("utf-8", "replace")}, headers, _reply_invalid(), token
            )
        reply = self._take_scripted(RESPONSE_URL) or _Reply(200, {"ok": True})
        return self._record(RESPONSE_URL, params, headers, reply, token)

    def _file_upload(self, file_id: str, headers: dict[str, str], raw: bytes) -> _Reply:
        upload = self._uploads.get(file_id)
        if upload is None:
            self._unrouted.append(f"upload for unknown file {file_id}")
            self._condition.notify_all()
            return _Reply(404, "file_not_found")
        reply = self._take_scripted(FILE_UPLOAD)
        if reply is None:
            upload.data = raw
            reply = _Reply(200, f"OK - {len(raw)}")
        return self._record(FILE_UPLOAD, {"size": len(raw)}, headers, reply)

    # -- default answers -------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        micros = next(self._ts_counter) * _TS_STEP_MICROS
        return f"{_TS_EPOCH + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._id_counter):08d}"

    def _api_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "args": params}

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _channel_for(self, channel: str) -> str:
        # Posting to a user ID lands in the DM with that user, which is what Slack reports back.
        return f"D{channel}" if channel[:1] in ("U", "W") else channel

    def _message(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "text": params.get("text", ""),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in params:
                message[key] = params[key]
        return message

    def _message_problem(self, params: dict[str, Any]) -> str | None:
        if not params.get("channel"):
            return "channel_not_found"
        if not any(params.get(key) for key in ("text", "blocks", "attachments")):
            return "no_text"
        return None

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        problem = self._message_problem(params)
        if problem:
            return _error(problem)
        ts = self._next_ts()
        channel = self._channel_for(str(params["channel"]))
        return {"ok": True, "channel": channel, "ts": ts, "message": self._message(params, ts)}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        problem = self._message_problem(params)
        if problem:
            return _error(problem)
        if not params.get("user"):
            return _error("user_not_in_channel")
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel"):
            return _error("channel_not_found")
        if not params.get("ts"):
            return _error("message_not_found")
        ts = str(params["ts"])
        return {
            "ok": True,
            "channel": str(params["channel"]),
            "ts": ts,
            "text": params.get("text", ""),
            "message": self._message(params, ts),
        }

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel"):
            return _error("channel_not_found")
        if not params.get("ts"):
            return _error("message_not_found")
        return {"ok": True, "channel": str(params["channel"]), "ts": str(params["ts"])}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel"):
            return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": params["channel"]}}
        users = _split_ids(params.get("users"))
        if not users:
            return _error("users_list_not_supplied")
        channel_id = f"D{users[0]}" if len(users) == 1 else "G" + "".join(sorted(users))
        return {"ok": True, "no_op": False, "already_open": False, "channel": {"id": channel_id}}

    def _user_object(self, user: _User, include_locale: bool) -> dict[str, Any]:
        try:
            zone = ZoneInfo(user.tz)
            now = datetime.now(UTC).astimezone(zone)
            offset = now.utcoffset()
            tz_offset = int(offset.total_seconds()) if offset is not None else 0
            tz_label = now.tzname() or user.tz
        except (ZoneInfoNotFoundError, ValueError):
            tz_offset, tz_label = 0, user.tz
        profile: dict[str, Any] = {
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.name,
            "display_name_normalized": user.name,
            "team": self.team_id,
        }
        if user.email is not None:
            profile["email"] = user.email
        obj: dict[str, Any] = {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "real_name": user.real_name,
            "deleted": False,
            "tz": user.tz,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "profile": profile,
        }
        if include_locale:
            obj["locale"] = user.locale
        return obj

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(str(params.get("user", "")))
        if user is None:
            return _error("user_not_found")
        return {"ok": True, "user": self._user_object(user, _truthy(params.get("include_locale")))}

    def _users_lookup_by_email(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = str(params.get("email", "")).strip().lower()
        for user in self._users.values():
            if wanted and user.email is not None and user.email.lower() == wanted:
                return {"ok": True, "user": self._user_object(user, include_locale=False)}
        return _error("users_not_found")

    def _usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        members = self._usergroups.get(str(params.get("usergroup", "")))
        if members is None:
            return _error("no_such_subteam")
        return {"ok": True, "users": list(members)}

    def _store_view(self, view: dict[str, Any], view_id: str, extra: dict[str, Any]) -> dict[str, Any]:
        stored = {
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            "root_view_id": view_id,
            "previous_view_id": None,
            "hash": secrets.token_hex(6),
            "state": {"values": {}},
            **extra,
        }
        self._views[view_id] = stored
        return {"ok": True, "view": stored}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not params.get("user_id") or not isinstance(view, dict):
            return _error("invalid_arguments")
        return self._store_view(view, self._next_id("V"), {})

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            return _error("invalid_arguments")
        return self._store_view(view, self._next_id("V"), {})

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            return _error("invalid_arguments")
        view_id = params.get("view_id")
        if view_id is None and params.get("external_id"):
            view_id = next(
                (vid for vid, v in self._views.items() if v.get("external_id") == params["external_id"]), None
            )
        if view_id is None or view_id not in self._views:
            return _error("not_found")
        previous = self._views[view_id]
        return self._store_view(view, str(view_id), {"root_view_id": previous.get("root_view_id", view_id)})

    def _files_get_upload_url_external(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        if not filename or params.get("length") in (None, ""):
            return _error("invalid_arguments")
        try:
            length = int(params["length"])
        except (TypeError, ValueError):
            return _error("invalid_arguments")
        file_id = self._next_id("F")
        self._uploads[file_id] = _Upload(str(filename), length)
        return {"ok": True, "upload_url": f"{self.url}upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, params: dict[str, Any]) -> dict[str, Any]:
        entries = params.get("files")
        if not isinstance(entries, list) or not entries:
            return _error("invalid_arguments")
        channels = _split_ids(params.get("channels")) or _split_ids(params.get("channel_id"))
        files: list[dict[str, Any]] = []
        for entry in entries:
            file_id = entry.get("id") if isinstance(entry, dict) else None
            upload = self._uploads.get(str(file_id))
            if upload is None or upload.data is None:
                return _error("file_not_found")
            files.append(
                {
                    "id": file_id,
                    "name": upload.filename,
                    "title": entry.get("title") or upload.filename,
                    "size": len(upload.data),
                    "user": self.bot_user_id,
                    "channels": channels,
                }
            )
        return {"ok": True, "files": files}
