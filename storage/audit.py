"""The audit log: who looked at or shared which account, when, and what came of it.

`record` is the one writer of audit rows. On an engine it commits the row alone; on a connection it
writes inside that connection's transaction, so an import and its audit row commit or roll back together.
"""

from datetime import datetime

from sqlalchemy import Connection, Engine, insert

from storage.models import AuditEntry

_QUERY_LENGTH = 500  # the column's size: a longer query is cut, never refused


def record(
    bind: Engine | Connection,
    *,
    at: datetime,
    slack_user_id: str | None,
    action: str,
    outcome: str,
    query: str | None = None,
    account_id: int | None = None,
) -> None:
    row = insert(AuditEntry).values(
        at=at,
        slack_user_id=slack_user_id,
        action=action,
        query=query[:_QUERY_LENGTH] if query else None,
        account_id=account_id,
        outcome=outcome,
    )
    if isinstance(bind, Connection):
        bind.execute(row)
        return
    with bind.begin() as connection:
        connection.execute(row)
