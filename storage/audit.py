"""The audit log: who looked at or shared which account, when, and what came of it."""

from datetime import datetime

from sqlalchemy import Engine, insert

from storage.models import AuditEntry


def record(
    engine: Engine,
    *,
    at: datetime,
    slack_user_id: str | None,
    action: str,
    outcome: str,
    query: str | None = None,
    account_id: int | None = None,
) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(AuditEntry).values(
                at=at,
                slack_user_id=slack_user_id,
                action=action,
                query=query[:500] if query else None,
                account_id=account_id,
                outcome=outcome,
            )
        )
