"""A customer's own Slack channel as a health signal: how often they write, how fast the team answers,
and how long they have been quiet, as daily metrics the scorecard can weigh.

Only the time of each message and whether the customer or the team wrote it are known here; the text
never is. A "wait" starts with a customer message nobody on the team has answered yet and ends with
the team's next message in the channel (in a thread or not): its length is the time to first reply.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from storage import channel_signals
from storage.importing import import_rows

CUSTOMER_MESSAGES = "channel_customer_messages"
TEAM_MESSAGES = "channel_team_messages"
FIRST_REPLY_MINUTES = "channel_first_reply_minutes"
DAYS_SINCE_CUSTOMER = "channel_days_since_customer"
METRICS = (CUSTOMER_MESSAGES, TEAM_MESSAGES, FIRST_REPLY_MINUTES, DAYS_SINCE_CUSTOMER)
ORIGIN = "customer channels"


@dataclass(frozen=True)
class Post:
    at: datetime
    from_customer: bool


@dataclass(frozen=True)
class ChannelDay:
    """One account's channel figures for one day (in the workspace's time zone)."""

    day: date
    customer_messages: int
    team_messages: int
    first_reply_minutes: float | None  # median over the waits that began that day and were answered
    days_since_customer: int  # whole days since the customer last wrote; since the link if never

    def metrics(self) -> dict[str, float]:
        figures = {
            CUSTOMER_MESSAGES: float(self.customer_messages),
            TEAM_MESSAGES: float(self.team_messages),
            DAYS_SINCE_CUSTOMER: float(self.days_since_customer),
        }
        if self.first_reply_minutes is not None:
            figures[FIRST_REPLY_MINUTES] = self.first_reply_minutes
        return figures


def day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def channel_day(
    posts: Sequence[Post],
    day: date,
    zone: ZoneInfo,
    *,
    last_customer_before: datetime | None,
    linked_at: datetime,
) -> ChannelDay:
    """The day's figures from the account's posts in time order, from the day's start on (later posts
    answer the day's waits); `last_customer_before` is the customer's latest post before the day."""
    start, end = day_start(day, zone), day_start(day + timedelta(days=1), zone)
    today = [p for p in posts if start <= p.at < end]
    waits: list[float] = []
    waiting_since: datetime | None = None
    for post in posts:
        if post.at < start:
            continue
        if post.from_customer:
            waiting_since = waiting_since or post.at
        elif waiting_since is not None:
            if waiting_since < end:
                waits.append((post.at - waiting_since).total_seconds() / 60)
            waiting_since = None
    customer = [p.at for p in today if p.from_customer]
    last = max(customer) if customer else last_customer_before
    since = (last or linked_at).astimezone(zone).date()
    return ChannelDay(
        day=day,
        customer_messages=len(customer),
        team_messages=len(today) - len(customer),
        first_reply_minutes=round(statistics.median(waits), 1) if waits else None,
        days_since_customer=max(0, (day - since).days),
    )


def record_channel_days(engine: Engine, days: Sequence[date], zone: ZoneInfo) -> set[int]:
    """Each linked account's figures for these days, stored as its metrics (a day stored before is
    replaced: a reply after midnight completes the day before); the accounts whose figures changed."""
    linked = channel_signals.linked_accounts(engine)
    if not linked or not days:
        return set()
    first = day_start(min(days), zone)
    posts = channel_signals.posts_since(engine, first)
    before = channel_signals.last_customer_posts(engine, first)
    rows: list[tuple[str, date, str, float]] = []
    for account_id, (external_id, linked_at) in sorted(linked.items()):
        account_posts = [Post(at, from_customer) for at, from_customer in posts.get(account_id, [])]
        for day in sorted(days):
            if day < linked_at.astimezone(zone).date():
                continue  # before the channel was linked nothing was counted
            start = day_start(day, zone)
            earlier = [p.at for p in account_posts if p.from_customer and p.at < start]
            latest = max(earlier) if earlier else before.get(account_id)
            figures = channel_day(account_posts, day, zone, last_customer_before=latest, linked_at=linked_at)
            rows.extend((external_id, day, metric, value) for metric, value in figures.metrics().items())
    report = import_rows(
        engine, "metrics", rows, origin=ORIGIN, columns=("account_id", "date", "metric", "value")
    )
    return report.changed_accounts
