"""The `/cs health <account>` use case: find the account, build its card, write the audit trail."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from domain.accounts import Lookup, find_account
from domain.health.card import HealthCard, build_card
from domain.health.scorecard import HealthConfig
from storage import audit


@dataclass(frozen=True)
class HealthAnswer:
    lookup: Lookup
    card: HealthCard | None


def health_by_name(
    engine: Engine, config: HealthConfig, *, query: str, slack_user_id: str, today: date, at: datetime
) -> HealthAnswer:
    lookup = find_account(engine, query)
    card = build_card(engine, config, lookup.match.id, today) if lookup.match else None
    audit.record(
        engine,
        at=at,
        slack_user_id=slack_user_id,
        action="health",
        query=query,
        account_id=lookup.match.id if lookup.match else None,
        outcome=lookup.outcome,
    )
    return HealthAnswer(lookup=lookup, card=card)


def health_by_id(
    engine: Engine,
    config: HealthConfig,
    *,
    account_id: int,
    slack_user_id: str,
    today: date,
    at: datetime,
    action: str = "health",
) -> HealthCard | None:
    card = build_card(engine, config, account_id, today)
    audit.record(
        engine,
        at=at,
        slack_user_id=slack_user_id,
        action=action,
        account_id=account_id,
        outcome="shown" if card else "not_found",
    )
    return card
