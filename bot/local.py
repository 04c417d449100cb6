"""The whole product wired to the local Slack server, on loopback: the offline way to use csbot.

`csbot cmd`, `csbot shell`, `csbot demo`, the benchmarks and the tests all drive the bot through
this: a signed request goes in over HTTP exactly as Slack would send it, and every Web API or
response-URL call the bot makes comes out recorded by the local Slack server.
"""

import json
import time
from dataclasses import dataclass
from functools import partial
from types import TracebackType
from typing import Any

from pydantic import SecretStr
from slack_bolt import App
from sqlalchemy import Engine

from bot.app import create_app
from bot.config import WorkspaceConfig
from bot.executor import TrackedExecutor
from bot.http import BackgroundServer
from bot.ingest import Rescorer, ingest_app
from bot.settings import Settings
from domain.clock import Clock, system_clock
from localslack import (
    LocalSlackServer,
    RecordedCall,
    block_action_body,
    event_body,
    message_shortcut_body,
    post_signed,
    slash_command_body,
    view_action_body,
    view_submission_body,
)
from storage.db import reachable
from storage.team import people_on_slack, person_by_email

LOCAL_SIGNING_SECRET = "local-signing-secret"
LOCAL_BOT_TOKEN = "xoxb-local"
_SLACK_LOCALES = {"ja": "ja-JP", "en": "en-US"}


@dataclass(frozen=True)
class Exchange:
    """One request to the bot: the HTTP answer Slack would get, and every call the bot made after it."""

    status: int
    response_body: str
    calls: list[RecordedCall]
    elapsed_ms: float

    @property
    def reply(self) -> dict[str, Any]:
        """The one answer the bot gave through the response URL (LookupError if not exactly one)."""
        replies = [call.body for call in self.calls if call.method == "response_url"]
        if len(replies) != 1:
            raise LookupError(f"expected one reply, got {len(replies)}: {[c.method for c in self.calls]}")
        return replies[0]


def texts(message: dict[str, Any]) -> list[str]:
    """The mrkdwn a person reads in a message, block by block: section texts and fields, context lines."""
    found: list[str] = []
    for block in message.get("blocks") or []:
        if block.get("text"):
            found.append(block["text"]["text"])
        found.extend(field["text"] for field in block.get("fields", []))
        if block["type"] == "context":
            found.extend(element.get("text", "") for element in block["elements"])
    return found


@dataclass(frozen=True)
class Submission:
    """A modal submitted: the exchange, and the answer Bolt gave Slack (`response_action` and the rest)."""

    exchange: Exchange
    response: dict[str, Any]


def slack_locale(locale: str | None) -> str:
    if not locale:
        return "en-US"
    return _SLACK_LOCALES.get(locale.lower(), locale)


class LocalWorkspace:
    def __init__(
        self,
        *,
        engine: Engine,
        config: WorkspaceConfig,
        clock: Clock = system_clock,
        ingest_token: str | None = None,
    ) -> None:
        self.engine = engine
        self.ingest_token = ingest_token
        self.config = config
        self.clock = clock
        self.slack = LocalSlackServer()
        self.executor = TrackedExecutor()
        self.app: App | None = None
        self._http: BackgroundServer | None = None
        self.rescorer: Rescorer | None = None

    def __enter__(self) -> "LocalWorkspace":
        self.slack.start()
        self.add_team_to_directory()
        settings = Settings(
            SLACK_BOT_TOKEN=SecretStr(LOCAL_BOT_TOKEN),
            SLACK_SIGNING_SECRET=SecretStr(LOCAL_SIGNING_SECRET),
            CSBOT_SLACK_API_URL=self.slack.api_url,
        )
        self.app = create_app(
            settings, config=self.config, engine=self.engine, clock=self.clock, executor=self.executor
        )
        self.rescorer = Rescorer(self.engine, self.config.health, self.clock, self.config.zone)
        ingest = (
            ingest_app(self.engine, self.ingest_token, rescore=self.rescorer) if self.ingest_token else None
        )
        self._http = BackgroundServer(
            self.app,
            signing_secret=LOCAL_SIGNING_SECRET,
            ingest=ingest,
            ready=partial(reachable, self.engine),
        ).__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._http:
            self._http.__exit__(exc_type, exc, tb)
        if self.rescorer is not None:
            self.rescorer.close()
        self.executor.shutdown(wait=True)
        self.slack.stop()

    @property
    def url(self) -> str:
        assert self._http is not None, "use LocalWorkspace as a context manager"
        return self._http.url

    @property
    def base_url(self) -> str:
        assert self._http is not None, "use LocalWorkspace as a context manager"
        return self._http.base_url

    def add_team_to_directory(self) -> None:
        """Every team member with a Slack id becomes a user of the local Slack, with locale and email."""
        for member in people_on_slack(self.engine):
            self.slack.add_user(
                member.slack_user_id,  # type: ignore[arg-type]
                email=member.email,
                name=member.email.split("@")[0],
                real_name=member.name,
                locale=slack_locale(member.locale),
                tz=member.timezone or self.config.timezone,
            )

    def resolve_user(self, who: str) -> str:
        """A Slack user id from an id or a team member's email."""
        if "@" not in who:
            return who
        member = person_by_email(self.engine, who)
        if member is None or not member.slack_user_id:
            raise LookupError(f"no team member with a Slack id has the email {who}")
        return member.slack_user_id

    def send(
        self,
        body: str,
        *,
        timestamp: int | None = None,
        signing_secret: str = LOCAL_SIGNING_SECRET,
        headers: dict[str, str] | None = None,
    ) -> Exchange:
        """POST a signed body to /slack/events, wait until every listener is done, return what happened.
        `headers` adds Slack's own, e.g. X-Slack-Retry-Num on a retried event."""
        before = len(self.slack.calls)
        started = time.perf_counter()
        status, text = post_signed(self.url, body, signing_secret, timestamp=timestamp, headers=headers)
        self.executor.wait_idle()
        elapsed = (time.perf_counter() - started) * 1000
        return Exchange(
            status=status, response_body=text, calls=self.slack.calls[before:], elapsed_ms=elapsed
        )

    def command(
        self, text: str, *, user_id: str, command: str = "/cs", channel_id: str = "C0DEMO"
    ) -> Exchange:
        body = slash_command_body(
            command=command,
            text=text,
            user_id=user_id,
            response_url=self.slack.new_response_url(),
            channel_id=channel_id,
        )
        return self.send(body)

    def reply_to(self, text: str, user_id: str) -> dict[str, Any]:
        """`/cs <text>` typed by `user_id`: the private reply they see (AssertionError if it is public)."""
        reply = self.command(text, user_id=user_id).reply
        assert reply.get("response_type") == "ephemeral", reply
        return reply

    def open_home(self, user_id: str, *, event_id: str | None = None) -> Exchange:
        """`user_id` opens the app's Home tab: Slack's `app_home_opened` event, signed, as JSON."""
        event = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": f"D{user_id[1:]}",
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        return self.send(event_body(event, event_id=event_id))

    def click(self, action_id: str, value: str, *, user_id: str, channel_id: str = "C0DEMO") -> Exchange:
        body = block_action_body(
            action_id=action_id,
            value=value,
            user_id=user_id,
            response_url=self.slack.new_response_url(),
            channel_id=channel_id,
        )
        return self.send(body)

    def press_on_view(
        self,
        view: dict[str, Any],
        action_id: str,
        *,
        user_id: str,
        value: str | None = None,
        selected: str | None = None,
    ) -> Exchange:
        """A button pressed (``value``) or an option chosen (``selected``) on a view the bot published."""
        return self.send(
            view_action_body(view=view, action_id=action_id, user_id=user_id, value=value, selected=selected)
        )

    def shortcut(
        self,
        callback_id: str,
        *,
        message_text: str,
        message_user: str | None,
        user_id: str,
        channel_id: str = "C0DEMO",
        message_ts: str | None = None,
    ) -> Exchange:
        """A message shortcut chosen on a message; `message_user` None stands for a bot's message."""
        body = message_shortcut_body(
            callback_id=callback_id,
            user_id=user_id,
            response_url=self.slack.new_response_url(),
            message_text=message_text,
            message_user=message_user,
            message_ts=message_ts,
            channel_id=channel_id,
        )
        return self.send(body)

    def submit_view(
        self, view: dict[str, Any], values: dict[str, dict[str, str | None]], *, user_id: str
    ) -> Submission:
        """Submit a modal the bot opened, with `{block_id: {action_id: text}}` typed into its inputs."""
        exchange = self.send(view_submission_body(view=view, values=values, user_id=user_id))
        # Bolt answers an acknowledgement without a body with an empty response.
        response = json.loads(exchange.response_body) if exchange.response_body.strip() else {}
        return Submission(exchange=exchange, response=response)
