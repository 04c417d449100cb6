"""An in-process stand-in for the Slack Web API, response URLs and file uploads.

The demo, the benchmarks and the tests all talk to it over real HTTP so that the code under test goes
through slack_sdk exactly as it would in production; only the host changes.

This module serves HTTP, routes requests, records them and plays scripted replies; what Slack would answer
by default lives in :mod:`localslack.web_api`, and reading arguments in :mod:`localslack.parsing`.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from localslack.parsing import parse_params
from localslack.web_api import Workspace, error_body

RESPONSE_URL = "response_url"
FILE_UPLOAD = "file_upload"


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


# verb, request target (path and query), lower-cased headers, raw body
_Route = Callable[[str, str, dict[str, str], bytes], _Reply]


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
        reply = self.server.route(self.command, self.path, headers, raw)
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

    def __init__(self, route: _Route) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.route = route

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up early (a timed-out test, a killed demo) is not our problem to report.
        return


def _reply_invalid() -> _Reply:
    return _Reply(200, error_body("invalid_json"))


def _unreadable(raw: bytes) -> dict[str, Any]:
    return {"_raw": raw.decode("utf-8", "replace")}


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

        # Guards the recorded traffic, the scripted replies, the issued response URLs and the workspace.
        # Choosing a reply and recording the call happen under one hold, so the order of `calls` is the
        # order in which replies (scripted ones and generated ts/ids alike) were handed out.
        self._condition = threading.Condition(threading.RLock())
        self._calls: list[RecordedCall] = []
        self._unrouted: list[str] = []
        self._errors: list[str] = []
        self._scripted: dict[str, deque[_Scripted]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._response_tokens: set[str] = set()
        self._workspace = Workspace(self, self._upload_url)

        self._http: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

        self.add_user(bot_user_id, name=bot_name, real_name=bot_name, is_bot=True)

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._http is not None:
            return self
        self._http = _HTTPServer(self._route)
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

    def _upload_url(self, file_id: str) -> str:
        return f"{self.url}upload/{file_id}"

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
            return self._workspace.uploaded_bytes(file_id)

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
        team_id: str | None = None,
        is_guest: bool = False,
    ) -> None:
        """A user of this workspace (a guest with `is_guest`), or with `team_id` one of another
        organisation (Slack Connect)."""
        with self._condition:
            self._workspace.add_user(
                user_id,
                email=email,
                name=name,
                real_name=real_name,
                locale=locale,
                tz=tz,
                is_bot=is_bot,
                team_id=team_id,
                is_guest=is_guest,
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
        chosen = list(members)
        with self._condition:
            self._workspace.add_channel(
                channel_id, name=name, members=chosen, is_private=is_private, is_ext_shared=is_ext_shared
            )

    def set_usergroup(self, group_id: str, user_ids: Iterable[str]) -> None:
        # Iterating the caller's iterable runs its code; request threads should not wait on that.
        members = list(user_ids)
        with self._condition:
            self._workspace.set_usergroup(group_id, members)

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

    def slow_down(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` (recorded at once) only after ``seconds``: a
        slow Slack, or a call still in flight when the app is told to stop."""
        with self._condition:
            self._delays.setdefault(method, deque()).extend([seconds] * times)

    def _slowed(self, method: str, reply: _Reply) -> _Reply:
        with self._condition:
            queue = self._delays.get(method)
            delay = queue.popleft() if queue else 0.0
        if delay:
            time.sleep(delay)  # outside the lock: other calls go on meanwhile
        return reply

    def fail(self, method: str, error: str = "channel_not_found", *, times: int = 1) -> None:
        self.add_response(method, error_body(error), times=times)

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        self.add_response(
            method,
            error_body("ratelimited"),
            status=429,
            headers={"Retry-After": str(retry_after)},
            times=times,
        )

    def _take_scripted(self, method: str) -> _Reply | None:
        """The next scripted reply for ``method``, if any; the caller holds the lock."""
        queue = self._scripted.get(method)
        if not queue:
            return None
        head = queue[0]
        head.remaining -= 1
        if head.remaining == 0:
            queue.popleft()
        return head.reply

    # -- routing ---------------------------------------------------------------------------------------
    #
    # Parsing a body only looks at the request, so it runs outside the lock; everything that reads or
    # changes shared state takes it.

    def _route(self, verb: str, target: str, headers: dict[str, str], raw: bytes) -> _Reply:
        path, _, query = target.partition("?")
        try:
            if path.startswith("/api/"):
                method = path[len("/api/") :].strip("/")
                return self._slowed(method, self._api_call(method, query, headers, raw))
            if path.startswith("/response/") and verb == "POST":
                reply = self._response_url(path[len("/response/") :].strip("/"), query, headers, raw)
                return self._slowed(RESPONSE_URL, reply)
            if path.startswith("/upload/") and verb in ("POST", "PUT"):
                return self._file_upload(path[len("/upload/") :].strip("/"), headers, raw)
            with self._condition:
                return self._reject(f"{verb} {path}", _Reply(404, error_body("not_found")))
        except Exception as error:  # surfaced through wait_for_calls rather than a silent thread
            with self._condition:
                self._errors.append(f"{verb} {path}: {error!r}")
                self._condition.notify_all()
            return _Reply(500, error_body("localslack_internal_error"))

    def _reject(self, description: str, reply: _Reply) -> _Reply:
        """Note a request that was not recorded as a call; the caller holds the lock."""
        self._unrouted.append(description)
        self._condition.notify_all()
        return reply

    def _record(
        self,
        method: str,
        body: dict[str, Any],
        headers: dict[str, str],
        reply: _Reply,
        response_token: str | None = None,
    ) -> _Reply:
        """Remember a call and wake waiters; the caller holds the lock."""
        call = RecordedCall(method, body, headers, time.monotonic(), response_token, reply.status)
        self._calls.append(call)
        self._condition.notify_all()
        return reply

    def _api_call(self, method: str, query: str, headers: dict[str, str], raw: bytes) -> _Reply:
        params = parse_params(query, headers, raw)
        with self._condition:
            if params is None:
                return self._record(method, _unreadable(raw), headers, _reply_invalid())
            reply = self._take_scripted(method)
            if reply is None:
                reply = _Reply(200, self._workspace.answer(method, params))
            return self._record(method, params, headers, reply)

    def _response_url(self, token: str, query: str, headers: dict[str, str], raw: bytes) -> _Reply:
        with self._condition:
            if token not in self._response_tokens:
                # Real Slack refuses URLs it never issued; recording them would let a wrong URL pass a test.
                return self._reject(
                    f"POST /response/{token} (never issued)", _Reply(404, error_body("expired_url"))
                )
        params = parse_params(query, headers, raw)
        with self._condition:
            if params is None:
                return self._record(RESPONSE_URL, _unreadable(raw), headers, _reply_invalid(), token)
            reply = self._take_scripted(RESPONSE_URL) or _Reply(200, {"ok": True})
            return self._record(RESPONSE_URL, params, headers, reply, token)

    def _file_upload(self, file_id: str, headers: dict[str, str], raw: bytes) -> _Reply:
        with self._condition:
            if not self._workspace.expects_upload(file_id):
                return self._reject(f"upload for unknown file {file_id}", _Reply(404, "file_not_found"))
            reply = self._take_scripted(FILE_UPLOAD)
            if reply is None:
                reply = _Reply(200, self._workspace.receive_upload(file_id, raw))
            return self._record(FILE_UPLOAD, {"size": len(raw)}, headers, reply)
