"""Turning a day's new reminders or alerts into messages: one per person, one per channel."""

from collections.abc import Mapping
from datetime import date

from storage.outbox import NewMessage
from storage.reminders import Person


def daily_messages(
    *,
    purpose: str,
    day: date,
    to_people: Mapping[str, list[int]],
    people: Mapping[str, Person],
    to_channels: Mapping[str, list[int]] | None = None,
    channel_purpose: str = "",
    default_language: str,
) -> tuple[list[NewMessage], list[str]]:
    """Messages for items grouped by person email and by channel, and the emails nobody can DM.

    The key names the recipient, the day and the first item: a re-run of the day finds it recorded.
    """
    messages = []
    unreachable = []
    for email, ids in to_people.items():
        person = people.get(email)
        if person is None or not person.slack_user_id:
            unreachable.append(email)
            continue
        messages.append(
            NewMessage(
                dedup_key=f"{purpose}:{person.slack_user_id}:{day.isoformat()}:{min(ids)}",
                purpose=purpose,
                recipient=person.slack_user_id,
                items=sorted(ids),
                language=person.language(default_language),
            )
        )
    for channel, ids in (to_channels or {}).items():
        messages.append(
            NewMessage(
                dedup_key=f"{channel_purpose}:{channel}:{day.isoformat()}:{min(ids)}",
                purpose=channel_purpose,
                recipient=channel,
                items=sorted(ids),
                language=default_language,
            )
        )
    return messages, sorted(unreachable)
