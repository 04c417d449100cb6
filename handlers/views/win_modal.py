"""The customer-win form submitted: record it, or show what is wrong under the field it concerns."""

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import slack_ids
from bot.render import wins as render
from bot.services import Services
from domain.wins import record_shared_win
from handlers.access import outsider


def _value(values: dict[str, Any], block_id: str, action_id: str) -> str:
    return str(((values.get(block_id) or {}).get(action_id) or {}).get("value") or "")


def _metadata(view: dict[str, Any]) -> dict[str, str | None]:
    try:
        loaded = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        loaded = {}
    loaded = loaded if isinstance(loaded, dict) else {}
    return {key: str(loaded[key]) if loaded.get(key) else None for key in ("channel", "ts", "author")}


def make_listener(services: Services) -> Callable[..., None]:
    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        # Slack waits for the answer to this request to close, update or mark the form: ack comes last.
        requester = services.directory.requester(client, body["user"]["id"])
        language = requester.language
        if outsider(services, requester, action="win"):
            ack(response_action="update", view=render.refusal_modal(language=language))
            return
        values = (view.get("state") or {}).get("values") or {}
        metadata = _metadata(view)
        author = metadata["author"]
        outcome = record_shared_win(
            services.engine,
            account=_value(values, slack_ids.WIN_ACCOUNT_BLOCK, slack_ids.WIN_ACCOUNT_INPUT),
            story=_value(values, slack_ids.WIN_STORY_BLOCK, slack_ids.WIN_STORY_INPUT),
            impact=_value(values, slack_ids.WIN_IMPACT_BLOCK, slack_ids.WIN_IMPACT_INPUT),
            author_slack_user_id=author if author and author.isalnum() else requester.slack_user_id,
            recorded_by_slack_user_id=requester.slack_user_id,
            source_channel=metadata["channel"],
            source_ts=metadata["ts"],
            today=services.today(),
            at=services.now(),
        )
        errors = render.submission_errors(outcome, language=language)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack(response_action="update", view=render.done_modal(outcome, language=language))

    return submit
