"""Delivering the outbox to Slack: post each message as bot/render/outbox.py draws it, retry what fails.

- 429: wait for Retry-After, then try again (the client already retried a couple of times in place).
- 5xx and network errors: back off exponentially, up to an hour between tries; never give up.
- Errors that a retry cannot fix (channel_not_found, not_in_channel…): mark the message failed, log
  a clear line and tell the CS Ops admins, once.
Slack allows about one message per second per channel, so posts to one channel are spaced out.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from jinja2 import TemplateError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import slack_ids
from bot.config import WorkspaceConfig
from bot.render import digest as digest_render
from bot.render.digest import DigestPost
from bot.render.message import Message
from bot.render.outbox import TEMPLATE_ERROR_PREFIX, draw
from domain.clock import Clock, system_clock, today_in
from domain.digest.content import MonthUnavailable
from storage import outbox
from storage.outbox import Purpose
from storage.team import people_with_role

logger = logging.getLogger(__name__)

# Errors a retry will not fix: someone has to change the configuration or invite the bot.
PERMANENT_ERRORS = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "user_not_found",
    "cannot_dm_bot",
    "user_disabled",
    "invalid_blocks",
    "msg_too_long",
}
MAX_BACKOFF = timedelta(hours=1)
PER_CHANNEL_SECONDS = 1.0
HISTORY_PAGES = 5  # how far back (200 messages a page) an earlier post of a retried message is looked for


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _shared_ts(files: list[dict[str, Any]], channel: str) -> str:
    """The message ts Slack reports for the uploaded file in `channel`, when it already knows it."""
    for file in files:
        for shares in (file.get("shares") or {}).values():
            for share in shares.get(channel, []):
                return str(share.get("ts", ""))
    return ""


class Sender:
    def __init__(
        self,
        engine: Any,
        client: WebClient,
        config: WorkspaceConfig,
        *,
        clock: Clock = system_clock,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        claim_seconds: float = outbox.CLAIM_SECONDS,
    ) -> None:
        self.engine = engine
        self.claim_seconds = claim_seconds
        self.client = client
        self.config = config
        self.clock = clock
        self.sleep = sleep
        self.monotonic = monotonic
        self._last_post: dict[str, float] = {}

    def draw(self, message: dict[str, Any]) -> Message | DigestPost:
        return draw(self.engine, self.config, message, today_in(self.clock, self.config.zone))

    def _pace(self, channel: str) -> None:
        last = self._last_post.get(channel)
        if last is not None:
            wait = PER_CHANNEL_SECONDS - (self.monotonic() - last)
            if wait > 0:
                self.sleep(wait)
        self._last_post[channel] = self.monotonic()

    def _earlier_post(self, message: dict[str, Any], channel: str, *, file_name: str | None = None) -> str:
        """The ts of this message if an earlier attempt already got it into the channel, else "".

        Only asked for a message tried before: its sender may have died after Slack accepted the post
        and before marking it sent. The post is recognised by the outbox key in its metadata (or, for
        the digest, by its chart's file name) among the channel's newest messages. Not by time: the
        sender's clock and Slack's need not agree."""
        if message["attempts"] <= 1:
            return ""
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            try:
                page = self.client.conversations_history(
                    channel=channel, limit=200, include_all_metadata=True, cursor=cursor
                )
            except SlackApiError as error:
                logger.warning(
                    "could not read %s to check whether outbox message %s went out already (%s); sending it",
                    channel,
                    message["id"],
                    error.response.get("error"),
                )
                return ""
            for posted in page.get("messages") or []:
                metadata = posted.get("metadata") or {}
                key = (metadata.get("event_payload") or {}).get("outbox_key")
                named = (
                    any(f.get("name") == file_name for f in posted.get("files") or []) if file_name else False
                )
                if named or (
                    metadata.get("event_type") == slack_ids.OUTBOX_METADATA_EVENT
                    and key == message["dedup_key"]
                ):
                    logger.info(
                        "outbox message %s was in %s already (ts %s): marked sent, not posted again",
                        message["id"],
                        channel,
                        posted.get("ts"),
                    )
                    return str(posted.get("ts", ""))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        return ""

    @staticmethod
    def _metadata(message: dict[str, Any]) -> dict[str, Any]:
        return {
            "event_type": slack_ids.OUTBOX_METADATA_EVENT,
            "event_payload": {"outbox_key": message["dedup_key"]},
        }

    def _post(self, message: dict[str, Any], rendered: Message) -> tuple[str, str]:
        channel = message["recipient"]
        if channel.startswith(("U", "W")):
            # A user id: a DM goes to the conversation Slack opens (or reopens) with them.
            channel = self.client.conversations_open(users=channel)["channel"]["id"]
        earlier = self._earlier_post(message, channel)
        if earlier:
            return channel, earlier
        self._pace(channel)
        response = self.client.chat_postMessage(
            channel=channel, metadata=self._metadata(message), **rendered.payload()
        )
        return str(response["channel"]), str(response["ts"])

    def _post_digest(self, message: dict[str, Any], post: DigestPost) -> tuple[str, str, dict[str, Any]]:
        """The digest goes up as one message carrying its chart; without files:write, without the chart."""
        channel = message["recipient"]
        payload = post.message.payload()
        earlier = self._earlier_post(message, channel, file_name=post.chart_filename)
        if earlier:
            return channel, earlier, payload
        self._pace(channel)
        try:
            response = self.client.files_upload_v2(channel=channel, **digest_render.upload_arguments(post))
        except SlackApiError as error:
            if error.response.get("error") != "missing_scope":
                raise
            logger.warning("no files:write scope: the digest for %s goes out without its chart", channel)
            posted = self.client.chat_postMessage(
                channel=channel, metadata=self._metadata(message), **payload
            )
            return str(posted["channel"]), str(posted["ts"]), payload
        return channel, _shared_ts(response.get("files") or [], channel), payload

    def deliver_due(self, limit: int = 500) -> DeliveryReport:
        report = DeliveryReport()
        for message_id in outbox.due_ids(self.engine, now=self.clock(), limit=limit):
            message = outbox.claim(self.engine, message_id, now=self.clock(), seconds=self.claim_seconds)
            if message is None:
                continue  # another replica took it
            self._deliver_one(message, report)
        return report

    def _deliver_one(self, message: dict[str, Any], report: DeliveryReport) -> None:
        message_id = message["id"]
        try:
            drawn = self.draw(message)
            if isinstance(drawn, DigestPost):
                channel, ts, payload = self._post_digest(message, drawn)
            else:
                channel, ts = self._post(message, drawn)
                payload = drawn.payload()
        except SlackApiError as error:
            code = str(error.response.get("error") or f"HTTP {error.response.status_code}")
            if error.response.status_code == 429:
                wait = float(error.response.headers.get("Retry-After", 30) or 30)
                outbox.retry_later(
                    self.engine, message_id, at=self.clock() + timedelta(seconds=wait), error=code
                )
                report.retrying += 1
            elif code in PERMANENT_ERRORS:
                self._give_up(message, code, report)
            else:
                self._back_off(message, code, report)
            return
        except (SlackClientError, OSError) as error:
            self._back_off(message, f"{type(error).__name__}: {error}", report)
            return
        except TemplateError as error:
            # Only a workspace's own digest template can fail here; retrying will not mend it.
            self._give_up(message, f"{TEMPLATE_ERROR_PREFIX}{error}", report)
            return
        except MonthUnavailable as missing:
            # The data no longer reaches the month (it was re-imported since): nothing true to post, and
            # nothing an admin can mend in Slack, so it is logged rather than reported by DM.
            self._give_up(message, str(missing), report, fix="Check the imported data.", tell_admins=False)
            return
        outbox.mark_sent(
            self.engine,
            message_id,
            now=self.clock(),
            channel=channel,
            ts=ts,
            text=payload["text"],
            blocks=payload["blocks"],
        )
        report.sent += 1

    def _back_off(self, message: dict[str, Any], error: str, report: DeliveryReport) -> None:
        delay = min(MAX_BACKOFF, timedelta(seconds=30 * 2 ** max(0, message["attempts"] - 1)))
        outbox.retry_later(self.engine, message["id"], at=self.clock() + delay, error=error)
        logger.warning(
            "Slack send of outbox message %s failed (%s); retrying in %s", message["id"], error, delay
        )
        report.retrying += 1

    def _give_up(
        self,
        message: dict[str, Any],
        error: str,
        report: DeliveryReport,
        *,
        fix: str | None = None,
        tell_admins: bool = True,
    ) -> None:
        outbox.mark_failed(self.engine, message["id"], error=error)
        fix = fix or (
            "Correct the template named by digest.template."
            if error.startswith(TEMPLATE_ERROR_PREFIX)
            else "Invite the bot or fix the channel ids in the configuration."
        )
        line = (
            f"could not post {message['purpose']} (outbox message {message['id']}) "
            f"to {message['recipient']}: {error}. {fix}"
        )
        logger.error(line)
        report.failed += 1
        report.errors.append(line)
        if tell_admins and message["purpose"] != Purpose.ADMIN_NOTICE:
            self._tell_admins(message)

    def _tell_admins(self, failed: dict[str, Any]) -> None:
        tell_cs_ops(
            self.engine,
            purpose=Purpose.ADMIN_NOTICE,
            item=failed["id"],
            key="admin-notice",
            default_language=self.config.default_locale,
            now=self.clock(),
        )


def tell_cs_ops(
    engine: Any, *, purpose: Purpose, item: int, key: str, default_language: str, now: datetime
) -> int:
    """A DM about `item` to every CS Ops member on Slack, in their language, each once (the key is
    `key`, the member and the item); how many were newly queued."""
    admins = [p for p in people_with_role(engine, "cs_ops") if p.slack_user_id]
    notices = [
        outbox.NewMessage(
            dedup_key=f"{key}:{admin.slack_user_id}:{item}",
            purpose=purpose,
            recipient=admin.slack_user_id,  # type: ignore[arg-type]
            items=[item],
            language=admin.language(default_language),
        )
        for admin in admins
    ]
    with engine.begin() as connection:
        return outbox.enqueue(connection, notices, now=now)
