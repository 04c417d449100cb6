"""The tables. Kept free of `from __future__ import annotations`: SQLModel reads real annotations."""

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

# SQLite only auto-numbers a column declared exactly INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Role(enum.StrEnum):
    CSM = "csm"
    AE = "ae"
    AM = "am"
    CS_OPS = "cs_ops"
    MANAGER = "manager"


class MovementKind(enum.StrEnum):
    NEW = "new"
    UPSELL = "upsell"
    EXTENSION = "extension"
    CROSS_SELL = "cross_sell"
    DOWNSELL = "downsell"
    CHURN = "churn"


class TeamMember(SQLModel, table=True):
    __tablename__ = "team_member"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    slack_user_id: str | None = Field(default=None, max_length=32, unique=True, index=True)
    manager_email: str | None = Field(default=None, max_length=320)
    timezone: str | None = Field(default=None, max_length=64)
    locale: str | None = Field(default=None, max_length=16)


class Account(SQLModel, table=True):
    __tablename__ = "account"
    # Ids are looked up in any case the person types them.
    __table_args__ = (Index("ix_account_external_id_lower", text("lower(external_id)")),)

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=255)
    # Lower-cased, punctuation- and legal-suffix-free form of the name: what loose lookup matches on.
    search_name: str = Field(max_length=255, index=True)
    domain: str | None = Field(default=None, max_length=255, index=True)
    segment: str | None = Field(default=None, max_length=40)
    region: str | None = Field(default=None, max_length=40)
    arr: float = Field(default=0)
    seats: int | None = Field(default=None)
    csm_email: str | None = Field(default=None, max_length=320, index=True)
    ae_email: str | None = Field(default=None, max_length=320, index=True)
    am_email: str | None = Field(default=None, max_length=320, index=True)
    lifecycle_stage: str | None = Field(default=None, max_length=40)
    status: str = Field(default="active", max_length=20)
    start_date: date | None = Field(default=None)
    # False when the customer already owns most of what we sell: some ownership models hand such
    # renewals to the account manager. None means unknown (treated as having potential).
    expansion_potential: bool | None = Field(default=None)
    # Set when someone presses "Take ownership": wins over the ownership model for this account.
    renewal_owner_email: str | None = Field(default=None, max_length=320)
    # Set by "Flag at risk" on a reminder; cleared when the account is back to green.
    flagged_at_risk_on: date | None = Field(default=None)


class AccountAlias(SQLModel, table=True):
    __tablename__ = "account_alias"
    __table_args__ = (UniqueConstraint("account_id", "search_alias"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    alias: str = Field(max_length=255)
    search_alias: str = Field(max_length=255, index=True)


class Contract(SQLModel, table=True):
    __tablename__ = "contract"
    __table_args__ = (Index("ix_contract_account_end", "account_id", "end_date"),)

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True, index=True)
    account_id: int = Field(foreign_key="account.id")
    start_date: date
    end_date: date = Field(index=True)
    arr: float = Field(default=0)
    auto_renew: bool = Field(default=False)
    notice_days: int | None = Field(default=None)
    status: str = Field(default="active", max_length=20)
    # "Snooze 7 days" on a reminder: no reminder for this contract before this day.
    snoozed_until: date | None = Field(default=None)


class MetricObservation(SQLModel, table=True):
    """One value of one metric for one account on one day (long form: any metric fits)."""

    __tablename__ = "metric_observation"
    __table_args__ = (UniqueConstraint("account_id", "metric", "observed_on", name="uq_metric_observation"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True))
    account_id: int = Field(foreign_key="account.id")
    metric: str = Field(max_length=64)
    observed_on: date
    value: float


class HealthSnapshot(SQLModel, table=True):
    """The health score of one account as computed for one day; trend and history read these."""

    __tablename__ = "health_snapshot"
    # By day alone too: "is today scored yet?" and the digest's month-end look-ups ask across accounts.
    __table_args__ = (
        UniqueConstraint("account_id", "day", name="uq_health_snapshot"),
        Index("ix_health_snapshot_day", "day"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True))
    account_id: int = Field(foreign_key="account.id")
    day: date
    score: float | None = Field(default=None)
    band: str = Field(max_length=16)
    scorecard: str = Field(max_length=64)
    measures: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Milestone(SQLModel, table=True):
    """A value point agreed with the customer, with a deadline (onboarding tracks three per account)."""

    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_milestone"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    name: str = Field(max_length=255)
    due_date: date
    achieved_date: date | None = Field(default=None)


class RevenueMovement(SQLModel, table=True):
    __tablename__ = "revenue_movement"
    __table_args__ = (
        UniqueConstraint("account_id", "moved_on", "kind", name="uq_revenue_movement"),
        Index("ix_revenue_movement_moved_on", "moved_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    moved_on: date
    kind: str = Field(max_length=20)
    arr_delta: float


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True))
    at: datetime = Field(index=True)
    slack_user_id: str | None = Field(default=None, max_length=32, index=True)
    action: str = Field(max_length=40)
    query: str | None = Field(default=None, max_length=500)
    account_id: int | None = Field(default=None, index=True)
    outcome: str = Field(max_length=40)


class RenewalReminder(SQLModel, table=True):
    """One reminder window of one contract. The unique key is what makes a reminder go out once."""

    __tablename__ = "renewal_reminder"
    __table_args__ = (
        UniqueConstraint("contract_id", "target_date", "window_days", name="uq_renewal_reminder"),
        Index("ix_renewal_reminder_sweep_day", "sweep_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id")
    # The day the countdown is to: the notice deadline for auto-renewing contracts, else the end date.
    target_date: date
    window_days: int
    sweep_day: date
    # sent: in a DM today; skipped: a window passed during downtime, covered by a later catch-up.
    status: str = Field(max_length=16)
    owner_email: str | None = Field(default=None, max_length=320)
    rule: str = Field(max_length=64)
    handled: str | None = Field(default=None, max_length=16)  # renewed | at_risk | snoozed | taken
    handled_by: str | None = Field(default=None, max_length=32)


class RiskAlert(SQLModel, table=True):
    __tablename__ = "risk_alert"
    __table_args__ = (UniqueConstraint("account_id", "day", name="uq_risk_alert"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    day: date = Field(index=True)
    score: float | None = Field(default=None)
    band: str = Field(max_length=16)
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    acknowledged_by: str | None = Field(default=None, max_length=32)
    acknowledged_on: date | None = Field(default=None)
    escalated_on: date | None = Field(default=None)


class OutboxMessage(SQLModel, table=True):
    """A Slack message to send. Written in the same transaction as what caused it, under a unique key,
    then delivered (with retries) by the sender: nothing is sent twice and nothing is lost."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True))
    dedup_key: str = Field(max_length=200, unique=True)
    purpose: str = Field(max_length=32)
    # A Slack user id (sent as a DM) or a channel id.
    recipient: str = Field(max_length=32)
    text: str
    blocks: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The domain items the message is about (reminder or alert ids), so a button press can redraw it.
    items: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    language: str = Field(default="en", max_length=8)
    # A long list goes out in several messages: this one's first item (1-based) and the whole list's
    # length. Both NULL when the message carries the whole list.
    first_item: int | None = Field(default=None)
    total_items: int | None = Field(default=None)
    status: str = Field(default="pending", max_length=16)  # pending | sent | failed
    attempts: int = Field(default=0)
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=500)
    slack_channel: str | None = Field(default=None, max_length=32)
    slack_ts: str | None = Field(default=None, max_length=32)


class SchedulerLease(SQLModel, table=True):
    """Which process runs the scheduled jobs; another takes over when the lease is not renewed."""

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=128)
    expires_at: datetime


class CustomerWin(SQLModel, table=True):
    """A customer success story, credited to the person who made it happen: the monthly digest tells them."""

    __tablename__ = "customer_win"
    # A message shared twice for the same account is one win; NULLs (wins typed with /cs win) never clash.
    __table_args__ = (
        UniqueConstraint("source_channel", "source_ts", "account_id", name="uq_customer_win_source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    story: str = Field(sa_type=Text)
    impact: str | None = Field(default=None, sa_type=Text)
    author_slack_user_id: str = Field(max_length=32)
    recorded_by_slack_user_id: str = Field(max_length=32)
    # The workspace-local day it was recorded: which month's digest tells it.
    won_on: date = Field(index=True)
    created_at: datetime
    source: str = Field(max_length=16)  # command | shortcut | demo
    source_channel: str | None = Field(default=None, max_length=32)
    source_ts: str | None = Field(default=None, max_length=32)


class SourceRun(SQLModel, table=True):
    """One day's run of one configured source (`sources:`): the scheduler's record that it ran, and what
    came of it. The unique key keeps it to one run a day across restarts and replicas."""

    __tablename__ = "source_run"
    __table_args__ = (UniqueConstraint("source", "day", name="uq_source_run"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)
    day: date
    started_at: datetime
    status: str = Field(max_length=16)  # running | ok | failed
    rows_read: int = Field(default=0)
    inserted: int = Field(default=0)
    updated: int = Field(default=0)
    unchanged: int = Field(default=0)
    seconds: float = Field(default=0)
    error: str | None = Field(default=None, max_length=2000)


class SegmentEvent(SQLModel, table=True):
    """A product event received as a Segment `track` call, kept by its message id so that a replayed
    event is counted once; the metric of its account and day is the count of these rows."""

    __tablename__ = "segment_event"
    __table_args__ = (Index("ix_segment_event_count", "account_id", "metric", "day"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True))
    message_id: str = Field(max_length=128, unique=True)
    account_id: int = Field(foreign_key="account.id")
    metric: str = Field(max_length=64)
    day: date


class SourceCursor(SQLModel, table=True):
    """How far a CRM source has read one of its objects: the latest modification time among the records
    imported, so the next run asks only for records changed since."""

    __tablename__ = "source_cursor"
    __table_args__ = (UniqueConstraint("source", "stream", name="uq_source_cursor"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)
    stream: str = Field(max_length=64)  # the CRM object: companies, deals, Account, Opportunity…
    modified_after: str = Field(max_length=40)  # the CRM's own timestamp text, compared by the CRM


class HomeVisit(SQLModel, table=True):
    """When a person last opened csbot's Home tab: those who did recently get it re-published after the
    daily sweep, so the tab is current when they next look."""

    __tablename__ = "home_visit"

    id: int | None = Field(default=None, primary_key=True)
    slack_user_id: str = Field(max_length=32, unique=True)
    opened_at: datetime


class ChannelLink(SQLModel, table=True):
    """A customer's Slack channel and the account it belongs to: named in the configuration, or found
    through the email domain of the channel's members from another organisation."""

    __tablename__ = "channel_link"

    channel_id: str = Field(primary_key=True, max_length=32)
    account_id: int = Field(foreign_key="account.id", index=True)
    linked_by: str = Field(max_length=16)  # config | domain
    linked_at: datetime


class ChannelMessage(SQLModel, table=True):
    """That a message was posted in a linked channel: when, and whether the customer or the team wrote
    it. Never its text, its files or its author: the counts and reply times need none of them."""

    __tablename__ = "channel_message"
    __table_args__ = (
        UniqueConstraint("channel_id", "ts", name="uq_channel_message"),
        Index("ix_channel_message_account_posted", "account_id", "posted_at"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True))
    channel_id: str = Field(max_length=32)
    ts: str = Field(max_length=32)  # Slack's id of the message in its channel: a retry repeats it
    account_id: int = Field(foreign_key="account.id")
    posted_at: datetime
    from_customer: bool


class SweepRun(SQLModel, table=True):
    """A day whose sweep finished. A replica that died mid-sweep leaves no row, so the next leader runs
    the day again (the sweep records nothing twice) instead of finding some snapshots and stopping."""

    __tablename__ = "sweep_run"

    day: date = Field(primary_key=True)
    finished_at: datetime
