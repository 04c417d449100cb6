"""Recording that a month's digest is to be posted: once per month and channel, through the outbox."""

from datetime import datetime

from sqlalchemy import Engine

from domain.digest.month import Month
from storage.outbox import NewMessage, enqueue

DIGEST_PURPOSE = "digest"


def digest_key(month: Month, channel: str) -> str:
    return f"digest:{channel}:{month}"


def queue_digest(engine: Engine, *, month: Month, channel: str, language: str, now: datetime) -> bool:
    """Queue the month's digest for the channel; False when it was queued (or sent) before."""
    message = NewMessage(
        dedup_key=digest_key(month, channel),
        purpose=DIGEST_PURPOSE,
        recipient=channel,
        items=[month.year, month.month],
        language=language,
    )
    with engine.begin() as connection:
        return enqueue(connection, [message], now=now) == 1
