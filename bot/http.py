"""Serving the app over HTTP with a production WSGI server (waitress)."""

import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(app: App) -> WsgiApp:
    """Bolt at /slack/events (commands, interactivity, events) plus a liveness probe for load balancers."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        return slack(environ, start_response)

    return application


class BackgroundServer:
    """The same server on a thread, bound to a free loopback port: for `csbot cmd`, benches and tests."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0) -> None:
        # A short loop timeout lets close() take effect at once instead of after up to a second.
        self._server = create_server(
            wsgi_app(app), host=host, port=port, threads=8, ident="csbot", asyncore_loop_timeout=0.05
        )
        self._thread = threading.Thread(target=self._server.run, name="csbot-http", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.effective_port}{EVENTS_PATH}"  # type: ignore[union-attr]

    def __enter__(self) -> "BackgroundServer":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        # Close from inside the server's own loop: closing its sockets from this thread would pull them
        # out from under the select() it is blocked in.
        try:
            self._server.trigger.pull_trigger(self._server.close)  # type: ignore[union-attr]
        except OSError:
            # The loop has already stopped (and closed its trigger): nothing is left to wake.
            self._server.close()
        self._thread.join(timeout=5)


def serve_forever(app: App, port: int, host: str = "0.0.0.0") -> None:
    create_server(wsgi_app(app), host=host, port=port, threads=8, ident="csbot").run()
