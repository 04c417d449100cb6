"""Recording that a month's digest is to be posted: once per month and channel, through the outbox."""

from datetime import datetime

from sqlalchemy import Engine

from domain.digest.month import Month
from storage.outbox import NewMessage, Purpose, enqueue, requeue_failed


def digest_key(month: Month, channel: str) -> str:
    return f"digest:{channel}:{month}"


def queue_digest(
    engine: Engine, *, month: Month, channel: str, language: str, now: datetime, retry_failed: bool = False
) -> bool:
    """Queue the month's digest for the channel; False when it was queued (or sent) before.

    With `retry_failed`, a digest that failed for good (the bot not in the channel, a broken workspace
    template) is queued again: someone has fixed the cause and asks for it by hand.
    """
    message = NewMessage(
        dedup_key=digest_key(month, channel),
        purpose=Purpose.DIGEST,
        recipient=channel,
        items=[month.year, month.month],
        language=language,
    )
    with engine.begin() as connection:
        if enqueue(connection, [message], now=now) == 1:
            return True
        return retry_failed and requeue_failed(connection, message.dedup_key, now=now)
