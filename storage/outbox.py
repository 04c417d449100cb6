"""The outbox: Slack messages recorded under a unique key, delivered later by the sender.

A message is written in the same transaction as the reminder or alert that causes it, so the two
commit together or not at all; the unique `dedup_key` means a re-run or a second replica adds nothing.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, select, update

from storage.tables import OUTBOX as TABLE
from storage.upsert import conflict_insert

# A claimed message is retried by anyone after this, should its sender die mid-way.
CLAIM_SECONDS = 300


class Purpose(enum.StrEnum):
    """What an outbox message is: each purpose has its drawer (bot/render/outbox.py)."""

    RENEWAL_DM = "renewal_dm"  # a person's renewal reminders, with buttons
    RENEWAL_CHANNEL = "renewal_channel"  # the day's reminders, one line each
    RISK_DM = "risk_dm"  # a person's new at-risk alerts, with Acknowledge
    ESCALATION_DM = "escalation_dm"  # alerts nobody acknowledged, passed on to a manager
    RISK_CHANNEL = "risk_channel"  # the day's new alerts, one line each
    RISK_SUMMARY = "risk_summary"  # the weekly list of accounts at risk
    ADMIN_NOTICE = "admin_notice"  # to CS Ops: a message that could not be posted
    DIGEST = "digest"  # the monthly success digest, with its chart
    SOURCE_FAILED = "source_failed"  # to CS Ops: a configured source's daily sync failed


@dataclass(frozen=True)
class NewMessage:
    dedup_key: str
    purpose: Purpose
    recipient: str
    items: list[int]
    language: str = "en"
    # Set when a list is sent in several messages: this one's first item (1-based) and the list's length.
    first_item: int | None = None
    total_items: int | None = None


def enqueue(connection: Connection, messages: Sequence[NewMessage], *, now: datetime) -> int:
    """Record messages to send; those whose key is already recorded are left as they are."""
    if not messages:
        return 0
    rows = [
        {
            "dedup_key": m.dedup_key[:200],
            "purpose": m.purpose,
            "recipient": m.recipient,
            "items": m.items,
            "language": m.language,
            "first_item": m.first_item,
            "total_items": m.total_items,
            "text": "",
            "blocks": [],
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for m in messages
    ]
    statement = conflict_insert(connection, TABLE).on_conflict_do_nothing(index_elements=["dedup_key"])
    result = connection.execute(statement.returning(TABLE.c.id), rows)
    return len(result.all())


def requeue_failed(connection: Connection, dedup_key: str, *, now: datetime) -> bool:
    """Send a message that failed for good once more, its cause fixed; True if it had failed."""
    result = connection.execute(
        update(TABLE)
        .where(TABLE.c.dedup_key == dedup_key, TABLE.c.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=now, last_error=None)
    )
    return result.rowcount == 1


def due_ids(engine: Engine, *, now: datetime, limit: int) -> list[int]:
    with engine.connect() as connection:
        return list(
            connection.scalars(
                select(TABLE.c.id)
                .where(TABLE.c.status == "pending", TABLE.c.next_attempt_at <= now)
                .order_by(TABLE.c.id)
                .limit(limit)
            )
        )


def claim(
    engine: Engine, message_id: int, *, now: datetime, seconds: float = CLAIM_SECONDS
) -> dict[str, Any] | None:
    """Take a due message for sending for `seconds`, or None if another sender took it first."""
    with engine.begin() as connection:
        taken = connection.execute(
            update(TABLE)
            .where(
                and_(TABLE.c.id == message_id, TABLE.c.status == "pending", TABLE.c.next_attempt_at <= now)
            )
            .values(next_attempt_at=now + timedelta(seconds=seconds), attempts=TABLE.c.attempts + 1)
        )
        if taken.rowcount != 1:
            return None
        row = connection.execute(select(TABLE).where(TABLE.c.id == message_id)).one()
    return dict(row._mapping)


def mark_sent(
    engine: Engine, message_id: int, *, now: datetime, channel: str, ts: str, text: str, blocks: list[Any]
) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(TABLE)
            .where(TABLE.c.id == message_id)
            .values(
                status="sent",
                sent_at=now,
                slack_channel=channel,
                slack_ts=ts,
                text=text,
                blocks=blocks,
                last_error=None,
            )
        )


def retry_later(engine: Engine, message_id: int, *, at: datetime, error: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(TABLE).where(TABLE.c.id == message_id).values(next_attempt_at=at, last_error=error[:500])
        )


def mark_failed(engine: Engine, message_id: int, *, error: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(TABLE).where(TABLE.c.id == message_id).values(status="failed", last_error=error[:500])
        )


def load(engine: Engine, message_id: int) -> dict[str, Any] | None:
    with engine.connect() as connection:
        row = connection.execute(select(TABLE).where(TABLE.c.id == message_id)).first()
    return dict(row._mapping) if row else None
