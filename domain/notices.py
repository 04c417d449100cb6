"""Turning a day's new reminders or alerts into messages: one per person, one per channel.

A Slack message holds at most 50 blocks, so a long list travels as several messages ("parts"), each
naming its place in the whole: no item is ever left out of what someone is sent.
"""

from collections.abc import Mapping
from datetime import date

from storage.outbox import NewMessage, Purpose
from storage.team import Person

# A DM item takes up to three blocks (text, buttons or a note): fifteen stay within Slack's 50 blocks.
DM_ITEMS_PER_MESSAGE = 15
# A channel item is one line; a hundred lines fit in a message's sections many times over.
CHANNEL_ITEMS_PER_MESSAGE = 100


def in_parts(
    *, purpose: Purpose, recipient: str, day: date, ids: list[int], language: str, per_message: int
) -> list[NewMessage]:
    """The messages carrying `ids` to one recipient, `per_message` items each, in id order.

    Each key names the recipient, the day and the part's first item: a re-run of the day finds it recorded.
    """
    ordered = sorted(ids)
    total = len(ordered)
    messages = []
    for start in range(0, total, per_message):
        part = ordered[start : start + per_message]
        messages.append(
            NewMessage(
                dedup_key=f"{purpose}:{recipient}:{day.isoformat()}:{part[0]}",
                purpose=purpose,
                recipient=recipient,
                items=part,
                language=language,
                first_item=start + 1 if total > per_message else None,
                total_items=total if total > per_message else None,
            )
        )
    return messages


def daily_messages(
    *,
    purpose: Purpose,
    day: date,
    to_people: Mapping[str, list[int]],
    people: Mapping[str, Person],
    to_channels: Mapping[str, list[int]] | None = None,
    channel_purpose: Purpose | None = None,
    default_language: str,
) -> tuple[list[NewMessage], list[str]]:
    """Messages for items grouped by person email and by channel, and the emails nobody can DM."""
    messages: list[NewMessage] = []
    unreachable = []
    for email, ids in to_people.items():
        person = people.get(email)
        if person is None or not person.slack_user_id:
            unreachable.append(email)
            continue
        messages += in_parts(
            purpose=purpose,
            recipient=person.slack_user_id,
            day=day,
            ids=ids,
            language=person.language(default_language),
            per_message=DM_ITEMS_PER_MESSAGE,
        )
    for channel, ids in (to_channels or {}).items():
        assert channel_purpose is not None, "channel posts need their purpose"
        messages += in_parts(
            purpose=channel_purpose,
            recipient=channel,
            day=day,
            ids=ids,
            language=default_language,
            per_message=CHANNEL_ITEMS_PER_MESSAGE,
        )
    return messages, sorted(unreachable)
