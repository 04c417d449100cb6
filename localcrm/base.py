"""The part both emulations share: a threaded loopback server that records requests, checks the bearer
token in constant time and can be told to answer the next requests with the vendor's rate-limit error."""

import hmac
import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    authorized: bool


@dataclass
class Answer:
    status: int
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)


class LocalApi:
    """Subclasses implement `answer(method, path, query, body)`; `rate_limit(n)` makes the next n
    requests fail as the vendor's rate limit does."""

    def __init__(self, token: str, *, tls: ssl.SSLContext | None = None) -> None:
        self.token = token
        self._tls = tls
        self.requests: list[RecordedRequest] = []
        self._throttled = 0
        self._lock = threading.Lock()
        self._http: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- to override ---------------------------------------------------------------------------------
    def answer(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> Answer:
        raise NotImplementedError

    def unauthorized(self) -> Answer:
        raise NotImplementedError

    def throttled(self) -> Answer:
        raise NotImplementedError

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> Self:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # quiet: tests read `requests`
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                parts = urlsplit(self.path)
                given = (self.headers.get("Authorization") or "").encode()
                authorized = hmac.compare_digest(given, f"Bearer {api.token}".encode())
                answer = api._respond(self.command, parts.path, parse_qs(parts.query), body, authorized)
                data = json.dumps(answer.payload).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = _serve

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        if self._tls is not None:
            self._http.socket = self._tls.wrap_socket(self._http.socket, server_side=True)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._http is not None, "start the server first"
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self._http.server_address[1]}"

    def rate_limit(self, requests: int) -> None:
        with self._lock:
            self._throttled = requests

    def _respond(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, authorized: bool
    ) -> Answer:
        with self._lock:
            self.requests.append(RecordedRequest(method, path, query, body, authorized))
            if not authorized:
                return self.unauthorized()
            if self._throttled:
                self._throttled -= 1
                return self.throttled()
            return self.answer(method, path, query, body)
