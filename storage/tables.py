"""The tables as SQLAlchemy Core objects, for the queries that read or write many rows at once."""

from sqlalchemy import Table

from storage.models import (
    Account,
    AccountAlias,
    ChannelLink,
    ChannelMessage,
    Contract,
    HealthSnapshot,
    MetricObservation,
    Milestone,
    OutboxMessage,
    RenewalReminder,
    RevenueMovement,
    RiskAlert,
    SchedulerLease,
    TeamMember,
)


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


ACCOUNTS = _table(Account)
ALIASES = _table(AccountAlias)
CONTRACTS = _table(Contract)
SNAPSHOTS = _table(HealthSnapshot)
MEMBERS = _table(TeamMember)
REMINDERS = _table(RenewalReminder)
ALERTS = _table(RiskAlert)
OUTBOX = _table(OutboxMessage)
LEASES = _table(SchedulerLease)
MOVEMENTS = _table(RevenueMovement)
OBSERVATIONS = _table(MetricObservation)
MILESTONES = _table(Milestone)
CHANNEL_LINKS = _table(ChannelLink)
CHANNEL_MESSAGES = _table(ChannelMessage)
