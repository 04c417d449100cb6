"""Serving the app over HTTP with a production WSGI server (waitress).

In front of Bolt stands a small gate that answers what Bolt would otherwise fail on: other paths and
methods, bodies too large to be Slack's, unsigned requests (before anything is parsed), and signed ones
whose payload is malformed (400 and one log line rather than a 500 with a traceback).
"""

import json
import logging
import threading
from collections.abc import Callable, Iterable
from io import BytesIO
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from waitress.server import create_server

from bot.ingest import INGEST_PREFIX, MAX_INGEST_BYTES

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"  # the process is up
READY_PATH = "/readyz"  # and its database answers: send it traffic
# Slack's requests are a few kilobytes; a modal full of text stays far below this.
MAX_BODY_BYTES = 1 << 20

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _answer(
    start_response: Callable[..., Any], status: str, text: str, headers: list[tuple[str, str]] | None = None
) -> Iterable[bytes]:
    body = text.encode("utf-8")
    start_response(
        status,
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))), *(headers or [])],
    )
    return [body]


def malformed(body: bytes, content_type: str) -> str | None:
    """Why a signed body is not a request Slack sends, or None when it is well formed."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    if content_type.startswith("application/json"):
        try:
            event = json.loads(text)
        except ValueError as error:
            return f"the JSON body does not parse ({error.msg})"
        return None if isinstance(event, dict) and event.get("type") else "the JSON body has no type"
    form = parse_qs(text, keep_blank_values=True)
    if "payload" not in form:
        return None if form.get("command") or form.get("ssl_check") else "neither a command nor a payload"
    try:
        payload = json.loads(form["payload"][0])
    except ValueError as error:
        return f"the payload does not parse as JSON ({error.msg})"
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        return "the payload has no type"
    if not isinstance(payload.get("user"), dict):
        return f"the {payload['type']} payload names no user"
    actions = payload.get("actions")
    if payload["type"] == "block_actions" and not (
        isinstance(actions, list)
        and actions
        and all(isinstance(a, dict) and a.get("action_id") for a in actions)
    ):
        return "block_actions without actions"
    if payload["type"].startswith("view_") and not isinstance(payload.get("view"), dict):
        return f"{payload['type']} without a view"
    return None


def _signed(verifier: SignatureVerifier, environ: dict[str, Any], body: bytes) -> bool:
    """Slack's signature over the timestamp and body, compared in constant time by slack_sdk, and a
    timestamp within five minutes: checked before a single byte of the body is interpreted."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    if not timestamp.isdigit() or not signature:
        return False
    return verifier.is_valid(body=body, timestamp=timestamp, signature=signature)


def wsgi_app(
    app: App, *, signing_secret: str, ingest: WsgiApp | None = None, ready: Callable[[], bool] | None = None
) -> WsgiApp:
    """Bolt at /slack/events (commands, interactivity, events), behind the gate, a liveness probe, and
    the ingest API (bot/ingest.py) under /api/v1/ingest/ when it is on."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    verifier = SignatureVerifier(signing_secret)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == HEALTH_PATH:
            return _answer(start_response, "200 OK", "ok")
        if path == READY_PATH:
            if ready is None or ready():
                return _answer(start_response, "200 OK", "ready")
            return _answer(start_response, "503 Service Unavailable", "the database does not answer")
        if ingest is not None and path and path.startswith(INGEST_PREFIX):
            return ingest(environ, start_response)
        if path != EVENTS_PATH:
            return _answer(start_response, "404 Not Found", "not found")
        if environ.get("REQUEST_METHOD") != "POST":
            return _answer(start_response, "405 Method Not Allowed", "POST only", [("Allow", "POST")])
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _answer(start_response, "400 Bad Request", "bad Content-Length")
        # Refused before reading: an unauthenticated sender cannot make the bot read megabytes.
        if length > MAX_BODY_BYTES:
            return _answer(start_response, "413 Content Too Large", "request body too large")
        body = environ["wsgi.input"].read(length)
        if not _signed(verifier, environ, body):
            return _answer(start_response, "401 Unauthorized", "invalid signature")
        problem = malformed(body, environ.get("CONTENT_TYPE", ""))
        if problem:
            logger.warning("refused a signed but malformed request: %s", problem)
            return _answer(start_response, "400 Bad Request", problem)
        environ["wsgi.input"] = BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return slack(environ, start_response)

    return application


def _server(
    app: App,
    *,
    signing_secret: str,
    host: str,
    port: int,
    ingest: WsgiApp | None = None,
    ready: Callable[[], bool] | None = None,
    **options: Any,
) -> Any:
    return create_server(
        wsgi_app(app, signing_secret=signing_secret, ingest=ingest, ready=ready),
        host=host,
        port=port,
        threads=8,
        ident="csbot",
        # Waitress refuses larger bodies itself too, whatever Content-Length claims; the gate holds
        # Slack's requests to their own, smaller limit.
        max_request_body_size=MAX_INGEST_BYTES if ingest is not None else MAX_BODY_BYTES,
        **options,
    )


class BackgroundServer:
    """The same server on a thread, bound to a free loopback port: for `csbot cmd`, benches and tests."""

    def __init__(
        self,
        app: App,
        *,
        signing_secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        ingest: WsgiApp | None = None,
        ready: Callable[[], bool] | None = None,
    ) -> None:
        # A short loop timeout lets close() take effect at once instead of after up to a second.
        self._server = _server(
            app,
            signing_secret=signing_secret,
            host=host,
            port=port,
            ingest=ingest,
            ready=ready,
            asyncore_loop_timeout=0.05,
        )
        self._thread = threading.Thread(target=self._server.run, name="csbot-http", daemon=True)

    @property
    def url(self) -> str:
        return f"{self.base_url}{EVENTS_PATH}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.effective_port}"

    def __enter__(self) -> "BackgroundServer":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        # Close from inside the server's own loop: closing its sockets from this thread would pull them
        # out from under the select() it is blocked in.
        try:
            self._server.trigger.pull_trigger(self._server.close)
        except OSError:
            # The loop has already stopped (and closed its trigger): nothing is left to wake.
            self._server.close()
        self._thread.join(timeout=5)


def bind(
    app: App,
    *,
    signing_secret: str,
    port: int,
    host: str = "0.0.0.0",
    ingest: WsgiApp | None = None,
    ready: Callable[[], bool] | None = None,
) -> Any:
    """The server bound to its port, not yet serving: a port in use fails here, before anything runs."""
    return _server(app, signing_secret=signing_secret, host=host, port=port, ingest=ingest, ready=ready)
