"""A rendered Slack message: Block Kit blocks plus the plain-text fallback Slack requires."""

from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block, SectionBlock

# Slack rejects a `text` over 40,000 characters and truncates long ones in notifications.
_MAX_FALLBACK = 3000


@dataclass(frozen=True)
class Message:
    text: str
    blocks: list[Block] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        """Keyword arguments for `respond()` / `chat_postMessage()`.

        slack_sdk's `to_dict()` validates each block against Slack's limits and raises if one is broken.
        """
        return {"text": self.text[:_MAX_FALLBACK], "blocks": [b.to_dict() for b in self.blocks]}


def text_message(text: str) -> Message:
    """A one-section message whose fallback is the same text."""
    return Message(text=text, blocks=[SectionBlock(text={"type": "mrkdwn", "text": text[:3000]})])
